"""Benchmark: paid Shopify orders with one partial refund each, from webhook to reconciled documents.

Run with `make bench-order_to_cash` (tools/bench.sh gives a fresh database with the addon installed);
BENCH_ORDERS sets N (default 50).

1. Set-up (committed): a tax-excluded shop (invoice and confirm when paid, post, register payments), its
   tax and gateway mappings, one product per SKU the emulator sells.
2. Ours: the emulator's shop state (in this process, no HTTP server) checks out N orders of 2 units +
   shipping paid by card and refunds 1 unit + shipping on each; its webhook bodies (orders/create,
   order_transactions/create ×2, orders/paid, refunds/create, orders/updated) are stored as the webhook
   controller stores them (`shopify.webhook.event._ingest`, signature checks left out) and the queue is
   processed: sale order, posted invoice, payment, credit note, refund payment, all reconciled.
   Measured: the queue processing (seconds, SQL queries).
3. Manual baseline, same run: the same documents for N other orders made by calling Odoo's own actions
   directly (sale order confirm, `_create_invoices`, post, `account.payment.register`, the reversal
   wizard for the credit note, with its quantities set to the refund, and its refund payment).

Last line: `RESULT order_to_cash orders_per_s=… queries_per_order=… ratio_vs_manual=…`, where
ratio_vs_manual = our seconds per order ÷ manual seconds per order (what the automation costs over the
bare documents; 1.0 = no overhead).
"""

import argparse
import json
import os
import sys
import time
import uuid

SHOP_DOMAIN = "bench-o2c.myshopify.com"
SECRET = "bench-webhook-secret"
TAX_RATE = "0.0725"
PRICE = "12.50"
SHIPPING = "7.50"
ORDER_TOPICS = (
    "orders/create",
    "orders/paid",
    "orders/updated",
    "order_transactions/create",
    "refunds/create",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--odoo-config", required=True)
    parser.add_argument("--orders", type=int, default=int(os.environ.get("BENCH_ORDERS", 50)))
    parser.add_argument("--batch-size", type=int, default=50)
    return parser.parse_args()


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Bench:
    def __init__(self, args):
        import odoo

        self.args = args
        odoo.tools.config.parse_config(["-c", args.odoo_config, "-d", args.db])
        self.odoo = odoo
        self.registry = odoo.modules.registry.Registry(args.db)

    def env(self, cr):
        return self.odoo.api.Environment(cr, self.odoo.SUPERUSER_ID, {})

    # --------------------------------------------------------------------------------------------
    def setup(self):
        from odoo.addons.shopify_sync.emulator.clock import FakeClock
        from odoo.addons.shopify_sync.emulator.shop_state import ShopState

        self.emu = ShopState(
            SHOP_DOMAIN,
            clock=FakeClock(),
            access_token="bench-token",
            client_secret=SECRET,
            tax_rate=TAX_RATE,
        )
        self.emu.seed_products(1, max_options=1, max_values=1, stock=(100_000, 100_000))
        self.variant = next(iter(self.emu.variants.values()))
        self.bodies = []
        self.emu.listeners.append(self._capture)
        with self.registry.cursor() as cr:
            env = self.env(cr)
            tax = env["account.tax"].create(
                {
                    "name": "Sales tax 7.25% (bench)",
                    "amount": 7.25,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                }
            )
            journal = env["account.journal"].create(
                {"name": "Shopify Payments (bench)", "type": "bank", "code": "BSHP"}
            )
            shop = env["shopify.shop"].create(
                {
                    "name": "bench o2c",
                    "shop_domain": SHOP_DOMAIN,
                    "access_token": "bench-token",
                    "client_secret": SECRET,
                    "state": "connected",
                    "order_confirmation_policy": "paid",
                    "order_invoice_policy": "paid",
                    "order_invoice_post": True,
                    "order_register_payments": True,
                    "order_payment_journal_id": journal.id,
                }
            )
            env["shopify.tax.mapping"].create(
                {"shop_id": shop.id, "rate_percent": 7.25, "price_include": False, "tax_id": tax.id}
            )
            env["shopify.gateway.mapping"].create(
                {"shop_id": shop.id, "gateway": "shopify_payments", "journal_id": journal.id}
            )
            self.product = env["product.product"].create(
                {
                    "name": self.variant.sku,
                    "default_code": self.variant.sku,
                    "type": "consu",
                    "invoice_policy": "order",
                    "list_price": float(PRICE),
                    "taxes_id": [(6, 0, tax.ids)],
                }
            )
            self.product_id, self.tax_id, self.journal_id, self.shop_id = (
                self.product.id,
                tax.id,
                journal.id,
                shop.id,
            )
            self.delivery_id = shop.order_delivery_product_id.id or self.product.id

    def _capture(self, shop, topic, record):
        from odoo.addons.shopify_sync.emulator import rest

        if topic in ORDER_TOPICS:  # stock level webhooks are another benchmark's business
            self.bodies.append((topic, rest.payload(shop, topic, record)))

    def make_deliveries(self, count):
        """The emulator's webhook bodies for `count` paid orders refunded 1 unit + shipping each. A
        payment webhook may arrive before its order (Shopify does not order deliveries); here it does, so
        the order is imported knowing its payment (no API read in this in-process run)."""
        from odoo.addons.shopify_sync.emulator.orders import refund_order

        deliveries = []
        for _number in range(count):
            self.bodies.clear()
            order = self.emu.place_order(
                [{"variant_id": self.variant.id, "quantity": 2, "price": PRICE}],
                customer={
                    "first_name": "Buyer",
                    "last_name": str(_number % 40),
                    "email": f"b{_number % 40}@example.com",
                },
                shipping={"title": "Standard", "price": SHIPPING},
            )
            line_gid = order.line_items[0].gid
            refund_order(self.emu, order, lines={line_gid: 1}, shipping=True, restock_type="NO_RESTOCK")
            created = [body for body in self.bodies if body[0] == "orders/create"]
            rest = [body for body in self.bodies if body[0] != "orders/create"]
            payment = [body for body in rest if body[0] == "order_transactions/create"][:1]
            deliveries += payment + created + [body for body in rest if body not in payment]
        return deliveries

    def ingest(self, deliveries):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            shop = env["shopify.shop"].browse(self.shop_id)
            Event = env["shopify.webhook.event"]
            for topic, body in deliveries:
                raw = json.dumps(body)
                Event._ingest(shop, topic, str(uuid.uuid4()), raw, json.loads(raw))

    def process_queue(self):
        """Process every pending job; returns (seconds, SQL queries, jobs done)."""
        sql_db = self.odoo.sql_db
        queries_before, start, done = sql_db.sql_counter, time.perf_counter(), 0
        while True:
            with self.registry.cursor() as cr:
                jobs = self.env(cr)["shopify.queue.job"]._cron_process_queue(batch_size=self.args.batch_size)
                done += len(jobs.filtered(lambda job: job.state == "done"))
                failed = jobs.filtered(lambda job: job.state != "done")
                if failed:
                    job = failed[0]
                    raise RuntimeError(
                        f"job {job.id} ({job.kind}) ended {job.state}: {job.last_error_message}"
                    )
            if not jobs:
                break
        return time.perf_counter() - start, sql_db.sql_counter - queries_before, done

    def check_ours(self, count):
        """Every order: posted invoice paid, one credit note paid back, all receivables reconciled."""
        with self.registry.cursor() as cr:
            env = self.env(cr)
            bindings = env["shopify.order.binding"].search([("shop_id", "=", self.shop_id)])
            complete = 0
            for binding in bindings:
                moves = binding.sale_order_id.invoice_ids
                invoices = moves.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted")
                credit_notes = moves.filtered(lambda m: m.move_type == "out_refund" and m.state == "posted")
                if (
                    len(invoices) == 1
                    and len(credit_notes) == 1
                    and all(
                        m.payment_state in ("paid", "in_payment", "reversed") for m in invoices | credit_notes
                    )
                    and len(binding.transaction_ids.filtered(lambda t: t.payment_id)) == 2
                ):
                    complete += 1
            if complete != count:
                raise RuntimeError(f"{complete} of {count} orders invoiced, paid, refunded and reconciled")
            return complete

    # --------------------------------------------------------------------------------------------
    def manual(self, count):
        """The same documents by Odoo's own actions: returns (seconds, SQL queries)."""
        sql_db = self.odoo.sql_db
        with self.registry.cursor() as cr:
            env = self.env(cr)
            partner = env["res.partner"].create({"name": "Manual buyer", "email": "manual@example.com"})
        queries_before, start = sql_db.sql_counter, time.perf_counter()
        for _number in range(count):
            with self.registry.cursor() as cr:
                env = self.env(cr)
                order = env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            (
                                0,
                                0,
                                {
                                    "product_id": self.product_id,
                                    "product_uom_qty": 2,
                                    "price_unit": float(PRICE),
                                    "tax_id": [(6, 0, [self.tax_id])],
                                },
                            ),
                            (
                                0,
                                0,
                                {
                                    "product_id": self.delivery_id,
                                    "name": "Standard",
                                    "product_uom_qty": 1,
                                    "price_unit": float(SHIPPING),
                                    "tax_id": [(6, 0, [self.tax_id])],
                                },
                            ),
                        ],
                    }
                )
                order.action_confirm()
                invoice = order._create_invoices()
                invoice.action_post()
                self._pay(env, invoice)
                reversal = (
                    env["account.move.reversal"]
                    .with_context(active_model="account.move", active_ids=invoice.ids)
                    .create({"journal_id": invoice.journal_id.id, "reason": "Shopify refund"})
                )
                credit_note = env["account.move"].browse(reversal.refund_moves()["res_id"])
                product_line = credit_note.invoice_line_ids.filtered(
                    lambda line: line.product_id.id == self.product_id
                )
                credit_note.write({"invoice_line_ids": [(1, product_line.id, {"quantity": 1})]})
                credit_note.action_post()
                self._pay(env, credit_note)
        return time.perf_counter() - start, sql_db.sql_counter - queries_before

    def _pay(self, env, move):
        env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {"journal_id": self.journal_id}
        )._create_payments()

    # --------------------------------------------------------------------------------------------
    def run(self):
        n = self.args.orders
        self.setup()
        # Warm-up (first import and first documents warm the caches): not measured.
        self.ingest(self.make_deliveries(1))
        self.process_queue()
        self.manual(1)

        self.ingest(self.make_deliveries(n))
        seconds, queries, done = self.process_queue()
        complete = self.check_ours(n + 1)
        manual_seconds, manual_queries = self.manual(n)
        orders_per_s = n / seconds
        report(f"orders: {n}, each 2 units + shipping paid by card, 1 unit + shipping refunded; {done} jobs")
        report(
            f"ours (webhook bodies → queue): {seconds:.2f} s = {orders_per_s:.1f} orders/s, "
            f"{queries / n:.1f} SQL queries/order; {complete} orders invoiced, paid, refunded, reconciled"
        )
        report(
            f"manual (Odoo's own actions): {manual_seconds:.2f} s = {n / manual_seconds:.1f} orders/s, "
            f"{manual_queries / n:.1f} SQL queries/order"
        )
        report(
            f"RESULT order_to_cash orders_per_s={orders_per_s:.1f} queries_per_order={queries / n:.1f} "
            f"ratio_vs_manual={seconds / manual_seconds:.2f}"
        )


if __name__ == "__main__":
    Bench(parse_args()).run()
