"""GET /shopify/health (JSON) and /shopify/metrics (Prometheus text) for people and monitoring systems.

Access: a logged-in Shopify user (sees the shops of their companies) or `Authorization: Bearer <token>`
with the token set in Settings › Shopify (sees every shop). Anyone else gets 401 and no data.
"""

import hmac
import json

from werkzeug.wrappers import Response

from odoo import fields, http
from odoo.http import request

from ..services import timestamps

TOKEN_PARAM = "shopify_sync.monitoring_token"


class ShopifyMonitoringController(http.Controller):
    def _visible_shops(self):
        """The shops the caller may see, or None when the caller is not allowed at all."""
        authorization = request.httprequest.headers.get("Authorization") or ""
        if authorization.startswith("Bearer "):
            token = request.env["ir.config_parameter"].sudo().get_param(TOKEN_PARAM)
            offered = authorization[len("Bearer ") :].strip()
            if token and offered and hmac.compare_digest(offered.encode(), token.encode()):
                return request.env["shopify.shop"].sudo().search([])
            return None
        user = request.env.user
        if user._is_public() or not user.has_group("shopify_sync.group_shopify_user"):
            return None
        return request.env["shopify.shop"].search([])

    @http.route("/shopify/health", type="http", auth="public", methods=["GET"], save_session=False)
    def shopify_health(self):
        shops = self._visible_shops()
        if shops is None:
            return Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        now = fields.Datetime.now()
        snapshot = request.env["shopify.health"].sudo()._snapshot(shops, now=now)
        body = {"generated_at": timestamps.to_text(now), "shops": [snapshot[shop.id] for shop in shops]}
        return Response(json.dumps(body, sort_keys=True), status=200, content_type="application/json")

    @http.route("/shopify/metrics", type="http", auth="public", methods=["GET"], save_session=False)
    def shopify_metrics(self):
        shops = self._visible_shops()
        if shops is None:
            return Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        text = request.env["shopify.health"].sudo()._metrics_text(shops)
        return Response(text, status=200, content_type="text/plain; version=0.0.4; charset=utf-8")
