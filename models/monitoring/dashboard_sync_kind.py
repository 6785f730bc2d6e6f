"""The last run and the last successful run of each sync kind per shop (a PostgreSQL view over the sync
logs), shown on the shop dashboard."""

from odoo import api, fields, models, tools

from ..core.access import USER, check_shopify_access

SYNC_FAILED_HINT = (
    "The next scheduled run tries again. If it fails again, open Runs for the full error, fix what it "
    "names (connection, mapping, product), then run that step again from the shop's Setup tab."
)


class ShopifyDashboardSyncKind(models.Model):
    """Per shop and sync kind: the last run, the last successful one and how the last run ended."""

    _name = "shopify.dashboard.sync.kind"
    _description = "Shopify Last Sync per Kind"
    _auto = False
    _order = "shop_id, kind"
    _rec_name = "kind"

    shop_id = fields.Many2one("shopify.shop", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Char(readonly=True, string="Sync Kind")
    last_run_at = fields.Datetime(readonly=True, string="Last Run At")
    last_success_at = fields.Datetime(readonly=True, string="Last Success At")
    last_state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")], readonly=True, string="Last Result"
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
