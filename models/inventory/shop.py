"""The shop's inventory settings and locations: what is pushed (free or on hand), from which Odoo
locations, and what a change made on Shopify does.
"""

from datetime import timedelta

import psycopg2.errors

from odoo import _, fields, models

from ..core.access import MANAGER, USER, check_shopify_access

LOCATIONS_PAGE_SIZE = 100


# The shop's push lock row (shopify.sync.state kind): whoever holds it prepares or sends this shop's pushes.
PUSH_STATE = "inventory_push"


# A push job that finds another one at work for its shop tries again this much later.
BUSY_RETRY_SECONDS = 1


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
    inventory_push_delay = fields.Integer(
        string="Push Stock Changes After (s)",
        default=5,
        help="A stock change in Odoo is pushed this many seconds after it is made, together with every "
        "change made meanwhile (one call per 250 quantities). 0: only the scheduled sync (every 5 "
        "minutes) pushes.",
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

    def _enqueue_inventory_sync(self, delay=0):
        """Ask the queue for one inventory sync of this shop in `delay` seconds (a pending one absorbs the
        next asks; one asked for sooner moves it up)."""
        self.ensure_one()
        return self.env["shopify.queue.job"]._enqueue(
            self,
            "inventory_sync",
            dedupe_key="inventory_sync",
            next_attempt_at=fields.Datetime.now() + timedelta(seconds=max(delay, 0)),
        )

    def _schedule_inventory_push(self):
        """A stock change was marked: sync this shop after its push delay (0: leave it to the cron).

        The first change of a burst sets the time; later ones join that pending sync, so the burst goes
        out together (⌈n/250⌉ calls) and no change waits longer than the delay plus one push.
        """
        for shop in self.filtered(lambda shop: shop.active and shop.inventory_push_delay > 0):
            shop._enqueue_inventory_sync(delay=shop.inventory_push_delay)

    def _inventory_push_lock(self):
        """Take this shop's push lock for the current transaction; False when another worker holds it.

        The lock is a row lock on the shop's `inventory_push` state row, and taking it updates the row: a
        transaction whose snapshot predates the last holder's commit gets a serialization error here
        (answered False too), so a holder always sees everything earlier holders committed, pairs
        claimed and pushes sent. Row locks of one transaction are re-entrant.
        """
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                state = self._state_row(PUSH_STATE)  # its first INSERT may race another: same answer
                self.env.cr.execute(
                    "SELECT id FROM shopify_sync_state WHERE id = %s FOR UPDATE NOWAIT", [state.id]
                )
                self.env.cr.execute(
                    "UPDATE shopify_sync_state SET checked_at = now() at time zone 'UTC' WHERE id = %s",
                    [state.id],
                )
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure):
            return False
        state.invalidate_recordset(["checked_at"])
        return True

    def _inventory_sync(self):
        """Prepare the pushes of what changed and queue one send job per push.

        The pushes (quantities + idempotency key) are committed with the jobs before any call is made.
        """
        self.ensure_one()
        pushes = self._inventory_prepare_pushes()
        for push in pushes:
            self._enqueue_inventory_push(push)
        return pushes

    def _enqueue_inventory_push(self, push, delay=0):
        """One send job for `push` (its rows and key are stored with the job, before any call)."""
        return self.env["shopify.queue.job"]._enqueue(
            self,
            "inventory_push",
            payload={"push_id": push.id},
            dedupe_key=f"inventory_push:{push.id}",
            next_attempt_at=fields.Datetime.now() + timedelta(seconds=delay),
        )

    def _inventory_waiting_behind(self, push):
        """Whether stock changes wait for the next push once `push` is done: its levels changed again
        while it owned them, or other flagged levels or recorded changes are left."""
        self.ensure_one()
        Level = self.env["shopify.inventory.level"].sudo()
        flagged = Level.search_count(
            [
                ("shop_id", "=", self.id),
                ("needs_push", "=", True),
                ("push_id", "=", False),
                ("hold_change_id", "=", False),
            ],
            limit=1,
        )
        return bool(flagged) or bool(self.env["shopify.inventory.pending"].sudo().search_count([], limit=1))

    def _sync_inventory(self):
        """Scheduled sync "inventory" (every 5 minutes), the safety net: push whatever changed (the
        debounced push usually got there first). A shop whose pushes are at work gets a queued sync."""
        if not self._inventory_push_lock():
            self._enqueue_inventory_sync()
            return {"skipped": 1}
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
