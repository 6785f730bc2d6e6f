"""Products in the emulator: queries, pagination, search, productSet semantics, productDelete."""

from ..common import EmulatorServerCase

PRODUCT_SET = """
mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
  productSet(input: $input, identifier: $identifier, synchronous: true) {
    product {
      id title handle updatedAt
      options { name values }
      variants(first: 50) { nodes { id sku price title inventoryItem { id tracked sku } } }
    }
    userErrors { field message code }
  }
}
"""
DEFINITION = """
mutation Define($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id namespace key type { name } }
    userErrors { field message code }
  }
}
"""
CUSTOM_ID = {"customId": {"namespace": "odoo", "key": "product_tmpl_id", "value": "42"}}


def mug_input(*colors, title="Enamel mug"):
    return {
        "title": title,
        "productOptions": [{"name": "Color", "values": [{"name": c} for c in colors]}],
        "variants": [
            {"optionValues": [{"optionName": "Color", "name": c}], "sku": f"MUG-{c.upper()}", "price": "12.5"}
            for c in colors
        ],
    }


class TestEmulatorProducts(EmulatorServerCase):
    emulator_fake_clock = True

    def product_set(self, data, identifier=None):
        body = self.graphql(PRODUCT_SET, {"input": data, "identifier": identifier})
        self.assertNotIn("errors", body)
        return body["data"]["productSet"]

    def define_custom_id(self):
        body = self.graphql(
            DEFINITION,
            {
                "definition": {
                    "name": "Odoo template",
                    "namespace": "odoo",
                    "key": "product_tmpl_id",
                    "type": "id",
                    "ownerType": "PRODUCT",
                }
            },
        )
        return body["data"]["metafieldDefinitionCreate"]

    def test_metafield_definition_create_and_taken(self):
        created = self.define_custom_id()
        self.assertEqual(created["userErrors"], [])
        self.assertEqual(created["createdDefinition"]["type"]["name"], "id")
        again = self.define_custom_id()
        self.assertIsNone(again["createdDefinition"])
        self.assertEqual(again["userErrors"][0]["code"], "TAKEN")

    def test_product_set_creates_with_variants(self):
        result = self.product_set(mug_input("Blue", "Red"))
        self.assertEqual(result["userErrors"], [])
        product = result["product"]
        self.assertTrue(product["id"].startswith("gid://shopify/Product/"))
        self.assertEqual(product["handle"], "enamel-mug")
        self.assertEqual(product["options"], [{"name": "Color", "values": ["Blue", "Red"]}])
        variants = product["variants"]["nodes"]
        self.assertEqual([v["sku"] for v in variants], ["MUG-BLUE", "MUG-RED"])
        self.assertEqual(variants[0]["price"], "12.50")  # Money is a decimal string, never cents
        self.assertTrue(variants[0]["inventoryItem"]["id"].startswith("gid://shopify/InventoryItem/"))
        self.assertEqual(variants[0]["inventoryItem"]["sku"], "MUG-BLUE")

    def test_custom_id_upsert_makes_one_product(self):
        self.define_custom_id()
        first = self.product_set(mug_input("Blue"), CUSTOM_ID)["product"]
        second = self.product_set(mug_input("Blue", title="Enamel mug v2"), CUSTOM_ID)["product"]
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(second["title"], "Enamel mug v2")
        self.assertEqual(len(self.emu_shop.products), 1)
        # The variant is matched by its option values: same variant and inventory item.
        self.assertEqual(first["variants"]["nodes"][0]["id"], second["variants"]["nodes"][0]["id"])
        body = self.graphql(
            "query($i: ProductIdentifierInput!) { productByIdentifier(identifier: $i) { id title } }",
            {"i": CUSTOM_ID},
        )
        self.assertEqual(body["data"]["productByIdentifier"], {"id": first["id"], "title": "Enamel mug v2"})

    def test_custom_id_needs_a_definition(self):
        result = self.product_set(mug_input("Blue"), CUSTOM_ID)
        self.assertIsNone(result["product"])
        self.assertEqual(result["userErrors"][0]["field"], ["identifier", "customId"])
        self.assertEqual(self.emu_shop.products, {})

    def test_variants_omitted_are_deleted(self):
        product = self.product_set(mug_input("Blue", "Red", "Sand"))["product"]
        red_item = product["variants"]["nodes"][1]["inventoryItem"]["id"]
        updated = self.product_set(mug_input("Blue", "Sand"), {"id": product["id"]})["product"]
        self.assertEqual([v["sku"] for v in updated["variants"]["nodes"]], ["MUG-BLUE", "MUG-SAND"])
        self.assertEqual(len(self.emu_shop.variants), 2)
        body = self.graphql("query($id: ID!) { inventoryItem(id: $id) { id } }", {"id": red_item})
        self.assertIsNone(body["data"]["inventoryItem"])

    def test_updated_at_moves_on_change_only(self):
        product = self.product_set(mug_input("Blue"))["product"]
        self.clock.advance(60)
        same = self.product_set(mug_input("Blue"), {"id": product["id"]})["product"]
        self.assertEqual(same["updatedAt"], product["updatedAt"])
        self.clock.advance(60)
        changed = self.product_set({"title": "Renamed mug"}, {"id": product["id"]})["product"]
        self.assertGreater(changed["updatedAt"], product["updatedAt"])
        self.assertEqual(len(changed["variants"]["nodes"]), 1)  # variants not sent: kept

    def test_product_set_rejects_bad_input_and_changes_nothing(self):
        data = mug_input("Blue")
        data["variants"].append(dict(data["variants"][0]))
        result = self.product_set(data)
        self.assertIsNone(result["product"])
        self.assertEqual(result["userErrors"][0]["code"], "DUPLICATED_OPTION_VALUE")
        unknown = self.product_set(mug_input("Blue"), {"id": "gid://shopify/Product/999999"})
        self.assertEqual(unknown["userErrors"][0]["code"], "PRODUCT_DOES_NOT_EXIST")
        self.assertEqual(self.emu_shop.products, {})

    def test_products_pagination_search_and_sort(self):
        products = self.emu_shop.seed_products(5)
        self.clock.advance(3600)
        later = self.product_set({"title": "Touched"}, {"id": products[1].gid})["product"]
        seen, cursor = [], None
        while True:
            body = self.graphql(
                "query($after: String) { products(first: 2, after: $after) { "
                "nodes { id } pageInfo { hasNextPage endCursor } } }",
                {"after": cursor},
            )
            page = body["data"]["products"]
            seen += [n["id"] for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            cursor = page["pageInfo"]["endCursor"]
        self.assertEqual(seen, [p.gid for p in products])
        body = self.graphql(
            "query($q: String) { products(first: 10, query: $q, sortKey: UPDATED_AT) { nodes { id } } }",
            {"q": "updated_at:>'2026-11-01T00:30:00Z'"},
        )
        self.assertEqual([n["id"] for n in body["data"]["products"]["nodes"]], [later["id"]])
        body = self.graphql("{ products(first: 10, sortKey: UPDATED_AT, reverse: true) { nodes { id } } }")
        self.assertEqual(body["data"]["products"]["nodes"][0]["id"], later["id"])

    def test_product_query_with_options_and_variants(self):
        [product] = self.emu_shop.seed_products(1)
        body = self.graphql(
            """query($id: ID!) { product(id: $id) {
                 id title options { name values optionValues { name hasVariants } }
                 variants(first: 50) {
                   nodes { sku selectedOptions { name value } inventoryItem { tracked } }
                 }
            } }""",
            {"id": product.gid},
        )
        data = body["data"]["product"]
        self.assertEqual(data["title"], product.title)
        self.assertEqual(len(data["variants"]["nodes"]), len(product.variant_ids))
        self.assertTrue(all(v["inventoryItem"]["tracked"] for v in data["variants"]["nodes"]))
        self.assertTrue(all(v["hasVariants"] for o in data["options"] for v in o["optionValues"]))

    def test_product_delete(self):
        product = self.product_set(mug_input("Blue"))["product"]
        mutation = """mutation($id: ID!) {
          productDelete(input: {id: $id}) { deletedProductId userErrors { message } }
        }"""
        body = self.graphql(mutation, {"id": product["id"]})
        self.assertEqual(body["data"]["productDelete"]["deletedProductId"], product["id"])
        self.assertEqual(self.emu_shop.products, {})
        self.assertEqual(self.emu_shop.inventory_items, {})
        again = self.graphql(mutation, {"id": product["id"]})
        self.assertEqual(again["data"]["productDelete"]["userErrors"][0]["message"], "Product does not exist")


class TestEmulatorProductMutations(EmulatorServerCase):
    def test_product_create_then_variants_bulk(self):
        body = self.graphql(
            """mutation($product: ProductCreateInput!) {
                 productCreate(product: $product) {
                   product { id options { name values } variants(first: 5) { nodes { id title } } }
                   userErrors { field message }
                 }
               }""",
            {
                "product": {
                    "title": "Scarf",
                    "productOptions": [{"name": "Color", "values": [{"name": "Red"}]}],
                }
            },
        )
        created = body["data"]["productCreate"]
        self.assertEqual(created["userErrors"], [])
        product = created["product"]
        self.assertEqual(
            [v["title"] for v in product["variants"]["nodes"]], ["Red"]
        )  # only the initial variant
        location = next(iter(self.emu_shop.locations.values()))
        bulk_create = """mutation(
              $id: ID!, $variants: [ProductVariantsBulkInput!]!, $strategy: ProductVariantsBulkCreateStrategy
            ) {
              productVariantsBulkCreate(productId: $id, variants: $variants, strategy: $strategy) {
                productVariants { id title price inventoryItem { sku } }
                userErrors { field message code }
              }
            }"""
        new_variant = {
            "optionValues": [{"optionName": "Color", "name": "Blue"}],
            "price": "20",
            "inventoryItem": {"sku": "SCARF-BLUE"},
            "inventoryQuantities": [{"locationId": location.gid, "availableQuantity": 4}],
        }
        body = self.graphql(bulk_create, {"id": product["id"], "variants": [new_variant]})
        result = body["data"]["productVariantsBulkCreate"]
        self.assertEqual(result["userErrors"], [])
        self.assertEqual(
            [(v["title"], v["price"], v["inventoryItem"]["sku"]) for v in result["productVariants"]],
            [("Blue", "20.00", "SCARF-BLUE")],
        )
        [blue] = [v for v in self.emu_shop.variants.values() if v.sku == "SCARF-BLUE"]
        self.assertEqual(self.emu_shop.level(blue.inventory_item_id, location.id).quantity("available"), 4)
        self.assertEqual(len(self.emu_shop.variants), 2)  # the custom standalone variant is preserved
        again = self.graphql(bulk_create, {"id": product["id"], "variants": [new_variant]})
        self.assertEqual(
            again["data"]["productVariantsBulkCreate"]["userErrors"][0]["code"], "VARIANT_ALREADY_EXISTS"
        )

        body = self.graphql(
            """mutation($id: ID!, $variants: [ProductVariantsBulkInput!]!) {
                 productVariantsBulkUpdate(productId: $id, variants: $variants) {
                   productVariants { price } userErrors { message }
                 }
               }""",
            {"id": product["id"], "variants": [{"id": blue.gid, "price": "18.5"}]},
        )
        self.assertEqual(body["data"]["productVariantsBulkUpdate"]["productVariants"], [{"price": "18.50"}])
        body = self.graphql(
            """mutation($id: ID!, $ids: [ID!]!) {
                 productVariantsBulkDelete(productId: $id, variantsIds: $ids) { userErrors { message } }
               }""",
            {"id": product["id"], "ids": [blue.gid]},
        )
        self.assertEqual(body["data"]["productVariantsBulkDelete"]["userErrors"], [])
        self.assertNotIn(blue.id, self.emu_shop.variants)
        body = self.graphql(
            """mutation($product: ProductUpdateInput!) {
                 productUpdate(product: $product) {
                   product { title variantsCount { count } } userErrors { message }
                 }
               }""",
            {"product": {"id": product["id"], "title": "Wool scarf"}},
        )
        self.assertEqual(
            body["data"]["productUpdate"]["product"], {"title": "Wool scarf", "variantsCount": {"count": 1}}
        )

    def test_default_title_variant_is_replaced_by_bulk_create(self):
        body = self.graphql(
            'mutation { productCreate(product: {title: "Cap"}) { product { id } userErrors { message } } }'
        )
        product_id = body["data"]["productCreate"]["product"]["id"]
        self.assertEqual([v.title for v in self.emu_shop.variants.values()], ["Default Title"])
        body = self.graphql(
            """mutation($id: ID!, $variants: [ProductVariantsBulkInput!]!) {
                 productVariantsBulkCreate(productId: $id, variants: $variants) {
                   productVariants { title } userErrors { message }
                 }
               }""",
            {
                "id": product_id,
                "variants": [{"optionValues": [{"optionName": "Size", "name": "M"}], "price": "9"}],
            },
        )
        self.assertEqual(body["data"]["productVariantsBulkCreate"]["productVariants"], [{"title": "M"}])
        self.assertEqual([v.title for v in self.emu_shop.variants.values()], ["M"])

    def test_product_set_cost_grows_with_variants(self):
        variants = [
            {"optionValues": [{"optionName": "Size", "name": size}], "price": "1"}
            for size in ("S", "M", "L", "XL", "XXL", "3XL")
        ]
        body = self.graphql(
            """mutation($input: ProductSetInput!) {
                 productSet(input: $input) { product { id } userErrors { message } }
               }""",
            {
                "input": {
                    "title": "Tee",
                    "productOptions": [
                        {"name": "Size", "values": [{"name": v["optionValues"][0]["name"]} for v in variants]}
                    ],
                    "variants": variants,
                }
            },
        )
        self.assertEqual(body["data"]["productSet"]["userErrors"], [])
        self.assertEqual(body["extensions"]["cost"]["requestedQueryCost"], 10 + 2)  # 10 + ceil(0.2 × 6)
