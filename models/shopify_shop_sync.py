"""The shop's side of the engine: scheduled sync hooks, queue settings and failure notifications."""

import logging
import traceback
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models

from . import work_registry
from .shopify_queue_job import RETRYABLE_DB_ERRORS, auto_commit_enabled

_logger = logging.getLogger(__name__)

CONFLICT_RETRY_DELAY = timedelta(minutes=1)


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

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
            run._close(**{key: counts.get(key, 0) for key in ("ok", "failed", "skipped")})
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
        group = self.env.ref("shopify_sync.group_shopify_manager")
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
