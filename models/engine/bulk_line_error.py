"""Bulk operations of a shop: started with `bulkOperationRunQuery`, finished by the
`bulk_operations/finish` webhook or the polling cron, their JSONL result streamed in batches.

A feature using bulk queries starts one with `_start_query(shop, kind, document)` (a bulk mutation with
`_start_mutation`); the kind must be in BULK_KINDS of the work registry, which names the methods of this
model (self = the operation) that process its result and the optional hooks of the kind (start, skipped,
done, processing, refreshed, and result/error for mutations: see `work_registry.BulkKind`).

Processing is resumable. Each batch runs in a savepoint and, when the poll cron processes (top level,
`auto_commit_enabled()` as for the queue), is committed together with `resume_position` (root objects, or
lines for flat results and mutation results, already handled). An interrupted processing (worker
restart, timeout, or a retryable error: network, throttling, database conflict) is taken up by the next
poll after the last committed batch, so every row is handled once. The operation row is locked (`FOR NO
KEY UPDATE SKIP LOCKED`, taken again after each commit) so two workers never process it at once. In
production the finish webhook and the Refresh buttons only wake the poll cron for that reason; in tests
(one transaction, no commits) they process at once.

Errors that retrying will not fix do not stop the file: a broken JSON line (skipped), or a handler
exception on one batch (its rows recorded as failed, one line error each, the batch rolled back), is
recorded as a line error with a log entry and the other batches are processed; `error_message` says so.

Progress: `processed_lines` (result lines of the processed batches) against Shopify's `object_count`.
"""

from odoo import api, fields, models


class ShopifyBulkLineError(models.Model):
    _name = "shopify.bulk.line.error"
    _description = "Shopify Bulk Mutation Line Error"
    _order = "operation_id desc, line_number"

    operation_id = fields.Many2one("shopify.bulk.operation", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="operation_id.company_id", store=True, index=True)
    line_number = fields.Integer(required=True)
    res_model = fields.Char(string="Record Model", index=True)
    res_id = fields.Many2oneReference(string="Record", model_field="res_model", index=True)
    record_name = fields.Char(string="Record Name", compute="_compute_record_name")
    message = fields.Text(required=True)
    error_type = fields.Selection(
        [("result", "Result line"), ("unreadable", "Unreadable line"), ("batch", "Batch failed")],
        default="result",
        required=True,
        help="Unreadable: the line is not JSON (skipped). Batch failed: processing raised on its batch, "
        "so the row was not processed.",
    )

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for line in self:
            record = (
                self.env[line.res_model].browse(line.res_id).exists()
                if line.res_model in self.env and line.res_id
                else None
            )
            line.record_name = record.display_name if record else False
