"""Builds the GraphQL client of a shop: credentials, the shared database budget, call recording.

Kept apart from the shop model so the model holds state and this module only wires services.
"""

import logging
from datetime import UTC, datetime

from ...services.auth import CachedToken, ClientCredentialsAuth, StaticTokenAuth, TokenStore
from ...services.client import ShopifyClient
from .api_budget import shared_budget
from .sync_state import OAUTH_TOKEN

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
        "budget": shared_budget(env.registry),
        "recorder": ApiCallRecorder(shop_sudo, env.context.get("shopify_sync_log_id")),
        "timeout": timeout,
        # Every write to Shopify passes the outbound guard, whichever accessor built the client.
        "mutation_guard": shop_sudo._check_outbound_allowed,
    }
    settings.update(options)
    return ShopifyClient(shop_sudo.effective_base_url, shop_sudo.api_version, auth, **settings)


def shop_key(shop):
    """The key of the shop's bucket: Shopify keeps one per app and store, i.e. per shop record's
    endpoint (the URL matters when several emulated stores share a domain in tests)."""
    return f"{shop.shop_domain} {shop.effective_base_url}"


class ShopTokenStore(TokenStore):
    """Client-credentials tokens cached in the shop's `oauth_token` sync state row (manager-only
    fields), shared by all workers. Not on the shop row: whichever sync renews the token writes it."""

    def __init__(self, shop_sudo):
        self._shop = shop_sudo

    def get(self):
        state = self._shop.env["shopify.sync.state"]._find(self._shop, OAUTH_TOKEN)
        if not state.secret or not state.secret_expires_at:
            return None
        expires_at = state.secret_expires_at.replace(tzinfo=UTC).timestamp()  # stored naive UTC
        return CachedToken(state.secret, expires_at)

    def put(self, token):
        self._shop._state_row(OAUTH_TOKEN).write(
            {
                "secret": token.access_token,
                "secret_expires_at": datetime.fromtimestamp(token.expires_at, UTC).replace(tzinfo=None),
            }
        )

    def clear(self):
        state = self._shop.env["shopify.sync.state"]._find(self._shop, OAUTH_TOKEN)
        state.write({"secret": False, "secret_expires_at": False})


class ApiCallRecorder:
    """Turns the client's CallRecords into shopify.api.call rows, in the caller's transaction.

    Same transaction on purpose: the run that made the calls reads them back when it closes (Odoo's
    REPEATABLE READ would hide rows committed meanwhile by another connection). The price: a job whose
    savepoint is rolled back takes its call rows with it; the raised error keeps them in
    `error.call_records` for whoever wants to record them after the rollback.
    """

    def __init__(self, shop_sudo, sync_log_id=None):
        self._shop = shop_sudo
        sync_log = shop_sudo.env["shopify.sync.log"].browse(sync_log_id or ()).exists()
        self._sync_log_id = sync_log.id

    def __call__(self, record):
        self._shop.env["shopify.api.call"].sudo().create(call_values(self._shop, record, self._sync_log_id))


def call_values(shop, record, sync_log_id=False):
    """The shopify.api.call values of a services.client.CallRecord."""
    return {
        "shop_id": shop.id,
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
        "response_api_version": record.response_api_version,
        "deprecated_reason": record.deprecated_reason,
        "sync_log_id": sync_log_id or False,
    }
