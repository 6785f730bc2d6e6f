"""Which Odoo tax stands for a Shopify tax line of a shop: (rate, tax included, optional title) → tax.

Shopify sends taxes already computed; we only need the Odoo tax that computes the same amount. A tax line
without a mapping holds its order (nothing guessed), and the held order offers a one-click fix that
creates the missing rows.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

RATE_TOLERANCE = 1e-6


class ShopifyTaxMapping(models.Model):
    _name = "shopify.tax.mapping"
    _description = "Shopify Tax Mapping"
    _order = "shop_id, rate_percent, title"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    rate_percent = fields.Float(
        string="Rate (%)", digits=(16, 4), required=True, help="Shopify's rate × 100, e.g. 19 for 0.19."
    )
    price_include = fields.Boolean(
        string="Tax Included",
        help="Mapping for shops whose prices include taxes (Shopify's taxes_included).",
    )
    title = fields.Char(
        help="Shopify's tax title (e.g. MwSt, CA State Tax). Empty: any title with this rate.",
        string="Shopify Tax Title",
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo Tax",
        required=True,
        ondelete="restrict",
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
    )

    _sql_constraints = [
        (
            "mapping_unique",
            "unique(shop_id, rate_percent, price_include, title)",
            "This Shopify tax is already mapped for this shop.",
        ),
    ]

    @api.constrains("tax_id", "price_include", "rate_percent", "shop_id")
    def _check_tax_matches(self):
        for mapping in self:
            tax = mapping.tax_id
            if tax.company_id != mapping.shop_id.company_id:
                raise ValidationError(_("The tax %s belongs to another company than the shop.", tax.name))
            if tax.amount_type == "percent" and abs(tax.amount - mapping.rate_percent) > RATE_TOLERANCE:
                raise ValidationError(
                    _(
                        "The tax %(tax)s is %(amount)s%%, not %(rate)s%%: it would not compute Shopify's "
                        "amounts.",
                        tax=tax.name,
                        amount=tax.amount,
                        rate=mapping.rate_percent,
                    )
                )
            if tax.price_include != mapping.price_include:
                raise ValidationError(
                    _(
                        "The tax %s does not match the mapping's “Tax Included” setting: pick a tax whose "
                        "price is included exactly when the shop's prices include taxes.",
                        tax.name,
                    )
                )

    @api.model
    def _find_tax(self, shop, rate_percent, price_include, title):
        """The Odoo tax for one Shopify tax line, or an empty recordset. A title-specific row wins."""
        candidates = self.search([("shop_id", "=", shop.id), ("price_include", "=", price_include)])
        candidates = candidates.filtered(lambda m: abs(m.rate_percent - rate_percent) <= RATE_TOLERANCE)
        titled = candidates.filtered(lambda m: (m.title or "").strip().lower() == (title or "").lower())
        untitled = candidates.filtered(lambda m: not m.title)
        return (titled or untitled)[:1].tax_id

    @api.model
    def _create_missing(self, shop, rate_percent, price_include, title):
        """The one-click fix: reuse an Odoo sale tax with that rate and inclusion, else create one."""
        existing = self._find_tax(shop, rate_percent, price_include, title)
        if existing:
            return existing
        taxes = self.env["account.tax"].search(
            [
                ("company_id", "=", shop.company_id.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
            ]
        )
        tax = taxes.filtered(
            lambda t: abs(t.amount - rate_percent) <= RATE_TOLERANCE and t.price_include == price_include
        )[:1]
        if not tax:
            label = _("incl.") if price_include else _("excl.")
            tax = self.env["account.tax"].create(
                {
                    "name": f"{title or _('Tax')} {rate_percent:g}% ({label}) [Shopify]",
                    "amount": rate_percent,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "company_id": shop.company_id.id,
                    "price_include_override": "tax_included" if price_include else "tax_excluded",
                }
            )
        self.create(
            {
                "shop_id": shop.id,
                "rate_percent": rate_percent,
                "price_include": price_include,
                "tax_id": tax.id,
            }
        )
        return tax
