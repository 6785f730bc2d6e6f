"""One product of a product reconciliation report that drifted, conflicted, failed or has no
counterpart on the other side: what was found and what was done."""

from odoo import fields, models

LINE_KINDS = [
    ("drift", "Drift corrected"),
    ("conflict", "Conflict"),
    ("unbound", "On Shopify, not linked in Odoo"),
    ("gone", "Linked, no longer on Shopify"),
    ("unexported", "To publish, never exported"),
    ("error", "Error"),
]


class ShopifyProductReconcileLine(models.Model):
    _name = "shopify.product.reconcile.line"
    _description = "Shopify Product Reconciliation Line"
    _order = "reconcile_id desc, id"

    reconcile_id = fields.Many2one("shopify.product.reconcile", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="reconcile_id.company_id", store=True, index=True)
    kind = fields.Selection(LINE_KINDS, required=True, index=True, string="Finding")
    binding_id = fields.Many2one("shopify.product.binding", string="Link", ondelete="set null")
    product_tmpl_id = fields.Many2one("product.template", string="Product", ondelete="set null")
    shopify_gid = fields.Char(string="Shopify Product")
    title = fields.Char(string="Shopify Title")
    drifted = fields.Char(string="What Drifted", help="Each field that differed and the side it was set on.")
    action = fields.Char(string="What Was Done")
