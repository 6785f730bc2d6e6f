"""One Shopify refund of one shop and what it became in Odoo (a credit note and a return, or a change of
the sale order when it was not invoiced yet).

Kept from the first delivery even when its order is not imported yet: the refund is applied when the order
is (one refund GID → one row → one effect, whatever arrives first or how often).
"""

from odoo import fields, models

from ..core.access import MANAGER_GROUP


class ShopifyOrderRefund(models.Model):
    _name = "shopify.order.refund"
    _description = "Shopify Refund"
    _order = "processed_at, id"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, ondelete="cascade", index=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    shopify_gid = fields.Char(string="Refund GID", required=True, readonly=True, index=True)
    order_gid = fields.Char(required=True, readonly=True, index=True, string="Shopify Order ID")
    binding_id = fields.Many2one(
        "shopify.order.binding", readonly=True, ondelete="cascade", index=True, string="Shopify Order"
    )
    processed_at = fields.Datetime(readonly=True, string="Refunded At")
    note = fields.Char(readonly=True, string="Refund Note")
    state = fields.Selection(
        [("pending", "To apply"), ("done", "Applied"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        string="Status",
    )
    outcome = fields.Selection(
        [
            ("credit_note", "Credit note"),
            ("sale_order", "Sale order adjusted"),
            ("order", "Already in the imported order"),
        ],
        readonly=True,
        help="Already in the imported order: the order reached Odoo after the refund, its current "
        "quantities and total leave the refunded items out.",
        string="Applied As",
    )
    error = fields.Text(readonly=True, string="Error")
    credit_note_id = fields.Many2one(
        "account.move", readonly=True, ondelete="set null", copy=False, string="Credit Note"
    )
    return_picking_id = fields.Many2one(
        "stock.picking", readonly=True, ondelete="set null", copy=False, string="Return"
    )
    transaction_ids = fields.One2many(
        "shopify.order.transaction", "refund_id", readonly=True, string="Refund Transactions"
    )
    payload = fields.Json(readonly=True, copy=False, groups=MANAGER_GROUP)
    payload_source = fields.Selection(
        [("rest", "Webhook"), ("graphql", "API")], readonly=True, string="Read From"
    )

    _sql_constraints = [
        ("refund_unique", "unique(shop_id, shopify_gid)", "This Shopify refund is already known."),
    ]
