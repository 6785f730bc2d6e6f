"""Which product fields sync, in which direction, and who wins a conflict — per shop, editable in the UI."""

from odoo import _, api, fields, models

from ...services.mapping import products as mapping

# Shopify field → what it maps to in Odoo (shown to the user; the code lives in product_shopify.py).
FIELD_LABELS = {
    "title": ("Title", "Product name"),
    "description_html": ("Description", "Sales description"),
    "vendor": ("Vendor", "Brand"),
    "product_type": ("Product type", "Product category"),
    "tags": ("Tags", "Product tags"),
    "status": ("Status", "Active / Can be sold"),
    "price": ("Variant price", "Sales price + variant extra price"),
    "compare_at_price": ("Compare-at price", "Compare-at price (variant)"),
    "sku": ("SKU", "Internal reference"),
    "barcode": ("Barcode", "Barcode"),
    "weight": ("Weight", "Weight (converted to the database unit)"),
}


# A mapping line's choices, shared by every mapping table of the same shape (customers too).
DIRECTIONS = [
    (mapping.BOTH, "Both ways"),
    (mapping.TO_SHOPIFY, "Odoo → Shopify"),
    (mapping.TO_ODOO, "Shopify → Odoo"),
]
CONFLICT_POLICIES = [
    (mapping.ODOO_WINS, "Odoo wins"),
    (mapping.SHOPIFY_WINS, "Shopify wins"),
    (mapping.NEWEST_WINS, "Newest wins"),
]


# Optional mappings start disabled.
DISABLED_BY_DEFAULT = {"compare_at_price"}


class ShopifyFieldMapping(models.Model):
    _name = "shopify.field.mapping"
    _description = "Shopify Product Field Mapping"
    _order = "shop_id, sequence, id"
    _rec_name = "shopify_field"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, help="Disabled mappings are neither exported nor imported.")
    shopify_field = fields.Selection(
        [(name, FIELD_LABELS[name][0]) for name in mapping.ALL_FIELDS], required=True, string="Shopify Field"
    )
    odoo_field_label = fields.Char(compute="_compute_odoo_field_label", string="Odoo Field")
    direction = fields.Selection(DIRECTIONS, default=mapping.BOTH, required=True)
    conflict_policy = fields.Selection(
        CONFLICT_POLICIES,
        default=mapping.ODOO_WINS,
        required=True,
        help="Applied when the field changed on both sides since the last sync.",
    )

    _sql_constraints = [
        (
            "shop_field_unique",
            "unique(shop_id, shopify_field)",
            "Each Shopify field is mapped once per shop.",
        ),
    ]

    @api.depends("shopify_field", "shop_id.product_vendor_source", "shop_id.product_vendor_tag_prefix")
    def _compute_odoo_field_label(self):
        for line in self:
            label = FIELD_LABELS.get(line.shopify_field, ("", ""))[1]
            if line.shopify_field == "vendor" and line.shop_id.product_vendor_source == "tag":
                label = _("Product tag “%s…”", line.shop_id.product_vendor_tag_prefix or "")
            line.odoo_field_label = label

    @api.model
    def _default_values(self, shop):
        return [
            {
                "shop_id": shop.id,
                "shopify_field": name,
                "sequence": index,
                "active": name not in DISABLED_BY_DEFAULT,
            }
            for index, name in enumerate(mapping.ALL_FIELDS)
        ]
