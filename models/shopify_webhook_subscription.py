"""Webhook subscriptions of a shop: register the topics the addon handles, heal them daily.

Shopify deletes a subscription after repeated failed deliveries, so a daily check re-creates what is
missing, removes extra subscriptions of our topics (duplicates, or ones pointing at an old address) and
records which topics are covered. `app/uninstalled` disconnects the shop.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.errors import ShopifyError
from ..services.schema import load_schema
from . import work_registry
from .shopify_access import MANAGER, check_shopify_access
from .shopify_sync_state import WEBHOOKS

_logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/shopify/webhook"


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    webhook_url_override = fields.Char(
        string="Webhook URL Override",
        help="Public address Shopify delivers webhooks to. Leave empty for web.base.url + /shopify/webhook.",
    )
    # The last check's result, kept in the shop's `webhooks` sync state row (the check is a cron).
    webhook_topics_covered = fields.Text(
        compute="_compute_webhook_check", help="Topics subscribed at the last check."
    )
    webhook_topics_missing = fields.Text(
        compute="_compute_webhook_check", help="Topics not subscribed after the last check."
    )
    webhook_checked_at = fields.Datetime(string="Webhooks Checked At", compute="_compute_webhook_check")
    webhook_check_error = fields.Text(compute="_compute_webhook_check")

    @api.depends("sync_state_ids.checked_at", "sync_state_ids.error", "sync_state_ids.details")
    def _compute_webhook_check(self):
        States = self.env["shopify.sync.state"]
        checks = States._by_shop(self, WEBHOOKS)
        for shop in self:
            check = checks.get(shop._origin.id, States)
            details = check.details or {}
            shop.webhook_topics_covered = ", ".join(details.get("covered") or ()) or False
            shop.webhook_topics_missing = ", ".join(details.get("missing") or ()) or False
            shop.webhook_checked_at = check.checked_at
            shop.webhook_check_error = check.error

    def _webhook_callback_url(self):
        self.ensure_one()
        if self.webhook_url_override:
            return self.webhook_url_override.strip()
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return base_url.rstrip("/") + WEBHOOK_PATH

    def _webhook_required_topics(self):
        """Subscription topics (GraphQL enum values) of the work registry's webhook topics: `orders/create`
        is ORDERS_CREATE; topics that the shop's API version does not have are left out.
        """
        self.ensure_one()
        handlers = {work_registry.subscription_topic(topic) for topic in work_registry.WEBHOOK_TOPICS}
        known = set(load_schema(self.api_version).type_map["WebhookSubscriptionTopic"].values)
        return sorted(handlers & known)

    def _webhook_sync_subscriptions(self):
        """Make Shopify's subscriptions match what the addon needs; returns what was done."""
        self.ensure_one()
        client = self._shopify_client(for_write=True)
        url = self._webhook_callback_url()
        required = self._webhook_required_topics()
        existing = list(
            client.paginate(
                "webhook_subscriptions_page", connection_path=("webhookSubscriptions",), page_size=100
            )
        )
        kept, extra = {}, []
        for subscription in existing:
            topic = subscription["topic"]
            if topic not in required:
                continue  # not ours to manage
            if subscription["uri"] == url and topic not in kept:
                kept[topic] = subscription
            else:
                extra.append(subscription)
        for subscription in extra:
            client.execute("webhook_subscription_delete", {"id": subscription["id"]})
        created = []
        for topic in required:
            if topic in kept:
                continue
            client.execute(
                "webhook_subscription_create",
                {"topic": topic, "webhookSubscription": {"uri": url, "format": "JSON"}},
            )
            created.append(topic)
        self._state_row(WEBHOOKS).write(
            {
                "checked_at": fields.Datetime.now(),
                "error": False,
                "details": {"covered": required, "missing": []},
            }
        )
        return {"created": created, "deleted": [s["id"] for s in extra], "covered": required}

    def action_register_webhooks(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        try:
            result = self._webhook_sync_subscriptions()
        except ShopifyError as error:
            self._webhook_record_failure(error)
            raise UserError(_("Registering webhooks failed: %s", error)) from error
        return self._notify(
            _("Webhooks registered"),
            _(
                "%(covered)s topic(s) covered; created %(created)s, removed %(deleted)s.",
                covered=len(result["covered"]),
                created=len(result["created"]),
                deleted=len(result["deleted"]),
            ),
            "success",
        )

    def _webhook_record_failure(self, error):
        _logger.warning("Shopify shop %s: webhook check failed (%s)", self.id, type(error).__name__)
        state = self._state_row(WEBHOOKS)
        state.write(
            {
                "checked_at": fields.Datetime.now(),
                "error": str(error),
                # What was covered before stays shown; every topic counts as missing until a check succeeds.
                "details": {**(state.details or {}), "missing": self._webhook_required_topics()},
            }
        )

    @api.model
    def _cron_check_webhooks(self):
        """Daily: every connected shop's subscriptions re-created / de-duplicated; one shop's failure
        never stops the others."""
        for shop in self.sudo().search([("state", "=", "connected")]):
            try:
                with self.env.cr.savepoint():
                    shop._webhook_sync_subscriptions()
            except (ShopifyError, UserError) as error:
                shop._webhook_record_failure(error)

    def _setup_webhooks_state(self):
        if self.webhook_check_error:
            return "warning"
        return "done" if self.webhook_checked_at and not self.webhook_topics_missing else "todo"


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_webhook_app_uninstalled(self, payload):
        """The merchant removed the app: its token is revoked, so stop all outbound work for the shop."""
        shop = self.shop_id.sudo()
        shop.write({"state": "disconnected"})
        pending = (
            self.env["shopify.queue.job"]
            .sudo()
            .search([("shop_id", "=", shop.id), ("state", "=", "pending"), ("kind", "!=", "webhook")])
        )
        pending.write({"state": "skipped", "last_error_message": _("The app was uninstalled from the shop.")})
        shop.message_post(
            body=_(
                "The Shopify app was uninstalled from this store: the shop is disconnected "
                "(%s jobs skipped).",
                len(pending),
            )
        )
