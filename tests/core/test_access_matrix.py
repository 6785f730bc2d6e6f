"""Every public method the addon defines checks its caller as models/core/access.py declares.

The methods are found by introspection (every class of this addon in the registry, every name Odoo's RPC
layer would let a client call), so a new public method that is not in the matrix fails here. Each one is
then called as a portal user, a plain internal user, a Shopify user and a Shopify manager.
"""

import datetime

from odoo import fields
from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import new_test_user, tagged

from ...models.core.access import EXTENDED_ODOO_METHODS, MANAGER, METHOD_ACCESS, USER
from ..common import EmulatorCase
from ..inventory_common import InventoryFixtures
from ..payloads import orders as order_payloads

ADDON_PACKAGE = "odoo.addons.shopify_sync."

# Context a button passes (the form's `context` attribute): without it the method has nothing to do.
BUTTON_CONTEXT = {("shopify.shop", "action_setup_run_task"): {"setup_step": "orders_import"}}


def _is_addon_class(cls):
    return cls.__module__.startswith(ADDON_PACKAGE)


def addon_public_methods(env):
    """{model: {method, …}}: the RPC-callable methods that classes of this addon define."""
    found = {}
    for model_name in env.registry:
        model = env[model_name]
        for cls in type(model).mro():
            if not _is_addon_class(cls):
                continue
            for name, value in vars(cls).items():
                if name.startswith("_") or not callable(value):
                    continue
                try:
                    get_public_method(model, name)  # Odoo's own gate: names with "_", @api.private
                except AccessError:
                    continue
                found.setdefault(model_name, set()).add(name)
    return found


class _RolledBack(Exception):
    """Raised to undo a call that succeeded (each call must see the same records)."""


@tagged("post_install", "-at_install")
class TestAccessMatrix(EmulatorCase, InventoryFixtures):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(cls.env, login="portal_customer", groups="base.group_portal")
        cls.callers = {
            "portal": cls.portal_user,
            "internal": cls.internal_user,
            "shopify user": cls.shopify_user,
            "shopify manager": cls.manager,
        }
        cls.records = cls._one_record_per_model()

    @classmethod
    def _one_record_per_model(cls):
        """A realistic record of every model with public methods, for the methods to run on."""
        env = cls.env
        shop = cls.shop
        shop.state = "connected"  # as after a connection test: the buttons that need it then run
        cls.setup_inventory()
        location = cls.make_location("Main", stock_location_id=cls.stock.id)
        variant = cls.make_bound_variants(1)
        level = env["shopify.inventory.level"].create(
            {"variant_binding_id": variant.id, "location_id": location.id}
        )
        payload = order_payloads.eu_tax_included()
        order = env["shopify.order.binding"].create(
            {
                "name": payload["name"],
                "shop_id": shop.id,
                "shopify_gid": payload["admin_graphql_api_id"],
                "state": "held",
                "hold_kind": "tax_mapping",
                "hold_reason": "No tax mapping for 19 %",
                "needs_review": True,
                "payload": payload,
                "payload_source": "rest",
            }
        )
        job = env["shopify.queue.job"]._enqueue(shop, "inventory_sync", dedupe_key="inventory_sync")
        job.write({"state": "failed", "last_error_type": "UserError", "last_error_message": "Broken"})
        env["shopify.sync.log"]._open(shop, "queue")
        env["shopify.webhook.event"]._ingest(shop, "products/update", "access-matrix-1", "{}", {})
        env.flush_all()
        as_manager = {"shop_id": shop.id}
        records = {
            "shopify.shop": shop,
            "shopify.order.binding": order,
            "shopify.queue.job": job,
            "shopify.dashboard.failure": env["shopify.dashboard.failure"].search([("shop_id", "=", shop.id)]),
            "shopify.dashboard.sync.kind": env["shopify.dashboard.sync.kind"].search(
                [("shop_id", "=", shop.id)]
            ),
            "shopify.dashboard.webhook.topic": env["shopify.dashboard.webhook.topic"].search(
                [("shop_id", "=", shop.id)]
            ),
            "shopify.payout": env["shopify.payout"].create(
                {
                    "shop_id": shop.id,
                    "shopify_gid": "gid://shopify/ShopifyPaymentsPayout/4242",
                    "status": "PAID",
                }
            ),
            "shopify.completeness.report": env["shopify.completeness.report"].create(
                {"shop_id": shop.id, "day": datetime.date(2026, 10, 21), "timezone": "Europe/Brussels"}
            ),
            "shopify.bulk.operation": env["shopify.bulk.operation"].create(
                {
                    "shop_id": shop.id,
                    "kind": "products_import",
                    "operation_gid": "gid://shopify/BulkOperation/424242",
                    "status": "running",
                }
            ),
            "shopify.inventory.change": env["shopify.inventory.change"].create(
                {"level_id": level.id, "quantity_before": 5, "quantity_after": 3, "outcome": "manual"}
            ),
            "shopify.product.conflict": env["shopify.product.conflict"].create(
                {
                    "binding_id": variant.product_binding_id.id,
                    "field_name": "name",
                    "scope": "product",
                    "odoo_value": '"Mug 0"',
                    "shopify_value": '"Mug zero"',
                    "policy": "odoo",
                    "winner": "odoo",
                }
            ),
            "shopify.privacy.request": env["shopify.privacy.request"].create(
                {
                    "name": "Data request of 42",
                    "shop_id": shop.id,
                    "customer_gid": "gid://shopify/Customer/42",
                    "due_date": datetime.date(2026, 11, 30),
                }
            ),
            "product.template": variant.product_id.product_tmpl_id,
            # Wizards are transient: only the user who made one may open it, so the manager makes them.
            "shopify.product.export.wizard": env["shopify.product.export.wizard"]
            .with_user(cls.manager)
            .create(
                {
                    **as_manager,
                    "product_tmpl_ids": [fields.Command.set(variant.product_id.product_tmpl_id.ids)],
                }
            ),
            "shopify.product.import.wizard": env["shopify.product.import.wizard"]
            .with_user(cls.manager)
            .create({**as_manager, "mode": "all"}),
            "shopify.reconcile.wizard": env["shopify.reconcile.wizard"]
            .with_user(cls.manager)
            .create({**as_manager, "dry_run": True}),
        }
        for model_name, record in records.items():
            assert len(record) == 1, f"fixture for {model_name}: {record}"
        return records

    # --------------------------------------------------------------------------------------------
    # Helpers
    # --------------------------------------------------------------------------------------------
    def _call(self, user, model_name, method, record=None):
        """Call `method` as `user` and undo whatever it did: None when it ran, else the exception."""
        record = record if record is not None else self.records[model_name]
        context = BUTTON_CONTEXT.get((model_name, method), {})
        try:
            with self.env.cr.savepoint():
                getattr(record.with_user(user).with_context(**context), method)()
                raise _RolledBack()
        except _RolledBack:
            return None
        except Exception as error:  # every outcome is reported to the caller
            return error

    def _state(self):
        """What a refused call must not have touched: Shopify, the queue, crons, the shop, chatter."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """
            SELECT (SELECT count(*) FROM shopify_queue_job),
                   (SELECT count(*) FROM shopify_setup_task),
                   (SELECT count(*) FROM shopify_bulk_operation),
                   (SELECT count(*) FROM shopify_order_binding WHERE needs_review),
                   (SELECT count(*) FROM mail_message),
                   (SELECT array_agg(id ORDER BY id) FROM ir_cron WHERE active),
                   (SELECT max(write_date) FROM shopify_shop),
                   (SELECT max(write_date) FROM shopify_queue_job)
            """
        )
        return {"emulator requests": self.emu_shop.counters["requests"], "database": cr.fetchone()}

    def _refused(self, login, level):
        return login in ("portal", "internal") or (login == "shopify user" and level == MANAGER)

    # --------------------------------------------------------------------------------------------
    # Tests
    # --------------------------------------------------------------------------------------------
    def test_every_public_method_of_the_addon_is_in_the_matrix(self):
        found = addon_public_methods(self.env)
        declared = {}
        for model_name, methods in METHOD_ACCESS.items():
            declared.setdefault(model_name, set()).update(methods)
        for model_name, methods in EXTENDED_ODOO_METHODS.items():
            declared.setdefault(model_name, set()).update(methods)
        undeclared = {model: sorted(names - declared.get(model, set())) for model, names in found.items()}
        undeclared = {model: names for model, names in undeclared.items() if names}
        self.assertFalse(
            undeclared,
            "Public methods without an access level: add them to METHOD_ACCESS in models/core/access.py "
            "(and call check_shopify_access first thing), or make them private with a leading _",
        )
        stale = {model: sorted(names - found.get(model, set())) for model, names in declared.items()}
        self.assertFalse(
            {model: names for model, names in stale.items() if names}, "matrix lists methods gone"
        )
        # Sanity of the introspection itself: shop buttons and the product template's are found.
        self.assertIn("action_setup_activate_crons", found["shopify.shop"])
        self.assertIn("action_view_shopify_bindings", found["product.template"])
        self.assertTrue(all(level in (USER, MANAGER) for m in METHOD_ACCESS.values() for level in m.values()))

    def test_extended_odoo_methods_are_odoo_methods(self):
        """Only names Odoo itself defines may skip the check (their ACLs and record rules decide)."""
        for model_name, methods in EXTENDED_ODOO_METHODS.items():
            classes = type(self.env[model_name]).mro()
            for method in methods:
                with self.subTest(model=model_name, method=method):
                    self.assertTrue(
                        any(method in vars(cls) for cls in classes if not _is_addon_class(cls)),
                        f"{model_name}.{method} is not an Odoo method: declare it in METHOD_ACCESS",
                    )

    def test_every_caller_gets_what_the_matrix_says(self):
        self.assertEqual(set(self.records), set(METHOD_ACCESS), "one fixture record per model in the matrix")
        for model_name, methods in METHOD_ACCESS.items():
            for method, level in methods.items():
                for login, user in self.callers.items():
                    with self.subTest(model=model_name, method=method, caller=login):
                        before = self._state()
                        error = self._call(user, model_name, method)
                        if self._refused(login, level):
                            self.assertIsInstance(error, AccessError, f"{login} ran {model_name}.{method}")
                            self.assertIn("Shopify", str(error))  # names the group it takes
                            self.assertEqual(self._state(), before, "a refused call changed something")
                        else:
                            # Missing state or arguments (UserError…) are fine; a refusal is not.
                            self.assertNotIsInstance(
                                error, AccessError, f"{login} refused {model_name}.{method}"
                            )

    def test_non_managers_cannot_use_the_orm_methods_the_addon_extends(self):
        """create/write/unlink of shopify.* models stay with the ACLs: read-only below manager."""
        for model_name, methods in EXTENDED_ODOO_METHODS.items():
            if not model_name.startswith("shopify."):
                continue
            Model = self.env[model_name]
            record = Model.search([], limit=1)
            self.assertTrue(record, f"no {model_name} record to try on")
            calls = {
                "create": lambda model, _record: model.create({}),
                "write": lambda _model, record: record.write({}),
                "unlink": lambda _model, record: record.unlink(),
            }
            for method in methods:
                for login in ("portal", "internal", "shopify user"):
                    user = self.callers[login]
                    with (
                        self.subTest(model=model_name, method=method, caller=login),
                        self.assertRaises(AccessError),
                    ):
                        calls[method](Model.with_user(user), record.with_user(user))

    def test_refused_shop_buttons_reach_neither_shopify_nor_the_crons(self):
        """The probes' findings, one by one: nothing happens for callers without the manager group."""
        crons = self.shop._setup_crons().with_context(active_test=False)
        crons.write({"active": False})
        shop = self.shop
        for user in (self.portal_user, self.internal_user, self.shopify_user):
            requests = self.emu_shop.counters["requests"]
            for method in (
                "action_setup_activate_crons",
                "action_test_connection",
                "action_fetch_locations",
                "action_push_inventory_now",
                "action_register_webhooks",
                "action_reconcile_inventory",
            ):
                with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                    getattr(shop.with_user(user), method)()
            with (
                self.subTest(user=user.login, method="action_setup_run_task"),
                self.assertRaises(AccessError),
            ):
                shop.with_user(user).with_context(setup_step="products_export").action_setup_run_task()
            self.assertEqual(self.emu_shop.counters["requests"], requests, "no call to Shopify")
            self.assertFalse(any(crons.mapped("active")), "crons stay inactive")
            self.assertFalse(shop.setup_task_ids, "no task queued")
        # The manager may.
        shop.with_user(self.manager).action_setup_activate_crons()
        self.assertTrue(all(crons.mapped("active")))
        shop.with_user(self.manager).action_test_connection()
        self.assertEqual(shop.state, "connected")
        self.assertGreater(self.emu_shop.counters["requests"], 0)

    def test_managers_act_only_on_shops_their_companies_see(self):
        other = self.env["res.company"].create({"name": "Other Shopify Co"})
        other_manager = new_test_user(
            self.env,
            login="other_company_manager",
            groups="shopify_sync.group_shopify_manager,base.group_user",
            company_id=other.id,
            company_ids=[fields.Command.set(other.ids)],
        )
        requests = self.emu_shop.counters["requests"]
        with self.assertRaises(AccessError):
            self.shop.with_user(other_manager).action_test_connection()
        self.assertEqual(self.emu_shop.counters["requests"], requests)

    def test_refusal_names_the_group(self):
        with self.assertRaisesRegex(AccessError, "Shopify / Manager"):
            self.shop.with_user(self.shopify_user).action_test_connection()
        with self.assertRaisesRegex(AccessError, "Shopify / User"):
            self.shop.with_user(self.internal_user).action_view_orders()

    def test_queue_and_crons_run_as_superuser_pass(self):
        """Internal callers run as superuser (crons as OdooBot, the queue under sudo): the check lets them
        through, e.g. the setup task that publishes products calls the export wizard's button."""
        self.assertTrue(self.shop.with_user(self.portal_user).sudo().action_view_orders())
        shop = self.shop.with_user(self.manager).with_context(setup_step="products_export")
        shop.action_setup_run_task()
        task = self.shop.setup_task_ids
        job = self.env["shopify.queue.job"].search(
            [("kind", "=", "setup_task"), ("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(len(job), 1)
        job._run()  # what the queue cron does, as superuser
        self.assertEqual(job.state, "done", job.last_error_message)
        self.assertEqual(task.state, "done", task.message)


@tagged("post_install", "-at_install")
class TestPersonalData(EmulatorCase):
    """Order bodies (name, e-mail, phone, addresses) and links to raw Shopify results: managers only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        payload = order_payloads.eu_tax_included()
        cls.order = cls.env["shopify.order.binding"].create(
            {
                "name": payload["name"],
                "shop_id": cls.shop.id,
                "shopify_gid": payload["admin_graphql_api_id"],
                "payload": payload,
                "payload_source": "rest",
            }
        )
        cls.operation = cls.env["shopify.bulk.operation"].create(
            {
                "shop_id": cls.shop.id,
                "kind": "orders_reconcile",
                "url": "https://storage.example/result.jsonl",
            }
        )

    def test_shopify_user_cannot_read_order_payloads(self):
        order = self.order.with_user(self.shopify_user)
        self.assertEqual(order.read(["name"])[0]["name"], "#1042")  # the order itself stays visible
        for field_name in ("payload",):
            with self.subTest(field=field_name):
                self.assertNotIn(field_name, order.fields_get())
                with self.assertRaises(AccessError):
                    order.read([field_name])
                with self.assertRaises(AccessError):
                    order.search_read([("id", "=", order.id)], [field_name])
        # A full read() (no field list) leaves the body out instead of failing.
        self.assertNotIn("payload", order.read()[0])
        self.assertNotIn("ana@example.org", str(order.read()[0]))

    def test_manager_reads_order_payloads(self):
        values = self.order.with_user(self.manager).read(["payload"])[0]
        self.assertEqual(values["payload"]["email"], "ana@example.org")

    def test_bulk_result_links_are_for_managers(self):
        operation = self.operation.with_user(self.shopify_user)
        self.assertEqual(operation.read(["kind"])[0]["kind"], "orders_reconcile")
        with self.assertRaises(AccessError):
            operation.read(["url"])
        self.assertEqual(
            self.operation.with_user(self.manager).read(["url"])[0]["url"],
            "https://storage.example/result.jsonl",
        )

    def test_raw_webhook_bodies_stay_for_managers(self):
        event = self.env["shopify.webhook.event"]._ingest(
            self.shop, "orders/create", "personal-data-1", '{"email": "ana@example.org"}', {}
        )
        with self.assertRaises(AccessError):
            event.with_user(self.shopify_user).read(["raw_body"])
        self.assertIn("ana@example.org", event.with_user(self.manager).read(["raw_body"])[0]["raw_body"])

    def test_views_still_open_for_shopify_users(self):
        for model_name in ("shopify.order.binding", "shopify.bulk.operation", "shopify.webhook.event"):
            with self.subTest(model=model_name):
                views = self.env[model_name].with_user(self.shopify_user).get_views([(False, "form")])
                arch = views["views"]["form"]["arch"]
                self.assertNotIn('name="payload"', arch)
                self.assertNotIn('name="url"', arch)
                self.assertNotIn('name="raw_body"', arch)
