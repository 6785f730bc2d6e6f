"""A long setup operation (first import, stock push, order import) run in the background by the queue.

The shop form shows its progress (records done / total). While it runs inside a cron worker, progress is
written through a cursor of its own and committed at once, so the admin sees it move before the
operation's own transaction ends; inside tests everything stays in the test transaction.
"""

import logging

from odoo import _, api, fields, models

from ..engine.queue_job import auto_commit_enabled

_logger = logging.getLogger(__name__)


TASK_STATES = [
    ("queued", "Queued"),
    ("running", "Running"),
    ("done", "Done"),
    ("failed", "Failed"),
]


class ShopifySetupTask(models.Model):
    _name = "shopify.setup.task"
    _description = "Shopify Setup Task"
    _order = "id desc"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    step = fields.Char(required=True, readonly=True, help="The setup step this task runs.")
    name = fields.Char(required=True, readonly=True)
    state = fields.Selection(TASK_STATES, default="queued", required=True, readonly=True)
    done = fields.Integer(readonly=True)
    total = fields.Integer(readonly=True)
    progress = fields.Float(compute="_compute_progress", string="Progress (%)")
    message = fields.Text(readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)

    @api.depends("done", "total")
    def _compute_progress(self):
        for task in self:
            task.progress = 100.0 * task.done / task.total if task.total else 0.0

    def _report(self, **values):
        """Record progress so that it is visible now, not when the operation's transaction commits."""
        self.ensure_one()
        if not auto_commit_enabled():
            self.sudo().write(values)
            return
        with self.env.registry.cursor() as cr:
            task_env = self.env(cr=cr, su=True)
            self.with_env(task_env).write(values)
            task_env.flush_all()  # the ORM writes lazily: send it before the cursor commits
        self.invalidate_recordset(list(values))

    def _progress(self, done, total=None):
        values = {"done": done}
        if total is not None:
            values["total"] = total
        self._report(**values)

    def _run(self):
        """Run the step's operation; its result or its error ends up on the task (never raised)."""
        self.ensure_one()
        shop = self.shop_id
        self._report(state="running", started_at=fields.Datetime.now(), message=False)
        try:
            with self.env.cr.savepoint():
                message = shop._setup_step_operation(self.step)(self)
        except Exception as error:
            _logger.warning("Shopify shop %s: setup task %s failed (%s)", shop.id, self.step, error)
            self._report(
                state="failed",
                finished_at=fields.Datetime.now(),
                message=_(
                    "%(error)s\nFix the cause, then run the step again from the shop's Setup tab.",
                    error=error,
                ),
            )
            return False
        self._report(state="done", finished_at=fields.Datetime.now(), message=message or False)
        return True
