"""Emulator bulk operations over real HTTP: JSONL with `__parentId`, no page limits, completion after a
delay on the emulator clock, `bulk_operations/finish`, concurrency limits, staged uploads and bulk
mutations with per-line results."""

import json

import requests

from ..common import EmulatorServerCase
from .test_emulator_webhooks import Receiver

RUN_QUERY = """
mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status type }
    userErrors { field message code }
  }
}
"""
STATUS = """
query Status($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url type completedAt }
}
"""
PRODUCTS_WITH_VARIANTS = """
{
  products {
    edges { node { id title variants { edges { node { id sku } } } } }
  }
}
"""
STAGE = """
mutation Stage($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}
"""
RUN_MUTATION = """
mutation RunMutation($mutation: String!, $path: String!) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path) {
    bulkOperation { id status type }
    userErrors { field message code }
  }
}
"""
PRODUCT_SET = """
mutation Set($input: ProductSetInput!) {
  productSet(input: $input) { product { id title } userErrors { field message } }
}
"""


class TestEmulatorBulk(EmulatorServerCase):
    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        self.addCleanup(setattr, self.emu_shop, "bulk_delay", self.emu_shop.bulk_delay)
        self.addCleanup(self.emulator.webhooks.flush)

    def run_query(self, query, version="2026-10"):
        return self.graphql(RUN_QUERY, {"query": query}, version=version)["data"]["bulkOperationRunQuery"]

    def status(self, gid):
        return self.graphql(STATUS, {"id": gid})["data"]["bulkOperation"]

    def download(self, url):
        response = requests.get(url, timeout=10)
        self.assertEqual(response.status_code, 200)
        return [json.loads(line) for line in response.text.splitlines()]

    def test_products_and_variants_as_jsonl_with_parent_ids_beyond_page_limits(self):
        self.emu_shop.seed_products(255, max_options=1, max_values=1)
        self.emu_shop.seed_products(3, max_options=2, max_values=2)
        started = self.run_query(PRODUCTS_WITH_VARIANTS)
        self.assertEqual(started["userErrors"], [])
        self.assertEqual(
            (started["bulkOperation"]["status"], started["bulkOperation"]["type"]), ("CREATED", "QUERY")
        )
        done = self.status(started["bulkOperation"]["id"])
        self.assertEqual(done["status"], "COMPLETED")
        lines = self.download(done["url"])
        products = [line for line in lines if "__parentId" not in line]
        variants = [line for line in lines if "__parentId" in line]
        self.assertEqual(len(products), 258)  # more than one page could hold
        self.assertEqual(len(variants), len(self.emu_shop.variants))
        self.assertEqual(done["objectCount"], str(len(lines)))
        self.assertEqual(done["rootObjectCount"], "258")
        self.assertEqual(done["fileSize"], str(len(requests.get(done["url"], timeout=10).content)))
        self.assertTrue(all("variants" not in product for product in products))
        by_product = {}
        for variant in variants:
            by_product.setdefault(variant["__parentId"], []).append(variant["sku"])
        for product in self.emu_shop.products.values():
            expected = [self.emu_shop.variants[v].sku for v in product.variant_ids]
            self.assertEqual(sorted(by_product[product.gid]), sorted(expected))
        # A child line never comes before its parent's line.
        seen = set()
        for line in lines:
            if "__parentId" in line:
                self.assertIn(line["__parentId"], seen)
            else:
                seen.add(line["id"])

    def test_completes_after_the_delay_and_sends_finish_webhook(self):
        receiver = Receiver()
        self.addCleanup(receiver.stop)
        subscribed = self.graphql(
            """mutation Subscribe($uri: String!) { webhookSubscriptionCreate(topic: BULK_OPERATIONS_FINISH,
                 webhookSubscription: {uri: $uri}) { userErrors { message } } }""",
            {"uri": receiver.url()},
        )
        self.assertEqual(subscribed["data"]["webhookSubscriptionCreate"]["userErrors"], [])
        self.emu_shop.seed_products(2)
        self.emu_shop.bulk_delay = 30
        started = self.run_query("{ products { nodes { id } } }")["bulkOperation"]
        self.assertEqual(self.status(started["id"])["status"], "RUNNING")
        current = self.graphql("{ currentBulkOperation { id status } }")["data"]["currentBulkOperation"]
        self.assertEqual(current, {"id": started["id"], "status": "RUNNING"})
        self.clock.advance(31)
        done = self.status(started["id"])
        self.assertEqual((done["status"], done["objectCount"]), ("COMPLETED", "2"))
        self.assertEqual(done["completedAt"], self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.assertTrue(self.emulator.webhooks.flush(timeout=10))
        [body] = receiver.bodies("bulk_operations/finish")
        self.assertEqual(
            {k: body[k] for k in ("admin_graphql_api_id", "status", "type", "error_code")},
            {
                "admin_graphql_api_id": started["id"],
                "status": "completed",
                "type": "query",
                "error_code": None,
            },
        )
        running = self.graphql('{ bulkOperations(first: 5, query: "status:running") { nodes { id } } }')
        self.assertEqual(running["data"]["bulkOperations"]["nodes"], [])

    def test_concurrency_limits_per_version(self):
        self.emu_shop.bulk_delay = 3600
        for _ in range(5):
            self.assertEqual(self.run_query("{ products { nodes { id } } }")["userErrors"], [])
        sixth = self.run_query("{ products { nodes { id } } }")
        self.assertIsNone(sixth["bulkOperation"])
        self.assertEqual(sixth["userErrors"][0]["code"], "LIMIT_REACHED")

        self.emu_shop.reset()
        self.emu_shop.bulk_delay = 3600
        self.assertEqual(self.run_query("{ products { nodes { id } } }", version="2025-10")["userErrors"], [])
        second = self.run_query("{ products { nodes { id } } }", version="2025-10")
        self.assertEqual(second["userErrors"][0]["code"], "OPERATION_IN_PROGRESS")
        # Cancelling frees the slot.
        current = self.graphql("{ currentBulkOperation { id } }", version="2025-10")["data"][
            "currentBulkOperation"
        ]
        cancelled = self.graphql(
            "mutation($id: ID!) { bulkOperationCancel(id: $id) { "
            "bulkOperation { status } userErrors { message } } }",
            {"id": current["id"]},
        )["data"]["bulkOperationCancel"]
        self.assertEqual(cancelled, {"bulkOperation": {"status": "CANCELED"}, "userErrors": []})
        self.assertEqual(self.run_query("{ products { nodes { id } } }", version="2025-10")["userErrors"], [])

    def test_invalid_bulk_queries(self):
        for query, fragment in (
            ("{ shop { name } }", "at least one connection"),
            ('{ node(id: "gid://shopify/Product/1") { id } }', "`node`"),
            ("{ products { nodes { id titel } } }", "Invalid bulk query"),
            (
                "{ products { nodes { id variants { nodes { id inventoryItem { inventoryLevels { nodes { id "
                "location { inventoryLevels { nodes { id } } } } } } } } } } }",
                "nesting depth",
            ),
        ):
            errors = self.run_query(query)["userErrors"]
            self.assertEqual(len(errors), 1, query)
            self.assertEqual(errors[0]["code"], "INVALID")
            self.assertIn(fragment, errors[0]["message"])
        self.assertEqual(self.emu_shop.bulk_operations, {})

    def stage(self, content):
        target = self.graphql(
            STAGE,
            {
                "input": [
                    {
                        "resource": "BULK_MUTATION_VARIABLES",
                        "filename": "vars.jsonl",
                        "mimeType": "text/jsonl",
                        "httpMethod": "POST",
                    }
                ]
            },
        )["data"]["stagedUploadsCreate"]["stagedTargets"][0]
        form = {p["name"]: p["value"] for p in target["parameters"]}
        response = requests.post(
            target["url"], data=form, files={"file": ("vars.jsonl", content)}, timeout=10
        )
        self.assertEqual(response.status_code, 201, response.text)
        return form["key"]

    def test_bulk_mutation_per_line_results_and_errors(self):
        good = {
            "input": {
                "title": "Bulk mug",
                "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
                "variants": [
                    {
                        "optionValues": [{"optionName": "Title", "name": "Default Title"}],
                        "sku": "BULK-1",
                        "price": "3.00",
                    }
                ],
            }
        }
        too_many_options = {
            "input": {
                "title": "Bad",
                "productOptions": [{"name": n, "values": [{"name": "x"}]} for n in "ABCD"],
                "variants": [{"optionValues": [{"optionName": n, "name": "x"} for n in "ABCD"]}],
            }
        }
        second = {
            "input": {
                **good["input"],
                "title": "Bulk bowl",
                "variants": [{**good["input"]["variants"][0], "sku": "BULK-2"}],
            }
        }
        content = (
            "\n".join([json.dumps(good), json.dumps(too_many_options), "{not json", json.dumps(second)])
            + "\n"
        )
        path = self.stage(content.encode())
        started = self.graphql(RUN_MUTATION, {"mutation": PRODUCT_SET, "path": path})["data"][
            "bulkOperationRunMutation"
        ]
        self.assertEqual(started["userErrors"], [])
        self.assertEqual(started["bulkOperation"]["type"], "MUTATION")
        done = self.status(started["bulkOperation"]["id"])
        self.assertEqual((done["status"], done["objectCount"]), ("COMPLETED", "4"))
        lines = {line["__lineNumber"]: line for line in self.download(done["url"])}
        self.assertEqual(sorted(lines), [0, 1, 2, 3])
        self.assertEqual(lines[0]["data"]["productSet"]["product"]["title"], "Bulk mug")
        self.assertEqual(lines[0]["data"]["productSet"]["userErrors"], [])
        self.assertIsNone(lines[1]["data"]["productSet"]["product"])
        self.assertTrue(lines[1]["data"]["productSet"]["userErrors"])
        self.assertIn("Invalid JSON", lines[2]["errors"][0]["message"])
        self.assertEqual(lines[3]["data"]["productSet"]["product"]["title"], "Bulk bowl")
        titles = sorted(p.title for p in self.emu_shop.products.values())
        self.assertEqual(titles, ["Bulk bowl", "Bulk mug"])

    def test_bulk_mutation_needs_an_uploaded_file_and_a_valid_mutation(self):
        missing = self.graphql(RUN_MUTATION, {"mutation": PRODUCT_SET, "path": "tmp/nothing.jsonl"})
        self.assertEqual(missing["data"]["bulkOperationRunMutation"]["userErrors"][0]["code"], "NO_SUCH_FILE")
        path = self.stage(b"{}\n")
        invalid = self.graphql(RUN_MUTATION, {"mutation": "mutation { nope }", "path": path})
        self.assertEqual(
            invalid["data"]["bulkOperationRunMutation"]["userErrors"][0]["code"], "INVALID_MUTATION"
        )
