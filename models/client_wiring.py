"""Builds the GraphQL client of a shop: credentials, the shared database budget, call recording.

Kept apart from the shop model so the model holds state and this module only wires services.
"""

import logging
from datetime import UTC, datetime

from odoo import SUPERUSER_ID, api

from ..services.auth import CachedToken, ClientCredentialsAuth, StaticTokenAuth, TokenStore
from ..services.client import ShopifyClient
from .api_budget import DatabaseBudget

_logger = logging.getLogger(__name__)

TIMEOUT_PARAM = "shopify_sync.api_timeout_s"
DEFAULT_TIMEOUT_S = 30.0


def build_client(shop, **options):
    """A ShopifyClient for `shop`; `options` override ShopifyClient's keyword arguments (tests)."""
    shop.ensure_one()
    # The wiring reads the secrets on behalf of whoever triggers a sync; they never leave this module.
    shop_sudo = shop.sudo()
    env = shop.env
    timeout = float(env["ir.config_parameter"].sudo().get_param(TIMEOUT_PARAM, DEFAULT_TIMEOUT_S))
    if shop_sudo.auth_mode == "client_credentials":
        auth = ClientCredentialsAuth(
            shop_sudo.effective_base_url,
            shop_sudo.client_id,
            shop_sudo.client_secret,
            ShopTokenStore(shop_sudo),
            timeout=timeout,
        )
    else:
        auth = StaticTokenAuth(shop_sudo.access_token)
    settings = {
        "shop_key": shop_key(shop_sudo),
        "budget": DatabaseBudget(env.registry),
        "recorder": ApiCallRecorder(shop_sudo, env.context.get("shopify_sync_log_id")),
        "timeout": timeout,
    }
    settings.update(options)
    return ShopifyClient(shop_sudo.effective_base_url, shop_sudo.api_version, auth, **settings)


def shop_key(shop):
    """The key of the shop's bucket: Shopify keeps one per app and store, i.e. per shop record's
    endpoint (the URL matters when several emulated stores share a domain in tests)."""
    return f"{shop.shop_domain} {shop.effective_base_url}"


class ShopTokenStore(TokenStore):
    """Client-credentials tokens cached on the shop (manager-only fields), shared by all workers."""

    def __init__(self, shop_sudo):
        self._shop = shop_sudo

    def get(self):
        shop = self._shop
        if not shop.oauth_access_token or not shop.oauth_token_expires_at:
            return None
        expires_at = shop.oauth_token_expires_at.replace(tzinfo=UTC).timestamp()  # stored naive UTC
        return CachedToken(shop.oauth_access_token, expires_at)

    def put(self, token):
        self._shop.write(
            {
                "oauth_access_token": token.access_token,
                "oauth_token_expires_at": datetime.fromtimestamp(token.expires_at, UTC).replace(tzinfo=None),
            }
        )

    def clear(self):
        self._shop.write({"oauth_access_token": False, "oauth_token_expires_at": False})


class ApiCallRecorder:
    """Turns the client's CallRecords into shopify.api.call rows.

    Rows are committed at once on a cursor of their own, so that a job whose savepoint is rolled back
    still leaves the record of the calls that made it fail. While the shop itself is not committed (a
    shop being created, or a test transaction) another connection cannot reference it: then the row
    goes into the caller's transaction.
    """

    def __init__(self, shop_sudo, sync_log_id=None):
        self._shop = shop_sudo
        self._sync_log_id = sync_log_id

    def __call__(self, record):
        values = self._values(record)
        with self._shop.env.registry.cursor() as cr:
            cr.execute("SELECT 1 FROM shopify_shop WHERE id = %s", [self._shop.id])
            if cr.fetchone():
                api.Environment(cr, SUPERUSER_ID, {})["shopify.api.call"].create(values)
                return
        self._shop.env["shopify.api.call"].sudo().create(values)

    def _values(self, record):
        return {
            "shop_id": self._shop.id,
            "operation": record.operation,
            "attempt": record.attempt,
            "outcome": record.outcome,
            "estimated_cost": record.estimated_cost,
            "requested_cost": record.requested_cost,
            "actual_cost": record.actual_cost,
            "available_after": record.available_after,
            "maximum_available": record.maximum_available,
            "restore_rate": record.restore_rate,
            "duration_ms": record.duration_ms,
            "throttle_wait_ms": record.throttle_wait_ms,
            "http_status": record.http_status,
            "error_code": record.error_code,
            "error_message": record.error_message,
            "sync_log_ref": self._sync_log_id or 0,
        }
