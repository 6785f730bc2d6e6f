"""Templates: their Shopify links and the buttons that open or publish them; a write on a mapped field of a
bound template compares it with the binding's last synced snapshot and marks the binding for export only
when a value really differs. Writes made by an import carry the `shopify_import` context key and are never
tracked (echo suppression).
"""

from odoo import _, api, fields, models

from ..core.access import MANAGER, USER, USER_GROUP, check_shopify_access

# Odoo fields that feed the mapped Shopify values (see `shopify.product.binding._shopify_odoo_product`).
TEMPLATE_TRACKED_FIELDS = {
    "name",
    "description_sale",
    "product_brand",
    "categ_id",
    "product_tag_ids",
    "sale_ok",
    "active",
    "list_price",
    "default_code",
    "barcode",
    "weight",
    "attribute_line_ids",
    "image_1920",
    "shopify_published",
}


class ProductTemplate(models.Model):
    _inherit = "product.template"

    product_brand = fields.Char(string="Brand", help="Synced with the product's vendor on Shopify.")
    shopify_published = fields.Boolean(
        string="Published on Shopify",
        default=True,
        help="Published on the sales channels each shop publishes products to (synced both ways).",
    )
    # groups: products are read whole by users without a Shopify role, who may not read bindings.
    shopify_binding_ids = fields.One2many(
        "shopify.product.binding",
        "product_tmpl_id",
        string="Shopify Links",
        groups=USER_GROUP,
    )
    shopify_binding_count = fields.Integer(
        compute="_compute_shopify_binding_count",
        string="Shopify Shops",
        groups=USER_GROUP,
    )

    @api.depends("shopify_binding_ids")
    def _compute_shopify_binding_count(self):
        for template in self:
            template.shopify_binding_count = len(template.shopify_binding_ids)

    def write(self, vals):
        result = super().write(vals)
        tracked = TEMPLATE_TRACKED_FIELDS | self._shopify_metafield_fields()
        if tracked.intersection(vals) and not self.env.context.get("shopify_import"):
            self._shopify_track_changes()
        return result

    def _shopify_metafield_fields(self):
        """Names of the template fields a shop syncs with a metafield (their changes are exported)."""
        lines = self.env["shopify.field.mapping"].sudo().search([("shopify_field", "=", "metafield")])
        return set(lines.odoo_field_id.mapped("name"))

    def _shopify_track_changes(self):
        bindings = self.env["shopify.product.binding"].sudo().search([("product_tmpl_id", "in", self.ids)])
        bindings._shopify_track_odoo_changes()

    def action_shopify_publish(self):
        """Publish to Shopify: open the export wizard on the selected products."""
        check_shopify_access(self, MANAGER)
        return {
            "type": "ir.actions.act_window",
            "name": _("Publish to Shopify"),
            "res_model": "shopify.product.export.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_product_tmpl_ids": [fields.Command.set(self.ids)]},
        }

    def action_view_shopify_bindings(self):
        check_shopify_access(self, USER)
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_product_binding")
        action["domain"] = [("product_tmpl_id", "in", self.ids)]
        action["context"] = {"active_test": False}
        return action
