"""The emulator answers a field truly or refuses it loudly: a selected field without a resolver is a
NOT_EMULATED error (never a made-up null) and a mutation selecting one applies nothing; the fields issue 23
found silently null (Location.address, Product/ProductVariant.media, Product.collections,
metafieldDefinition(identifier:), inventoryActivate) answer what the shop holds. No database, no HTTP:
documents go straight through the executor."""

from types import SimpleNamespace

from odoo.tests import BaseCase

from ...emulator import EmulatorServer, FakeClock, executor
from ...emulator.coverage import NOT_EMULATED, NotEmulatedError, object_field_emulated

DOMAIN = "fidelity.myshopify.com"
# Real schema fields the emulator does not answer (asserted below, so the tests say so if that changes).
UNANSWERED = ("Product", "feedback")

PRODUCT_SET = """
mutation Set($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product { id }
    userErrors { field message code }
  }
}
"""
ACTIVATE = """
mutation Activate($item: ID!, $location: ID!, $available: Int) {
  inventoryActivate(inventoryItemId: $item, locationId: $location, available: $available)
    @idempotent(key: "%s") {
    inventoryLevel {
      id isActive location { name } quantities(names: ["available", "on_hand"]) { name quantity }
    }
    userErrors { field message }
  }
}
"""


class DirectEmulatorCase(BaseCase):
    """One emulator shop per test, driven through `executor.execute` (what the HTTP handler calls)."""

    def setUp(self):
        super().setUp()
        self.emulator = EmulatorServer(seed=0, clock=FakeClock())
        self.shop = self.emulator.add_shop(DOMAIN, access_token="token")

    def graphql(self, query, variables=None, version="2026-10"):
        body = {"query": query, "variables": variables or {}}
        status, answer = executor.execute(
            self.emulator, self.shop, version, self.emulator.schema(version), body
        )
        self.assertEqual(status, 200, answer)
        return answer

    def data(self, query, variables=None, version="2026-10"):
        answer = self.graphql(query, variables, version)
        self.assertNotIn("errors", answer)
        return answer["data"]

    def assertNotEmulated(self, answer, type_name, field_name):
        self.assertNotIn("data", answer, "a refused document must not run")
        [error] = answer["errors"]
        self.assertEqual(error["extensions"]["code"], NOT_EMULATED)
        self.assertEqual(
            (error["extensions"]["typeName"], error["extensions"]["fieldName"]), (type_name, field_name)
        )
        self.assertIn(f"'{type_name}.{field_name}' is not emulated", error["message"])
        self.assertEqual(answer["extensions"]["cost"]["actualQueryCost"], 0)


class TestNotEmulatedIsRefused(DirectEmulatorCase):
    def setUp(self):
        super().setUp()
        self.assertFalse(object_field_emulated(*UNANSWERED), "pick another unanswered field for these tests")
        [self.product] = self.shop.seed_products(1, max_options=1, max_values=1)

    def test_query_with_an_unanswered_field_gets_an_error_not_null(self):
        answer = self.graphql("{ shop { name } products(first: 1) { nodes { title feedback { summary } } } }")
        self.assertNotEmulated(answer, *UNANSWERED)
        self.assertEqual(answer["errors"][0]["path"], ["query", "products", "nodes", "feedback"])
        self.assertEqual(self.shop.counters["requests"], 0, "refused like an invalid document: not counted")

    def test_fields_in_fragments_and_on_interfaces_are_checked(self):
        answer = self.graphql(
            "query($id: ID!) { node(id: $id) { id ...P } } "
            "fragment P on Product { title feedback { summary } }",
            {"id": self.product.gid},
        )
        self.assertNotEmulated(answer, *UNANSWERED)
        # Node.id: every type the emulator can return for a node answers it.
        node = self.data("query($id: ID!) { node(id: $id) { id } }", {"id": self.product.gid})["node"]
        self.assertEqual(node, {"id": self.product.gid})

    def test_mutation_with_an_unanswered_field_applies_nothing(self):
        before = self.shop.state()
        changes = []
        self.shop.listeners.append(lambda _shop, topic, _record: changes.append(topic))
        answer = self.graphql(
            "mutation($input: ProductSetInput!) { productSet(input: $input, synchronous: true) "
            "{ product { id feedback { summary } } userErrors { message } } }",
            {"input": {"title": "Never created"}},
        )
        self.assertNotEmulated(answer, *UNANSWERED)
        self.assertEqual(self.shop.state()["products"], before["products"])
        self.assertEqual(changes, [])
        self.assertEqual(self.shop.counters["mutations"], 0)
        self.assertEqual(self.shop.bucket.status()["currentlyAvailable"], 2000, "nothing charged")

    def test_null_values_stay_null(self):
        """The rule is about missing resolvers: a field whose real value is null answers null."""
        variant = self.shop.variants[self.product.variant_ids[0]]
        variant.barcode = None
        location = next(iter(self.shop.locations.values()))
        data = self.data(
            "query($v: ID!, $l: ID!) { productVariant(id: $v) { barcode compareAtPrice } "
            "location(id: $l) { address { city province } } "
            'metafieldDefinition(identifier: {ownerType: PRODUCT, namespace: "none", key: "none"}) { id } }',
            {"v": variant.gid, "l": location.gid},
        )
        self.assertEqual(data["productVariant"], {"barcode": None, "compareAtPrice": None})
        self.assertEqual(data["location"]["address"], {"city": None, "province": None})
        self.assertIsNone(data["metafieldDefinition"])

    def test_executor_refuses_a_value_that_cannot_answer(self):
        """The last line behind the static check: a dict answers only its keys or its declared shape, a
        record only its attributes."""
        info = SimpleNamespace(parent_type=SimpleNamespace(name="Weight"), field_name="value")
        self.assertIsNone(executor.field_resolver({}, info), "declared in Weight's shape: a true null")
        info = SimpleNamespace(parent_type=SimpleNamespace(name="Weight"), field_name="grams")
        with self.assertRaises(NotEmulatedError):
            executor.field_resolver({}, info)
        info = SimpleNamespace(parent_type=SimpleNamespace(name="Product"), field_name="feedback")
        with self.assertRaises(NotEmulatedError):
            executor.field_resolver(self.product, info)

    def test_bulk_query_with_an_unanswered_field_starts_nothing(self):
        answer = self.graphql(
            "mutation { bulkOperationRunQuery("
            'query: "{ products { edges { node { id feedback { summary } } } } }")'
            " { bulkOperation { id } userErrors { message } } }"
        )
        [error] = answer["errors"]
        self.assertEqual(error["extensions"]["code"], NOT_EMULATED)
        self.assertIn("Product.feedback", error["message"])
        self.assertIsNone(answer["data"]["bulkOperationRunQuery"])
        self.assertEqual(self.shop.bulk_operations, {})


class TestAnsweredTruly(DirectEmulatorCase):
    def test_location_address(self):
        store = self.shop.add_location(
            "City store",
            address={
                "address1": "Rue Neuve 1",
                "city": "Brussels",
                "zip": "1000",
                "country": "Belgium",
                "country_code": "BE",
                "latitude": 50.85,
            },
        )
        address = self.data(
            "query($id: ID!) { location(id: $id) { address { address1 address2 city zip country countryCode "
            "province latitude formatted } } }",
            {"id": store.gid},
        )["location"]["address"]
        self.assertEqual(
            address,
            {
                "address1": "Rue Neuve 1",
                "address2": None,
                "city": "Brussels",
                "zip": "1000",
                "country": "Belgium",
                "countryCode": "BE",
                "province": None,
                "latitude": 50.85,
                "formatted": ["Rue Neuve 1", "1000 Brussels", "Belgium"],
            },
        )
        with self.assertRaises(ValueError):
            self.shop.add_location("Bad", address={"street": "x"})

    def test_product_and_variant_media(self):
        front, back = "https://cdn.example.com/front.png", "https://cdn.example.com/back.jpg"
        result = self.data(
            PRODUCT_SET,
            {
                "input": {
                    "title": "Tee",
                    "files": [{"originalSource": front, "alt": "Front", "contentType": "IMAGE"}],
                    "productOptions": [{"name": "Size", "values": [{"name": "S"}, {"name": "M"}]}],
                    "variants": [
                        {
                            "optionValues": [{"optionName": "Size", "name": "S"}],
                            "file": {"originalSource": front},
                        },
                        {
                            "optionValues": [{"optionName": "Size", "name": "M"}],
                            "file": {"originalSource": back},
                        },
                    ],
                }
            },
        )["productSet"]
        self.assertEqual(result["userErrors"], [])
        media_query = (
            "query($id: ID!) { product(id: $id) { media(first: 10) { nodes { id alt mediaContentType status "
            "... on MediaImage { image { url altText } } } } "
            "variants(first: 5) { nodes { title media(first: 5) { nodes { id } } } } } }"
        )
        product = self.data(media_query, {"id": result["product"]["id"]})["product"]
        media = product["media"]["nodes"]
        self.assertEqual(
            [(m["alt"], m["mediaContentType"], m["status"], m["image"]["url"]) for m in media],
            [("Front", "IMAGE", "READY", front), (None, "IMAGE", "READY", back)],
            "the variant's new file joins the product's media",
        )
        self.assertTrue(all(m["id"].startswith("gid://shopify/MediaImage/") for m in media))
        variant_media = {
            v["title"]: [m["id"] for m in v["media"]["nodes"]] for v in product["variants"]["nodes"]
        }
        self.assertEqual(variant_media, {"S": [media[0]["id"]], "M": [media[1]["id"]]})

        # files is a list field: what is not sent is removed.
        self.data(PRODUCT_SET, {"input": {"files": []}, "identifier": {"id": result["product"]["id"]}})
        product = self.data(media_query, {"id": result["product"]["id"]})["product"]
        self.assertEqual(product["media"]["nodes"], [])
        self.assertEqual(self.shop.media, {})

    def test_a_file_the_emulator_cannot_store_is_refused_whole(self):
        answer = self.graphql(
            PRODUCT_SET,
            {
                "input": {
                    "title": "Clip",
                    "files": [{"originalSource": "https://x/v.mp4", "contentType": "VIDEO"}],
                }
            },
        )
        self.assertEqual(answer["errors"][0]["extensions"]["code"], NOT_EMULATED)
        self.assertEqual(self.shop.products, {}, "nothing created")

    def test_product_collections(self):
        tee, mug = self.shop.seed_products(2, max_options=1, max_values=1)
        summer = self.shop.add_collection("Summer", products=[tee])
        winter = self.shop.add_collection("Winter")
        query = "query($id: ID!) { product(id: $id) { collections(first: 5) { nodes { id title handle } } } }"
        self.assertEqual(
            self.data(query, {"id": tee.gid})["product"]["collections"]["nodes"],
            [{"id": summer.gid, "title": "Summer", "handle": "summer"}],
        )
        self.assertEqual(self.data(query, {"id": mug.gid})["product"]["collections"]["nodes"], [])

        # productSet.collections: the product is in exactly these afterwards.
        result = self.data(
            PRODUCT_SET, {"input": {"collections": [summer.gid, winter.gid]}, "identifier": {"id": mug.gid}}
        )
        self.assertEqual(result["productSet"]["userErrors"], [])
        self.assertEqual(
            [c["title"] for c in self.data(query, {"id": mug.gid})["product"]["collections"]["nodes"]],
            ["Summer", "Winter"],
        )
        members = self.data(
            "query($id: ID!, $p: ID!) { collection(id: $id) { products(first: 5) { nodes { id } } "
            "productsCount { count } hasProduct(id: $p) } }",
            {"id": summer.gid, "p": mug.gid},
        )["collection"]
        self.assertEqual(members["products"]["nodes"], [{"id": tee.gid}, {"id": mug.gid}])
        self.assertEqual(members["productsCount"], {"count": 2})
        self.assertTrue(members["hasProduct"])

        # An unknown collection is a userError and changes nothing.
        result = self.data(
            PRODUCT_SET,
            {"input": {"collections": ["gid://shopify/Collection/999999"]}, "identifier": {"id": mug.gid}},
        )["productSet"]
        self.assertEqual(result["userErrors"][0]["field"], ["input", "collections", "0"])
        self.assertEqual(len(self.data(query, {"id": mug.gid})["product"]["collections"]["nodes"]), 2)

    def test_metafield_definition_by_identifier(self):
        definition = self.shop.add_metafield_definition("odoo", "product_tmpl_id", "id", name="Odoo id")
        query = (
            "query($identifier: MetafieldDefinitionIdentifierInput, $id: ID) { "
            "metafieldDefinition(identifier: $identifier, id: $id) "
            "{ id name namespace key ownerType type { name } } }"
        )
        expected = {
            "id": definition.gid,
            "name": "Odoo id",
            "namespace": "odoo",
            "key": "product_tmpl_id",
            "ownerType": "PRODUCT",
            "type": {"name": "id"},
        }
        found = self.data(
            query, {"identifier": {"ownerType": "PRODUCT", "namespace": "odoo", "key": "product_tmpl_id"}}
        )
        self.assertEqual(found["metafieldDefinition"], expected)
        self.assertEqual(self.data(query, {"id": definition.gid})["metafieldDefinition"], expected)
        other_owner = {"ownerType": "CUSTOMER", "namespace": "odoo", "key": "product_tmpl_id"}
        self.assertIsNone(self.data(query, {"identifier": other_owner})["metafieldDefinition"])


class TestInventoryActivate(DirectEmulatorCase):
    def setUp(self):
        super().setUp()
        [product] = self.shop.seed_products(1, max_options=1, max_values=1, stock=(3, 3))
        self.item = self.shop.inventory_items[self.shop.variants[product.variant_ids[0]].inventory_item_id]
        self.main = next(iter(self.shop.locations.values()))
        self.store = self.shop.add_location("City store")  # after seeding: the item is not stocked there

    def level_at(self, location):
        return self.data(
            "query($item: ID!, $loc: ID!) { inventoryItem(id: $item) { inventoryLevel(locationId: $loc) "
            '{ id quantities(names: ["available"]) { quantity } } } }',
            {"item": self.item.gid, "loc": location.gid},
        )["inventoryItem"]["inventoryLevel"]

    def activate(self, key, location=None, available=None, version="2026-10"):
        variables = {"item": self.item.gid, "location": (location or self.store).gid, "available": available}
        return self.graphql(ACTIVATE % key, variables, version)

    def test_activates_the_item_and_later_reads_show_it(self):
        self.assertIsNone(self.level_at(self.store))
        answer = self.activate("key-1", available=5)
        self.assertNotIn("errors", answer)
        payload = answer["data"]["inventoryActivate"]
        self.assertEqual(payload["userErrors"], [])
        level = payload["inventoryLevel"]
        self.assertEqual(level["location"], {"name": "City store"})
        self.assertTrue(level["isActive"])
        self.assertEqual(
            level["quantities"], [{"name": "available", "quantity": 5}, {"name": "on_hand", "quantity": 5}]
        )
        self.assertEqual(answer["extensions"]["cost"]["requestedQueryCost"], 10, "a mutation's cost")
        self.assertEqual(answer["extensions"]["cost"]["actualQueryCost"], 10)

        self.assertEqual(self.level_at(self.store), {"id": level["id"], "quantities": [{"quantity": 5}]})
        read = self.data(
            "query($id: ID!) { inventoryLevel(id: $id) { item { id } location { name } } }",
            {"id": level["id"]},
        )["inventoryLevel"]
        self.assertEqual(read, {"item": {"id": self.item.gid}, "location": {"name": "City store"}})
        levels = self.data(
            "query($item: ID!) { inventoryItem(id: $item) "
            "{ inventoryLevels(first: 5) { nodes { location { name } } } } }",
            {"item": self.item.gid},
        )["inventoryItem"]["inventoryLevels"]["nodes"]
        self.assertEqual(sorted(n["location"]["name"] for n in levels), ["City store", "Main warehouse"])

    def test_replay_and_already_active(self):
        first = self.activate("key-1", available=5)
        replay = self.activate("key-1", available=5)
        self.assertEqual(replay["data"], first["data"])
        self.assertEqual(self.shop.counters["idempotent_replays"], 1)
        # Already active: activating again changes nothing; setting a quantity again is refused.
        again = self.activate("key-2")["data"]["inventoryActivate"]
        self.assertEqual((again["userErrors"], again["inventoryLevel"]["quantities"][0]["quantity"]), ([], 5))
        refused = self.activate("key-3", available=9)["data"]["inventoryActivate"]
        self.assertIsNone(refused["inventoryLevel"])
        self.assertEqual(refused["userErrors"][0]["field"], ["available"])
        self.assertEqual(self.shop.level(self.item.id, self.store.id).quantity("available"), 5)

    def test_refusals(self):
        missing = self.graphql(
            ACTIVATE % "k", {"item": "gid://shopify/InventoryItem/999999", "location": self.store.gid}
        )["data"]["inventoryActivate"]
        self.assertEqual(missing["userErrors"][0]["field"], ["inventoryItemId"])
        no_key = self.graphql(
            "mutation($item: ID!, $loc: ID!) { inventoryActivate(inventoryItemId: $item, locationId: $loc) "
            "{ userErrors { message } } }",
            {"item": self.item.gid, "loc": self.store.gid},
        )
        self.assertEqual(no_key["errors"][0]["extensions"]["code"], "IDEMPOTENCY_KEY_REQUIRED")
        self.assertIsNone(self.shop.level(self.item.id, self.store.id), "nothing activated")
        # Before 2026-04 the key is optional.
        old = self.graphql(
            "mutation($item: ID!, $loc: ID!) { inventoryActivate(inventoryItemId: $item, locationId: $loc) "
            "{ inventoryLevel { id } userErrors { message } } }",
            {"item": self.item.gid, "loc": self.store.gid},
            version="2026-01",
        )
        level = self.shop.level(self.item.id, self.store.id)
        self.assertEqual(
            old["data"]["inventoryActivate"], {"inventoryLevel": {"id": level.gid}, "userErrors": []}
        )
        self.assertTrue(level.is_active)
        self.assertEqual(level.quantity("available"), 0, "no quantity given: 0")
