"""Read-only reporting views (SQL views) behind Shopify › Dashboard.

Each is a plain PostgreSQL view over the engine's tables, so the dashboard reads live data with Odoo's own
list / pivot / graph views and no custom JavaScript.
"""

from odoo import _, api, fields, models, tools

from .shopify_access import USER, check_shopify_access

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


SYNC_FAILED_HINT = (
    "The next scheduled run tries again. If it fails again, open Runs for the full error, fix what it "
    "names (connection, mapping, product), then run that step again from the shop's Setup tab."
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

    shop_id = fields.Many2one("shopify.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Char(readonly=True)
    error_type = fields.Char(readonly=True)
    reason = fields.Char(readonly=True)
    job_count = fields.Integer(string="Jobs", readonly=True)
    last_failed_at = fields.Datetime(readonly=True)
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


class ShopifyDashboardSyncKind(models.Model):
    """Per shop and sync kind: the last run, the last successful one and how the last run ended."""

    _name = "shopify.dashboard.sync.kind"
    _description = "Shopify Last Sync per Kind"
    _auto = False
    _order = "shop_id, kind"
    _rec_name = "kind"

    shop_id = fields.Many2one("shopify.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Char(readonly=True)
    last_run_at = fields.Datetime(readonly=True)
    last_success_at = fields.Datetime(readonly=True)
    last_state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")], readonly=True
    )
    last_error = fields.Text(string="Last Error (full)", readonly=True)
    last_error_line = fields.Char(compute="_compute_last_error_line", string="Last Error")
    hint = fields.Char(compute="_compute_last_error_line", string="What to do")
    run_count_24h = fields.Integer(string="Runs (24 h)", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT DISTINCT ON (log.shop_id, log.kind)
                   log.id, log.shop_id, log.company_id, log.kind,
                   log.started_at AS last_run_at, log.state AS last_state, log.error_summary AS last_error,
                   (SELECT max(ok.ended_at) FROM shopify_sync_log ok
                     WHERE ok.shop_id = log.shop_id AND ok.kind = log.kind AND ok.state = 'done')
                       AS last_success_at,
                   (SELECT count(*) FROM shopify_sync_log day
                     WHERE day.shop_id = log.shop_id AND day.kind = log.kind
                       AND day.started_at > (now() at time zone 'UTC') - interval '24 hours')
                       AS run_count_24h
              FROM shopify_sync_log log
             ORDER BY log.shop_id, log.kind, log.started_at DESC, log.id DESC
            """
        )

    @api.depends("last_error", "last_state")
    def _compute_last_error_line(self):
        """The error's first line (the traceback stays on the run) and the next step when it failed."""
        for row in self:
            row.last_error_line = (row.last_error or "").strip().split("\n")[0] or False
            row.hint = SYNC_FAILED_HINT if row.last_state == "failed" else False

    def action_open_runs(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_log")
        action["domain"] = [("shop_id", "=", self.shop_id.id), ("kind", "=", self.kind)]
        action["context"] = {}
        return action


class ShopifyDashboardWebhookTopic(models.Model):
    """Per shop and topic: the last webhook delivery received and how many arrived in 24 hours."""

    _name = "shopify.dashboard.webhook.topic"
    _description = "Shopify Last Webhook per Topic"
    _auto = False
    _order = "shop_id, topic"
    _rec_name = "topic"

    shop_id = fields.Many2one("shopify.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    topic = fields.Char(readonly=True)
    last_received_at = fields.Datetime(readonly=True)
    count_24h = fields.Integer(string="Received (24 h)", readonly=True)
    problem_count = fields.Integer(string="Failed", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT min(event.id) AS id, event.shop_id, event.company_id, event.topic,
                   max(event.received_at) AS last_received_at,
                   count(*) FILTER (
                       WHERE event.received_at > (now() at time zone 'UTC') - interval '24 hours'
                   ) AS count_24h,
                   count(*) FILTER (WHERE event.state IN ('failed', 'dead')) AS problem_count
              FROM shopify_webhook_event event
             GROUP BY event.shop_id, event.company_id, event.topic
            """
        )

    def action_open_events(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_webhook_event")
        action["domain"] = [("shop_id", "=", self.shop_id.id), ("topic", "=", self.topic)]
        action["context"] = {}
        return action
