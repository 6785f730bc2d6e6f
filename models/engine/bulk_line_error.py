"""One failed row of a bulk operation: a mutation line Shopify refused or never answered, an unreadable
result line, or a query row its handler failed on; with the record it concerns when there is one."""

from odoo import api, fields, models


class ShopifyBulkLineError(models.Model):
    _name = "shopify.bulk.line.error"
    _description = "Shopify Bulk Mutation Line Error"
    _order = "operation_id desc, line_number"

    operation_id = fields.Many2one("shopify.bulk.operation", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="operation_id.company_id", store=True, index=True)
    line_number = fields.Integer(required=True, string="Line Number")
    res_model = fields.Char(string="Record Model", index=True)
    res_id = fields.Many2oneReference(string="Record", model_field="res_model", index=True)
    record_name = fields.Char(string="Record Name", compute="_compute_record_name")
    message = fields.Text(required=True, string="Message")
    error_type = fields.Selection(
        [("result", "Result line"), ("unreadable", "Unreadable line"), ("batch", "Batch failed")],
        default="result",
        required=True,
        help="Unreadable: the line is not JSON (skipped). Batch failed: processing raised on its batch, "
        "so the row was not processed.",
        string="Error Type",
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
