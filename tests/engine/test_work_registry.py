"""The work registry against the code: every topic, kind and hook has a handler that exists, every method
named like a handler is reached from the table, and what the code queues or starts is registered."""

import ast
import pathlib
from unittest.mock import patch

from ...models.engine import registry as work_registry
from ...models.reconcile.shop import RECONCILE_PARTS
from ...services.api_versions import DEFAULT_API_VERSION
from ...services.schema import load_schema
from ..common import ShopifyCase

ADDON = pathlib.Path(__file__).resolve().parents[2]
# Calls whose argument names a kind of work: (method, position of the kind among its arguments, table).
KIND_ARGUMENTS = (
    ("_enqueue", 1, work_registry.JOB_KINDS),
    ("_start_query", 1, work_registry.BULK_KINDS),
    ("_start_mutation", 1, work_registry.BULK_KINDS),
)


def kinds_used_in(path):
    """[(method, kind or None when not a constant, line)] of the calls of KIND_ARGUMENTS in one file; a kind
    given by a module-level constant is resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {
        node.targets[0].id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        for method, position, _table in KIND_ARGUMENTS:
            if node.func.attr == method and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant):
                    kind = argument.value
                elif isinstance(argument, ast.Name):
                    kind = constants.get(argument.id)
                else:
                    kind = None
                found.append((method, kind, node.lineno))
    return found


class TestWorkRegistry(ShopifyCase):
    def methods_of(self, model):
        """Method names of `model` as loaded (every class of the addon extending it), or None."""
        if model not in self.env:
            return None
        cls = type(self.env[model])
        return {name for name in dir(cls) if callable(getattr(cls, name, None))}

    def test_every_handler_exists_and_every_handler_like_method_is_reached(self):
        self.assertEqual(work_registry.check(self.methods_of), [])

    def test_a_misspelt_handler_is_reported(self):
        misspelt = work_registry.WebhookTopic(
            work_registry.Handler(work_registry.WEBHOOK_EVENT, "_shopify_webhook_order_create"),
            work_registry.WEBHOOK_TOPICS["orders/create"].priority,
        )
        with patch.dict(work_registry.WEBHOOK_TOPICS, {"orders/create": misspelt}):
            problems = work_registry.check(self.methods_of)
        self.assertEqual(
            problems,
            [
                "webhook topic orders/create: shopify.webhook.event has no method "
                "_shopify_webhook_order_create",
                "shopify.webhook.event._shopify_webhook_orders_create is named like a handler but no "
                "registry entry reaches it",
            ],
        )

    def test_a_misspelt_bulk_hook_and_a_handler_on_the_wrong_model_are_reported(self):
        kind = work_registry.BULK_KINDS["order_reconcile"]._replace(done="_bulk_done_order_reconciles")
        wrong_model = work_registry.JobKind(
            work_registry.Handler(work_registry.SHOP, "_shopify_job_setup_task"), 50
        )
        with (
            patch.dict(work_registry.BULK_KINDS, {"order_reconcile": kind}),
            patch.dict(work_registry.JOB_KINDS, {"setup_task": wrong_model}),
        ):
            problems = work_registry.check(self.methods_of)
        self.assertIn(
            "bulk kind order_reconcile (done): shopify.bulk.operation has no method "
            "_bulk_done_order_reconciles",
            problems,
        )
        self.assertIn(
            "shopify.bulk.operation._bulk_done_order_reconcile is named like a handler but no registry entry "
            "reaches it",
            problems,
        )
        self.assertIn("job kind setup_task: shopify.shop has no method _shopify_job_setup_task", problems)
        self.assertIn(
            "job kind setup_task: handled on shopify.shop, dispatch calls shopify.queue.job", problems
        )

    def test_every_registered_topic_is_a_shopify_topic_and_is_subscribed(self):
        known = set(load_schema(DEFAULT_API_VERSION).type_map["WebhookSubscriptionTopic"].values)
        shop = self.create_shop()
        subscribed = shop._webhook_required_topics()
        for topic in work_registry.subscribed_topics():
            with self.subTest(topic=topic):
                self.assertIn(work_registry.subscription_topic(topic), known)
                self.assertIn(work_registry.subscription_topic(topic), subscribed)
        self.assertEqual(len(subscribed), len(work_registry.subscribed_topics()))

    def test_compliance_topics_are_registered_but_never_subscribed(self):
        """Shopify's privacy topics are set in the app's configuration: webhookSubscriptionCreate has no
        enum value for them, so the subscription sync must never ask for them."""
        known = set(load_schema(DEFAULT_API_VERSION).type_map["WebhookSubscriptionTopic"].values)
        compliance = {"customers/data_request", "customers/redact", "shop/redact"}
        self.assertEqual(
            {topic for topic, entry in work_registry.WEBHOOK_TOPICS.items() if entry.compliance}, compliance
        )
        subscribed = self.create_shop()._webhook_required_topics()
        for topic in compliance:
            with self.subTest(topic=topic):
                self.assertNotIn(work_registry.subscription_topic(topic), known)
                self.assertNotIn(work_registry.subscription_topic(topic), subscribed)

    def test_every_kind_the_code_queues_or_starts_is_registered(self):
        used = []
        for path in sorted(ADDON.rglob("*.py")):
            if {"tests", "emulator", "bench"} & set(path.relative_to(ADDON).parts):
                continue
            used += [(path.relative_to(ADDON), *call) for call in kinds_used_in(path)]
        tables = {method: table for method, _position, table in KIND_ARGUMENTS}
        self.assertTrue(used, "the scan found no call: it no longer matches the code")
        for path, method, kind, line in used:
            with self.subTest(call=f"{path}:{line} {method}"):
                self.assertIsNotNone(kind, "the kind is not a constant: name it in a module-level constant")
                self.assertIn(kind, tables[method])
        self.assertIn("order_fetch", {kind for _path, method, kind, _line in used if method == "_enqueue"})

    def test_unregistered_bulk_kind_is_refused_before_shopify_is_asked(self):
        shop = self.create_shop()
        Bulk = self.env["shopify.bulk.operation"]
        with patch.object(type(shop), "_shopify_client", side_effect=AssertionError("Shopify was asked")):
            with self.assertRaisesRegex(ValueError, "no handler in the work registry"):
                Bulk._start_query(shop, "catalogue", "bulk_products_variants")
            with self.assertRaisesRegex(ValueError, "no handler in the work registry"):
                Bulk._start_mutation(shop, "product_push", "product_set", [])
            # A mutation kind is not a query kind: it has no result processing.
            with self.assertRaisesRegex(ValueError, "no handler in the work registry"):
                Bulk._start_query(shop, "product_export", "bulk_products_variants")
        self.assertFalse(Bulk.search([("shop_id", "=", shop.id)]))

    def test_reconciliation_runs_the_parts_asked_for_in_the_registry_order(self):
        self.assertEqual(
            sorted(RECONCILE_PARTS), sorted(part for part, _handler in work_registry.RECONCILE_PARTS)
        )
        shop = self.create_shop()
        ran = []

        def part(name, counts):
            def run(shop):
                ran.append(name)
                return counts

            return run

        Shop = type(shop)
        with (
            patch.object(Shop, "_reconcile_part_inventory", part("inventory", {"ok": 2, "failed": 1})),
            patch.object(Shop, "_reconcile_part_orders", part("orders", {"ok": 7})),
            patch.object(Shop, "_reconcile_part_products", part("products", {"skipped": 1})),
            patch.object(Shop, "_reconcile_part_customers", part("customers", {"ok": 3})),
        ):
            result = shop._reconcile()
            self.assertEqual(ran, ["inventory", "orders", "products", "customers"])
            self.assertEqual(result, {"ok": 12, "failed": 1, "skipped": 1})
            ran.clear()
            result = shop.with_context(shopify_reconcile_parts=["products", "inventory"])._reconcile()
            self.assertEqual(ran, ["inventory", "products"])
            self.assertEqual(result, {"ok": 2, "failed": 1, "skipped": 1})
