"""Orders end to end against the Shopify emulator: the poll (watermark, overlap, pages, long orders),
the `order_fetch` job (partial webhook bodies, orders Shopify no longer has) and fulfillment back to
Shopify (tracking, once only, a lost answer, partial deliveries). Nothing of ours is mocked."""

import json
from datetime import timedelta, timezone

from odoo import Command, fields
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ...emulator.orders import pay_order, totals
from ...models.core.sync_state import ORDER_POLL
from ...models.orders.shop import POLL_OVERLAP, POLL_PAGE_SIZE
from ..common import EmulatorCase

QUEUE_LOGGER = "odoo.addons.shopify_sync.models.engine.queue_job"


class OrderEmulatorCase(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop.write({"state": "connected", "order_confirmation_policy": "paid"})

    def setUp(self):
        super().setUp()
        self.emu_shop.tax_rate = "0"
        self.variants = []

    def catalog(self, count, stock=50):
        """`count` one-variant products on the emulator and the same SKUs in Odoo."""
        self.emu_shop.seed_products(count, max_options=1, max_values=1, stock=(stock, stock))
        self.variants = list(self.emu_shop.variants.values())
        Product = self.env["product.product"]
        self.products = {
            variant.sku: Product.create(
                {
                    "name": variant.sku,
                    "default_code": variant.sku,
                    "type": "consu",
                    "taxes_id": [Command.clear()],
                }
            )
            for variant in self.variants
        }
        return self.variants

    def place(self, *quantities, **options):
        """An order on the emulator: one line per quantity, on the catalog's variants in turn."""
        lines = [
            {"variant_id": self.variants[index].id, "quantity": quantity}
            for index, quantity in enumerate(quantities)
        ]
        options.setdefault("customer", {"first_name": "Ana", "last_name": "Roth", "email": "ana@example.org"})
        options.setdefault("shipping_address", {"first_name": "Ana", "city": "Köln", "country_code": "DE"})
        return self.emu_shop.place_order(lines, **options)

    def emulator_now(self):
        """The emulator's clock as Odoo stores datetimes (naive UTC)."""
        return self.clock.now().replace(tzinfo=None)

    def bindings(self, shop=None):
        return self.env["shopify.order.binding"].search([("shop_id", "=", (shop or self.shop).id)])

    def api_calls(self, operation):
        return self.env["shopify.api.call"].search(
            [("shop_id", "=", self.shop.id), ("operation", "=", operation)]
        )

    def process_queue(self):
        with mute_logger(QUEUE_LOGGER):
            return self.env["shopify.queue.job"]._cron_process_queue()


@tagged("post_install", "-at_install")
class TestOrderPoll(OrderEmulatorCase):
    def test_poll_reads_every_page_and_stores_the_watermark_per_shop(self):
        self.catalog(3)
        placed = [self.place(1, 2) for _ in range(2 * POLL_PAGE_SIZE + 1)]  # three pages
        other = self.create_shop(
            "other-store.myshopify.com", api_base_url=self.emulator.url, state="connected"
        )
        now = self.emulator_now() + timedelta(seconds=30)

        ok, failed = self.shop._shopify_poll_orders(now=now)

        self.assertEqual((ok, failed), (len(placed), 0))
        self.assertEqual(len(self.api_calls("orders_updated_since")), 3, "one request per page")
        bindings = self.bindings()
        self.assertEqual(sorted(bindings.mapped("shopify_gid")), sorted(order.gid for order in placed))
        orders = bindings.sale_order_id
        self.assertEqual(len(orders), len(placed))
        self.assertEqual(set(orders.mapped("state")), {"sale"}, "paid orders are confirmed")
        self.assertEqual(orders[0].order_line.mapped("product_uom_qty"), [1.0, 2.0])
        self.assertEqual(self.shop.orders_synced_until, now)
        self.assertFalse(other.orders_synced_until, "the other shop keeps its own watermark")

    def test_cron_hook_polls_and_a_second_poll_changes_nothing(self):
        # The cron polls up to Odoo's "now": bring the emulator's clock to it.
        self.clock.advance(fields.Datetime.now().replace(tzinfo=timezone.utc).timestamp() - self.clock.time())
        self.catalog(2)
        order = self.place(1, 1)
        counts = self.shop._sync_orders()
        self.assertEqual(counts, {"ok": 1, "failed": 0})
        first_watermark = self.shop.orders_synced_until
        self.assertTrue(first_watermark)
        sale_order = self.bindings().sale_order_id
        self.assertEqual(sale_order.client_order_ref, order.name)
        # The next run re-reads the overlap window: the same order comes back, nothing is duplicated.
        self.shop._sync_orders()
        self.assertEqual(self.bindings().sale_order_id, sale_order)
        self.assertEqual(len(sale_order.order_line), 2)
        self.assertGreaterEqual(self.shop.orders_synced_until, first_watermark)

    def test_overlap_window_reaches_back_five_minutes_before_the_watermark(self):
        self.catalog(2)
        too_old = self.place(1)
        self.clock.advance(7 * 60)
        in_overlap = self.place(2)
        self.clock.advance(3 * 60)
        # Watermark now: orders updated after (now - 5 min) are asked for; 3 min ago is inside, 10 is not.
        self.shop._state_row(ORDER_POLL).watermark = self.emulator_now()
        self.shop._shopify_poll_orders(now=self.emulator_now())
        self.assertEqual(self.bindings().mapped("shopify_gid"), [in_overlap.gid])
        self.assertNotIn(too_old.gid, self.bindings().mapped("shopify_gid"))
        self.assertEqual(POLL_OVERLAP, timedelta(minutes=5))

    def test_an_order_updated_after_the_watermark_is_polled_again(self):
        self.catalog(2)
        order = self.place(1, financial_status="PENDING")
        self.shop._shopify_poll_orders(now=self.emulator_now())
        binding = self.bindings()
        self.assertEqual(binding.sale_order_id.state, "draft", "pending: not confirmed yet")
        self.clock.advance(20 * 60)
        pay_order(self.emu_shop, order)
        self.shop._shopify_poll_orders(now=self.emulator_now())
        self.assertEqual(binding.financial_status, "paid")
        self.assertEqual(binding.sale_order_id.state, "sale")

    def test_an_order_longer_than_a_page_is_read_whole(self):
        """The poll reads 20 lines per order; order_by_id 50 per page: 55 lines take both."""
        self.catalog(55, stock=5)
        long_order = self.place(*([1] * 55))
        short_order = self.place(2)
        self.shop._shopify_poll_orders(now=self.emulator_now())
        by_gid = {b.shopify_gid: b.sale_order_id for b in self.bindings()}
        self.assertEqual(len(by_gid[long_order.gid].order_line), 55)
        self.assertEqual(
            sorted(by_gid[long_order.gid].order_line.mapped("shopify_line_gid")),
            sorted(line.gid for line in long_order.line_items),
        )
        self.assertEqual(len(by_gid[short_order.gid].order_line), 1)
        self.assertEqual(len(self.api_calls("order_by_id")), 1)
        self.assertEqual(len(self.api_calls("order_line_items")), 1)
        self.assertAlmostEqual(by_gid[long_order.gid].amount_total, float(totals(long_order)["total"]), 2)

    def test_a_failing_order_holds_the_watermark_and_the_others_are_imported(self):
        self.catalog(2)
        first = self.place(1)
        self.clock.advance(60)
        # A presentment currency Odoo does not know (renamed away here): this order cannot be imported.
        self.env.ref("base.CHF").name = "CHX"
        broken = self.place(1, 1, presentment_currency="CHF", exchange_rate=2)
        self.clock.advance(60)
        last = self.place(2)
        with mute_logger("odoo.addons.shopify_sync.models.orders.shop"):
            ok, failed = self.shop._shopify_poll_orders(now=self.emulator_now())
        self.assertEqual((ok, failed), (2, 1))
        self.assertEqual(sorted(self.bindings().mapped("shopify_gid")), sorted([first.gid, last.gid]))
        # The watermark stops at the failed order, so the next poll asks for it again.
        self.assertEqual(self.shop.orders_synced_until, broken.updated_at.replace(tzinfo=None))
        with mute_logger("odoo.addons.shopify_sync.models.orders.shop"):
            ok, failed = self.shop._shopify_poll_orders(now=self.emulator_now())
        self.assertEqual(failed, 1)
        self.assertEqual(self.api_calls("orders_updated_since")[:1].outcome, "ok")


@tagged("post_install", "-at_install")
class TestOrderFetchJob(OrderEmulatorCase):
    def ingest(self, topic, payload, webhook_id):
        """What the webhook controller does once the delivery is verified: store it and queue it."""
        return self.env["shopify.webhook.event"]._ingest(
            self.shop, topic, webhook_id, json.dumps(payload), payload
        )

    def test_partial_webhook_body_fetches_the_order_and_imports_it(self):
        self.catalog(2)
        order = self.place(2, 1)
        # A subscription with includeFields: the body names the order and little else.
        partial = {"id": order.id, "admin_graphql_api_id": order.gid, "updated_at": "2026-11-01T00:00:00Z"}
        self.ingest("orders/updated", partial, "wh-partial")
        first = self.process_queue()
        self.assertEqual(first.mapped("state"), ["done"])
        fetch = self.env["shopify.queue.job"].search(
            [("kind", "=", "order_fetch"), ("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(fetch.payload, {"order_gid": order.gid})
        self.assertEqual(fetch.state, "pending")
        self.process_queue()
        self.assertEqual(fetch.state, "done")
        sale_order = self.bindings().sale_order_id
        self.assertEqual(sale_order.client_order_ref, order.name)
        self.assertEqual(sale_order.order_line.mapped("product_uom_qty"), [2.0, 1.0])
        self.assertEqual(sale_order.state, "sale")
        self.assertEqual(self.bindings().payload_source, "graphql")

    def test_fetch_of_an_order_shopify_no_longer_has_is_skipped_with_the_reason(self):
        gone = "gid://shopify/Order/987654321"
        job = self.env["shopify.queue.job"]._enqueue(
            self.shop, "order_fetch", payload={"order_gid": gone}, dedupe_key="order_fetch:987654321"
        )
        self.process_queue()
        self.assertEqual(job.state, "skipped")
        self.assertIn("no longer exists on Shopify", job.last_error_message)
        self.assertIn(gone, job.last_error_message)
        self.assertFalse(self.bindings())


@tagged("post_install", "-at_install")
class TestOrderFulfillment(OrderEmulatorCase):
    def import_order(self, order):
        job = self.env["shopify.queue.job"]._enqueue(
            self.shop, "order_fetch", payload={"order_gid": order.gid}, dedupe_key=f"order_fetch:{order.id}"
        )
        self.process_queue()
        self.assertEqual(job.state, "done")
        sale_order = self.bindings().filtered(lambda b: b.shopify_gid == order.gid).sale_order_id
        self.assertEqual(sale_order.state, "sale")
        return sale_order

    def deliver(self, picking, quantities, backorder=True):
        """Ship `quantities` ({sku: qty}) of the delivery and validate it (with a backorder if partial)."""
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id.default_code, 0)
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = Form.from_action(self.env, result).save()
            wizard.process() if backorder else wizard.process_cancel_backorder()
        self.assertEqual(picking.state, "done")
        return picking.backorder_ids

    def emu_order(self, order):
        return self.graphql(
            """query($id: ID!) { order(id: $id) {
                 displayFulfillmentStatus
                 fulfillments { id trackingInfo { company number url }
                                fulfillmentLineItems(first: 50) { nodes { quantity lineItem { sku } } } }
               } }""",
            {"id": order.gid},
        )["data"]["order"]

    def fulfilled_lines(self, fulfillment):
        return {
            row["lineItem"]["sku"]: row["quantity"] for row in fulfillment["fulfillmentLineItems"]["nodes"]
        }

    def test_validating_the_delivery_fulfils_once_with_tracking(self):
        self.catalog(2)
        order = self.place(2, 1)
        sale_order = self.import_order(order)
        picking = sale_order.picking_ids
        picking.write(
            {
                "shopify_tracking_number": "00340434161094042557",
                "shopify_tracking_company": "DHL Express",
                "shopify_tracking_url": "https://www.dhl.com/track?id=00340434161094042557",
            }
        )
        self.deliver(picking, {self.variants[0].sku: 2, self.variants[1].sku: 1})
        self.assertEqual(picking.shopify_fulfillment_state, "pending")
        job = self.process_queue().filtered(lambda j: j.kind == "order_fulfillment")
        self.assertEqual(job.state, "done", job.last_error_message)
        self.assertEqual(picking.shopify_fulfillment_state, "sent")

        remote = self.emu_order(order)
        self.assertEqual(remote["displayFulfillmentStatus"], "FULFILLED")
        self.assertEqual(len(remote["fulfillments"]), 1)
        fulfillment = remote["fulfillments"][0]
        self.assertEqual(
            fulfillment["trackingInfo"],
            [
                {
                    "company": "DHL Express",
                    "number": "00340434161094042557",
                    "url": "https://www.dhl.com/track?id=00340434161094042557",
                }
            ],
        )
        self.assertEqual(
            self.fulfilled_lines(fulfillment), {self.variants[0].sku: 2, self.variants[1].sku: 1}
        )
        self.assertEqual(list(picking.shopify_fulfillments), [fulfillment["id"]])

        # Asked again (a second job, a retry by hand): nothing more goes out.
        picking._shopify_enqueue_fulfillment()
        self.process_queue()
        self.assertFalse(picking._shopify_send_fulfillment())
        self.assertEqual(len(self.api_calls("fulfillment_create")), 1)
        self.assertEqual(len(self.emu_order(order)["fulfillments"]), 1)

    def test_delivery_form_offers_the_tracking_fields(self):
        arch = self.env.ref("stock.view_picking_form")._get_combined_arch()
        group = arch.find(".//page[@name='extra']/group[@name='shopify_fulfillment']")
        self.assertIsNotNone(group)
        self.assertEqual(
            [node.get("name") for node in group.iter("field")],
            [
                "shopify_tracking_number",
                "shopify_tracking_company",
                "shopify_tracking_url",
                "shopify_fulfillment_state",
            ],
        )

    def test_retry_after_a_lost_answer_does_not_fulfil_twice(self):
        self.catalog(1)
        order = self.place(3)
        sale_order = self.import_order(order)
        picking = sale_order.picking_ids
        picking.shopify_tracking_number = "1Z999AA10123456784"
        # Two of three units leave: the fulfillment order stays open, so a blind resend would succeed.
        self.deliver(picking, {self.variants[0].sku: 2})
        self.emu_shop.set_faults(lose_answers={"fulfillmentCreate": 1})
        job = self.process_queue().filtered(lambda j: j.kind == "order_fulfillment")
        self.assertEqual(job.state, "pending", "a lost answer is retried later, not at once")
        self.assertEqual(job.last_error_type, "ServerError")
        self.assertEqual(len(self.api_calls("fulfillment_create")), 1, "sent once, no blind retry")
        remote = self.emu_order(order)
        self.assertEqual(len(remote["fulfillments"]), 1, "Shopify did fulfil it")
        self.assertEqual(remote["displayFulfillmentStatus"], "PARTIALLY_FULFILLED")

        job.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self.process_queue()
        self.assertEqual(job.state, "done")
        remote = self.emu_order(order)
        self.assertEqual(len(remote["fulfillments"]), 1, "the retry found it instead of fulfilling again")
        self.assertEqual(self.fulfilled_lines(remote["fulfillments"][0]), {self.variants[0].sku: 2})
        self.assertEqual(len(self.api_calls("fulfillment_create")), 1)
        self.assertEqual(list(picking.shopify_fulfillments), [remote["fulfillments"][0]["id"]])
        self.assertEqual(picking.shopify_fulfillment_state, "sent")

    def test_partial_delivery_fulfils_only_the_shipped_quantities(self):
        self.catalog(2)
        order = self.place(3, 1)
        sale_order = self.import_order(order)
        picking = sale_order.picking_ids
        first_sku, second_sku = self.variants[0].sku, self.variants[1].sku
        backorder = self.deliver(picking, {first_sku: 2})
        self.assertTrue(backorder)
        self.process_queue()
        remote = self.emu_order(order)
        self.assertEqual(remote["displayFulfillmentStatus"], "PARTIALLY_FULFILLED")
        self.assertEqual([self.fulfilled_lines(f) for f in remote["fulfillments"]], [{first_sku: 2}])

        self.deliver(backorder, {first_sku: 1, second_sku: 1})
        self.process_queue()
        self.assertEqual(backorder.shopify_fulfillment_state, "sent")
        remote = self.emu_order(order)
        self.assertEqual(remote["displayFulfillmentStatus"], "FULFILLED")
        self.assertEqual(
            [self.fulfilled_lines(f) for f in remote["fulfillments"]],
            [{first_sku: 2}, {first_sku: 1, second_sku: 1}],
        )
        self.assertEqual(len(self.api_calls("fulfillment_create")), 2)
        self.assertFalse(set(picking.shopify_fulfillments) & set(backorder.shopify_fulfillments))
