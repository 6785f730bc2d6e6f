"""The safety-net polls cost a few points when webhooks do the work (issue 20): ten simulated minutes of
orders delivered by webhook, the orders poll every minute, the products poll every 15 minutes and the
inventory sync every 5, against the emulator (its clock driven by hand, its requested-cost counter)."""

import json
import time

from odoo.tests import tagged

from ...emulator import rest
from ...emulator.orders import pay_order
from ...models.orders.shop import POLL_PAGE_SIZE
from ...services.cost import estimate_cost
from ...services.documents import load as load_document
from ..orders.test_order_sync_emulator import OrderEmulatorCase

MINUTES = 10
MAX_POINTS_PER_SECOND = 1.0


@tagged("post_install", "-at_install")
class TestIdlePollCost(OrderEmulatorCase):
    def setUp(self):
        super().setUp()
        # Shopify's clock an hour behind Odoo's: what Odoo records having read is seen after its second.
        self.clock.advance(time.time() - 3600 - self.clock.time())
        self.catalog(3)
        self.deliveries = 0
        # Earlier runs: the catalog imported (and what Odoo holds differently exported), the orders polled.
        self.assertEqual(self.shop._shopify_poll_products(), {"ok": 3, "failed": 0, "skipped": 0})
        self.shop._shopify_export_marked()
        self.shop._shopify_poll_orders(now=self.emulator_now())
        self.first_call = self.env["shopify.api.call"].search([], order="id desc", limit=1).id + 1

    def api_calls(self, operation):
        """This test's calls of `operation` (the setup's are left out)."""
        return super().api_calls(operation).filtered(lambda call: call.id >= self.first_call)

    def requested(self):
        return self.emu_shop.counters["requested_cost"]

    def deliver(self, topic, order):
        """Shopify's webhook for `order`, verified and queued as the controller does, then processed."""
        body = rest.payload(self.emu_shop, topic, order)
        self.deliveries += 1
        self.env["shopify.webhook.event"]._ingest(
            self.shop, topic, f"idle-{self.deliveries}", json.dumps(body), body
        )
        self.process_queue()

    def test_ten_minutes_with_webhooks_flowing_cost_at_most_one_point_per_second(self):
        polls = {"orders": 0.0, "products": 0.0, "inventory": 0.0}

        def run(kind, sync):
            before = self.requested()
            sync()
            polls[kind] += self.requested() - before

        placed = []
        for minute in range(MINUTES):
            order = self.place(1, financial_status="PENDING")
            placed.append(order)
            self.deliver("orders/create", order)
            if minute % 3 == 1:  # an update delivered by webhook too
                pay_order(self.emu_shop, placed[minute - 1])
                self.deliver("orders/paid", placed[minute - 1])
            self.clock.advance(30)
            run("orders", lambda: self.shop._shopify_poll_orders(now=self.emulator_now()))
            if minute % 15 == 0:
                run("products", self.shop._sync_products)
            if minute % 5 == 0:
                run("inventory", self.shop._sync_inventory)
            self.clock.advance(30)

        bindings = self.bindings().filtered(lambda binding: binding.shopify_gid in {o.gid for o in placed})
        self.assertEqual(len(bindings), MINUTES, "every order arrived (by webhook)")
        self.assertEqual(set(bindings.mapped("payload_source")), {"rest"}, "no poll had to import one")
        total = sum(polls.values())
        self.assertGreater(total, 0, "the polls did ask Shopify")
        per_second = total / (MINUTES * 60)
        self.assertLessEqual(per_second, MAX_POINTS_PER_SECOND, polls)

        self.assertFalse(self.api_calls("orders_updated_since"), "no full order read in these ten minutes")
        self.assertFalse(self.api_calls("products_current"), "no product read whole")
        self.assertEqual(self.emu_shop.counters["throttled"], 0)

        # The poll before this change read each minute at least one full page of orders_updated_since
        # (and re-read every order of its 5-minute overlap): the same ten minutes cost far more.
        page = estimate_cost(load_document("orders_updated_since"), {"query": "", "first": POLL_PAGE_SIZE})
        self.assertGreater(page * MINUTES / (MINUTES * 60), MAX_POINTS_PER_SECOND)

    def test_an_order_the_webhook_missed_is_read_whole_and_imported(self):
        applied = self.place(1)
        self.deliver("orders/create", applied)
        missed = self.place(2)  # its webhook never came
        self.clock.advance(60)
        ok, failed = self.shop._shopify_poll_orders(now=self.emulator_now())
        self.assertEqual((ok, failed), (2, 0), "the applied one counts as found, the missed one is imported")
        binding = self.bindings().filtered(lambda b: b.shopify_gid == missed.gid)
        self.assertEqual(binding.payload_source, "graphql")
        self.assertEqual(binding.sale_order_id.order_line.mapped("product_uom_qty"), [2.0])
        self.assertEqual(len(self.api_calls("orders_updated_since")), 1, "one full page, for the missed one")
        # Seen again by the next poll (overlap): ids only.
        self.clock.advance(60)
        self.shop._shopify_poll_orders(now=self.emulator_now())
        self.assertEqual(len(self.api_calls("orders_updated_since")), 1)
        self.assertEqual(len(self.api_calls("order_ids_updated_since")), 2, "one page of ids per poll")

    def test_a_product_changed_on_shopify_is_read_whole_the_others_are_skipped(self):
        self.clock.advance(60)
        changed = self.variants[0]
        with self.emu_shop.lock:
            product = self.emu_shop.products[changed.product_id]
            product.title = "Renamed on Shopify"
            product.updated_at = self.emu_shop.now()
        stats = self.shop._shopify_poll_products()
        self.assertEqual(stats, {"ok": 1, "failed": 0, "skipped": 2})
        binding = self.env["shopify.product.binding"].search([("shopify_gid", "=", product.gid)])
        self.assertEqual(binding.shopify_updated_at, product.updated_at.replace(tzinfo=None))
        [read] = self.api_calls("products_current")
        two = estimate_cost(load_document("products_current"), {"ids": ["x", "y"], "variantsFirst": 20})
        self.assertLess(read.requested_cost, two, "one product read, not a page of them")
