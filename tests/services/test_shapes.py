"""The TypedDicts of services/mapping/shapes.py describe what the mappers really produce: same keys,
every level, from both sources (a stale shape would mislead every reader of the import)."""

import typing

from ...services.mapping import orders, products, shapes
from ..payloads import orders as order_payloads
from ..pure import PureCase
from .test_product_mapping import GRAPHQL_NODE, REST_BODY


def _keys(shape):
    hints = typing.get_type_hints(shape)
    return set(hints), {name for name in hints if name not in shape.__required_keys__}


class TestShapes(PureCase):
    def assertShape(self, value, shape):
        keys, optional = _keys(shape)
        self.assertLessEqual(keys - optional, set(value), f"{shape.__name__}: keys missing")
        self.assertLessEqual(set(value), keys, f"{shape.__name__}: keys the shape does not declare")

    def test_orders(self):
        for order in (
            orders.order_from_rest(order_payloads.eu_tax_included()),
            orders.order_from_rest(order_payloads.guest_chf()),
            orders.order_from_graphql(order_payloads.eu_tax_included_graphql()),
        ):
            self.assertShape(order, shapes.Order)
            self.assertTrue(order["lines"])
            for line in order["lines"]:
                self.assertShape(line, shapes.OrderLine)
                for tax in line["taxes"]:
                    self.assertShape(tax, shapes.OrderTax)
            for ship in order["shipping_lines"]:
                self.assertShape(ship, shapes.ShippingLine)
            for address in (order["billing_address"], order["shipping_address"]):
                if address is not None:
                    self.assertShape(address, shapes.OrderAddress)
            if order["customer"] is not None:
                self.assertShape(order["customer"], shapes.OrderCustomer)

    def test_products(self):
        for product in (products.product_from_graphql(GRAPHQL_NODE), products.product_from_rest(REST_BODY)):
            self.assertShape(product, shapes.Product)
            self.assertShape(product["fields"], shapes.ProductFields)
            for option in product["options"]:
                self.assertShape(option, shapes.ProductOption)
            self.assertTrue(product["variants"])
            for variant in product["variants"]:
                self.assertShape(variant, shapes.Variant)
                self.assertShape(variant["fields"], shapes.VariantFields)
