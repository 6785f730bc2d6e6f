"""The order queries stay under Shopify's 1000-point request maximum at the page sizes we use.

The emulator's cost calculator is an independent implementation of Shopify's rules, so a document
that grows past the cap fails here before a real store rejects it with MAX_COST_EXCEEDED.
"""

from ...emulator.costs import requested_cost
from ...emulator.schema import load_schema
from ...models.orders.shop import POLL_PAGE_SIZE
from ...services import documents
from ...services.api_versions import SUPPORTED_API_VERSIONS
from ..pure import PureCase

SHOPIFY_MAX_COST = 1000


class TestOrderQueryCosts(PureCase):
    def _cost(self, version, name, variables):
        document = documents.load(name)
        operation = next(d for d in document.definitions if d.kind == "operation_definition")
        return requested_cost(load_schema(version), document, operation, variables)

    def test_order_documents_fit_one_request(self):
        cases = [
            ("orders_updated_since", {"first": POLL_PAGE_SIZE, "query": "updated_at:>'2026-01-01'"}),
            ("order_by_id", {"id": "gid://shopify/Order/1"}),
            ("order_fulfillment_orders", {"id": "gid://shopify/Order/1"}),
            ("order_fulfillments", {"id": "gid://shopify/Order/1"}),
            ("order_line_items", {"id": "gid://shopify/Order/1", "after": "cursor"}),
        ]
        for version in SUPPORTED_API_VERSIONS:
            for name, variables in cases:
                with self.subTest(version=version, document=name):
                    self.assertLessEqual(self._cost(version, name, variables), SHOPIFY_MAX_COST)
