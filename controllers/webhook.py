"""Webhook ingress: verify, store one event row, answer 200. No Shopify call, no business processing.

Shopify gives a delivery 5 seconds and retries failures 8 times over 4 hours, then may delete the
subscription: so this endpoint only does cheap checks and one insert; the queue does the work.

Checks, in order: size (413), shop, secret and signature (401), headers and JSON (400). Whatever the
bytes, the answer is one of those, a duplicate's 200 or the stored event's 200, never a 5xx. Until the
signature is proven nothing is written: rejections are counted in this process's memory and logged
(see shopify.webhook.stat).
"""

import logging

import psycopg2
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from odoo import http
from odoo.http import request

from ..models.core.shop import SHOP_DOMAIN_RE
from ..services import webhook_input, webhook_signature

_logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def _max_bytes(env):
    value = env["ir.config_parameter"].get_param("shopify_sync.webhook_max_bytes")
    try:
        return int(value) if value else DEFAULT_MAX_BYTES
    except ValueError:
        return DEFAULT_MAX_BYTES


def _stream_limit(_controller):
    """The body stream's limit, set by Odoo before it creates the stream (before the handler runs).

    A body without Content-Length (chunked) is read up to one byte past our limit (werkzeug stops
    there silently), so the handler sees it is too large without holding more of it; a body with
    Content-Length is checked by the handler first thing, and keeps Odoo's default here so that
    the handler, not Odoo, answers and counts its 413.
    """
    if request.httprequest.content_length is None:
        return _max_bytes(request.env(su=True)) + 1
    return request.httprequest.max_content_length


def _empty(status):
    return Response(status=status)


class ShopifyWebhookController(http.Controller):
    @http.route(
        "/shopify/webhook",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        max_content_length=_stream_limit,
    )
    def shopify_webhook(self, **_params):
        try:
            return self._receive(request.env(su=True), request.httprequest)
        except (psycopg2.OperationalError, HTTPException):
            # Serialization failures and lock timeouts: Odoo rolls back and replays the request.
            # HTTP exceptions (a client that disconnects mid-body) carry their own 4xx.
            raise
        except Exception:
            # A bug must not answer 500 for hours of Shopify retries: nothing of this try is kept.
            _logger.exception("Shopify webhook: unexpected error, answered 400 and nothing stored")
            request.env.cr.rollback()
            request.env(su=True)["shopify.webhook.stat"]._count("rejected", "unexpected_error")
            return _empty(400)

    def _receive(self, env, httprequest):
        stats = env["shopify.webhook.stat"]
        headers = httprequest.headers
        domain_header = headers.get("X-Shopify-Shop-Domain") or ""

        def refuse(status, reason, shop=None):
            """Before the signature is proven: no database write, a count in memory and a log line."""
            held = stats._count("rejected", reason, shop)
            _logger.warning(
                "Shopify webhook rejected (%s, %s): shop domain %r (%s such rejections not yet written)",
                status,
                reason,
                domain_header[:255],
                held,
            )
            return _empty(status)

        max_bytes = _max_bytes(env)
        if httprequest.content_length is not None and httprequest.content_length > max_bytes:
            return refuse(413, "too_large")
        try:
            # Cached: when Odoo replays the request after a serialization failure (two copies of a
            # delivery racing), the replay reads the same bytes instead of an exhausted stream.
            raw_body = httprequest.get_data(cache=True)
        except RequestEntityTooLarge:
            return refuse(413, "too_large")
        if len(raw_body) > max_bytes:
            return refuse(413, "too_large")

        # The shape first: the lookup never sees a NUL byte or a value no shop can have.
        domain = domain_header.strip().lower()
        shop = None
        if len(domain) <= 255 and SHOP_DOMAIN_RE.fullmatch(domain):
            shop = env["shopify.shop"].search([("shop_domain", "=", domain)], limit=1)
        if not shop:
            return refuse(401, "unknown_shop")
        if not shop.client_secret:
            return refuse(401, "no_secret", shop)
        signature = headers.get("X-Shopify-Hmac-Sha256")
        if not signature:
            return refuse(401, "missing_hmac", shop)
        if not webhook_signature.is_valid(shop.client_secret, raw_body, signature):
            return refuse(401, "bad_hmac", shop)

        # Signed by the shop: this transaction may write, and also writes what this process counted
        # in memory for requests that could not pay for a write.
        stats._flush_unflushed()

        def refuse_signed(reason, detail):
            stats._increment("rejected", reason, shop)
            _logger.warning("Shopify webhook of shop %s rejected (400, %s): %s", shop.id, reason, detail)
            return _empty(400)

        topic_header = headers.get("X-Shopify-Topic") or ""
        webhook_id_header = headers.get("X-Shopify-Webhook-Id") or ""
        if not topic_header.strip() or not webhook_id_header.strip():
            return refuse_signed("missing_headers", "no X-Shopify-Topic or X-Shopify-Webhook-Id")
        topic = webhook_input.topic(topic_header)
        webhook_id = webhook_input.token(webhook_id_header)
        if not topic or not webhook_id:
            return refuse_signed(
                "bad_headers",
                f"X-Shopify-Topic {topic_header[:100]!r}, X-Shopify-Webhook-Id {webhook_id_header[:100]!r}",
            )
        try:
            raw_text, payload = webhook_input.parse_body(raw_body)
        except ValueError as error:
            return refuse_signed("bad_json", f"{error} ({len(raw_body)} bytes, webhook {webhook_id})")

        event = env["shopify.webhook.event"]._ingest(
            shop,
            topic,
            webhook_id,
            raw_text,
            payload,
            event_id=self._optional_header(headers, "X-Shopify-Event-Id", webhook_id),
            triggered_at=self._optional_header(headers, "X-Shopify-Triggered-At", webhook_id),
            api_version=self._optional_header(headers, "X-Shopify-API-Version", webhook_id, max_length=32),
        )
        if event:
            _logger.info(
                "Shopify webhook %s stored as event %s (shop %s, %s)", webhook_id, event.id, shop.id, topic
            )
        else:
            _logger.info("Shopify webhook %s is a duplicate (shop %s, %s)", webhook_id, shop.id, topic)
        return _empty(200)

    @staticmethod
    def _optional_header(headers, name, webhook_id, max_length=webhook_input.MAX_TOKEN_LENGTH):
        """The header's value, or None when absent or malformed (logged: the delivery is still kept)."""
        value = headers.get(name)
        if not value:
            return None
        checked = webhook_input.token(value, max_length)
        if checked is None:
            _logger.warning("Shopify webhook %s: ignored malformed %s %r", webhook_id, name, value[:100])
        return checked
