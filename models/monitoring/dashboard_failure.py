"""Failed and dead jobs grouped by shop, kind, error type and first line of the message, with what to do
about each error type: the Failures list of Shopify › Dashboard.

The dashboard's tables are plain PostgreSQL views over the engine's tables (this one, last sync per kind,
last webhook per topic), so they show live data in Odoo's own list / pivot / graph views.
"""

from odoo import _, api, fields, models, tools

from ..core.access import USER, check_shopify_access

# What an admin should do about a failure, by the error type the queue recorded.
FAILURE_HINTS = {
    "AuthError": "Shopify refused the credentials: check the token (or client ID/secret) on the shop, run "
    "Test connection, then Retry the jobs.",
    "ThrottledError": "Shopify's API budget was exhausted: these are retried automatically; if they keep "
    "failing, lower the sync frequency, then Retry.",
    "ServerError": "Shopify answered with a server error: these are retried automatically; if they keep "
    "failing, check status.shopify.com, then Retry.",
    "NetworkError": "Shopify could not be reached: check this server's internet access, then Retry.",
    "QueryError": "Shopify rejected the request: check the shop's API version on the shop form (update the "
    "addon if the version is no longer supported), then Retry.",
    "CostExceededError": "The request was too expensive for Shopify: lower the batch size, then Retry.",
    "UserErrorsError": "Shopify refused the data: correct the record named in the reason, then Retry.",
    "UserError": "The reason says what to fix in Odoo; fix it, then Retry.",
    "ValidationError": "The reason says which value Odoo refused; correct it, then Retry.",
}


DEFAULT_HINT = (
    "Unexpected error: a Shopify manager can read the traceback on the job. Fix the cause, then Retry, or "
    "Ignore the job if the work is no longer needed."
)


def failure_hint(error_type):
    return FAILURE_HINTS.get(error_type or "", DEFAULT_HINT)


class ShopifyDashboardFailure(models.Model):
    """Failed and dead jobs grouped by shop, kind and reason (the first line of the error)."""

    _name = "shopify.dashboard.failure"
    _description = "Shopify Failure Reason"
    _auto = False
    _order = "job_count desc, last_failed_at desc"
    _rec_name = "reason"

    shop_id = fields.Many2one("shopify.shop", readonly=True, string="Shop")
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Char(readonly=True, string="Job Kind")
    error_type = fields.Char(readonly=True)
    reason = fields.Char(readonly=True, string="Reason")
    job_count = fields.Integer(string="Jobs", readonly=True)
    last_failed_at = fields.Datetime(readonly=True, string="Last Failed At")
    hint = fields.Char(compute="_compute_hint", string="What to do")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT min(job.id) AS id, job.shop_id, job.company_id, job.kind,
                   COALESCE(job.last_error_type, '') AS error_type,
                   left(split_part(COALESCE(job.last_error_message, ''), E'\\n', 1), 200) AS reason,
                   count(*) AS job_count,
                   max(COALESCE(job.finished_at, job.write_date)) AS last_failed_at
              FROM shopify_queue_job job
             WHERE job.state IN ('failed', 'dead')
             GROUP BY job.shop_id, job.company_id, job.kind, COALESCE(job.last_error_type, ''),
                      left(split_part(COALESCE(job.last_error_message, ''), E'\\n', 1), 200)
            """
        )

    @api.depends("error_type")
    def _compute_hint(self):
        for row in self:
            row.hint = failure_hint(row.error_type)

    def _job_domain(self):
        self.ensure_one()
        escaped = (self.reason or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return [
            ("shop_id", "=", self.shop_id.id),
            ("kind", "=", self.kind),
            ("state", "in", ("failed", "dead")),
            ("last_error_type", "=", self.error_type or False),
            ("last_error_message", "=like", f"{escaped}%" if escaped else "%"),
        ]

    def action_open_jobs(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_queue_job")
        action["domain"] = self._job_domain()
        action["context"] = {}
        action["name"] = _("Failed jobs: %s", self.reason or self.error_type)
        return action
