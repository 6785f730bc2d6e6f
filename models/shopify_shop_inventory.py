"""Inventory settings and actions of a shop: locations, what quantity is shown, who wins, pushes."""

import logging

from odoo import _, fields, models

from ..services import inventory as inventory_service

_logger = logging.getLogger(__name__)

LOCATIONS_PAGE_SIZE = 100
LEVELS_PAGE_SIZE = 100


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    inventory_quantity_source = fields.Selection(
        [("free", "Free to use (on hand − reserved)"), ("on_hand", "On hand")],
        string="Odoo Quantity",
        default="free",
        required=True,
        help="Which Odoo quantity is shown on Shopify. Negative stock is always sent as 0.",
    )
    inventory_quantity_name = fields.Selection(
        [("available", "Available"), ("on_hand", "On hand")],
        string="Shopify Quantity",
        default="available",
        required=True,
        help="Which Shopify quantity Odoo sets.",
    )
    inventory_remote_policy = fields.Selection(
        [
            ("odoo_wins", "Odoo wins: overwritten by the next push"),
            ("apply", "Apply to Odoo as an inventory adjustment"),
        ],
        string="Stock Changed On Shopify",
        default="odoo_wins",
        required=True,
        help="What happens when someone changes a quantity in Shopify's admin.",
    )
    inventory_conflict_mode = fields.Selection(
        [
            ("cas", "Compare and swap: only change what Shopify holds as last read"),
            ("odoo_always_wins", "Odoo always wins: set without checking"),
        ],
        string="Concurrent Changes",
        default="cas",
        required=True,
        help="Compare and swap sends the quantity last read from Shopify (changeFromQuantity); if "
        "Shopify holds another one, Odoo re-reads it and sends again.",
    )
    shopify_location_ids = fields.One2many("shopify.location", "shop_id", string="Shopify Locations")
    shopify_location_count = fields.Integer(compute="_compute_shopify_location_count")
    shopify_unmapped_location_count = fields.Integer(compute="_compute_shopify_location_count")
    inventory_drift_ids = fields.One2many("shopify.inventory.drift", "shop_id", string="Drift Reports")
    last_inventory_drift_id = fields.Many2one(
        "shopify.inventory.drift", compute="_compute_last_inventory_drift_id", string="Last Reconciliation"
    )

    def _compute_shopify_location_count(self):
        for shop in self:
            locations = shop.shopify_location_ids
            shop.shopify_location_count = len(locations)
            shop.shopify_unmapped_location_count = len(locations.filtered(lambda loc: not loc.is_mapped))

    def _compute_last_inventory_drift_id(self):
        for shop in self:
            shop.last_inventory_drift_id = shop.inventory_drift_ids[:1]

    # ------------------------------------------------------------------------------------------------
    # Locations
    # ------------------------------------------------------------------------------------------------
    def _fetch_shopify_locations(self):
        self.ensure_one()
        client = self._shopify_client()
        nodes = client.paginate(
            "locations_page", {"first": LOCATIONS_PAGE_SIZE}, connection_path=("locations",)
        )
        return self.env["shopify.location"].sudo()._upsert_from_shopify(self, list(nodes))

    def action_fetch_locations(self):
        self.ensure_one()
        locations = self._fetch_shopify_locations()
        unmapped = locations.filtered(lambda loc: not loc.is_mapped)
        message = _(
            "%(count)s location(s) on Shopify, %(unmapped)s not mapped to Odoo stock (ignored until mapped).",
            count=len(locations),
            unmapped=len(unmapped),
        )
        return self._notify(_("Locations fetched"), message, "success")

    def action_view_shopify_locations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_location")
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action

    # ------------------------------------------------------------------------------------------------
    # Push
    # ------------------------------------------------------------------------------------------------
    def _inventory_prepare_pushes(self):
        """Collect the stock changes of all shops, then build this shop's pushes (not sent yet)."""
        self.ensure_one()
        self.env["shopify.inventory.level"].sudo()._collect_pending()
        return self.env["shopify.inventory.push"]._prepare_for_shop(self)

    def _enqueue_inventory_sync(self):
        """Ask the queue for one inventory sync of this shop (a pending one absorbs the next asks)."""
        self.ensure_one()
        return self.env["shopify.queue.job"]._enqueue(self, "inventory_sync", dedupe_key="inventory_sync")

    def _inventory_sync(self):
        """Prepare the pushes of what changed and queue one send job per push.

        The pushes (quantities + idempotency key) are committed with the jobs before any call is made.
        """
        self.ensure_one()
        pushes = self._inventory_prepare_pushes()
        Job = self.env["shopify.queue.job"]
        for push in pushes:
            Job._enqueue(
                self, "inventory_push", payload={"push_id": push.id}, dedupe_key=f"inventory_push:{push.id}"
            )
        return pushes

    def _sync_inventory(self):
        """The 5-minute hook: push whatever changed (the debounced trigger usually got there first)."""
        result = super()._sync_inventory()
        pushes = self._inventory_sync()
        return result or {"ok": len(pushes)}

    def _reconcile(self):
        """The daily hook: full inventory reconciliation of the mapped locations."""
        result = super()._reconcile()
        if self.shopify_location_ids.filtered("is_mapped"):
            drift = self._inventory_reconcile()
            return result or {
                "ok": drift.pairs_checked - drift.pairs_differed,
                "failed": drift.pairs_differed,
            }
        return result

    def action_push_inventory_now(self):
        self.ensure_one()
        pushes = self._inventory_sync()
        message = _(
            "%(count)s push(es) queued with %(quantities)s changed quantities.",
            count=len(pushes),
            quantities=sum(pushes.mapped("quantity_count")),
        )
        return self._notify(_("Inventory push queued"), message, "success")

    # ------------------------------------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------------------------------------
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

    def _inventory_reconcile(self):
        """Read every level of the mapped locations, compare with Odoo, flag differences, report drift.

        Returns the drift report; the differences are pushed by the sync it queues.
        """
        self.ensure_one()
        client = self._shopify_client()
        Level = self.env["shopify.inventory.level"].sudo()
        locations = self.shopify_location_ids.filtered("is_mapped")
        bindings = (
            self.env["shopify.variant.binding"]
            .sudo()
            .search([("shop_id", "=", self.id), ("inventory_item_gid", "!=", False)])
        )
        now = fields.Datetime.now()
        differences = []
        checked = self.env["shopify.inventory.level"]
        for location in locations:
            remote = self._read_location_levels(client, location)
            existing = {
                level.variant_binding_id.id: level
                for level in Level.search([("location_id", "=", location.id)])
            }
            missing = bindings.filtered(lambda binding, existing=existing: binding.id not in existing)
            created = Level.create(
                [{"variant_binding_id": binding.id, "location_id": location.id} for binding in missing]
            )
            levels = Level.browse([level.id for level in existing.values()]) | created
            levels = levels.filtered(lambda level: level.variant_binding_id in bindings)
            for level in levels:
                tracked, quantity = remote.get(level.inventory_item_gid, (None, None))
                values = {
                    "quantity_remote": quantity or 0,
                    "remote_known": quantity is not None,
                    "remote_read_at": now,
                }
                if level.push_id:
                    values.pop("quantity_remote")  # a push in flight owns this value
                    values.pop("remote_known")
                level.write(values)
                if tracked is not None and level.variant_binding_id.inventory_tracked != tracked:
                    level.variant_binding_id.inventory_tracked = tracked
            levels = levels.filtered(lambda level: level.variant_binding_id.inventory_tracked)
            targets = levels._odoo_quantities()
            for level in levels:
                quantity, _clamped = targets[level.id]
                shopify = level.quantity_remote if level.remote_known else None
                if shopify != quantity:
                    label = f"{level.product_id.display_name} @ {location.name}"
                    differences.append((label, quantity, shopify, level))
            checked |= levels
        drifted = Level.browse([item[3].id for item in differences])
        drifted.write({"needs_push": True})
        summary = inventory_service.drift_summary([item[:3] for item in differences])
        drift = (
            self.env["shopify.inventory.drift"]
            .sudo()
            .create(
                {
                    "shop_id": self.id,
                    "pairs_checked": len(checked),
                    "pairs_differed": summary["pairs_differed"],
                    "pairs_pushed": len(drifted),
                    "largest": summary["largest"],
                }
            )
        )
        if drifted:
            _logger.info("Shopify shop %s: reconciliation found %d drifted pairs", self.id, len(drifted))
            self._inventory_sync()
        return drift

    def action_reconcile_inventory(self):
        self.ensure_one()
        drift = self._inventory_reconcile()
        message = _(
            "%(checked)s pairs checked, %(differed)s differed and are being pushed.",
            checked=drift.pairs_checked,
            differed=drift.pairs_differed,
        )
        return self._notify(_("Inventory reconciled"), message, "success")
