"""Webhook ingress: verify, store one event row, answer 200. No Shopify call, no business processing.

Shopify gives a delivery 5 seconds and retries failures 8 times over 4 hours, then may delete the
subscription: so this endpoint only does cheap checks and one insert; the queue does the work.
"""

import json
import logging
import re

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from odoo import http
from odoo.http import request

from ..services import webhook_signature

_logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
TOPIC_RE = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)+$")


def _empty(status):
    return Response(status=status)


class ShopifyWebhookController(http.Controller):
    @http.route(
        "/shopify/webhook", type="http", auth="public", methods=["POST"], csrf=False, save_session=False
    )
    def shopify_webhook(self, **_params):
        env = request.env(su=True)
        httprequest = request.httprequest
        headers = httprequest.headers
        domain = (headers.get("X-Shopify-Shop-Domain") or "").strip().lower()

        def reject(status, reason, shop=None):
            env["shopify.webhook.stat"]._increment("rejected", reason, shop)
            _logger.warning("Shopify webhook rejected (%s, %s): shop domain %r", status, reason, domain[:255])
            return _empty(status)

        max_bytes = self._max_bytes(env)
        if httprequest.content_length is not None and httprequest.content_length > max_bytes:
            return reject(413, "too_large")
        # Without Content-Length (chunked), werkzeug stops reading past the limit.
        httprequest.max_content_length = max_bytes
        try:
            raw_body = httprequest.get_data(cache=False)
        except RequestEntityTooLarge:
            return reject(413, "too_large")

        shop = env["shopify.shop"].search([("shop_domain", "=", domain)], limit=1) if domain else None
        if not shop:
            return reject(401, "unknown_shop")
        if not shop.client_secret:
            return reject(401, "no_secret", shop)
        signature = headers.get("X-Shopify-Hmac-Sha256")
        if not signature:
            return reject(401, "missing_hmac", shop)
        if not webhook_signature.is_valid(shop.client_secret, raw_body, signature):
            return reject(401, "bad_hmac", shop)

        topic = (headers.get("X-Shopify-Topic") or "").strip().lower()
        webhook_id = (headers.get("X-Shopify-Webhook-Id") or "").strip()
        if not TOPIC_RE.match(topic) or not webhook_id:
            return reject(400, "missing_headers", shop)
        try:
            payload = json.loads(raw_body)
        except ValueError:
            return reject(400, "bad_json", shop)
        if not isinstance(payload, dict):
            return reject(400, "bad_json", shop)

        event = env["shopify.webhook.event"]._ingest(
            shop,
            topic,
            webhook_id[:255],
            raw_body.decode("utf-8", errors="replace"),
            payload,
            event_id=(headers.get("X-Shopify-Event-Id") or "").strip()[:255] or None,
            triggered_at=headers.get("X-Shopify-Triggered-At"),
            api_version=(headers.get("X-Shopify-API-Version") or "").strip()[:32] or None,
        )
        if event:
            _logger.info(
                "Shopify webhook %s stored as event %s (shop %s, %s)", webhook_id, event.id, shop.id, topic
            )
        else:
            _logger.info("Shopify webhook %s is a duplicate (shop %s, %s)", webhook_id, shop.id, topic)
        return _empty(200)

    @staticmethod
    def _max_bytes(env):
        value = env["ir.config_parameter"].get_param("shopify_sync.webhook_max_bytes")
        try:
            return int(value) if value else DEFAULT_MAX_BYTES
        except ValueError:
            return DEFAULT_MAX_BYTES
