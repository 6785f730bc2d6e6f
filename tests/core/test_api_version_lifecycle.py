"""API version lifecycle: warning 90 days before end of support (form + health), answers that fell
forward or flagged a deprecated use are logged and recorded."""

from datetime import date, datetime
from types import SimpleNamespace

from freezegun import freeze_time

from odoo.tests import Form

from ...services import api_versions
from ..common import ShopifyCase


class TestApiVersionLifecycle(ShopifyCase):
    def test_support_warning_window(self):
        end = api_versions.end_of_support("2026-01")
        self.assertEqual(end, date(2027, 1, 1))
        self.assertIsNone(api_versions.support_warning("2026-01", date(2026, 10, 2)))  # 91 days left
        warning = api_versions.support_warning("2026-01", date(2026, 10, 3))  # 90 days left
        self.assertIn("2027-01-01 (90 days)", warning)
        self.assertIn(api_versions.DEFAULT_API_VERSION, warning)
        self.assertIn("left support", api_versions.support_warning("2026-01", date(2027, 1, 1)))
        self.assertIn("not supported", api_versions.support_warning("2025-01", date(2026, 1, 1)))

    def test_shop_form_shows_the_warning(self):
        shop = self.create_shop(api_version="2026-01")
        with freeze_time("2026-11-25"):
            shop.invalidate_recordset(["api_version_warning"])
            form = Form(shop)
            self.assertIn("leaves support on 2027-01-01 (37 days)", form.api_version_warning)
            self.assertEqual(str(form.api_version_end_of_support), "2027-01-01")
            form.api_version = "2026-10"
            self.assertFalse(form.api_version_warning)
        arch = self.env["shopify.shop"].get_view(view_type="form")["arch"]
        self.assertIn("o_shopify_api_version_warning", arch)

    def test_health_reports_version_and_deprecated_calls(self):
        shop = self.create_shop(api_version="2026-01")
        calls = self.env["shopify.api.call"]
        calls.create(
            {
                "shop_id": shop.id,
                "operation": "products_page",
                "outcome": "ok",
                "called_at": datetime(2026, 11, 24, 12),
                "deprecated_reason": "https://shopify.dev/changelog/some-field-deprecated",
            }
        )
        calls.create(
            {
                "shop_id": shop.id,
                "operation": "shop_info",
                "outcome": "ok",
                "called_at": datetime(2026, 11, 24),
            }
        )
        health = self.env["shopify.health"]._snapshot(shop, now=datetime(2026, 11, 25))[shop.id][
            "api_version"
        ]
        self.assertEqual(health["version"], "2026-01")
        self.assertEqual(health["end_of_support"], "2027-01-01")
        self.assertIn("37 days", health["warning"])
        self.assertEqual(health["deprecated_calls_7d"], 1)
        self.assertEqual(health["deprecated_reason"], "https://shopify.dev/changelog/some-field-deprecated")
        later = self.env["shopify.health"]._snapshot(shop, now=datetime(2026, 12, 5))[shop.id]["api_version"]
        self.assertEqual(later["deprecated_calls_7d"], 0)

    def test_fell_forward_and_deprecated_answers_are_logged_and_recorded(self):
        shop = self.create_shop(api_version="2026-01", api_base_url="http://127.0.0.1:9")
        client = shop._shopify_client()
        response = SimpleNamespace(
            status_code=200,
            headers={
                "X-Shopify-API-Version": "2026-04",
                "X-Shopify-API-Deprecated-Reason": "https://x/deprecated",
            },
        )
        with self.assertLogs("odoo.addons.shopify_sync.services.client", "WARNING") as logs:
            client._record("shop_info", 1, 1.0, {}, 0.01, 0.0, response=response)
        self.assertIn("requested API version 2026-01, answered with 2026-04", logs.output[0])
        self.assertIn("https://x/deprecated", logs.output[1])
        call = self.env["shopify.api.call"].search([("shop_id", "=", shop.id)])
        self.assertEqual(
            (call.response_api_version, call.deprecated_reason), ("2026-04", "https://x/deprecated")
        )
        client.close()
