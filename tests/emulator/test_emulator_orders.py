"""Emulator orders over real HTTP: check-out (taxes, discounts, shipping, currencies, stock), the
`orders` poll with `updated_at` and sorting, fulfillment orders, `fulfillmentCreate`, pay/cancel/edit
through the `/_emulator` admin API."""

from decimal import Decimal

import requests

from ..common import EmulatorServerCase

ORDERS_SINCE = """
query OrdersSince($query: String, $first: Int!, $after: String, $sortKey: OrderSortKeys, $reverse: Boolean) {
  orders(first: $first, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) {
    nodes { id name updatedAt displayFinancialStatus displayFulfillmentStatus cancelledAt }
    pageInfo { hasNextPage endCursor }
  }
  ordersCount(query: $query) { count precision }
}
"""

ORDER = """
query Order($id: ID!) {
  order(id: $id) {
    id name email taxesIncluded currencyCode presentmentCurrencyCode
    displayFinancialStatus displayFulfillmentStatus cancelledAt cancelReason
    totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
    subtotalPriceSet { shopMoney { amount } }
    totalTaxSet { shopMoney { amount } }
    totalDiscountsSet { shopMoney { amount } }
    taxLines { title rate priceSet { shopMoney { amount } } }
    customer { id firstName defaultEmailAddress { emailAddress } }
    shippingAddress { firstName city countryCodeV2 }
    discountApplications(first: 5) { nodes { ... on DiscountCodeApplication { code value {
      ... on PricingPercentageValue { percentage } ... on MoneyV2 { amount } } } } }
    lineItems(first: 10) {
      nodes {
        id sku quantity currentQuantity variant { id }
        originalUnitPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
        discountAllocations { allocatedAmountSet { shopMoney { amount } } }
        taxLines { title rate priceSet { shopMoney { amount } } }
      }
    }
    shippingLines(first: 5) { nodes { title originalPriceSet { shopMoney { amount } }
      taxLines { priceSet { shopMoney { amount } } } } }
  }
}
"""

FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    displayFulfillmentStatus
    fulfillmentOrders(first: 5) {
      nodes {
        id status assignedLocation { location { id } }
        lineItems(first: 20) { nodes { id totalQuantity remainingQuantity lineItem { id sku } } }
      }
    }
    fulfillments { name trackingInfo { company number url } }
  }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id name status totalQuantity trackingInfo { company number url } }
    userErrors { field message }
  }
}
"""


class TestEmulatorOrders(EmulatorServerCase):
    emulator_fake_clock = True

    def setUp(self):
        super().setUp()
        self.products = self.emu_shop.seed_products(4, max_options=1, max_values=2, stock=(10, 10))
        self.variants = list(self.emu_shop.variants.values())
        settings = (self.emu_shop.taxes_included, self.emu_shop.tax_rate, self.emu_shop.tax_title)
        self.addCleanup(self._restore_taxes, settings)

    def _restore_taxes(self, settings):
        self.emu_shop.taxes_included, self.emu_shop.tax_rate, self.emu_shop.tax_title = settings

    def admin(self, path, body=None, method="post"):
        response = getattr(requests, method)(
            f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}{path}", json=body or {}, timeout=10
        )
        return response.status_code, response.json()

    def available(self, variant, name="available"):
        location = next(iter(self.emu_shop.locations))
        return self.emu_shop.level(variant.inventory_item_id, location).quantity(name)

    def order(self, gid):
        return self.graphql(ORDER, {"id": gid})["data"]["order"]

    # -- check-out -----------------------------------------------------------------------------------
    def test_checkout_taxes_excluded_with_discount_and_shipping(self):
        self.emu_shop.tax_rate, self.emu_shop.tax_title = "0.10", "Sales tax"
        first, second = self.variants[0], self.variants[1]
        first.price, second.price = "20.00", "10.00"
        status, created = self.admin(
            "/orders",
            {
                "lines": [{"sku": first.sku, "quantity": 2}, {"variant_id": second.gid, "quantity": 1}],
                "customer": {"first_name": "Ana", "last_name": "Roth", "email": "Ana@Example.org"},
                "shipping_address": {"first_name": "Ana", "city": "Köln", "country_code": "DE"},
                "shipping": {"title": "DHL Paket", "code": "dhl", "price": "5.00"},
                "discount": {"code": "TENOFF", "type": "percentage", "value": "10"},
            },
        )
        self.assertEqual(status, 201, created)
        order = self.order(created["id"])
        self.assertEqual(order["name"], "#1001")
        self.assertFalse(order["taxesIncluded"])
        self.assertEqual(order["email"], "ana@example.org")
        self.assertEqual(order["customer"]["defaultEmailAddress"]["emailAddress"], "ana@example.org")
        self.assertEqual(
            order["shippingAddress"], {"firstName": "Ana", "city": "Köln", "countryCodeV2": "DE"}
        )
        # lines 40 + 10, 10 % off → 36 + 9 = 45; tax 10 % of 45 + 10 % of shipping 5 = 5.00.
        self.assertEqual(order["subtotalPriceSet"]["shopMoney"]["amount"], "45.00")
        self.assertEqual(order["totalDiscountsSet"]["shopMoney"]["amount"], "5.00")
        self.assertEqual(order["totalTaxSet"]["shopMoney"]["amount"], "5.00")
        self.assertEqual(order["totalPriceSet"]["shopMoney"], {"amount": "55.00", "currencyCode": "USD"})
        self.assertEqual(
            order["taxLines"],
            [{"title": "Sales tax", "rate": 0.1, "priceSet": {"shopMoney": {"amount": "5.00"}}}],
        )
        lines = order["lineItems"]["nodes"]
        self.assertEqual([line["sku"] for line in lines], [first.sku, second.sku])
        self.assertEqual(
            lines[0]["discountAllocations"], [{"allocatedAmountSet": {"shopMoney": {"amount": "4.00"}}}]
        )
        self.assertEqual(lines[0]["taxLines"][0]["priceSet"]["shopMoney"]["amount"], "3.60")
        self.assertEqual(
            order["shippingLines"]["nodes"][0]["taxLines"][0]["priceSet"]["shopMoney"]["amount"], "0.50"
        )
        [application] = order["discountApplications"]["nodes"]
        self.assertEqual(application, {"code": "TENOFF", "value": {"percentage": 10.0}})

    def test_checkout_taxes_included_guest_presentment_currency(self):
        self.emu_shop.taxes_included, self.emu_shop.tax_rate, self.emu_shop.tax_title = True, "0.19", "MwSt"
        variant = self.variants[0]
        variant.price = "11.90"
        order = self.emu_shop.place_order(
            [{"sku": variant.sku, "quantity": 1}],
            email="guest@example.org",
            presentment_currency="EUR",
            exchange_rate="0.5",
        )
        data = self.order(order.gid)
        self.assertIsNone(data["customer"])
        self.assertEqual(data["presentmentCurrencyCode"], "EUR")
        # Tax is inside the price: 11.90 × 0.19 / 1.19 = 1.90, and the total is the price.
        self.assertEqual(data["totalTaxSet"]["shopMoney"]["amount"], "1.90")
        self.assertEqual(
            data["totalPriceSet"],
            {
                "shopMoney": {"amount": "11.90", "currencyCode": "USD"},
                "presentmentMoney": {"amount": "5.95", "currencyCode": "EUR"},
            },
        )
        self.assertEqual(
            data["lineItems"]["nodes"][0]["originalUnitPriceSet"]["presentmentMoney"],
            {"amount": "5.95", "currencyCode": "EUR"},
        )

    def test_checkout_moves_stock_and_refuses_what_is_not_there(self):
        variant = self.variants[0]
        self.emu_shop.place_order([{"sku": variant.sku, "quantity": 3}])
        self.assertEqual(self.available(variant), 7)
        self.assertEqual(self.available(variant, "committed"), 3)
        self.assertEqual(self.available(variant, "on_hand"), 10)
        orders_before = len(self.emu_shop.orders)
        status, body = self.admin("/orders", {"lines": [{"sku": variant.sku, "quantity": 8}]})
        self.assertEqual(status, 422)
        self.assertIn("not enough stock", body["error"])
        status, body = self.admin("/orders", {"lines": [{"sku": "NOPE", "quantity": 1}]})
        self.assertEqual((status, body["error"]), (422, "no variant with SKU 'NOPE'"))
        self.assertEqual(len(self.emu_shop.orders), orders_before)
        self.assertEqual(self.available(variant), 7)

    # -- the poll ------------------------------------------------------------------------------------
    def test_orders_updated_since_sorted_and_paged(self):
        first = self.emu_shop.place_order(
            [{"sku": self.variants[0].sku, "quantity": 1}], financial_status="PENDING"
        )
        self.clock.advance(60)
        second = self.emu_shop.place_order([{"sku": self.variants[1].sku, "quantity": 1}])
        self.clock.advance(60)
        third = self.emu_shop.place_order([{"sku": self.variants[2].sku, "quantity": 1}])
        watermark = self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        self.clock.advance(60)
        status, _paid = self.admin(f"/orders/{first.id}/pay")  # touches the oldest order
        self.assertEqual(status, 200)

        everything = self.graphql(ORDERS_SINCE, {"first": 10, "sortKey": "UPDATED_AT"})["data"]
        self.assertEqual([o["name"] for o in everything["orders"]["nodes"]], ["#1002", "#1003", "#1001"])
        self.assertEqual(everything["ordersCount"], {"count": 3, "precision": "EXACT"})

        since = self.graphql(
            ORDERS_SINCE, {"first": 10, "sortKey": "UPDATED_AT", "query": f"updated_at:>'{watermark}'"}
        )["data"]
        self.assertEqual([o["id"] for o in since["orders"]["nodes"]], [first.gid])
        self.assertEqual(since["orders"]["nodes"][0]["displayFinancialStatus"], "PAID")
        self.assertEqual(since["ordersCount"]["count"], 1)

        page = self.graphql(ORDERS_SINCE, {"first": 2, "sortKey": "UPDATED_AT", "reverse": True})["data"][
            "orders"
        ]
        self.assertEqual([o["name"] for o in page["nodes"]], ["#1001", "#1003"])
        self.assertTrue(page["pageInfo"]["hasNextPage"])
        rest = self.graphql(
            ORDERS_SINCE,
            {"first": 2, "sortKey": "UPDATED_AT", "reverse": True, "after": page["pageInfo"]["endCursor"]},
        )["data"]["orders"]
        self.assertEqual([o["id"] for o in rest["nodes"]], [second.gid])
        self.assertFalse(rest["pageInfo"]["hasNextPage"])
        self.assertEqual(third.name, "#1003")

    def test_order_search_by_status(self):
        open_order = self.emu_shop.place_order([{"sku": self.variants[0].sku, "quantity": 1}])
        cancelled = self.emu_shop.place_order([{"sku": self.variants[1].sku, "quantity": 1}])
        self.admin(f"/orders/{cancelled.gid}/cancel", {"reason": "customer"})
        for query, expected in (
            ("status:cancelled", [cancelled.gid]),
            ("status:open", [open_order.gid]),
            ("financial_status:refunded", [cancelled.gid]),
            (f"sku:{self.variants[0].sku}", [open_order.gid]),
            ("name:#1001", [open_order.gid]),
        ):
            nodes = self.graphql(ORDERS_SINCE, {"first": 5, "query": query})["data"]["orders"]["nodes"]
            self.assertEqual([n["id"] for n in nodes], expected, query)

    # -- fulfillment ---------------------------------------------------------------------------------
    def fulfillment_orders(self, order):
        return self.graphql(FULFILLMENT_ORDERS, {"id": order.gid})["data"]["order"]

    def test_fulfillment_orders_per_location(self):
        second_location = self.emu_shop.add_location("Second warehouse")
        variant = self.variants[0]
        # Only the second location holds this variant: its units come from there.
        for location_id in self.emu_shop.locations:
            level = self.emu_shop.level(variant.inventory_item_id, location_id, create=True)
            level.quantities["available"] = 5 if location_id == second_location.id else 0
        order = self.emu_shop.place_order(
            [{"sku": variant.sku, "quantity": 2}, {"sku": self.variants[1].sku, "quantity": 1}]
        )
        data = self.fulfillment_orders(order)
        by_location = {
            fo["assignedLocation"]["location"]["id"]: [
                line["lineItem"]["sku"] for line in fo["lineItems"]["nodes"]
            ]
            for fo in data["fulfillmentOrders"]["nodes"]
        }
        self.assertEqual(by_location[second_location.gid], [variant.sku])
        self.assertEqual(len(by_location), 2)

    def test_fulfillment_create_partial_then_rest_then_refused(self):
        order = self.emu_shop.place_order(
            [{"sku": self.variants[0].sku, "quantity": 3}, {"sku": self.variants[1].sku, "quantity": 1}]
        )
        [fo] = self.fulfillment_orders(order)["fulfillmentOrders"]["nodes"]
        first_line = fo["lineItems"]["nodes"][0]
        body = self.graphql(
            FULFILLMENT_CREATE,
            {
                "fulfillment": {
                    "lineItemsByFulfillmentOrder": [
                        {
                            "fulfillmentOrderId": fo["id"],
                            "fulfillmentOrderLineItems": [{"id": first_line["id"], "quantity": 2}],
                        }
                    ],
                    "trackingInfo": {
                        "company": "DHL",
                        "number": "JD0001",
                        "url": "https://track.example/JD0001",
                    },
                }
            },
        )["data"]["fulfillmentCreate"]
        self.assertEqual(body["userErrors"], [])
        self.assertEqual(body["fulfillment"]["name"], "#1001.1")
        self.assertEqual(body["fulfillment"]["totalQuantity"], 2)
        self.assertEqual(
            body["fulfillment"]["trackingInfo"],
            [{"company": "DHL", "number": "JD0001", "url": "https://track.example/JD0001"}],
        )
        state = self.fulfillment_orders(order)
        self.assertEqual(state["displayFulfillmentStatus"], "PARTIALLY_FULFILLED")
        [fo] = state["fulfillmentOrders"]["nodes"]
        self.assertEqual(fo["status"], "IN_PROGRESS")
        self.assertEqual([line["remainingQuantity"] for line in fo["lineItems"]["nodes"]], [1, 1])
        # Shipped units leave on-hand stock: committed goes down, available stays where checkout put it.
        self.assertEqual(self.available(self.variants[0], "committed"), 1)
        self.assertEqual(self.available(self.variants[0]), 7)

        too_many = self.graphql(
            FULFILLMENT_CREATE,
            {
                "fulfillment": {
                    "lineItemsByFulfillmentOrder": [
                        {
                            "fulfillmentOrderId": fo["id"],
                            "fulfillmentOrderLineItems": [{"id": first_line["id"], "quantity": 2}],
                        }
                    ]
                }
            },
        )["data"]["fulfillmentCreate"]
        self.assertIsNone(too_many["fulfillment"])
        self.assertEqual(
            too_many["userErrors"][0]["message"], "Invalid fulfillment order line item quantity requested."
        )

        rest = {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}
        done = self.graphql(FULFILLMENT_CREATE, rest)["data"]["fulfillmentCreate"]
        self.assertEqual(done["userErrors"], [])
        self.assertEqual(done["fulfillment"]["totalQuantity"], 2)
        state = self.fulfillment_orders(order)
        self.assertEqual(state["displayFulfillmentStatus"], "FULFILLED")
        self.assertEqual(state["fulfillmentOrders"]["nodes"][0]["status"], "CLOSED")
        self.assertEqual([f["name"] for f in state["fulfillments"]], ["#1001.1", "#1001.2"])

        # Sending the same request again creates nothing: the fulfillment order is closed.
        again = self.graphql(FULFILLMENT_CREATE, rest)["data"]["fulfillmentCreate"]
        self.assertIsNone(again["fulfillment"])
        self.assertIn("unfulfillable status= closed", again["userErrors"][0]["message"])
        self.assertEqual(len(self.emu_shop.fulfillments), 2)

    def test_fulfillment_create_unknown_or_cancelled(self):
        order = self.emu_shop.place_order([{"sku": self.variants[0].sku, "quantity": 1}])
        [fo] = self.fulfillment_orders(order)["fulfillmentOrders"]["nodes"]
        unknown = {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1"}]
            }
        }
        errors = self.graphql(FULFILLMENT_CREATE, unknown)["data"]["fulfillmentCreate"]["userErrors"]
        self.assertEqual(errors[0]["message"], "Fulfillment order does not exist.")
        status, _body = self.admin(f"/orders/{order.gid}/cancel", {"restock": True})
        self.assertEqual(status, 200)
        self.assertEqual(self.available(self.variants[0]), 10)
        cancelled = {"fulfillment": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fo["id"]}]}}
        errors = self.graphql(FULFILLMENT_CREATE, cancelled)["data"]["fulfillmentCreate"]["userErrors"]
        self.assertIn("unfulfillable status= cancelled", errors[0]["message"])

    # -- pay / cancel / edit / seed through the admin API ----------------------------------------------
    def test_pay_cancel_edit_and_seed(self):
        self.emu_shop.tax_rate = "0.10"
        variant = self.variants[0]
        variant.price = "10.00"
        status, created = self.admin(
            "/orders", {"lines": [{"sku": variant.sku, "quantity": 4}], "financial_status": "PENDING"}
        )
        self.assertEqual((status, created["financialStatus"]), (201, "PENDING"))
        status, paid = self.admin(f"/orders/{created['id']}/pay")
        self.assertEqual((status, paid["financialStatus"]), (200, "PAID"))
        status, again = self.admin(f"/orders/{created['id']}/pay")
        self.assertEqual((status, again["error"]), (422, "order #1001 is already paid"))

        line_gid = created["lineItems"][0]["id"]
        status, edited = self.admin(
            f"/orders/{created['id']}/edit",
            {
                "quantities": {line_gid: 1},
                "add": [{"sku": self.variants[1].sku, "quantity": 1, "price": "5.00"}],
            },
        )
        self.assertEqual(status, 200, edited)
        self.assertEqual([line["currentQuantity"] for line in edited["lineItems"]], [1, 1])
        self.assertEqual(edited["lineItems"][0]["quantity"], 4)
        self.assertEqual((edited["total"], edited["totalTax"]), ("16.50", "1.50"))
        self.assertEqual(self.available(variant), 9)
        data = self.order(created["id"])
        self.assertEqual(Decimal(data["totalPriceSet"]["shopMoney"]["amount"]), Decimal("16.50"))

        status, cancelled = self.admin(f"/orders/{created['id']}/cancel", {"reason": "FRAUD"})
        self.assertEqual((status, cancelled["financialStatus"]), (200, "REFUNDED"))
        self.assertEqual(self.available(variant), 10)
        data = self.order(created["id"])
        self.assertEqual(data["cancelReason"], "FRAUD")
        self.assertTrue(data["cancelledAt"])

        state = requests.get(f"{self.emulator.url}/_emulator/shops/{self.emulator_domain}", timeout=10).json()
        self.assertEqual([o["name"] for o in state["orders"]], ["#1001"])
        self.assertEqual(state["orders"][0]["financialStatus"], "REFUNDED")

        status, seeded = self.admin("/orders/seed", {"count": 5})
        self.assertEqual((status, len(seeded["orders"])), (200, 5))
        count = self.graphql("{ ordersCount { count } }")["data"]["ordersCount"]["count"]
        self.assertEqual(count, 6)
