"""Payments made from Shopify transactions carry the transaction's GID and shop: one payment per
transaction (unique), and what payout matching reads."""

from odoo import fields, models


class AccountPayment(models.Model):
    _inherit = "account.payment"

    shopify_shop_id = fields.Many2one("shopify.shop", readonly=True, index=True, copy=False)
    shopify_transaction_gid = fields.Char(readonly=True, index=True, copy=False)
    shopify_presentment_amount = fields.Monetary(
        readonly=True, copy=False, currency_field="shopify_presentment_currency_id"
    )
    shopify_presentment_currency_id = fields.Many2one("res.currency", readonly=True, copy=False)

    _sql_constraints = [
        (
            "shopify_transaction_unique",
            "unique(shopify_shop_id, shopify_transaction_gid)",
            "This Shopify transaction already has a payment.",
        ),
    ]
