"""Which Odoo journal receives the money of a Shopify payment gateway, per shop.

Every gateway is one: `shopify_payments`, `paypal`, `manual`, `gift_card` and store credit alike. A
transaction whose gateway has no row holds the order's payment step (nothing guessed, nothing skipped);
the held order offers a one-click fix that creates the row on the shop's default journal and resumes.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ShopifyGatewayMapping(models.Model):
    _name = "shopify.gateway.mapping"
    _description = "Shopify Payment Gateway Mapping"
    _order = "shop_id, gateway"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    gateway = fields.Char(
        required=True,
        help="Shopify's gateway name, e.g. shopify_payments, paypal, gift_card, manual.",
        string="Shopify Payment Gateway",
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Journal",
        required=True,
        ondelete="restrict",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
    )

    _sql_constraints = [
        ("gateway_unique", "unique(shop_id, gateway)", "This gateway is already mapped for this shop."),
    ]

    @api.model
    def _journal_for(self, shop, gateway):
        return self.search([("shop_id", "=", shop.id), ("gateway", "=", gateway)], limit=1).journal_id

    @api.model
    def _create_missing(self, shop, gateway):
        """The one-click fix: map the gateway to the shop's default payment journal (else the company's
        first bank journal)."""
        existing = self._journal_for(shop, gateway)
        if existing:
            return existing
        journal = shop.order_payment_journal_id or self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", shop.company_id.id)], limit=1
        )
        if not journal:
            raise UserError(
                _(
                    "No bank journal in %s to receive Shopify payments: create one first.",
                    shop.company_id.name,
                )
            )
        self.create({"shop_id": shop.id, "gateway": gateway, "journal_id": journal.id})
        return journal
