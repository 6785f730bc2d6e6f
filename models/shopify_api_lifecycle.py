"""API version lifecycle: the shop form and the health snapshot warn before the version leaves support,
and count answers that flagged a deprecated use (X-Shopify-API-Deprecated-Reason)."""

from datetime import timedelta

from odoo import api, fields, models

from ..services import api_versions

DEPRECATED_WINDOW_DAYS = 7


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    api_version_end_of_support = fields.Date(compute="_compute_api_version_lifecycle")
    api_version_warning = fields.Char(compute="_compute_api_version_lifecycle")

    @api.depends("api_version")
    def _compute_api_version_lifecycle(self):
        today = fields.Date.context_today(self)
        for shop in self:
            shop.api_version_end_of_support = api_versions.end_of_support(shop.api_version)
            shop.api_version_warning = api_versions.support_warning(shop.api_version, today) or False


class ShopifyHealth(models.AbstractModel):
    _inherit = "shopify.health"

    def _deprecated_calls(self, shop_ids, now):
        rows = self._query(
            """
            SELECT shop_id, count(*), max(deprecated_reason)
              FROM shopify_api_call
             WHERE shop_id = ANY(%s) AND deprecated_reason IS NOT NULL AND called_at >= %s
          GROUP BY shop_id
            """,
            (shop_ids, now - timedelta(days=DEPRECATED_WINDOW_DAYS)),
        )
        return {shop_id: (count, reason) for shop_id, count, reason in rows}

    def _snapshot_api_version(self, result, shops, now):
        """The health snapshot's `api_version` part: written into `result` ({shop_id: health dict})."""
        deprecated = self._deprecated_calls(shops.ids, now)
        for shop in shops.sudo():
            if shop.id not in result:
                continue
            end = api_versions.end_of_support(shop.api_version)
            count, reason = deprecated.get(shop.id, (0, None))
            result[shop.id]["api_version"] = {
                "version": shop.api_version,
                "end_of_support": end.isoformat() if end else None,
                "warning": api_versions.support_warning(shop.api_version, now.date()),
                "deprecated_calls_7d": count,
                "deprecated_reason": reason,
            }
