from ...services.mapping.fulfillment import fulfillment_inputs
from ..pure import PureCase

FULFILLMENT_ORDERS = [
    {
        "id": "gid://shopify/FulfillmentOrder/900",
        "status": "CLOSED",
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/FulfillmentOrderLineItem/1",
                    "remainingQuantity": 0,
                    "lineItem": {"id": "gid://shopify/LineItem/11"},
                }
            ]
        },
    },
    {
        "id": "gid://shopify/FulfillmentOrder/901",
        "status": "OPEN",
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/FulfillmentOrderLineItem/2",
                    "remainingQuantity": 2,
                    "lineItem": {"id": "gid://shopify/LineItem/11"},
                },
                {
                    "id": "gid://shopify/FulfillmentOrderLineItem/3",
                    "remainingQuantity": 1,
                    "lineItem": {"id": "gid://shopify/LineItem/12"},
                },
            ]
        },
    },
    {
        "id": "gid://shopify/FulfillmentOrder/902",
        "status": "IN_PROGRESS",
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/FulfillmentOrderLineItem/4",
                    "remainingQuantity": 5,
                    "lineItem": {"id": "gid://shopify/LineItem/11"},
                }
            ]
        },
    },
]


class TestFulfillmentMapping(PureCase):
    def test_quantities_spread_over_open_fulfillment_orders_with_tracking(self):
        inputs = fulfillment_inputs(
            FULFILLMENT_ORDERS,
            {"gid://shopify/LineItem/11": 3},
            tracking_number="00340434",
            tracking_company="DHL Express",
        )
        self.assertEqual(
            [fo for fo, _input in inputs],
            ["gid://shopify/FulfillmentOrder/901", "gid://shopify/FulfillmentOrder/902"],
        )
        first = inputs[0][1]
        self.assertEqual(
            first["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderLineItems"],
            [{"id": "gid://shopify/FulfillmentOrderLineItem/2", "quantity": 2}],
        )
        self.assertEqual(first["trackingInfo"], {"number": "00340434", "company": "DHL Express"})
        self.assertFalse(first["notifyCustomer"])
        self.assertEqual(
            inputs[1][1]["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderLineItems"],
            [{"id": "gid://shopify/FulfillmentOrderLineItem/4", "quantity": 1}],
        )

    def test_nothing_to_fulfil(self):
        self.assertEqual(fulfillment_inputs(FULFILLMENT_ORDERS, {"gid://shopify/LineItem/99": 1}), [])
        self.assertEqual(fulfillment_inputs(FULFILLMENT_ORDERS, {}), [])

    def test_no_tracking_info_without_a_number(self):
        ((_fo, fulfillment),) = fulfillment_inputs(FULFILLMENT_ORDERS[:2], {"gid://shopify/LineItem/12": 1})
        self.assertNotIn("trackingInfo", fulfillment)
