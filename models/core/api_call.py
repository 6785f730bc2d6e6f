"""One row per request sent to Shopify (or refused before sending): the raw material of monitoring.

Rows are written by the client's recorder (core/client_wiring.py) in the caller's transaction.
"""

from datetime import timedelta

from odoo import api, fields, models

from . import api_budget as api_budget

RETENTION_PARAM = "shopify_sync.api_call_retention_days"
DEFAULT_RETENTION_DAYS = 30


class ShopifyApiCall(models.Model):
    _name = "shopify.api.call"
    _description = "Shopify API Call"
    _order = "id desc"
    _rec_name = "operation"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    called_at = fields.Datetime(required=True, default=fields.Datetime.now, index=True, string="Called At")
    operation = fields.Char(
        required=True, index=True, help="Name of the GraphQL document sent.", string="Operation"
    )
    attempt = fields.Integer(
        default=1, help="1 for the first try, then each retry of the same call.", string="Attempt"
    )
    outcome = fields.Selection(
        [("ok", "OK"), ("throttled", "Throttled"), ("error", "Error")],
        required=True,
        index=True,
        string="Outcome",
    )
    estimated_cost = fields.Float(
        help="Our estimate of the requested cost, booked in the budget.", string="Estimated Cost"
    )
    requested_cost = fields.Float(help="Shopify's requestedQueryCost.", string="Requested Cost")
    actual_cost = fields.Float(help="Shopify's actualQueryCost (what was charged).", string="Actual Cost")
    available_after = fields.Float(
        help="Points left in the shop's bucket after this call.", string="Points Left After"
    )
    maximum_available = fields.Float(string="Bucket Size")
    restore_rate = fields.Float(
        help="Points per second the bucket refills.", string="Restore Rate (points/s)"
    )
    duration_ms = fields.Float(string="Duration (ms)", aggregator="avg")
    throttle_wait_ms = fields.Float(string="Throttle Wait (ms)", help="Time waited for the budget first.")
    http_status = fields.Integer(string="HTTP Status")
    error_code = fields.Char(index=True, string="Error Code")
    error_message = fields.Text(string="Error Message")
    response_api_version = fields.Char(
        string="Answered API Version", help="X-Shopify-API-Version of the answer (Shopify falls forward)."
    )
    deprecated_reason = fields.Char(
        index="btree_not_null", help="X-Shopify-API-Deprecated-Reason: the request used something deprecated."
    )
    # The sync run the call belongs to (context key `shopify_sync_log_id`).
    sync_log_id = fields.Many2one("shopify.sync.log", string="Sync Run", ondelete="set null", index=True)

    def init(self):
        result = super().init()
        api_budget.create_table(self.env.cr)
        return result

    @api.model
    def _record_rolled_back(self, shop, error):
        """Write again the calls of a failed request whose rows a rolled-back savepoint removed
        (services.client puts them on the error it raises)."""
        from .client_wiring import call_values

        records = getattr(error, "call_records", None) or []
        if not records or not shop:
            return self.browse()
        sync_log = self.env["shopify.sync.log"].browse(self.env.context.get("shopify_sync_log_id") or ())
        sync_log_id = sync_log.exists().id
        return self.sudo().create([call_values(shop, record, sync_log_id) for record in records])

    @api.autovacuum
    def _gc_old_calls(self):
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, DEFAULT_RETENTION_DAYS))
        limit = fields.Datetime.now() - timedelta(days=days)
        self.sudo().search([("called_at", "<", limit)]).unlink()
