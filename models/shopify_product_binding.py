"""Links between Odoo products and Shopify products, per shop, with the last synced snapshot.

A template may be bound to several shops (one binding per shop). The snapshot (values + hash) is what
both directions compare against: a value equal to the snapshot did not change on that side, which is how
echoes are suppressed and how a change on both sides (a conflict) is told apart from a one-sided change.
"""

import hashlib
import json

from odoo import api, fields, models


def snapshot_hash(values):
    """Stable hash of a snapshot dict (keys sorted, Decimals and dates as strings)."""
    payload = json.dumps(values or {}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class ShopifyProductBinding(models.Model):
    _name = "shopify.product.binding"
    _description = "Shopify Product Binding"
    _order = "shop_id, id desc"
    _rec_name = "product_tmpl_id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product", required=True, ondelete="cascade", index=True
    )
    shopify_gid = fields.Char(
        string="Shopify Product GID", index=True, copy=False, help="gid://shopify/Product/<id>"
    )
    shopify_handle = fields.Char(copy=False)
    shopify_updated_at = fields.Datetime(
        string="Shopify Updated At",
        copy=False,
        help="updatedAt of the last Shopify version applied or written; older payloads are skipped.",
    )
    variant_binding_ids = fields.One2many("shopify.variant.binding", "product_binding_id", string="Variants")
    active = fields.Boolean(default=True)

    # Snapshot of the values last agreed by both sides (JSON of mapped values, template + variants).
    synced_values = fields.Json(copy=False, readonly=True)
    synced_hash = fields.Char(copy=False, readonly=True)
    synced_at = fields.Datetime(copy=False, readonly=True)

    # Odoo → Shopify change tracking.
    export_pending = fields.Boolean(
        copy=False, index=True, help="A mapped field changed in Odoo since the last export."
    )
    odoo_changed_at = fields.Datetime(
        copy=False, help="When the pending Odoo change was recorded (used by the newest-wins policy)."
    )
    export_priority = fields.Integer(default=10, help="Lower exports first.")

    sync_state = fields.Selection(
        [
            ("new", "Not exported yet"),
            ("synced", "In sync"),
            ("pending", "Changes to export"),
            ("error", "Error"),
            ("archived", "Deleted on Shopify"),
        ],
        default="new",
        required=True,
        copy=False,
    )
    last_error = fields.Text(copy=False, readonly=True)
    limit_warning = fields.Text(
        copy=False,
        readonly=True,
        help="What could not be sent because it exceeds Shopify's limits (options, variants).",
    )

    _sql_constraints = [
        (
            "shop_gid_unique",
            "unique(shop_id, shopify_gid)",
            "This Shopify product is already bound to another Odoo product of this shop.",
        ),
        (
            "shop_template_unique",
            "unique(shop_id, product_tmpl_id)",
            "This Odoo product is already bound to this shop.",
        ),
    ]

    def _set_snapshot(self, values, shopify_updated_at=None):
        """Record the values both sides now agree on."""
        self.ensure_one()
        vals = {
            "synced_values": values,
            "synced_hash": snapshot_hash(values),
            "synced_at": fields.Datetime.now(),
        }
        if shopify_updated_at:
            vals["shopify_updated_at"] = shopify_updated_at
        self.write(vals)

    @api.depends("product_tmpl_id", "shop_id")
    def _compute_display_name(self):
        for binding in self:
            binding.display_name = f"{binding.product_tmpl_id.display_name} @ {binding.shop_id.name}"


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
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
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
