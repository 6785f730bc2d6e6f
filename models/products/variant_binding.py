"""One Odoo variant ⇄ one Shopify variant within a product binding: its GIDs (variant, inventory item) and
SKU; the snapshot it is compared against lives on the product binding."""

from odoo import fields, models


class ShopifyVariantBinding(models.Model):
    _name = "shopify.variant.binding"
    _description = "Shopify Variant Binding"
    _order = "product_binding_id, id"
    _rec_name = "product_id"

    product_binding_id = fields.Many2one(
        "shopify.product.binding", required=True, ondelete="cascade", index=True
    )
    shop_id = fields.Many2one(
        related="product_binding_id.shop_id", store=True, index=True, string="Shop", readonly=True
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True, string="Company")
    product_id = fields.Many2one(
        "product.product", string="Variant", required=True, ondelete="cascade", index=True
    )
    shopify_gid = fields.Char(
        string="Shopify Variant GID", index=True, copy=False, help="gid://shopify/ProductVariant/<id>"
    )
    inventory_item_gid = fields.Char(
        string="Inventory Item GID", index=True, copy=False, help="gid://shopify/InventoryItem/<id>"
    )
    sku = fields.Char(string="SKU", index=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "shop_gid_unique",
            "unique(shop_id, shopify_gid)",
            "This Shopify variant is already bound to another Odoo variant of this shop.",
        ),
        (
            "shop_variant_unique",
            "unique(shop_id, product_id)",
            "This Odoo variant is already bound to this shop.",
        ),
    ]
