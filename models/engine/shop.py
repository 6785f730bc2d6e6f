"""The shop's side of the engine: queue settings, failure notifications, scheduled syncs (one run per
shop and kind, dispatched through the work registry), webhook subscriptions and bulk operations in
progress.
"""

import logging
import traceback
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...services.errors import ShopifyError
from ...services.schema import load_schema
from ..core.access import MANAGER, MANAGER_GROUP, check_shopify_access
from ..core.sync_state import WEBHOOKS
from . import registry as work_registry
from .bulk_operation import ACTIVE_STATUSES
from .queue_job import RETRYABLE_DB_ERRORS, auto_commit_enabled
from .sync_log import COUNT_KEYS

_logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/shopify/webhook"
CONFLICT_RETRY_DELAY = timedelta(minutes=1)


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    def _toggle_sync_crons(self):
        """The queue's extra lanes follow lane 1 (active while a shop is) and the workers setting."""
        result = super()._toggle_sync_crons()
        self.env["shopify.queue.job"].sudo()._sync_queue_lanes()
        return result

    # ------------------------------------------------------------------------------------------------
    # Bulk operations under way (the shop form's progress display)
    # ------------------------------------------------------------------------------------------------
    bulk_running_ids = fields.One2many(
        "shopify.bulk.operation",
        compute="_compute_bulk_running_ids",
        string="Bulk Operations Under Way",
        help="Shopify building a result, or Odoo processing it (lines done / total).",
    )

    def _compute_bulk_running_ids(self):
        Operation = self.env["shopify.bulk.operation"]
        for shop in self:
            shop.bulk_running_ids = Operation.search(
                [
                    ("shop_id", "=", shop.id),
                    "|",
                    ("status", "in", ACTIVE_STATUSES),
                    "&",
                    ("status", "=", "completed"),
                    ("processed", "=", False),
                ]
            )

    # ------------------------------------------------------------------------------------------------
    # Webhook subscriptions: the registry's topics, registered and healed daily (Shopify deletes a
    # subscription after repeated failed deliveries)
    # ------------------------------------------------------------------------------------------------
    webhook_url_override = fields.Char(
        string="Webhook URL Override",
        help="Public address Shopify delivers webhooks to. Leave empty for web.base.url + /shopify/webhook.",
    )
    # The last check's result, kept in the shop's `webhooks` sync state row (the check is a cron).
    webhook_topics_covered = fields.Text(
        compute="_compute_webhook_check",
        help="Topics subscribed at the last check.",
        string="Topics Subscribed",
    )
    webhook_topics_missing = fields.Text(
        compute="_compute_webhook_check",
        help="Topics not subscribed after the last check.",
        string="Topics Missing",
    )
    webhook_checked_at = fields.Datetime(string="Webhooks Checked At", compute="_compute_webhook_check")
    webhook_check_error = fields.Text(compute="_compute_webhook_check", string="Webhook Check Error")

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
        is ORDERS_CREATE; topics that the shop's API version does not have are left out, and so are the
        compliance topics (configured in the app, refused by webhookSubscriptionCreate).
        """
        self.ensure_one()
        handlers = {work_registry.subscription_topic(topic) for topic in work_registry.subscribed_topics()}
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

    # ------------------------------------------------------------------------------------------------
    # Queue settings and the shop's sync state rows
    # ------------------------------------------------------------------------------------------------
    queue_max_attempts = fields.Integer(
        string="Max Attempts",
        default=8,
        help="How many times a job failing with a temporary error (network, throttling, 5xx, database "
        "conflict) is tried before it is marked dead.",
    )
    sync_state_ids = fields.One2many("shopify.sync.state", "shop_id", string="Sync State", readonly=True)

    def _state_row(self, kind):
        """The shop's state row of `kind` (see shopify.sync.state), created if missing, as the system:
        what a sync writes as it runs goes there, never on the shop row."""
        self.ensure_one()
        return self.env["shopify.sync.state"]._ensure(self, kind)

    # ------------------------------------------------------------------------------------------------
    # Scheduled syncs: one run (sync log) per active shop; a failing shop never stops the others. The
    # handler of each kind is in the work registry (SYNC_KINDS); it runs with the open run's id in the
    # context (`shopify_sync_log_id`) and may return {"ok": n, "failed": n, "skipped": n}.
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _cron_sync_products(self):
        return self._run_sync_for_shops("products")

    @api.model
    def _cron_sync_inventory(self):
        return self._run_sync_for_shops("inventory")

    @api.model
    def _cron_sync_orders(self):
        return self._run_sync_for_shops("orders")

    @api.model
    def _cron_reconcile(self):
        return self._run_sync_for_shops("reconcile")

    @api.model
    def _run_sync_for_shops(self, kind):
        shops = self.sudo().search([("state", "!=", "disconnected")])
        runs = self.env["shopify.sync.log"]
        for shop in shops:
            runs |= shop._run_sync(kind)
            if auto_commit_enabled():
                # One shop's run survives a crash while syncing the next shop.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return runs

    def _run_sync(self, kind):
        """Open a sync log, call the kind's handler with it in context, close it; exceptions end up in the
        log."""
        self.ensure_one()
        handler = work_registry.SYNC_KINDS[kind].handler
        run = self.env["shopify.sync.log"]._open(self, kind)
        shop = self.with_context(shopify_sync_log_id=run.id)
        try:
            with self.env.cr.savepoint():
                counts = getattr(shop, handler.method)() or {}
        except RETRYABLE_DB_ERRORS as error:
            # Another transaction (usually another sync started at the same moment) updated the same rows
            # after this one began: nothing is lost, the work is simply done again a minute later.
            _logger.info("Shopify shop %s: %s sync met a concurrent update, retried", self.id, kind)
            retry_at = self._retry_sync_soon(kind)
            run._close(
                error_summary=_(
                    "A concurrent update (%(error)s) interrupted this run; nothing was lost. It runs again "
                    "at %(at)s (UTC).",
                    error=type(error).__name__,
                    at=retry_at or _("the next scheduled time"),
                )
            )
            return run
        except Exception as error:  # recorded in the run; the next shop still runs
            _logger.warning("Shopify shop %s: %s sync failed (%s)", self.id, kind, type(error).__name__)
            run._close(error_summary=f"{type(error).__name__}: {error}\n\n{traceback.format_exc(limit=5)}")
            return run
        if run.state == "running":  # the hook may have closed the run itself
            run._close(**{key: counts.get(key, 0) for key in COUNT_KEYS})
        return run

    def _retry_sync_soon(self, kind):
        """Trigger the kind's cron a minute from now; the time, or None if the kind has no cron."""
        sync = work_registry.SYNC_KINDS.get(kind)
        cron = self.env(su=True).ref(sync.cron, raise_if_not_found=False) if sync else None
        if not cron:
            return None
        at = fields.Datetime.now() + CONFLICT_RETRY_DELAY
        cron._trigger(at=at)
        return at

    def _current_sync_log(self):
        """The run the current code is part of (from the context), or an empty recordset."""
        run_id = self.env.context.get("shopify_sync_log_id")
        return (
            self.env["shopify.sync.log"].browse(run_id).exists() if run_id else self.env["shopify.sync.log"]
        )

    # ------------------------------------------------------------------------------------------------
    # Failure notification
    # ------------------------------------------------------------------------------------------------
    def _queue_manager_partners(self):
        """Who hears about failed work: active internal Shopify managers of the shop's company."""
        self.ensure_one()
        group = self.env.ref(MANAGER_GROUP)
        users = group.sudo().users.filtered(
            lambda user: user.active and not user.share and self.company_id in user.company_ids
        )
        return users.partner_id

    def _notify_queue_problems(self, jobs):
        """One chatter message on the shop for a batch of failed/dead jobs (never one per job)."""
        self.ensure_one()
        failed = jobs.filtered(lambda job: job.state == "failed")
        dead = jobs.filtered(lambda job: job.state == "dead")
        lines = Markup("").join(
            Markup("<li>%s — %s</li>") % (job.display_name, job.last_error_message or job.last_error_type)
            for job in jobs[:20]
        )
        more = len(jobs) - 20
        body = Markup("<p>%s</p><ul>%s</ul>%s") % (
            _(
                "Shopify sync: %(failed)s job(s) failed and %(dead)s job(s) gave up after retries. "
                "Open Shopify › Monitoring › Queue to retry or ignore them.",
                failed=len(failed),
                dead=len(dead),
            ),
            lines,
            Markup("<p>%s</p>") % _("…and %s more.", more) if more > 0 else "",
        )
        self.sudo().message_post(
            body=body,
            partner_ids=self._queue_manager_partners().ids,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
        )
