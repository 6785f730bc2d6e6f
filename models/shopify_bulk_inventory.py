"""The inventory reconciliation's bulk query result, compared with Odoo batch by batch.

The result lists each location, then its inventory levels (`__parentId` = the location). A location can
hold every variant of the catalog, so its levels are not joined under it (that would hold them all in
memory): they are handed over in flat batches of `shopify_sync.bulk_batch_size` lines (`flat` in the work
registry). When the file has been read to the end (the `done` hook, run once even when the processing was
interrupted and resumed), the pairs it had no level for are compared as unknown, the drift
report is closed and the differences are pushed (unless it is a dry run).
"""

from collections import defaultdict

from odoo import fields, models

from ..services import inventory as inventory_service

ENDED_WITHOUT_RESULT = ("failed", "canceled", "expired")


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

    inventory_drift_ids = fields.One2many(
        "shopify.inventory.drift", "bulk_operation_id", string="Drift Reports"
    )

    def _bulk_process_inventory_reconcile(self, batch):
        """Compare one batch of result lines (locations and levels) with Odoo; returns the lines handled."""
        drift = self.inventory_drift_ids.filtered(lambda report: report.state == "running")[:1]
        shop = self.shop_id
        if not drift:
            return len(batch)
        name = shop.inventory_quantity_name
        locations = {
            location.shopify_gid: location for location in shop.shopify_location_ids.filtered("is_mapped")
        }
        remote_by_location = defaultdict(dict)
        for line in batch:
            location = locations.get(line.get("__parentId"))
            item = line.get("item") or {}
            if location and item.get("id"):
                remote_by_location[location][item["id"]] = (
                    bool(item.get("tracked")),
                    inventory_service.quantity_by_name(line.get("quantities"), name),
                )
        Binding = self.env["shopify.variant.binding"].sudo()
        for location, remote in remote_by_location.items():
            bindings = Binding.search([("shop_id", "=", shop.id), ("inventory_item_gid", "in", list(remote))])
            if bindings:
                shop._inventory_compare(drift, shop._inventory_levels_for(location, bindings), remote)
        return len(batch)

    def _bulk_done_inventory_reconcile(self):
        for drift in self.inventory_drift_ids.filtered(lambda report: report.state == "running"):
            drift.shop_id._inventory_compare_unseen(drift)
            drift.shop_id._inventory_reconcile_finish(drift)

    def _bulk_refreshed_inventory_reconcile(self):
        if self.status in ENDED_WITHOUT_RESULT:
            self.inventory_drift_ids.filtered(lambda report: report.state == "running").write(
                {"state": "failed"}
            )
