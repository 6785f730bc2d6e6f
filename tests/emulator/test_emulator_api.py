"""The emulator's HTTP surface: authentication, versions, validation, the shop-level resolvers and the
client credentials grant."""

import requests

from ..common import EmulatorServerCase

SHOP_QUERY = """
query ShopInfo {
  shop { name currencyCode ianaTimezone myshopifyDomain plan { displayName shopifyPlus } }
  currentAppInstallation { accessScopes { handle } }
}
"""


class TestEmulatorApi(EmulatorServerCase):
    emulator_fake_clock = True

    def post(self, path, **kwargs):
        return requests.post(f"{self.emulator.url}{path}", timeout=10, **kwargs)

    def test_missing_or_wrong_token_is_401(self):
        for headers in ({}, {"X-Shopify-Access-Token": "wrong"}):
            response = self.post(
                "/admin/api/2026-10/graphql.json", json={"query": "{ shop { name } }"}, headers=headers
            )
            self.assertEqual(response.status_code, 401)
            self.assertEqual(
                response.json(),
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            )

    def test_unknown_version_is_404(self):
        response = self.post(
            "/admin/api/2019-13/graphql.json",
            json={"query": "{ shop { name } }"},
            headers={"X-Shopify-Access-Token": self.emulator_token},
        )
        self.assertEqual(response.status_code, 404)

    def test_shop_and_scopes(self):
        for version in ("2026-01", "2026-04", "2026-07", "2026-10"):
            body = self.graphql(SHOP_QUERY, version=version)
            shop = body["data"]["shop"]
            self.assertEqual(shop["myshopifyDomain"], "test-store.myshopify.com")
            self.assertEqual(shop["currencyCode"], "USD")
            self.assertEqual(shop["ianaTimezone"], "America/New_York")
            self.assertEqual(shop["plan"], {"displayName": "Basic", "shopifyPlus": False})
            handles = {s["handle"] for s in body["data"]["currentAppInstallation"]["accessScopes"]}
            self.assertIn("write_inventory", handles)

    def test_validation_error_has_shopify_shape(self):
        body = self.graphql("{ shop { name nmae } }")
        self.assertNotIn("data", body)
        [error] = body["errors"]
        self.assertIn("nmae", error["message"])
        self.assertEqual(error["locations"], [{"line": 1, "column": 15}])
        self.assertEqual(error["extensions"]["code"], "undefinedField")

    def test_validation_uses_the_requested_version(self):
        # compareQuantity exists in 2026-01 and was removed in 2026-04 (shopify-api-facts §5).
        document = """mutation {
          inventorySetQuantities(input: {name: "available", reason: "correction", quantities: [
            {inventoryItemId: "gid://shopify/InventoryItem/1", locationId: "gid://shopify/Location/1",
             quantity: 1, compareQuantity: 0}]}) { userErrors { code } }
        }"""
        body = self.graphql(document, version="2026-01")
        self.assertNotIn("errors", body)
        self.assertEqual(
            body["data"]["inventorySetQuantities"]["userErrors"][0]["code"], "INVALID_INVENTORY_ITEM"
        )
        body = self.graphql(document, version="2026-10")
        self.assertNotIn("data", body)
        self.assertEqual(body["errors"][0]["extensions"]["code"], "argumentLiteralsIncompatible")
        self.assertIn("compareQuantity", body["errors"][0]["message"])

    def test_parse_error(self):
        body = self.graphql("{ shop { name ")
        self.assertEqual(body["errors"][0]["extensions"]["code"], "PARSE_ERROR")
        self.assertIn("locations", body["errors"][0])

    def test_locations(self):
        self.emu_shop.add_location("Back store", is_active=False)
        body = self.graphql("{ locations(first: 10) { nodes { id name isActive } } }")
        names = [n["name"] for n in body["data"]["locations"]["nodes"]]
        self.assertEqual(names, ["Main warehouse"])
        body = self.graphql("{ locations(first: 10, includeInactive: true) { nodes { name } } }")
        self.assertEqual(len(body["data"]["locations"]["nodes"]), 2)

    def test_client_credentials_grant_and_expiry(self):
        response = self.post(
            "/admin/oauth/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.emulator_client_id,
                "client_secret": self.emulator_client_secret,
            },
        )
        self.assertEqual(response.status_code, 200)
        grant = response.json()
        self.assertEqual(grant["expires_in"], 86399)
        self.assertIn("read_products", grant["scope"].split(","))
        body = self.graphql("{ shop { name } }", token=grant["access_token"])
        self.assertEqual(body["data"]["shop"]["name"], "Test Store")
        self.clock.advance(86399)
        self.graphql("{ shop { name } }", token=grant["access_token"], expect_status=401)

    def test_client_credentials_wrong_secret(self):
        response = self.post(
            "/admin/oauth/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.emulator_client_id,
                "client_secret": "nope",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"], "invalid_client")
        self.assertNotIn("access_token", response.json())

    def test_node_lookup(self):
        [product] = self.emu_shop.seed_products(1)
        body = self.graphql(
            "query($id: ID!) { node(id: $id) { id ... on Product { title } } }", {"id": product.gid}
        )
        self.assertEqual(body["data"]["node"], {"id": product.gid, "title": product.title})

    def test_expired_tokens_are_refused(self):
        grant = self.post(
            "/admin/oauth/access_token",
            json={
                "grant_type": "client_credentials",
                "client_id": self.emulator_client_id,
                "client_secret": self.emulator_client_secret,
            },
        ).json()
        self.graphql("{ shop { name } }", token=grant["access_token"])
        self.emulator.expire_tokens(self.emulator_domain)
        self.graphql("{ shop { name } }", token=grant["access_token"], expect_status=401)
        self.graphql("{ shop { name } }")  # the static token is not affected

    def test_product_variants_query(self):
        self.emu_shop.seed_products(2, max_options=1, max_values=2)
        sku = next(iter(self.emu_shop.variants.values())).sku
        body = self.graphql(
            "query($q: String) { productVariants(first: 10, query: $q) { nodes { sku product { title } } } }",
            {"q": f"sku:{sku}"},
        )
        [variant] = body["data"]["productVariants"]["nodes"]
        self.assertEqual(variant["sku"], sku)
        self.assertTrue(variant["product"]["title"])
