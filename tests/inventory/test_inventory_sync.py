"""Inventory sync against the Shopify emulator: pushes, batches, idempotency, CAS, webhooks, drift."""

import json
import uuid
from unittest.mock import patch

from ...models.core import shop as shop_module
from ...models.core.client_wiring import build_client
from ...services.errors import ShopifyError
from ..common import EmulatorCase
from ..inventory_common import InventoryFixtures


class InventorySyncCase(InventoryFixtures, EmulatorCase):
    variant_count = 4
    # The catalog is seeded once per class; setUp puts stock, faults and counters back instead.
    emulator_reset_each_test = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_inventory()
        cls.emu_location = next(iter(cls.emu_shop.locations.values()))
        cls.emu_other_location = cls.emu_shop.add_location("Pop-up")
        cls.emu_shop.seed_products(cls.variant_count, max_options=1, max_values=1, stock=(0, 0))
        cls.emu_items = [variant.inventory_item_id for variant in cls.emu_shop.variants.values()]
        cls.shop._fetch_shopify_locations()
        cls.main = cls.env["shopify.location"].search(
            [("shop_id", "=", cls.shop.id), ("shopify_gid", "=", cls.emu_location.gid)]
        )
        cls.main.warehouse_id = cls.warehouse
        cls.bindings = cls.make_bound_variants(
            cls.variant_count, item_gids=[f"gid://shopify/InventoryItem/{item}" for item in cls.emu_items]
        )
        cls.products = cls.bindings.product_id
        cls.env["shopify.inventory.pending"]._consume()
        cls.env["shopify.inventory.level"].search([]).write({"needs_push": False})

    def setUp(self):
        super().setUp()
        for level in self.emu_shop.levels.values():
            level.quantities = dict.fromkeys(level.quantities, 0)
        self.emu_shop.set_faults(reset=True)
        self.emu_shop.operations.clear()
        self.emu_shop.counters.clear()
        self.emu_shop.adjustment_groups.clear()

    # helpers ---------------------------------------------------------------------------------------
    def shopify_quantity(self, product, name="available"):
        item = self.emu_items[self.products.ids.index(product.id)]
        level = self.emu_shop.level(item, self.emu_location.id)
        return level.quantity(name) if level else None

    def set_shopify_quantity(self, product, quantity):
        """Someone edits the quantity in Shopify's admin (no webhook)."""
        item = self.emu_items[self.products.ids.index(product.id)]
        level = self.emu_shop.level(item, self.emu_location.id, create=True)
        level.quantities["available"] = quantity
        return level

    def push(self):
        """What the queue does: prepare the pushes, then run each push job (again after a re-key)."""
        pushes = self.shop._inventory_prepare_pushes()
        for push in pushes:
            while push._send() == "resend":
                pass
        return pushes

    def level_of(self, product):
        return self.env["shopify.inventory.level"].search(
            [("product_id", "=", product.id), ("location_id", "=", self.main.id)]
        )

    def set_calls(self):
        return self.emu_shop.operations["InventorySetQuantities"]

    def capture_level_webhooks(self):
        """Collect the inventory_levels/update bodies Shopify would deliver for what happens next."""
        bodies = []

        def listener(_shop, topic, level):
            if topic == "inventory_levels/update":
                bodies.append(
                    {
                        "inventory_item_id": level.item_id,
                        "location_id": level.location_id,
                        "available": level.quantity("available"),
                        "updated_at": level.updated_at.isoformat(),
                        "admin_graphql_api_id": level.gid,
                    }
                )

        self.emu_shop.listeners.append(listener)
        self.addCleanup(self.emu_shop.listeners.remove, listener)
        return bodies

    def deliver_webhooks(self, bodies):
        """Through the engine: one stored event + queued job per delivery, then the queue runs."""
        Event = self.env["shopify.webhook.event"]
        events = Event.browse()
        for index, body in enumerate(bodies):
            raw = json.dumps(body)
            events |= Event._ingest(
                self.shop, "inventory_levels/update", f"wh-{uuid.uuid4()}-{index}", raw, body
            )
        self.env["shopify.queue.job"]._cron_process_queue()
        return events

    def webhook_body(self, product):
        """The REST body Shopify sends for inventory_levels/update, from the emulator's level."""
        item = self.emu_items[self.products.ids.index(product.id)]
        level = self.emu_shop.level(item, self.emu_location.id)
        return {
            "inventory_item_id": item,
            "location_id": self.emu_location.id,
            "available": level.quantity("available"),
            "updated_at": level.updated_at.isoformat(),
            "admin_graphql_api_id": level.gid,
        }


class TestInventoryPush(InventorySyncCase):
    def test_fetch_locations_maps_and_shows_unmapped(self):
        locations = self.shop.shopify_location_ids
        self.assertIn(self.emu_other_location.gid, locations.mapped("shopify_gid"))
        self.assertTrue(self.main.is_mapped)
        self.assertEqual(
            self.shop.shopify_unmapped_location_count, len(locations) - 1, "only Main warehouse is mapped"
        )
        self.set_stock(self.products[0], self.stock, 5)
        self.push()
        pop_up = self.emu_shop.level(self.emu_items[0], self.emu_other_location.id)
        self.assertFalse(pop_up and pop_up.quantity("available"), "unmapped location untouched")

    def test_delivery_validated_in_odoo_ends_in_available_on_shopify(self):
        mug = self.products[0]
        self.set_stock(mug, self.stock, 10)
        self.push()
        self.assertEqual(self.shopify_quantity(mug), 10)
        picking = self.deliver(mug, 3, validate=False)
        self.push()
        self.assertEqual(self.shopify_quantity(mug), 7, "reserved units are not free to sell")
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        calls_before = self.set_calls()
        self.push()
        self.assertEqual(self.shopify_quantity(mug), 7)
        self.assertEqual(
            self.set_calls(), calls_before, "free quantity unchanged by validation: nothing sent"
        )
        level = self.level_of(mug)
        self.assertEqual((level.quantity_pushed, level.quantity_remote), (7, 7))

    def test_scheduled_sync_and_queue_send_the_changes(self):
        mug, towel = self.products[:2]
        self.set_stock(mug, self.stock, 3)
        self.set_stock(towel, self.shelf, 8)
        self.env["shopify.shop"]._cron_sync_inventory()  # the 5-minute cron
        push_jobs = self.env["shopify.queue.job"].search([("kind", "=", "inventory_push")])
        self.assertEqual(len(push_jobs), 1)
        self.env["shopify.queue.job"]._cron_process_queue()
        self.assertEqual(push_jobs.state, "done")
        self.assertEqual((self.shopify_quantity(mug), self.shopify_quantity(towel)), (3, 8))
        run = self.env["shopify.sync.log"].search([("kind", "=", "inventory")], limit=1)
        self.assertTrue(run)

    def test_on_hand_source_and_on_hand_name(self):
        mug = self.products[1]
        self.set_stock(mug, self.stock, 6)
        self.deliver(mug, 2, validate=False)
        self.shop.inventory_quantity_source = "on_hand"
        self.push()
        self.assertEqual(self.shopify_quantity(mug), 6)
        self.shop.inventory_quantity_source = "free"
        self.env["shopify.inventory.level"]._mark_locations_for_push(self.main)
        self.push()
        self.assertEqual(self.shopify_quantity(mug), 4)

    def test_negative_stock_sent_as_zero_and_reported(self):
        mug = self.products[2]
        self.set_shopify_quantity(mug, 5)
        self.env["stock.quant"]._update_available_quantity(mug, self.stock, -2)
        self.push()
        self.assertEqual(self.shopify_quantity(mug), 0)
        self.assertTrue(self.level_of(mug).clamped)

    def test_untracked_items_are_not_pushed(self):
        mug = self.products[3]
        self.bindings.filtered(lambda b: b.product_id == mug).inventory_tracked = False
        self.set_stock(mug, self.stock, 9)
        pushes = self.push()
        self.assertFalse(pushes)
        self.assertFalse(self.set_calls())

    def test_stale_compare_and_swap_is_resolved(self):
        mug = self.products[0]
        self.set_stock(mug, self.stock, 10)
        self.push()
        self.set_shopify_quantity(mug, 8)  # changed on Shopify, we have not heard of it
        self.set_stock(mug, self.stock, 12)
        calls = self.set_calls()
        pushes = self.push()
        self.assertEqual(self.shopify_quantity(mug), 12)
        self.assertEqual(pushes.state, "done")
        self.assertEqual(pushes.resend_rounds, 1)
        self.assertEqual(self.set_calls() - calls, 2, "one STALE answer, one re-send under a new key")
        self.assertEqual(pushes.rows[0]["change_from"], 8, "re-sent from the re-read quantity")

    def test_odoo_always_wins_skips_the_check(self):
        self.shop.inventory_conflict_mode = "odoo_always_wins"
        mug = self.products[1]
        self.set_shopify_quantity(mug, 3)
        self.set_stock(mug, self.stock, 11)
        pushes = self.push()
        self.assertEqual(self.shopify_quantity(mug), 11)
        self.assertIsNone(pushes.rows[0]["change_from"])
        self.assertEqual(self.set_calls(), 1)


class TestInventoryIdempotency(InventorySyncCase):
    def test_replay_after_a_lost_response_does_not_apply_twice(self):
        mug = self.products[0]
        self.set_stock(mug, self.stock, 10)
        self.push()
        self.set_stock(mug, self.stock, 4)
        pushes = self.shop._inventory_prepare_pushes()
        key = pushes.idempotency_key
        # Shopify applies the change, then the answer never reaches us.
        self.emu_shop.set_faults(lost_response_rate=1.0, timeout_seconds=0)
        # One attempt per job run: the client's own retries would replay the key the same way.
        with (
            patch(f"{shop_module.__name__}.build_client", lambda shop: build_client(shop, max_attempts=1)),
            self.assertRaises(ShopifyError) as caught,
        ):
            pushes._send()
        self.assertTrue(caught.exception.retryable)
        self.assertEqual(self.shopify_quantity(mug), 4, "applied once on Shopify")
        self.assertEqual(pushes.state, "pending")
        self.assertEqual(pushes.idempotency_key, key, "the key survives for the retry")
        groups_before = len(self.emu_shop.adjustment_groups)
        self.emu_shop.set_faults(reset=True)
        pushes._send()  # the queue's retry
        self.assertEqual(pushes.state, "done")
        self.assertEqual(
            self.emu_shop.counters["idempotent_replays"], 1, "Shopify answered from its key store"
        )
        self.assertEqual(len(self.emu_shop.adjustment_groups), groups_before, "no second adjustment")
        self.assertEqual(self.shopify_quantity(mug), 4)
        self.assertEqual(self.level_of(mug).quantity_remote, 4)


class TestInventoryBatching(InventorySyncCase):
    variant_count = 600

    def test_600_changed_pairs_take_3_calls(self):
        # Goods received for every variant (quants created in one go; the hook sees each of them).
        self.env["stock.quant"].create(
            [
                {"product_id": product.id, "location_id": self.stock.id, "quantity": 5}
                for product in self.products
            ]
        )
        pushes = self.push()
        self.assertEqual(sorted(pushes.mapped("quantity_count")), [100, 250, 250])
        self.assertEqual(self.set_calls(), 3)
        self.assertEqual(set(pushes.mapped("state")), {"done"})
        self.assertEqual({self.shopify_quantity(product) for product in self.products}, {5})
        # Nothing changed since: nothing is sent.
        self.assertFalse(self.push())
        self.assertEqual(self.set_calls(), 3)


class TestInventoryWebhooks(InventorySyncCase):
    def handle(self, body):
        return self.env["shopify.inventory.level"]._handle_remote_update(self.shop, body)

    def test_echo_of_our_own_push_is_ignored(self):
        mug, towel = self.products[:2]
        self.set_stock(mug, self.stock, 10)
        self.set_stock(towel, self.stock, 2)
        bodies = self.capture_level_webhooks()
        self.push()
        self.assertEqual(len(bodies), 2, "Shopify announces each level our push changed")
        events = self.deliver_webhooks(bodies)
        self.assertEqual(set(events.mapped("state")), {"skipped"})
        self.assertFalse(self.env["shopify.inventory.change"].search_count([]))
        self.assertFalse((self.level_of(mug) | self.level_of(towel)).filtered("needs_push"))
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(mug, self.stock), 10)

    def test_shopify_side_change_is_overwritten_by_odoo_by_default(self):
        mug = self.products[1]
        self.set_stock(mug, self.stock, 10)
        self.push()
        self.set_shopify_quantity(mug, 6).updated_at = self.emu_shop.now()
        outcome, _reason = self.handle(self.webhook_body(mug))
        self.assertEqual(outcome, "done")
        change = self.env["shopify.inventory.change"].search([("product_id", "=", mug.id)])
        self.assertEqual(
            (change.quantity_before, change.quantity_after, change.outcome), (10, 6, "overwritten")
        )
        self.push()
        self.assertEqual(self.shopify_quantity(mug), 10, "Odoo is the source of truth")
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(mug, self.stock), 10)

    def test_shopify_side_change_applied_to_odoo_when_set(self):
        self.shop.inventory_remote_policy = "apply"
        mug = self.products[2]
        self.set_stock(mug, self.stock, 10)
        self.push()
        self.set_shopify_quantity(mug, 7).updated_at = self.emu_shop.now()
        outcome, _reason = self.handle(self.webhook_body(mug))
        self.assertEqual(outcome, "done")
        change = self.env["shopify.inventory.change"].search([("product_id", "=", mug.id)])
        self.assertEqual(change.outcome, "applied")
        self.assertTrue(change.stock_move_id.is_inventory)
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(mug, self.stock), 7)
        calls = self.set_calls()
        self.push()
        self.assertEqual(self.set_calls(), calls, "Odoo now agrees with Shopify: nothing to send back")
        self.assertEqual(self.shopify_quantity(mug), 7)

    def test_body_for_unknown_item_or_unmapped_location_is_skipped(self):
        unknown_item = {"inventory_item_id": 424242, "location_id": self.emu_location.id, "available": 1}
        self.assertEqual(self.handle(unknown_item)[0], "skipped")
        unmapped = {
            "inventory_item_id": self.emu_items[0],
            "location_id": self.emu_other_location.id,
            "available": 1,
        }
        self.assertEqual(self.handle(unmapped)[0], "skipped")
        self.assertFalse(self.env["shopify.inventory.change"].search_count([]))


class TestInventoryReconciliation(InventorySyncCase):
    def test_reconciliation_fixes_injected_drift_and_reports_it(self):
        for index, product in enumerate(self.products):
            self.set_stock(product, self.stock, 10 + index)
        self.push()
        # Drift Shopify behind our back: two pairs off by different amounts.
        self.set_shopify_quantity(self.products[0], 2)
        self.set_shopify_quantity(self.products[3], 12)
        drift = self.shop._inventory_reconcile()
        self.assertEqual(drift.pairs_checked, len(self.products))
        self.assertEqual(drift.pairs_differed, 2)
        self.assertEqual(
            [(item["odoo"], item["shopify"]) for item in drift.largest], [(10, 2), (13, 12)], "largest first"
        )
        self.assertIn("Odoo 10, Shopify 2 (+8)", drift.largest_text)
        self.assertEqual(self.shop.last_inventory_drift_id, drift)
        for push in self.env["shopify.inventory.push"].search([("state", "=", "pending")]):
            push._send()
        self.assertEqual([self.shopify_quantity(product) for product in self.products], [10, 11, 12, 13])
        self.assertEqual(self.shop._inventory_reconcile().pairs_differed, 0)
