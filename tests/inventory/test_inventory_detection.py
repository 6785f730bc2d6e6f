"""Odoo side of inventory sync: location mapping, change detection, quantities (no Shopify calls)."""

from odoo.exceptions import ValidationError

from ..common import ShopifyCase
from ..inventory_common import InventoryFixtures


class TestInventoryDetection(InventoryFixtures, ShopifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop()
        cls.setup_inventory()
        cls.main = cls.make_location("Main", warehouse_id=cls.warehouse.id)
        cls.popup = cls.make_location("Pop-up store")  # not mapped: ignored
        cls.bindings = cls.make_bound_variants(3)
        cls.products = cls.bindings.product_id
        # Start from a clean slate: nothing pending, nothing flagged.
        cls.env["shopify.inventory.pending"]._consume()

    def collect(self):
        Level = self.env["shopify.inventory.level"]
        Level._collect_pending()
        return Level.search([("shop_id", "=", self.shop.id), ("needs_push", "=", True)])

    # Mapping ---------------------------------------------------------------------------------------
    def test_warehouse_mapping_counts_all_its_internal_locations(self):
        self.assertTrue(self.main.is_mapped)
        self.assertEqual(self.main.stock_location_id, self.warehouse.view_location_id)
        self.assertFalse(self.popup.is_mapped)
        self.assertEqual(self.shop.shopify_unmapped_location_count, 1)

    def test_location_mapping_and_not_both(self):
        self.popup.location_id = self.shelf
        self.assertEqual(self.popup.stock_location_id, self.shelf)
        with self.assertRaises(ValidationError):
            self.popup.warehouse_id = self.warehouse

    def test_fetched_locations_are_upserted_and_vanished_ones_archived(self):
        Location = self.env["shopify.location"]
        nodes = [
            {"id": self.main.shopify_gid, "name": "Main warehouse", "isActive": True},
            {"id": "gid://shopify/Location/77", "name": "Outlet", "isActive": False},
        ]
        Location._upsert_from_shopify(self.shop, nodes)
        self.assertEqual(self.main.name, "Main warehouse")
        self.assertTrue(self.main.is_mapped, "a refresh keeps the mapping")
        outlet = Location.search([("shopify_gid", "=", "gid://shopify/Location/77")])
        self.assertFalse(outlet.remote_active)
        self.assertFalse(self.popup.active, "gone from Shopify: archived")

    # Detection -------------------------------------------------------------------------------------
    def test_stock_change_flags_only_that_pair_once(self):
        mug = self.products[0]
        self.set_stock(mug, self.stock, 5)
        self.set_stock(mug, self.shelf, 2)  # child location of the same warehouse
        pending = self.env["shopify.inventory.pending"].search([("product_id", "=", mug.id)])
        self.assertEqual(len(pending), 2, "one row per (variant, Odoo location), duplicates collapse")
        flagged = self.collect()
        self.assertEqual(flagged.product_id, mug)
        self.assertEqual(flagged.location_id, self.main)
        self.assertEqual(len(flagged), 1)
        self.assertFalse(self.env["shopify.inventory.pending"].search_count([]), "pending rows are consumed")

    def test_unbound_products_and_unmapped_locations_are_ignored(self):
        loose = self.env["product.product"].create({"name": "Not on Shopify", "is_storable": True})
        self.set_stock(loose, self.stock, 4)
        self.assertFalse(self.env["shopify.inventory.pending"].search_count([("product_id", "=", loose.id)]))
        other_warehouse = self.env["stock.warehouse"].create({"name": "Backroom", "code": "BKR"})
        self.set_stock(self.products[1], other_warehouse.lot_stock_id, 3)
        self.assertFalse(self.collect(), "stock outside every mapped location changes nothing on Shopify")

    def test_reservation_flags_the_pair(self):
        mug = self.products[2]
        self.set_stock(mug, self.stock, 10)
        self.collect().write({"needs_push": False})
        self.deliver(mug, 4, validate=False)
        self.assertEqual(self.collect().product_id, mug)

    def test_mapping_a_location_flags_its_variants(self):
        self.popup.location_id = self.shelf
        flagged = self.env["shopify.inventory.level"].search([("location_id", "=", self.popup.id)])
        self.assertEqual(flagged.product_id, self.products)
        self.assertTrue(all(flagged.mapped("needs_push")))

    # Quantities ------------------------------------------------------------------------------------
    def levels_for(self, product):
        Level = self.env["shopify.inventory.level"]
        Level._flag([(self.bindings.filtered(lambda b: b.product_id == product).id, self.main.id)])
        return Level.search([("product_id", "=", product.id), ("location_id", "=", self.main.id)])

    def test_free_to_use_versus_on_hand(self):
        mug = self.products[0]
        self.set_stock(mug, self.stock, 7)
        self.set_stock(mug, self.shelf, 3)
        self.deliver(mug, 4, validate=False)  # reserves 4
        level = self.levels_for(mug)
        self.assertEqual(level._odoo_quantities()[level.id], (6, False), "free: 10 on hand − 4 reserved")
        self.shop.inventory_quantity_source = "on_hand"
        self.assertEqual(level._odoo_quantities()[level.id], (10, False))

    def test_negative_stock_is_sent_as_zero_and_reported(self):
        mug = self.products[1]
        self.env["stock.quant"]._update_available_quantity(mug, self.stock, -3)
        level = self.levels_for(mug)
        self.assertEqual(level._odoo_quantities()[level.id], (0, True))
        rows, clamped = level._changed_rows(cas=False)
        self.assertEqual(rows[0]["quantity"], 0)
        self.assertEqual(clamped, level)
        self.assertTrue(level.clamped)
        self.assertFalse(level.needs_push)

    def test_unchanged_quantity_is_not_sent_again(self):
        mug = self.products[2]
        self.set_stock(mug, self.stock, 8)
        level = self.levels_for(mug)
        level.write({"quantity_remote": 8, "remote_known": True, "quantity_pushed": 8})
        rows, _clamped = level._changed_rows(cas=True)
        self.assertEqual(rows, [])
        self.set_stock(mug, self.stock, 9)
        rows, _clamped = level._changed_rows(cas=True)
        self.assertEqual(
            [(row["quantity"], row["change_from"]) for row in rows], [(9, 8)], "CAS from the last read value"
        )
        rows, _clamped = level._changed_rows(cas=False)
        self.assertIsNone(rows[0]["change_from"], "Odoo always wins: no compare-and-swap")

    # Queue -----------------------------------------------------------------------------------------
    def test_stock_changes_queue_one_debounced_sync_then_one_job_per_push(self):
        Job = self.env["shopify.queue.job"]
        self.shop.inventory_conflict_mode = "odoo_always_wins"  # no read of Shopify needed to prepare
        self.set_stock(self.products[0], self.stock, 4)
        self.set_stock(self.products[1], self.stock, 6)
        self.assertTrue(self.env.cr.precommit.data.get("shopify_inventory_sync_scheduled"))
        self.env.cr.precommit.run()  # what a commit does
        sync_jobs = Job.search([("shop_id", "=", self.shop.id), ("kind", "=", "inventory_sync")])
        self.assertEqual(len(sync_jobs), 1, "a burst of changes is one pending sync")
        self.set_stock(self.products[2], self.stock, 1)
        self.env.cr.precommit.run()
        self.assertEqual(
            Job.search([("kind", "=", "inventory_sync")]), sync_jobs, "still the same pending job"
        )

        self.assertEqual(sync_jobs._dispatch(), ("done", None))
        push_jobs = Job.search([("shop_id", "=", self.shop.id), ("kind", "=", "inventory_push")])
        self.assertEqual(len(push_jobs), 1)
        push = self.env["shopify.inventory.push"].browse(push_jobs.payload["push_id"])
        self.assertEqual(push.quantity_count, 3)
        self.assertEqual(sorted(row["quantity"] for row in push.rows), [1, 4, 6])
        self.assertTrue(push.idempotency_key)
        self.assertEqual(push.level_ids.product_id, self.products)
        self.assertEqual(sync_jobs._dispatch()[0], "skipped", "levels in flight are not pushed twice")
