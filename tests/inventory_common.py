"""Fixtures for inventory tests: a warehouse, Shopify locations, stockable variants bound to a shop."""

from odoo import Command


class InventoryFixtures:
    """Mixin for ShopifyCase subclasses; expects `cls.shop`."""

    _gid_counter = 0

    @classmethod
    def setup_inventory(cls):
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.stock = cls.warehouse.lot_stock_id
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf 1", "location_id": cls.stock.id, "usage": "internal"}
        )
        cls.customer_location = cls.env.ref("stock.stock_location_customers")

    @classmethod
    def next_number(cls):
        InventoryFixtures._gid_counter += 1
        return 9_000_000 + InventoryFixtures._gid_counter

    @classmethod
    def make_location(cls, name="Main", gid=None, **mapping):
        return cls.env["shopify.location"].create(
            {
                "shop_id": cls.shop.id,
                "name": name,
                "shopify_gid": gid or f"gid://shopify/Location/{cls.next_number()}",
                **mapping,
            }
        )

    @classmethod
    def make_bound_variants(cls, count, name="Mug", item_gids=None, **binding_values):
        """`count` storable variants of one template, each bound with an inventory item gid."""
        templates = cls.env["product.template"].create(
            [{"name": f"{name} {index}", "is_storable": True} for index in range(count)]
        )
        product_bindings = cls.env["shopify.product.binding"].create(
            [
                {
                    "shop_id": cls.shop.id,
                    "product_tmpl_id": template.id,
                    "shopify_gid": f"gid://shopify/Product/{cls.next_number()}",
                }
                for template in templates
            ]
        )
        variant_bindings = cls.env["shopify.variant.binding"].create(
            [
                {
                    "product_binding_id": binding.id,
                    "product_id": binding.product_tmpl_id.product_variant_id.id,
                    "shopify_gid": f"gid://shopify/ProductVariant/{cls.next_number()}",
                    "inventory_item_gid": (item_gids[index] if item_gids else None)
                    or f"gid://shopify/InventoryItem/{cls.next_number()}",
                    **binding_values,
                }
                for index, binding in enumerate(product_bindings)
            ]
        )
        return variant_bindings

    def set_stock(self, product, location, quantity):
        """Inventory adjustment, the way a stock user does it (creates a done move)."""
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {"product_id": product.id, "location_id": location.id, "inventory_quantity": quantity}
        ).action_apply_inventory()

    def deliver(self, product, quantity, validate=True):
        """A confirmed, reserved delivery from the warehouse; validated unless told otherwise."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "location_id": self.stock.id,
                "location_dest_id": self.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": self.stock.id,
                            "location_dest_id": self.customer_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        if validate:
            picking.move_ids.quantity = quantity
            picking.move_ids.picked = True
            picking.button_validate()
        return picking
