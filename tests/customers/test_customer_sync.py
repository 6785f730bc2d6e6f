"""The customer sync against the emulator: the poll (ids first, full reads only for what changed) picks
up customers whose webhook was dropped; the reconciliation part reports and backfills; the export makes
Shopify customers of tagged contacts only, never twice; mapped fields follow the mapping's directions and
conflict policy; marketing consent round-trips both ways with its date."""

from datetime import timedelta

import requests

from odoo.tests import tagged
from odoo.tools import mute_logger

from ...emulator import webhooks
from ...models.core.sync_state import CUSTOMER_POLL, CUSTOMER_RECONCILE
from ...services.mapping import customers as mapping
from ..common import EmulatorCase

QUEUE_LOGGER = "odoo.addons.shopify_sync.models.engine.queue_job"

BEA = {"first_name": "Bea", "last_name": "Nagel", "email": "bea@example.org", "phone": "+49 30 555 0202",
       "tags": ["Newsletter"], "email_consent": {"state": "SUBSCRIBED", "opt_in_level": "SINGLE_OPT_IN"},
       "address": {"first_name": "Bea", "last_name": "Nagel", "address1": "Unter den Linden 5",
                   "city": "Berlin", "zip": "10117", "country_code": "DE"}}  # fmt: skip


@tagged("post_install", "-at_install")
class TestCustomerSync(EmulatorCase):
    emulator_fake_clock = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop.write({"state": "connected"})
        cls.export_tag = cls.env["res.partner.category"].create({"name": "Shopify export"})

    def setUp(self):
        super().setUp()
        with self.emu_shop.lock:
            for topic in ("CUSTOMERS_CREATE", "CUSTOMERS_UPDATE"):
                webhooks.create_subscription(
                    self.emu_shop, topic, {"uri": "http://odoo.invalid/hook"}, "2026-10"
                )
        self.posted = self.capture_webhook_deliveries()

    # -- helpers ---------------------------------------------------------------------------------------
    def admin(self, path, body=None):
        response = requests.post(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}/{path}", json=body or {}, timeout=10
        )
        self.assertLess(response.status_code, 300, response.text)
        return response.json()

    def deliver_all(self):
        self.assertTrue(self.emulator.webhooks.flush(timeout=10))
        jobs = self.env["shopify.queue.job"]
        with mute_logger(QUEUE_LOGGER):
            for body, headers in self.posted:
                jobs |= self.run_delivery(body, headers)
        self.posted.clear()
        for job in jobs:
            self.assertIn(job.state, ("done", "skipped"), job.last_error_message)
        return jobs

    def binding(self, gid):
        return self.env["shopify.customer.binding"].search(
            [("shop_id", "=", self.shop.id), ("shopify_gid", "=", gid)]
        )

    def emu_customer(self, gid):
        return self.emu_shop.customers.get(int(gid.rsplit("/", 1)[1]))

    def emu_by_email(self, email):
        return [c for c in self.emu_shop.customers.values() if c.email == email]

    def run_export_jobs(self):
        jobs = self.env["shopify.queue.job"].search(
            [("shop_id", "=", self.shop.id), ("kind", "=", "customer_export"), ("state", "=", "pending")]
        )
        for job in jobs:
            job._run()
            self.assertEqual(job.state, "done", job.last_error_message)
        return jobs

    def enable_export(self):
        self.shop.write(
            {"customer_export_enabled": True, "customer_export_category_ids": [(6, 0, self.export_tag.ids)]}
        )

    def contact(self, name, email=None, phone=None, tagged_for_export=True, **values):
        return self.env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "phone": phone,
                "category_id": [(6, 0, self.export_tag.ids)] if tagged_for_export else [],
                **values,
            }
        )

    def full_reads(self):
        return self.emu_shop.operations.get("CustomersByIds", 0)

    # -- scopes ----------------------------------------------------------------------------------------
    def test_customer_scopes_are_required(self):
        required = self.shop._shopify_required_scopes()
        for scope in ("read_customers", "write_customers", "read_customer_merge"):
            self.assertIn(scope, required)
        self.addCleanup(setattr, self.emu_shop, "scopes", self.emu_shop.scopes)
        self.emu_shop.scopes = tuple(s for s in self.emu_shop.scopes if s != "write_customers")
        self.shop.with_user(self.manager).action_test_connection()
        self.assertEqual(self.shop.missing_scopes, "write_customers", "read_customers is granted")

    # -- mapping ---------------------------------------------------------------------------------------
    def test_graphql_customer_maps_like_the_webhook_body(self):
        created = self.admin("customers", {**BEA, "addresses": [{"address1": "Hafen 9", "city": "Hamburg",
                                                                 "country_code": "DE"}]})  # fmt: skip
        node = self.direct_client().execute("customers_by_ids", {"ids": [created["id"]]})["nodes"][0]
        from_graphql = mapping.customer_from_graphql(node)
        self.assertTrue(self.emulator.webhooks.flush(timeout=10))
        body, _headers = self.posted[-1]
        import json

        from_rest = mapping.customer_from_rest(json.loads(body))
        self.assertEqual(from_graphql["gid"], created["id"])
        self.assertEqual(from_graphql["email"], "bea@example.org")
        self.assertEqual(from_graphql["email_consent"]["state"], "subscribed")
        self.assertEqual(len(from_graphql["addresses"]), 1, "the default address is not repeated")
        for key in ("first_name", "last_name", "email", "phone", "tags", "tax_exempt", "default_address",
                    "addresses", "updated_at"):  # fmt: skip
            self.assertEqual(from_graphql[key], from_rest[key], key)
        self.assertEqual(from_graphql["email_consent"], from_rest["email_consent"])

    # -- poll --------------------------------------------------------------------------------------------
    def test_poll_picks_up_a_customer_whose_webhook_was_dropped(self):
        self.emu_shop.set_faults(webhook_drop_rate=1.0)
        created = self.admin("customers", BEA)
        self.assertTrue(self.emulator.webhooks.flush(timeout=10))
        self.assertEqual(self.posted, [], "the delivery was dropped")
        self.assertIn(
            "dropped", [entry["state"] for entry in self.emulator.webhooks.log(self.emulator_domain)]
        )
        self.assertFalse(self.binding(created["id"]))

        run = self.shop._run_sync("customers")
        self.assertEqual(run.state, "done", run.error_summary)
        binding = self.binding(created["id"])
        self.assertEqual(binding.partner_id.name, "Bea Nagel")
        self.assertEqual(binding.partner_id.email, "bea@example.org")
        self.assertEqual(binding.partner_id.shopify_email_consent, "subscribed")
        self.assertEqual(binding.match_rule, "created")
        watermark = self.shop._state_row(CUSTOMER_POLL).watermark
        self.assertEqual(watermark, binding.shopify_updated_at)

        # Nothing changed: the next poll reads ids only.
        reads = self.full_reads()
        self.shop._run_sync("customers")
        self.assertEqual(self.full_reads(), reads, "an applied customer is not read again in full")

        # A change whose webhook is dropped too arrives with the next poll.
        self.clock.advance(600)
        self.admin(f"customers/{created['id']}", {"last_name": "Nagel-Roth", "tags": ["Newsletter", "VIP"]})
        self.shop._run_sync("customers")
        self.assertEqual(binding.partner_id.name, "Bea Nagel-Roth")
        self.assertIn("VIP", binding.partner_id.category_id.mapped("name"))
        self.assertGreater(self.shop._state_row(CUSTOMER_POLL).watermark, watermark)

    # -- reconciliation ----------------------------------------------------------------------------------
    def test_reconciliation_reports_then_backfills_missing_customers(self):
        self.emu_shop.set_faults(webhook_drop_rate=1.0)
        first = self.admin("customers", BEA)
        second = self.admin(
            "customers", {"first_name": "Cem", "last_name": "Aydin", "email": "cem@example.org"}
        )
        known = self.admin("customers", {"first_name": "Dora", "email": "dora@example.org"})
        self.env["shopify.customer.import"]._import(
            self.shop,
            mapping.customer_from_graphql(
                self.direct_client().execute("customers_by_ids", {"ids": [known["id"]]})["nodes"][0]
            ),
        )
        gone_partner = self.env["res.partner"].create({"name": "Gone Customer"})
        self.env["shopify.customer.binding"]._bind(
            self.shop, gone_partner, "gid://shopify/Customer/999999", "created"
        )

        dry = self.shop.with_context(shopify_reconcile_parts=["customers"], shopify_reconcile_dry_run=True)
        counts = dry._reconcile()
        report = self.shop._state_row(CUSTOMER_RECONCILE).details
        self.assertEqual((report["missing"], report["stale"], report["gone"]), (2, 0, 1))
        self.assertEqual(sorted(report["missing_gids"]), sorted([first["id"], second["id"]]))
        self.assertEqual(report["gone_gids"], ["gid://shopify/Customer/999999"])
        self.assertEqual(counts["skipped"], 2)
        self.assertFalse(self.binding(first["id"]), "a dry run changes nothing")

        counts = self.shop.with_context(shopify_reconcile_parts=["customers"])._reconcile()
        report = self.shop._state_row(CUSTOMER_RECONCILE).details
        self.assertEqual((report["backfilled"], report["failed"]), (2, 0))
        self.assertEqual(counts["ok"], 2)
        self.assertEqual(self.binding(second["id"]).partner_id.name, "Cem Aydin")
        self.assertEqual(self.binding(first["id"]).partner_id.email, "bea@example.org")

    # -- export ------------------------------------------------------------------------------------------
    def test_export_is_off_by_default(self):
        self.contact("Ela Stein", "ela@example.org")
        self.assertFalse(self.shop.customer_export_enabled)
        self.shop._run_sync("customers")
        self.assertEqual(self.emu_by_email("ela@example.org"), [])

    def test_export_of_tagged_contacts_only_and_never_twice(self):
        self.enable_export()
        ela = self.contact("Ela Marie Stein", "Ela@Example.org", "+49 89 555 0303", comment="Gate code 12",
                           shopify_email_consent="subscribed")  # fmt: skip
        untagged = self.contact("Finn Roth", "finn@example.org", tagged_for_export=False)
        unreachable = self.contact("No Address")  # neither e-mail nor phone: Shopify cannot file it
        # A customer Shopify already has with the contact's e-mail is linked, not duplicated.
        existing = self.admin(
            "customers", {"first_name": "Gül", "last_name": "Kaya", "email": "gul@example.org"}
        )
        gul = self.contact("Gül Kaya", "gul@example.org")

        run = self.shop._run_sync("customers")
        self.assertEqual(run.state, "done", run.error_summary)
        [remote] = self.emu_by_email("ela@example.org")
        self.assertEqual((remote.first_name, remote.last_name), ("Ela Marie", "Stein"))
        self.assertEqual(remote.phone, "+49 89 555 0303")
        self.assertEqual(remote.note, "Gate code 12")
        self.assertEqual(remote.tags, ["Shopify export"])
        self.assertEqual(remote.email_consent["state"], "SUBSCRIBED")
        self.assertEqual(self.emu_by_email("finn@example.org"), [], "an untagged contact stays in Odoo")
        self.assertFalse(untagged.shopify_customer_binding_ids)
        self.assertFalse(unreachable.shopify_customer_binding_ids)
        ela_binding = ela.shopify_customer_binding_ids
        self.assertEqual((ela_binding.match_rule, ela_binding.shopify_gid), ("exported", remote.gid))
        self.assertEqual(gul.shopify_customer_binding_ids.match_rule, "email")
        self.assertEqual(gul.shopify_customer_binding_ids.shopify_gid, existing["id"])
        self.assertEqual(len(self.emu_by_email("gul@example.org")), 1)

        count = len(self.emu_shop.customers)
        creates = self.emu_shop.operations.get("CustomerCreate", 0)
        self.deliver_all()  # the echo of our own customerCreate changes nothing
        self.shop._run_sync("customers")
        self.shop._run_sync("customers")
        self.assertEqual(len(self.emu_shop.customers), count, "a re-run creates no twin")
        self.assertEqual(self.emu_shop.operations.get("CustomerCreate", 0), creates)
        self.assertEqual(len(ela.shopify_customer_binding_ids), 1)
        self.assertEqual(ela.name, "Ela Marie Stein")

    def test_odoo_changes_follow_the_mapping_directions_and_conflict_policy(self):
        self.enable_export()
        ela = self.contact("Ela Stein", "ela@example.org", "+49 89 555 0303")
        self.shop._run_sync("customers")
        binding = ela.shopify_customer_binding_ids
        remote = self.emu_customer(binding.shopify_gid)
        self.deliver_all()
        phone_line = self.shop.customer_field_mapping_ids.filtered(lambda line: line.shopify_field == "phone")
        phone_line.direction = "shopify_to_odoo"

        ela.write({"name": "Ela Berger", "phone": "+49 89 555 9999"})
        self.assertTrue(binding.export_pending)
        self.run_export_jobs()
        self.assertEqual((remote.first_name, remote.last_name), ("Ela", "Berger"))
        self.assertEqual(remote.phone, "+49 89 555 0303", "a Shopify → Odoo field is never sent")
        self.assertFalse(binding.export_pending)

        # Both sides change the note: Odoo wins by default; Shopify's tax exemption (only Shopify moved)
        # comes to Odoo in the same merge.
        self.clock.advance(60)
        self.admin(f"customers/{binding.shopify_gid}", {"note": "Shopify note", "tax_exempt": True})
        self.posted.clear()  # that webhook is lost: the export's merge must still see Shopify's change
        ela.write({"comment": "Odoo note"})
        self.run_export_jobs()
        self.assertEqual(remote.note, "Odoo note")
        self.assertTrue(ela.shopify_tax_exempt)
        self.assertTrue(ela.message_ids.filtered(lambda m: "both changed" in (m.body or "")))

        # Shopify wins when the policy says so.
        note_line = self.shop.customer_field_mapping_ids.filtered(lambda line: line.shopify_field == "note")
        note_line.conflict_policy = "shopify"
        self.clock.advance(60)
        self.admin(f"customers/{binding.shopify_gid}", {"note": "Shopify again"})
        self.posted.clear()
        ela.write({"comment": "Odoo again"})
        self.run_export_jobs()
        self.assertEqual(remote.note, "Shopify again")
        self.assertIn("Shopify again", ela.comment)

    # -- consent -----------------------------------------------------------------------------------------
    def test_consent_round_trips_both_ways_with_its_date(self):
        self.enable_export()
        ela = self.contact("Ela Stein", "ela@example.org", "+49 89 555 0303")
        self.shop._run_sync("customers")
        binding = ela.shopify_customer_binding_ids
        remote = self.emu_customer(binding.shopify_gid)
        self.deliver_all()
        self.assertIsNone(remote.email_consent)

        # Odoo → Shopify: e-mail and SMS consent, with the date the customer gave it.
        given = self.emulator_now() - timedelta(hours=2)
        ela.write({"shopify_email_consent": "subscribed", "shopify_email_consent_at": given,
                   "shopify_sms_consent": "subscribed"})  # fmt: skip
        self.assertTrue(ela.shopify_sms_consent_at, "a consent change without a date is dated now")
        self.run_export_jobs()
        self.assertEqual(remote.email_consent["state"], "SUBSCRIBED")
        self.assertEqual(remote.email_consent["consent_updated_at"].replace(tzinfo=None), given)
        self.assertEqual(remote.email_consent["collected_from"], "OTHER")
        self.assertEqual(remote.sms_consent["state"], "SUBSCRIBED")
        # Its echo (customers/update) leaves Odoo's decision as it is.
        self.deliver_all()
        self.assertEqual(ela.shopify_email_consent, "subscribed")
        self.assertEqual(ela.shopify_email_consent_at, given)

        # Shopify → Odoo: the customer unsubscribes on Shopify; the webhook brings it back with its date.
        self.clock.advance(3600)
        self.admin(f"customers/{binding.shopify_gid}", {"email_consent": {"state": "UNSUBSCRIBED"}})
        self.deliver_all()
        self.assertEqual(ela.shopify_email_consent, "unsubscribed")
        self.assertEqual(ela.shopify_email_consent_at, self.emulator_now())
        self.assertFalse(binding.export_pending, "a change from Shopify is not sent back")

    def emulator_now(self):
        return self.clock.now().replace(tzinfo=None)
