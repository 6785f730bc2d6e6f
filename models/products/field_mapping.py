"""Which product fields sync, in which direction, and who wins a conflict — per shop, editable in the UI."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ...services.mapping import metafields
from ...services.mapping import products as mapping

# Shopify field → what it maps to in Odoo (shown to the user; the code is
# `shopify.product.binding._shopify_odoo_product` and services/mapping/products.py).
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
    "images": ("Images (media)", "Product image, variant images (and extra images with eCommerce)"),
    "published": ("Published (sales channels)", "Published on Shopify (product)"),
    "collections": ("Collections", "Product category (when the shop syncs collections)"),
    "metafield": ("Metafield", "The Odoo field chosen"),
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
    sequence = fields.Integer(default=10, string="Sequence")
    active = fields.Boolean(default=True, help="Disabled mappings are neither exported nor imported.")
    shopify_field = fields.Selection(
        [(name, FIELD_LABELS[name][0]) for name in (*mapping.ALL_FIELDS, "metafield")],
        required=True,
        string="Shopify Field",
    )
    metafield_key = fields.Char(
        string="Metafield", help="namespace.key of the product metafield (e.g. custom.care_guide)."
    )
    metafield_type = fields.Selection(
        [(name, name) for name in metafields.TYPES], string="Metafield Type", default="single_line_text_field"
    )
    odoo_field_id = fields.Many2one(
        "ir.model.fields",
        string="Odoo Product Field",
        ondelete="cascade",
        domain="[('model', '=', 'product.template'), ('store', '=', True), ('ttype', 'in', "
        "['char', 'text', 'html', 'selection', 'integer', 'float', 'monetary', 'boolean', 'date', "
        "'datetime', 'json'])]",
        help="The field of the product (template) the metafield is synced with.",
    )
    rule_key = fields.Char(
        compute="_compute_rule_key",
        store=True,
        help="The name this line rules in the snapshots: the Shopify field, or metafield:<namespace>.<key>.",
    )
    odoo_field_label = fields.Char(compute="_compute_odoo_field_label", string="Odoo Field")
    direction = fields.Selection(DIRECTIONS, default=mapping.BOTH, required=True, string="Direction")
    conflict_policy = fields.Selection(
        CONFLICT_POLICIES,
        default=mapping.ODOO_WINS,
        required=True,
        help="Applied when the field changed on both sides since the last sync.",
        string="Conflict Policy",
    )

    _sql_constraints = [
        (
            "shop_field_unique",
            "unique(shop_id, rule_key)",
            "Each Shopify field (and each metafield) is mapped once per shop.",
        ),
    ]

    @api.depends("shopify_field", "metafield_key")
    def _compute_rule_key(self):
        for line in self:
            if line.shopify_field == "metafield":
                key = (line.metafield_key or "").strip()
                line.rule_key = f"{metafields.PREFIX}{key}" if key else False
            else:
                line.rule_key = line.shopify_field

    @api.constrains("shopify_field", "metafield_key", "metafield_type", "odoo_field_id")
    def _check_metafield(self):
        for line in self.filtered(lambda line: line.shopify_field == "metafield"):
            try:
                metafields.split_key((line.metafield_key or "").strip())
            except mapping.MappingError as error:
                raise ValidationError(
                    _("Give the metafield as namespace.key (e.g. custom.care_guide).")
                ) from error
            if not line.odoo_field_id or not line.metafield_type:
                raise ValidationError(_("A metafield line needs its type and the Odoo field it syncs with."))
            kind = metafields.TYPES[line.metafield_type]
            if line.odoo_field_id.ttype not in metafields.ODOO_TYPES[kind]:
                raise ValidationError(
                    _(
                        "A %(type)s metafield cannot be kept in %(field)s (a %(ttype)s field).",
                        type=line.metafield_type,
                        field=line.odoo_field_id.field_description,
                        ttype=line.odoo_field_id.ttype,
                    )
                )

    @api.depends(
        "shopify_field",
        "odoo_field_id",
        "shop_id.product_vendor_source",
        "shop_id.product_vendor_tag_prefix",
    )
    def _compute_odoo_field_label(self):
        for line in self:
            label = FIELD_LABELS.get(line.shopify_field, ("", ""))[1]
            if line.shopify_field == "metafield":
                label = line.odoo_field_id.field_description or ""
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

    def _shopify_metafield_spec(self):
        """`(rule key, namespace, key, metafield type, Odoo field name, Odoo field type)` of a line."""
        self.ensure_one()
        namespace, key = metafields.split_key(self.metafield_key.strip())
        return (
            self.rule_key,
            namespace,
            key,
            self.metafield_type,
            self.odoo_field_id.name,
            self.odoo_field_id.ttype,
        )
