"""Which customer fields sync, in which direction, and who wins a conflict — per shop, editable in the UI.

The same shape as the product mapping table (models/products/field_mapping.py) and the same conflict rule
(services/mapping/merge.py): only the fields differ.
"""

from odoo import api, fields, models

from ...services.mapping import customers as mapping
from ...services.mapping import merge
from ..products.field_mapping import CONFLICT_POLICIES, DIRECTIONS

# Shopify field → what it is in Odoo (the code lives in models/customers/customer_export.py).
FIELD_LABELS = {
    "name": ("First and last name", "Contact name (last word = last name)"),
    "email": ("E-mail", "Email"),
    "phone": ("Phone", "Phone"),
    "note": ("Note", "Internal notes"),
    "tags": ("Tags", "Contact tags"),
    "tax_exempt": ("Tax exempt", "Tax Exempt (Shopify)"),
}


class ShopifyCustomerFieldMapping(models.Model):
    _name = "shopify.customer.field.mapping"
    _description = "Shopify Customer Field Mapping"
    _order = "shop_id, sequence, id"
    _rec_name = "shopify_field"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10, string="Sequence")
    active = fields.Boolean(default=True, help="Disabled mappings are neither exported nor imported.")
    shopify_field = fields.Selection(
        [(name, FIELD_LABELS[name][0]) for name in mapping.CUSTOMER_FIELDS],
        required=True,
        string="Shopify Field",
    )
    odoo_field_label = fields.Char(compute="_compute_odoo_field_label", string="Odoo Field")
    direction = fields.Selection(DIRECTIONS, default=merge.BOTH, required=True, string="Direction")
    conflict_policy = fields.Selection(
        CONFLICT_POLICIES,
        default=merge.ODOO_WINS,
        required=True,
        help="Applied when the field changed on both sides since the last sync.",
        string="When Both Sides Changed",
    )

    _sql_constraints = [
        (
            "shop_field_unique",
            "unique(shop_id, shopify_field)",
            "Each Shopify customer field is mapped once per shop.",
        ),
    ]

    @api.depends("shopify_field")
    def _compute_odoo_field_label(self):
        for line in self:
            line.odoo_field_label = FIELD_LABELS.get(line.shopify_field, ("", ""))[1]

    @api.model
    def _default_values(self, shop):
        return [
            {"shop_id": shop.id, "shopify_field": name, "sequence": index}
            for index, name in enumerate(mapping.CUSTOMER_FIELDS)
        ]
