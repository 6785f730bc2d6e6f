from odoo.tests import tagged

from ..order_common import OrderCase


@tagged("post_install", "-at_install")
class TestOrderLifecycle(OrderCase):
    def sale_orders(self, name):
        return self.env["sale.order"].search([("client_order_ref", "=", name)])

    def test_duplicate_and_replayed_deliveries_make_one_order(self):
        payload = self.payloads.eu_tax_included()
        first = self.import_rest(self.eu_shop, payload)
        again = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        replay = self.import_rest(self.eu_shop, payload)
        self.assertEqual(first, again)
        self.assertEqual(first, replay)
        self.assertEqual(len(self.sale_orders("#1042")), 1)
        self.assertEqual(len(first.sale_order_id.order_line), 2)

    def test_webhook_then_poll_and_poll_then_webhook_make_one_order(self):
        webhook = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        poll = self.importer._import_graphql(self.eu_shop, self.payloads.eu_tax_included_graphql())
        self.assertEqual(webhook, poll)
        later = self.importer._import_graphql(
            self.eu_shop, self.payloads.eu_tax_included_graphql(updated_at="2026-10-21T08:00:00Z")
        )
        self.assertEqual(later, webhook)
        self.assertEqual(len(self.sale_orders("#1042")), 1)
        # The other way round on the guest order.
        guest = self.payloads.guest_chf()
        self.import_rest(self.us_shop, self.payloads.us_tax_excluded())
        self.import_rest(self.eu_shop, guest)
        self.import_rest(self.eu_shop, guest)
        self.assertEqual(len(self.sale_orders("#1043")), 1)

    def test_order_key_lock_blocks_a_concurrent_transaction(self):
        """What makes the webhook/poll race safe: while one transaction creates the order, another one
        cannot take the same key (it would wait, then find the binding)."""
        gid = "gid://shopify/Order/6123456789012"
        self.importer._lock_order_key(self.eu_shop, gid)
        key = f"shopify.order.binding:{self.eu_shop.id}:{gid}"
        other_key = f"shopify.order.binding:{self.us_shop.id}:{gid}"
        with self.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [key])
            self.assertFalse(other_cr.fetchone()[0], "the same order key is locked")
            other_cr.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [other_key])
            self.assertTrue(other_cr.fetchone()[0], "another shop's order is not blocked")
            other_cr.rollback()

    def test_paid_before_create_ends_confirmed(self):
        created = self.payloads.us_tax_excluded()
        paid = self.payloads.with_update(created, "2026-11-02T18:45:00-08:00", financial_status="paid")
        binding = self.import_rest(self.us_shop, paid)
        self.assertEqual(binding.sale_order_id.state, "sale")
        late_create = self.import_rest(self.us_shop, created)
        self.assertEqual(late_create, binding)
        self.assertEqual(binding.financial_status, "paid", "the older create event is ignored")
        self.assertEqual(binding.sale_order_id.state, "sale")

    def test_cancelled_before_create_ends_cancelled(self):
        created = self.payloads.us_tax_excluded()
        cancelled = self.payloads.with_update(
            created,
            "2026-11-02T19:00:00-08:00",
            cancelled_at="2026-11-02T19:00:00-08:00",
            cancel_reason="customer",
        )
        binding = self.import_rest(self.us_shop, cancelled)
        self.import_rest(self.us_shop, created)
        self.assertTrue(binding.cancelled)
        self.assertEqual(binding.sale_order_id.state, "cancel")

    def test_paid_event_confirms_and_notifies_the_fulfillment_user(self):
        self.us_shop.write({"fulfillment_notify_mode": "user", "fulfillment_user_id": self.shopify_user.id})
        created = self.payloads.us_tax_excluded()
        binding = self.import_rest(self.us_shop, created)
        self.assertEqual(binding.sale_order_id.state, "draft")
        self.import_rest(
            self.us_shop,
            self.payloads.with_update(created, "2026-11-02T18:50:00-08:00", financial_status="paid"),
        )
        order = binding.sale_order_id
        self.assertEqual(order.state, "sale")
        self.assertEqual(binding.financial_status, "paid")
        self.assertTrue(order.picking_ids, "confirmation made the delivery")
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.shopify_user)
        self.assertIn("#2087", activity.summary)

    def test_confirmation_posts_on_the_fulfillment_channel(self):
        channel = self.env["discuss.channel"].create({"name": "Warehouse", "channel_type": "channel"})
        self.eu_shop.write({"fulfillment_notify_mode": "channel", "fulfillment_channel_id": channel.id})
        binding = self.import_rest(self.eu_shop, self.payloads.eu_tax_included())
        self.assertIn(binding.sale_order_id.name, channel.message_ids[:1].body)

    def test_policy_always_and_never(self):
        self.us_shop.order_confirmation_policy = "always"
        self.assertEqual(
            self.import_rest(self.us_shop, self.payloads.us_tax_excluded()).sale_order_id.state, "sale"
        )
        self.eu_shop.order_confirmation_policy = "never"
        self.assertEqual(
            self.import_rest(self.eu_shop, self.payloads.eu_tax_included()).sale_order_id.state, "draft"
        )

    def test_update_rewrites_a_draft_order(self):
        created = self.payloads.us_tax_excluded()
        binding = self.import_rest(self.us_shop, created)
        # The customer dropped the bowl: 48.60 + 17.91 + 12.00 shipping + 4.82 tax = 83.33.
        edited = self.payloads.with_update(
            created,
            "2026-11-02T19:10:00-08:00",
            line_items=[created["line_items"][0], created["line_items"][2]],
            subtotal_price="66.51",
            total_tax="4.82",
            total_price="83.33",
            total_price_set=None,
        )
        self.import_rest(self.us_shop, edited)
        order = binding.sale_order_id
        self.assertEqual(order.order_line.product_id.mapped("default_code")[:2], ["APR-NAT", "TWL-STR"])
        self.assertEqual(len(order.order_line), 3)
        self.assertAlmostEqual(order.amount_total, 83.33, places=2)
        self.assertFalse(binding.needs_review)
        self.assertEqual(order.state, "draft")

    def test_update_of_a_confirmed_order_is_recorded_not_applied(self):
        created = self.payloads.eu_tax_included()
        binding = self.import_rest(self.eu_shop, created)
        order = binding.sale_order_id
        self.assertEqual(order.state, "sale")
        lines = created["line_items"]
        lines[0].update(quantity=3, current_quantity=3)
        self.import_rest(
            self.eu_shop,
            self.payloads.with_update(
                created,
                "2026-10-21T10:00:00+02:00",
                line_items=lines,
                total_price="74.65",
                total_price_set=None,
            ),
        )
        self.assertEqual(order.order_line[0].product_uom_qty, 2, "confirmed lines are not rewritten")
        self.assertTrue(binding.needs_review)
        self.assertIn("quantity 2 → 3", binding.review_reason)
        self.assertIn("49.75 → 74.65", binding.review_reason)
        self.assertTrue(self.binding_activities(binding))

    def test_cancellation_before_shipping_cancels_order_and_delivery(self):
        created = self.payloads.eu_tax_included()
        binding = self.import_rest(self.eu_shop, created)
        order = binding.sale_order_id
        picking = order.picking_ids
        self.assertTrue(picking)
        self.import_rest(
            self.eu_shop,
            self.payloads.with_update(
                created,
                "2026-10-21T11:00:00+02:00",
                cancelled_at="2026-10-21T11:00:00+02:00",
                cancel_reason="customer",
            ),
        )
        self.assertEqual(order.state, "cancel")
        self.assertEqual(picking.state, "cancel")
        self.assertTrue(binding.cancelled)

    def test_cancellation_after_shipping_is_flagged(self):
        created = self.payloads.eu_tax_included()
        binding = self.import_rest(self.eu_shop, created)
        order = binding.sale_order_id
        picking = order.picking_ids
        picking.move_ids.quantity = 2
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.import_rest(
            self.eu_shop,
            self.payloads.with_update(
                created,
                "2026-10-22T11:00:00+02:00",
                cancelled_at="2026-10-22T11:00:00+02:00",
                cancel_reason="other",
            ),
        )
        self.assertEqual(order.state, "sale")
        self.assertTrue(binding.needs_review)
        self.assertIn("already shipped", binding.review_reason)
