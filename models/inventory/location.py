"""A Shopify location of a shop and the Odoo stock it shows: a warehouse or a stock location."""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ShopifyLocation(models.Model):
    _name = "shopify.location"
    _description = "Shopify Location"
    _order = "shop_id, name, id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True, string="Company")
    shopify_gid = fields.Char(
        string="Shopify Location GID", required=True, readonly=True, help="gid://shopify/Location/<id>"
    )
    name = fields.Char(required=True, string="Location Name")
    active = fields.Boolean(default=True, help="Archived when the location no longer exists on Shopify.")
    remote_active = fields.Boolean(string="Active on Shopify", readonly=True, default=True)
    fulfills_online_orders = fields.Boolean(readonly=True, string="Fulfills Online Orders")
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Odoo Warehouse",
        domain="[('company_id', '=', company_id)]",
        check_company=True,
        help="All internal locations of this warehouse count.",
    )
    location_id = fields.Many2one(
        "stock.location",
        string="Odoo Location",
        domain="[('usage', '=', 'internal'), ('company_id', 'in', (company_id, False))]",
        check_company=True,
        help="This location and its children count.",
    )
    stock_location_id = fields.Many2one(
        "stock.location",
        compute="_compute_stock_location_id",
        store=True,
        index=True,
        string="Counted Odoo Stock",
        help="The Odoo location whose internal children make the quantity shown on Shopify.",
    )
    is_mapped = fields.Boolean(compute="_compute_stock_location_id", store=True, string="Mapped")

    _sql_constraints = [
        (
            "shop_gid_unique",
            "unique(shop_id, shopify_gid)",
            "This Shopify location is already known for this shop.",
        ),
    ]

    @api.depends("warehouse_id", "location_id")
    def _compute_stock_location_id(self):
        for location in self:
            stock = location.location_id or location.warehouse_id.view_location_id
            location.stock_location_id = stock
            location.is_mapped = bool(stock)

    @api.constrains("warehouse_id", "location_id")
    def _check_single_mapping(self):
        for location in self:
            if location.warehouse_id and location.location_id:
                raise ValidationError(
                    _(
                        "Map the Shopify location %s to a warehouse or to a stock location, not both.",
                        location.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if {"warehouse_id", "location_id", "active"} & set(vals):
            # A new mapping changes what every bound variant shows there: recompute them all once.
            self.env["shopify.inventory.level"]._mark_locations_for_push(self.filtered("is_mapped"))
        return result

    @api.model
    def _upsert_from_shopify(self, shop, nodes):
        """Create or refresh the shop's locations from `locations` nodes; archive those gone."""
        existing = {
            location.shopify_gid: location
            for location in self.with_context(active_test=False).search([("shop_id", "=", shop.id)])
        }
        seen = self.browse()
        for node in nodes:
            values = {
                "name": node["name"],
                "remote_active": bool(node.get("isActive", True)),
                "fulfills_online_orders": bool(node.get("fulfillsOnlineOrders")),
            }
            location = existing.get(node["id"])
            if location:
                if not location.active:
                    values["active"] = True
                location.write(values)
            else:
                location = self.create({**values, "shop_id": shop.id, "shopify_gid": node["id"]})
            seen |= location
        gone = self.browse([loc.id for gid, loc in existing.items() if loc not in seen and loc.active])
        gone.write({"active": False})
        return seen
