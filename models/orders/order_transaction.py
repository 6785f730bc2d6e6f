"""One Shopify order transaction of one shop, as received (webhook, re-read or refund), before and after
it became an Odoo payment.

Rows exist from the first time a transaction is seen, even before its order is imported: nothing is lost
to the order of arrival, and the GID (unique per shop) makes every delivery after the first a no-op.
"""

from odoo import fields, models


class ShopifyOrderTransaction(models.Model):
    _name = "shopify.order.transaction"
    _description = "Shopify Order Transaction"
    _order = "processed_at, id"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, ondelete="cascade", index=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    shopify_gid = fields.Char(string="Transaction GID", required=True, readonly=True, index=True)
    order_gid = fields.Char(required=True, readonly=True, index=True, string="Shopify Order ID")
    binding_id = fields.Many2one(
        "shopify.order.binding", readonly=True, ondelete="cascade", index=True, string="Shopify Order"
    )
    refund_id = fields.Many2one(
        "shopify.order.refund", readonly=True, ondelete="set null", index=True, string="Refund"
    )
    kind = fields.Char(
        readonly=True, help="sale, capture, authorization, refund, void…", string="Transaction Type"
    )
    status = fields.Char(readonly=True, help="success, pending, failure, error…", string="Status on Shopify")
    gateway = fields.Char(readonly=True, string="Payment Gateway")
    currency_id = fields.Many2one("res.currency", readonly=True, help="The shop currency.")
    amount = fields.Monetary(readonly=True, currency_field="currency_id", string="Amount (Shop Currency)")
    presentment_currency_id = fields.Many2one("res.currency", readonly=True)
    presentment_amount = fields.Monetary(
        readonly=True, currency_field="presentment_currency_id", string="Amount (Customer's Currency)"
    )
    processed_at = fields.Datetime(readonly=True, string="Processed At")
    state = fields.Selection(
        [
            ("pending", "To apply"),
            ("held", "Held"),
            ("done", "Payment registered"),
            ("ignored", "No payment"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        help="Ignored: not money that moved (authorization, void, failure), or payments are not registered.",
        string="Status in Odoo",
    )
    hold_reason = fields.Text(readonly=True, string="Why It Waits")
    payment_id = fields.Many2one(
        "account.payment", readonly=True, ondelete="set null", copy=False, string="Odoo Payment"
    )

    _sql_constraints = [
        ("transaction_unique", "unique(shop_id, shopify_gid)", "This Shopify transaction is already known."),
    ]
