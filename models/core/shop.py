"""The Shopify shop: where it is, how we authenticate, which company and warehouse it serves, and
the guards every outbound call passes (staging copies, disconnected shops, API version support).
"""

import logging
import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ...services import api_versions
from ...services.api_versions import DEFAULT_API_VERSION, SUPPORTED_API_VERSIONS
from .access import MANAGER, MANAGER_GROUP, check_shopify_access
from .client_wiring import build_client

_logger = logging.getLogger(__name__)

SHOP_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")


def normalize_shop_domain(value):
    """Accept what people paste (a URL, mixed case, a trailing slash) and keep the bare domain."""
    domain = (value or "").strip().lower()
    domain = re.sub(r"^https?://", "", domain)
    return domain.split("/", 1)[0]


class ShopifyShop(models.Model):
    _name = "shopify.shop"
    _description = "Shopify Shop"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True, string="Shop Name")
    sequence = fields.Integer(default=10, string="Sequence")
    active = fields.Boolean(default=True, tracking=True)
    shop_domain = fields.Char(
        required=True,
        tracking=True,
        help="The store's permanent domain, e.g. my-store.myshopify.com (not a custom domain).",
        string="Shopify Domain",
    )
    api_version = fields.Selection(
        selection="_selection_api_version",
        default=DEFAULT_API_VERSION,
        required=True,
        tracking=True,
        string="API Version",
    )
    api_base_url = fields.Char(
        string="API Base URL",
        help="Leave empty for https://<shop domain>. Set it to reach another endpoint, e.g. the bundled "
        "Shopify emulator (http://127.0.0.1:8765).",
    )
    effective_base_url = fields.Char(compute="_compute_effective_base_url", string="Effective API URL")
    auth_mode = fields.Selection(
        [
            ("token", "Admin API access token"),
            ("client_credentials", "Client ID and secret (client credentials grant)"),
        ],
        default="token",
        required=True,
        string="Authentication",
    )
    # Secrets: readable and writable by Shopify managers only (field-level groups), never logged.
    access_token = fields.Char(groups=MANAGER_GROUP, copy=False, string="Admin API Access Token")
    client_id = fields.Char(string="Client ID", groups=MANAGER_GROUP, copy=False)
    client_secret = fields.Char(
        groups=MANAGER_GROUP,
        copy=False,
        help="The app's client secret. Shopify signs webhooks with it; with the client credentials "
        "grant it also obtains access tokens.",
        string="Client Secret",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
        index=True,
        string="Company",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        domain="[('company_id', '=', company_id)]",
        check_company=True,
        help="Warehouse of the orders imported from this shop.",
        string="Warehouse",
    )
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("error", "Connection error"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        string="Connection Status",
    )
    shop_name_remote = fields.Char(string="Name on Shopify", readonly=True)
    currency_code_remote = fields.Char(string="Shop Currency", readonly=True)
    timezone_remote = fields.Char(string="Shop Timezone", readonly=True)
    plan_name_remote = fields.Char(string="Shopify Plan", readonly=True)
    access_scopes_remote = fields.Char(string="Granted Scopes", readonly=True)
    missing_scopes = fields.Char(
        readonly=True,
        help="Access scopes the addon needs that the app was not granted (last connection test).",
        string="Missing Access Scopes",
    )
    last_connection_at = fields.Datetime(string="Last Connection Test", readonly=True)
    last_connection_error = fields.Text(readonly=True, string="Last Connection Error")
    # The client-credentials token cache is a sync state row (core/client_wiring.py::ShopTokenStore).
    # Read from shopify.api.call rather than written on every call: concurrent workers would
    # otherwise all update this row and fail on serialization conflicts.
    last_api_success_at = fields.Datetime(compute="_compute_last_api_activity", string="Last API Success")
    last_api_error = fields.Text(compute="_compute_last_api_activity", string="Last API Error")
    last_api_error_at = fields.Datetime(compute="_compute_last_api_activity", string="Last API Error At")

    # Staging-copy safety: the database this shop was confirmed on.
    confirmed_database_uuid = fields.Char(readonly=True, copy=False)
    confirmed_base_url = fields.Char(readonly=True, copy=False)
    is_database_copy = fields.Boolean(
        compute="_compute_is_database_copy",
        help="The database or its URL differs from the one this shop was confirmed on: outbound writes "
        "to Shopify are blocked until someone confirms this database.",
    )

    _sql_constraints = [
        ("shop_domain_unique", "unique(shop_domain)", "This Shopify store is already connected."),
    ]

    @api.model
    def _selection_api_version(self):
        return [(version, version) for version in SUPPORTED_API_VERSIONS]

    def _compute_last_api_activity(self):
        calls = self.env["shopify.api.call"].sudo()
        for shop in self:
            success = calls.search([("shop_id", "=", shop.id), ("outcome", "=", "ok")], limit=1)
            error = calls.search(
                [("shop_id", "=", shop.id), ("outcome", "!=", "ok"), ("id", ">", success.id or 0)], limit=1
            )
            shop.last_api_success_at = success.called_at
            shop.last_api_error = error.error_message or error.error_code if error else False
            shop.last_api_error_at = error.called_at

    @api.depends("api_base_url", "shop_domain")
    def _compute_effective_base_url(self):
        for shop in self:
            base = (shop.api_base_url or "").strip().rstrip("/")
            shop.effective_base_url = base or (f"https://{shop.shop_domain}" if shop.shop_domain else False)

    def _current_database_identity(self):
        params = self.env["ir.config_parameter"].sudo()
        return params.get_param("database.uuid"), params.get_param("web.base.url")

    @api.depends("confirmed_database_uuid", "confirmed_base_url")
    def _compute_is_database_copy(self):
        current = self._current_database_identity()
        for shop in self:
            confirmed = (shop.confirmed_database_uuid, shop.confirmed_base_url)
            shop.is_database_copy = bool(shop.confirmed_database_uuid) and confirmed != current

    @api.constrains("shop_domain")
    def _check_shop_domain(self):
        for shop in self:
            if not SHOP_DOMAIN_RE.match(shop.shop_domain or ""):
                raise ValidationError(
                    _(
                        "“%(domain)s” is not a Shopify store domain. Use the permanent domain ending in "
                        ".myshopify.com (Shopify admin › Settings › Domains).",
                        domain=shop.shop_domain,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        uuid, base_url = self._current_database_identity()
        for vals in vals_list:
            if "shop_domain" in vals:
                vals["shop_domain"] = normalize_shop_domain(vals["shop_domain"])
            # A shop created here is confirmed for this database.
            vals.setdefault("confirmed_database_uuid", uuid)
            vals.setdefault("confirmed_base_url", base_url)
        shops = super().create(vals_list)
        shops._toggle_sync_crons()
        return shops

    def write(self, vals):
        if "shop_domain" in vals:
            vals["shop_domain"] = normalize_shop_domain(vals["shop_domain"])
        result = super().write(vals)
        if "active" in vals:
            self._toggle_sync_crons()
        return result

    def unlink(self):
        result = super().unlink()
        self._toggle_sync_crons()
        return result

    def _toggle_sync_crons(self):
        """The sync crons run only while at least one shop is active (they ship inactive)."""
        any_active = bool(self.sudo().with_context(active_test=True).search_count([], limit=1))
        crons = self.env["ir.cron"].sudo().with_context(active_test=False)
        # Imported here: the engine package loads after core (it extends the shop model defined here).
        from ..engine import registry as work_registry

        for xmlid in work_registry.ACTIVE_SHOP_CRONS:
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron and cron.active != any_active:
                crons.browse(cron.id).active = any_active

    # ------------------------------------------------------------------------------------------------
    # Outbound guard
    # ------------------------------------------------------------------------------------------------
    def _check_outbound_allowed(self):
        """Raise unless this shop may write to Shopify from this database."""
        for shop in self:
            if not shop.active:
                raise UserError(_("The Shopify shop %s is archived: nothing is sent to it.", shop.name))
            if shop.state == "disconnected":
                raise UserError(
                    _("The Shopify shop %s is disconnected (the app was uninstalled).", shop.name)
                )
            if shop.is_database_copy:
                raise UserError(
                    _(
                        "This database looks like a copy of the one the Shopify shop %s was set up on, so "
                        "nothing is sent to Shopify. If this is the live database, open the shop and click "
                        "“Confirm this database”.",
                        shop.name,
                    )
                )

    def action_confirm_database(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        uuid, base_url = self._current_database_identity()
        self.write({"confirmed_database_uuid": uuid, "confirmed_base_url": base_url})
        self.message_post(body=_("Database confirmed: outbound synchronisation enabled on this database."))
        return True

    # ------------------------------------------------------------------------------------------------
    # Client accessor
    # ------------------------------------------------------------------------------------------------
    def _shopify_client(self, for_write=False):
        """The GraphQL client for this shop. `for_write` enforces the outbound guard."""
        self.ensure_one()
        if for_write:
            self._check_outbound_allowed()
        return build_client(self)

    @api.model
    def _shopify_required_scopes(self):
        """Access scopes the addon's features need; features extend this list (`super()` + theirs)."""
        return ["read_products", "write_products", "read_inventory", "write_inventory", "read_locations"]

    def _missing_scopes(self, granted):
        # Shopify grants write_X without listing read_X: a write scope covers its read scope.
        granted = set(granted)
        covered = granted | {
            "read_" + scope[len("write_") :] for scope in granted if scope.startswith("write_")
        }
        return [scope for scope in self._shopify_required_scopes() if scope not in covered]

    def action_test_connection(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        from ...services.errors import ShopifyError

        try:
            data = self._shopify_client().execute("shop_info")
        except ShopifyError as error:
            self.write(
                {
                    "state": "error",
                    "last_connection_at": fields.Datetime.now(),
                    "last_connection_error": str(error),
                }
            )
            _logger.warning("Shopify shop %s: connection test failed (%s)", self.id, type(error).__name__)
            return self._notify(_("Connection failed"), str(error), "danger")
        shop = data["shop"]
        plan = (shop.get("plan") or {}).get("publicDisplayName")
        scopes = sorted(
            scope["handle"] for scope in (data.get("currentAppInstallation") or {}).get("accessScopes") or ()
        )
        missing = self._missing_scopes(scopes)
        self.write(
            {
                "state": "connected",
                "shop_name_remote": shop.get("name"),
                "currency_code_remote": shop.get("currencyCode"),
                "timezone_remote": shop.get("ianaTimezone"),
                "plan_name_remote": plan,
                "access_scopes_remote": ", ".join(scopes),
                "missing_scopes": ", ".join(missing) or False,
                "last_connection_at": fields.Datetime.now(),
                "last_connection_error": False,
            }
        )
        message = _(
            "%(name)s (%(plan)s) — currency %(currency)s, timezone %(tz)s, scopes: %(scopes)s",
            name=shop.get("name"),
            plan=plan,
            currency=shop.get("currencyCode"),
            tz=shop.get("ianaTimezone"),
            scopes=", ".join(scopes) or _("none"),
        )
        if missing:
            _logger.warning("Shopify shop %s lacks access scopes %s", self.id, ", ".join(missing))
            self.message_post(
                body=_(
                    "Connection test: the app lacks the access scopes %s. Add them to the app's "
                    "configuration in Shopify and reinstall it.",
                    ", ".join(missing),
                )
            )
            message = _(
                "%(message)s. Missing scopes: %(missing)s", message=message, missing=", ".join(missing)
            )
            return self._notify(_("Connected, but scopes are missing"), message, "warning")
        return self._notify(_("Connected to Shopify"), message, "success")

    def _notify(self, title, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------------------------------------
    # API version lifecycle: the form warns before the shop's version leaves support
    # ------------------------------------------------------------------------------------------------
    api_version_end_of_support = fields.Date(
        compute="_compute_api_version_lifecycle", string="API Version Supported Until"
    )
    api_version_warning = fields.Char(compute="_compute_api_version_lifecycle", string="API Version Warning")

    @api.depends("api_version")
    def _compute_api_version_lifecycle(self):
        today = fields.Date.context_today(self)
        for shop in self:
            shop.api_version_end_of_support = api_versions.end_of_support(shop.api_version)
            shop.api_version_warning = api_versions.support_warning(shop.api_version, today) or False
