"""Full inventory reconciliation of a shop: read every level of its mapped locations, compare with Odoo,
push what differs, report the drift.

A small catalog is read page by page; from `shopify_sync.inventory_bulk_threshold` pairs (bound variants ×
mapped locations) one bulk query reads every level instead, and its streamed result is compared batch by
batch as it is processed (shopify_bulk_inventory.py). Both paths compare through `_inventory_compare`, so
they find the same drift. With the context key `shopify_reconcile_dry_run` nothing is flagged or pushed:
only the report is written.
"""

import logging
from collections import defaultdict

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..services import inventory as inventory_service
from .shopify_access import MANAGER, check_shopify_access

_logger = logging.getLogger(__name__)

LEVELS_PAGE_SIZE = 100
BULK_THRESHOLD_PARAM = "shopify_sync.inventory_bulk_threshold"
# Pages of 100 levels cost ~1 call each; from this many pairs one bulk operation is cheaper and faster.
DEFAULT_BULK_THRESHOLD = 5000
BULK_KIND = "inventory_reconcile"
BULK_DOCUMENT = "bulk_inventory_levels"


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    inventory_reconcile_progress = fields.Char(
        string="Stock Reconciliation",
        compute="_compute_inventory_reconcile_progress",
        help="A bulk stock reconciliation under way: Shopify building the file, then Odoo reading it.",
    )

    def _compute_inventory_reconcile_progress(self):
        Drift = self.env["shopify.inventory.drift"].sudo()
        for shop in self:
            drift = Drift.search([("shop_id", "=", shop.id), ("state", "=", "running")], limit=1)
            operation = drift.bulk_operation_id
            if not operation:
                shop.inventory_reconcile_progress = False
            elif operation.status != "completed":
                shop.inventory_reconcile_progress = _(
                    "Shopify is reading every stock level (%(status)s, %(count)s objects so far).",
                    status=operation.status,
                    count=operation.object_count,
                )
            else:
                shop.inventory_reconcile_progress = _(
                    "Comparing with Odoo: %(done)s / %(total)s lines.",
                    done=operation.processed_count,
                    total=operation.object_count,
                )

    def _reconcile_part_inventory(self):
        """The inventory part of the daily reconciliation (and "Run reconciliation now")."""
        if not self.shopify_location_ids.filtered("is_mapped"):
            return {}
        drift = self._inventory_reconcile()
        if drift.state == "running":  # a bulk query: the report is finished when its result is read
            return {}
        return {"ok": drift.pairs_checked - drift.pairs_differed, "failed": drift.pairs_differed}

    def _inventory_bulk_threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(BULK_THRESHOLD_PARAM)
        try:
            return int(value) if value else DEFAULT_BULK_THRESHOLD
        except ValueError:
            _logger.warning(
                "%s is not a number (%r): using %s", BULK_THRESHOLD_PARAM, value, DEFAULT_BULK_THRESHOLD
            )
            return DEFAULT_BULK_THRESHOLD

    def _inventory_reconcile_bindings(self):
        return (
            self.env["shopify.variant.binding"]
            .sudo()
            .search([("shop_id", "=", self.id), ("inventory_item_gid", "!=", False)])
        )

    def _inventory_reconcile(self):
        """Reconcile the mapped locations; returns the drift report.

        Paged: the report is complete on return and the differences are queued for pushing. Bulk: the
        report is `running` until the bulk operation's result has been processed.
        """
        self.ensure_one()
        dry_run = self._reconcile_dry_run()
        locations = self.shopify_location_ids.filtered("is_mapped")
        bindings = self._inventory_reconcile_bindings()
        if len(bindings) * len(locations) >= self._inventory_bulk_threshold():
            try:
                return self._inventory_reconcile_bulk(dry_run)
            except UserError as error:  # as many bulk operations running as Shopify allows
                _logger.warning(
                    "Shopify shop %s: inventory reconciliation reads pages instead of a bulk query (%s)",
                    self.id,
                    error,
                )
        return self._inventory_reconcile_paged(locations, bindings, dry_run)

    def _inventory_reconcile_paged(self, locations, bindings, dry_run):
        drift = self._inventory_drift_start(dry_run, "paged")
        client = self._shopify_client()
        for location in locations:
            remote = self._read_location_levels(client, location)
            self._inventory_compare(drift, self._inventory_levels_for(location, bindings), remote)
        return self._inventory_reconcile_finish(drift)

    def _inventory_reconcile_bulk(self, dry_run):
        operation = self.env["shopify.bulk.operation"].sudo()._start_query(self, BULK_KIND, BULK_DOCUMENT)
        return self._inventory_drift_start(dry_run, "bulk", bulk_operation_id=operation.id)

    def _inventory_drift_start(self, dry_run, method, **values):
        return (
            self.env["shopify.inventory.drift"]
            .sudo()
            .create(
                {
                    "shop_id": self.id,
                    "state": "running",
                    "method": method,
                    "dry_run": dry_run,
                    "started_at": fields.Datetime.now(),
                    **values,
                }
            )
        )

    def _inventory_reconcile_finish(self, drift):
        """Close the report and queue the pushes of what was flagged (nothing on a dry run)."""
        drift.state = "done"
        if drift.pairs_pushed:
            _logger.info(
                "Shopify shop %s: reconciliation found %d drifted pairs", self.id, drift.pairs_pushed
            )
            self._inventory_sync()
        return drift

    def _read_location_levels(self, client, location):
        """{inventory item gid: (tracked, quantity or None)} of every level at a Shopify location."""
        name = self.inventory_quantity_name
        levels = {}
        nodes = client.paginate(
            "location_inventory_levels_page",
            {"locationId": location.shopify_gid, "names": [name], "first": LEVELS_PAGE_SIZE},
            connection_path=("location", "inventoryLevels"),
        )
        for node in nodes:
            item = node.get("item") or {}
            if item.get("id"):
                levels[item["id"]] = (
                    bool(item.get("tracked")),
                    inventory_service.quantity_by_name(node.get("quantities"), name),
                )
        return levels

    def _inventory_levels_for(self, location, bindings):
        """The levels of `bindings` at `location`, missing ones created."""
        Level = self.env["shopify.inventory.level"].sudo()
        existing = Level.search(
            [("location_id", "=", location.id), ("variant_binding_id", "in", bindings.ids)]
        )
        missing = bindings - existing.variant_binding_id
        created = Level.create(
            [{"variant_binding_id": binding.id, "location_id": location.id} for binding in missing]
        )
        return existing | created

    def _inventory_compare(self, drift, levels, remote):
        """Record what Shopify holds on `levels` and add their differences with Odoo to `drift`.

        `remote`: {inventory item gid: (tracked, quantity or None)}; an item absent from it is not stocked
        at the location (unknown quantity). A level whose push is in flight, or (bulk) read after the bulk
        query started (a webhook, a push), keeps its fresher value. Differences are flagged for pushing
        unless the reconciliation is a dry run; held levels (a Shopify change still to count in Odoo) are
        reported as held instead.
        """
        Level = self.env["shopify.inventory.level"].sudo()
        now = fields.Datetime.now()
        writes = defaultdict(list)  # (quantity, known) or None (keep) -> level ids
        tracked_by_binding = {}
        for level in levels:
            tracked, quantity = remote.get(level.inventory_item_gid, (None, None))
            # A page is read live; a bulk file is a snapshot that a later read can be newer than.
            fresher = (
                drift.method == "bulk" and level.remote_read_at and level.remote_read_at > drift.started_at
            )
            key = None if level.push_id or fresher else (quantity or 0, quantity is not None)
            writes[key].append(level.id)
            if tracked is not None and level.variant_binding_id.inventory_tracked != tracked:
                tracked_by_binding[level.variant_binding_id.id] = tracked
        for key, level_ids in writes.items():
            values = {"reconcile_drift_id": drift.id}
            if key is not None:
                values.update(quantity_remote=key[0], remote_known=key[1], remote_read_at=now)
            Level.browse(level_ids).write(values)
        Binding = self.env["shopify.variant.binding"].sudo()
        for tracked in (True, False):
            ids = [binding_id for binding_id, value in tracked_by_binding.items() if value is tracked]
            Binding.browse(ids).write({"inventory_tracked": tracked})
        levels = levels.filtered(lambda level: level.variant_binding_id.inventory_tracked)
        targets = levels._odoo_quantities()
        differences = []
        drifted = []
        held = []
        for level in levels:
            quantity, _clamped = targets[level.id]
            shopify = level.quantity_remote if level.remote_known else None
            label = f"{level.product_id.display_name} @ {level.location_id.name}"
            if level.hold_change_id:
                # A Shopify change still to count in Odoo: pushing Odoo's number would undo it.
                held.append(
                    {"pair": label, "odoo": quantity, "shopify": shopify, "advice": level._hold_advice()}
                )
                continue
            if shopify != quantity:
                differences.append((label, quantity, shopify))
                drifted.append(level.id)
        if not drift.dry_run:
            Level.browse(drifted).write({"needs_push": True})
        drift._add(len(levels), differences, 0 if drift.dry_run else len(drifted), held=held)
        return drift

    def _inventory_compare_unseen(self, drift):
        """After a bulk result: the bound pairs of mapped locations it had no level for (not stocked)."""
        bindings = self._inventory_reconcile_bindings()
        for location in self.shopify_location_ids.filtered("is_mapped"):
            levels = self._inventory_levels_for(location, bindings)
            unseen = levels.filtered(lambda level: level.reconcile_drift_id != drift)
            if unseen:
                self._inventory_compare(drift, unseen, {})

    def action_reconcile_inventory(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        drift = self._inventory_reconcile()
        if drift.state == "running":
            return self._notify(
                _("Inventory reconciliation started"),
                _(
                    "Shopify is reading every stock level (bulk operation): the report follows when "
                    "it is done."
                ),
                "info",
            )
        message = _(
            "%(checked)s pairs checked, %(differed)s differed and are being pushed.",
            checked=drift.pairs_checked,
            differed=drift.pairs_differed,
        )
        return self._notify(_("Inventory reconciled"), message, "success")
