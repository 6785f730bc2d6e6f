"""Pricelist rules seen from Shopify: a rule of a pricelist a shop takes its prices or compare-at prices
from changes what is sent, so the products it touches are compared with their last export again."""

from odoo import api, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        items._shopify_track_prices()
        return items

    def write(self, vals):
        before = self._shopify_scope()
        result = super().write(vals)
        self._shopify_track_prices(before)
        return result

    def unlink(self):
        scope = self._shopify_scope()
        result = super().unlink()
        self.env["product.pricelist.item"]._shopify_track_prices(scope)
        return result

    def _shopify_scope(self):
        """(pricelists, templates or None for every product) these rules apply to."""
        templates = self.product_tmpl_id | self.product_id.product_tmpl_id
        everything = any(not item.product_tmpl_id and not item.product_id for item in self)
        return self.pricelist_id, (None if everything else templates)

    def _shopify_track_prices(self, scope=None):
        pricelists, templates = self._shopify_scope()
        if scope is not None:
            pricelists |= scope[0]
            templates = None if templates is None or scope[1] is None else templates | scope[1]
        if not pricelists:
            return
        shops = (
            self.env["shopify.shop"]
            .sudo()
            .search(
                [
                    "|",
                    ("product_price_pricelist_id", "in", pricelists.ids),
                    "&",
                    ("product_compare_at_source", "=", "pricelist"),
                    ("product_compare_at_pricelist_id", "in", pricelists.ids),
                ]
            )
        )
        if not shops:
            return
        domain = [("shop_id", "in", shops.ids)]
        if templates is not None:
            domain.append(("product_tmpl_id", "in", templates.ids))
        self.env["shopify.product.binding"].sudo().search(domain)._shopify_track_odoo_changes()
