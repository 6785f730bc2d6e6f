"""The shop's inventory settings and locations: what is pushed (free or on hand), from which Odoo
locations, and what a change made on Shopify does.
"""

from odoo import _, fields, models

from ..core.access import MANAGER, USER, check_shopify_access

LOCATIONS_PAGE_SIZE = 100


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
    shopify_location_count = fields.Integer(
        compute="_compute_shopify_location_count", string="Shopify Location Count"
    )
    shopify_unmapped_location_count = fields.Integer(
        compute="_compute_shopify_location_count", string="Locations Without Warehouse"
    )
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
        check_shopify_access(self, MANAGER)
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
        check_shopify_access(self, USER)
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
        for push in pushes:
            self._enqueue_inventory_push(push)
        return pushes

    def _enqueue_inventory_push(self, push):
        """One send job for `push` (its rows and key are stored with the job, before any call)."""
        return self.env["shopify.queue.job"]._enqueue(
            self, "inventory_push", payload={"push_id": push.id}, dedupe_key=f"inventory_push:{push.id}"
        )

    def _sync_inventory(self):
        """Scheduled sync "inventory" (every 5 minutes): push whatever changed (the debounced trigger
        usually got there first)."""
        pushes = self._inventory_sync()
        return {"ok": len(pushes)}

    def action_push_inventory_now(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        pushes = self._inventory_sync()
        message = _(
            "%(count)s push(es) queued with %(quantities)s changed quantities.",
            count=len(pushes),
            quantities=sum(pushes.mapped("quantity_count")),
        )
        return self._notify(_("Inventory push queued"), message, "success")
