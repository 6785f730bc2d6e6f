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
from .shopify_access import MANAGER, check_shopify_access

_logger = logging.getLogger(__name__)

HANDLER_PREFIX = "_shopify_webhook_"
WEBHOOK_PATH = "/shopify/webhook"


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    webhook_url_override = fields.Char(
        string="Webhook URL Override",
        help="Public address Shopify delivers webhooks to. Leave empty for web.base.url + /shopify/webhook.",
    )
    webhook_topics_covered = fields.Text(readonly=True, help="Topics subscribed at the last check.")
    webhook_topics_missing = fields.Text(readonly=True, help="Topics not subscribed after the last check.")
    webhook_checked_at = fields.Datetime(string="Webhooks Checked At", readonly=True)
    webhook_check_error = fields.Text(readonly=True)

    def _webhook_callback_url(self):
        self.ensure_one()
        if self.webhook_url_override:
            return self.webhook_url_override.strip()
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return base_url.rstrip("/") + WEBHOOK_PATH

    @api.depends("shop_domain", "webhook_url_override")
    def _compute_setup_webhook_url(self):
        result = super()._compute_setup_webhook_url()
        for shop in self:
            shop.setup_webhook_url = shop._webhook_callback_url()
            if shop.webhook_url_override:
                shop.setup_webhook_url_warning = shop._setup_webhook_url_problem(shop.webhook_url_override)
        return result

    def _webhook_required_topics(self):
        """Subscription topics (GraphQL enum values) of every installed webhook handler.

        A handler `_shopify_webhook_orders_create` stands for topic `orders/create`, i.e. ORDERS_CREATE;
        names that are not topics of the shop's API version are ignored.
        """
        self.ensure_one()
        Event = self.env["shopify.webhook.event"]
        handlers = {
            name[len(HANDLER_PREFIX) :].upper()
            for name in dir(type(Event))
            if name.startswith(HANDLER_PREFIX)
        }
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
        self.write(
            {
                "webhook_topics_covered": ", ".join(required),
                "webhook_topics_missing": False,
                "webhook_checked_at": fields.Datetime.now(),
                "webhook_check_error": False,
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
        self.write(
            {
                "webhook_topics_missing": ", ".join(self._webhook_required_topics()),
                "webhook_checked_at": fields.Datetime.now(),
                "webhook_check_error": str(error),
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

    @api.model
    def _sync_cron_xmlids(self):
        return [
            *super()._sync_cron_xmlids(),
            "shopify_sync.ir_cron_shopify_check_webhooks",
            "shopify_sync.ir_cron_shopify_poll_bulk_operations",
        ]


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
