"""The shop's order settings and the orders poll (the safety net behind the order webhooks)."""

import logging
from datetime import timedelta

from odoo import api, fields, models

from ...services.mapping.orders import timestamp
from ..core.access import USER, check_shopify_access
from ..core.sync_state import ORDER_POLL

_logger = logging.getLogger(__name__)

# The poll asks for orders updated since the watermark minus this overlap: Shopify's updated_at can
# land a little after our clock read, and re-reading an order is harmless (the binding makes it a no-op).
POLL_OVERLAP = timedelta(minutes=5)

# First poll of a shop: how far back to look (older orders are imported on demand, not by the poll).
INITIAL_LOOKBACK = timedelta(days=1)

# Orders per page: each carries up to 50 line items, which keeps a page far below the cost limit.
POLL_PAGE_SIZE = 2  # 2 orders × 20 lines ≈ 700 points: under Shopify's 1000-point request maximum


# The ids read asks for few orders first (a page costs 2 + `first` requested points, whatever it returns:
# with webhooks flowing the overlap window holds a handful), then full pages when there are more.
ID_FIRST_PAGE_SIZE = 10
ID_PAGE_SIZE = 250


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    order_confirmation_policy = fields.Selection(
        [("always", "Always"), ("paid", "When paid"), ("never", "Never (confirm by hand)")],
        default="paid",
        required=True,
        string="Confirm Orders",
    )
    order_unknown_item_policy = fields.Selection(
        [
            ("placeholder", "Import with a placeholder product and flag for review"),
            ("hold", "Hold the order until the item is known"),
        ],
        default="placeholder",
        required=True,
        string="Unknown Items",
    )
    order_discount_mode = fields.Selection(
        [("line", "Discount % on the line"), ("product", "Separate discount line")],
        default="line",
        required=True,
        string="Discounts",
        help="A line discount that cannot reproduce Shopify's amount to the cent becomes a discount line "
        "anyway.",
    )
    order_team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    order_user_id = fields.Many2one("res.users", string="Salesperson", domain="[('share', '=', False)]")
    order_delivery_product_id = fields.Many2one(
        "product.product",
        string="Shipping Product",
        default=lambda self: self.env.ref("shopify_sync.product_shopify_shipping", raise_if_not_found=False),
    )
    order_discount_product_id = fields.Many2one(
        "product.product",
        string="Discount Product",
        default=lambda self: self.env.ref("shopify_sync.product_shopify_discount", raise_if_not_found=False),
    )
    order_gift_card_product_id = fields.Many2one(
        "product.product",
        string="Gift Card Product",
        default=lambda self: self.env.ref("shopify_sync.product_shopify_gift_card", raise_if_not_found=False),
    )
    order_tip_product_id = fields.Many2one(
        "product.product",
        string="Tip Product",
        default=lambda self: self.env.ref("shopify_sync.product_shopify_tip", raise_if_not_found=False),
    )
    order_placeholder_product_id = fields.Many2one(
        "product.product",
        string="Placeholder Product",
        default=lambda self: self.env.ref("shopify_sync.product_shopify_unknown", raise_if_not_found=False),
        help="Stands for an item no Odoo product matches (by variant link or SKU).",
    )
    order_alert_user_id = fields.Many2one(
        "res.users",
        string="Order Alerts To",
        domain="[('share', '=', False)]",
        help="Gets an activity for held or flagged orders. Empty: every Shopify manager of the company.",
    )
    fulfillment_notify_mode = fields.Selection(
        [("none", "Nobody"), ("user", "A user"), ("group", "A group"), ("channel", "A Discuss channel")],
        default="none",
        required=True,
        string="Notify on Confirmation",
    )
    fulfillment_user_id = fields.Many2one(
        "res.users", string="Fulfillment User", domain="[('share', '=', False)]"
    )
    fulfillment_group_id = fields.Many2one("res.groups", string="Fulfillment Group")
    fulfillment_channel_id = fields.Many2one("discuss.channel", string="Fulfillment Channel")
    order_invoice_policy = fields.Selection(
        [
            ("never", "Never (invoice by hand)"),
            ("confirm", "At confirmation"),
            ("paid", "When paid"),
            ("fulfilled", "When fulfilled"),
        ],
        default="paid",
        required=True,
        string="Create Invoices",
    )
    order_invoice_post = fields.Boolean(
        string="Post Invoices", default=True, help="Off: invoices stay in draft for an accountant to post."
    )
    order_register_payments = fields.Boolean(
        string="Register Payments",
        default=True,
        help="One payment per successful Shopify transaction, on the journal of its gateway, reconciled "
        "with the invoice; refunds likewise on their credit notes.",
    )
    order_payment_journal_id = fields.Many2one(
        "account.journal",
        string="Default Payment Journal",
        check_company=True,
        domain="[('type', 'in', ('bank', 'cash'))]",
        help="What “Fix gateway mapping” maps a new gateway to (empty: the company's first bank journal).",
    )
    order_risk_policy = fields.Selection(
        [
            ("hold", "Hold in draft until a manager releases it"),
            ("flag", "Import and flag"),
            ("ignore", "Ignore"),
        ],
        default="ignore",
        required=True,
        string="Risky Orders",
        help="Risky: Shopify's risk analysis recommends cancelling or investigating the order, or an "
        "assessment says high risk. Hold or flag costs one API read per order imported from a webhook "
        "(the poll's orders carry their risk).",
    )
    gateway_mapping_ids = fields.One2many("shopify.gateway.mapping", "shop_id", string="Gateway Mapping")
    order_binding_ids = fields.One2many("shopify.order.binding", "shop_id", string="Orders")
    order_binding_count = fields.Integer(compute="_compute_order_binding_count")
    tax_mapping_ids = fields.One2many("shopify.tax.mapping", "shop_id", string="Tax Mapping")
    orders_synced_until = fields.Datetime(
        compute="_compute_orders_synced_until",
        help="Watermark of the order poll: orders updated after it are fetched.",
        string="Orders Synced Until",
    )

    @api.depends("order_binding_ids")
    def _compute_order_binding_count(self):
        counts = dict(
            self.env["shopify.order.binding"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.order_binding_count = counts.get(shop, 0)

    @api.depends("sync_state_ids.watermark")
    def _compute_orders_synced_until(self):
        States = self.env["shopify.sync.state"]
        polls = States._by_shop(self, ORDER_POLL)
        for shop in self:
            shop.orders_synced_until = polls.get(shop._origin.id, States).watermark

    # ------------------------------------------------------------------------------------------------
    # The order poll: catches what webhooks missed
    # ------------------------------------------------------------------------------------------------
    def _sync_orders(self):
        """Scheduled sync "orders" (cron every minute): poll the orders webhooks may have missed."""
        if self.state == "draft":  # never connected: no credentials to poll with yet
            return {}
        ok, failed = self._shopify_poll_orders()
        return {"ok": ok, "failed": failed}

    def _shopify_poll_orders(self, now=None):
        """Import every order updated since the watermark (minus an overlap) and not applied yet;
        returns (ok, failed).

        The poll first reads only ids and updatedAt (a few points); full records are read only for the
        orders whose updatedAt is newer than the one their binding applied (the webhooks usually got
        there first), over the updatedAt range those span. One order's failure is logged and does not
        stop the others; the watermark then stops at the oldest failed order so the next poll fetches it
        again.
        """
        self.ensure_one()
        now = now or fields.Datetime.now()
        state = self._state_row(ORDER_POLL)
        since = (state.watermark or now - INITIAL_LOOKBACK) - POLL_OVERLAP
        query = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        client = self._shopify_client()
        changed, applied = self._shopify_orders_not_applied(client, query)
        ok, failed_at = applied, []  # an order found already applied counts as done, as its import would
        if changed:
            # updatedAt is read to the second: the upper bound takes in the whole last second.
            oldest, newest = min(changed.values()), max(changed.values()) + timedelta(seconds=1)
            imported, failed_at = self._shopify_import_polled_orders(
                client,
                set(changed),
                f"updated_at:>='{oldest.strftime('%Y-%m-%dT%H:%M:%SZ')}' "
                f"updated_at:<'{newest.strftime('%Y-%m-%dT%H:%M:%SZ')}'",
            )
            ok += imported
        if failed_at:
            oldest = min(timestamp(value) for value in failed_at if value) if any(failed_at) else since
            state.watermark = min(oldest, now)
        else:
            state.watermark = now
        return ok, len(failed_at)

    def _shopify_orders_not_applied(self, client, query):
        """`({gid: updatedAt}, count)`: the orders matching `query` whose updatedAt is newer than the one
        their binding applied (or that have no binding), and how many others were found already applied;
        read as ids and updatedAt only."""
        seen, after, first = {}, None, ID_FIRST_PAGE_SIZE
        while True:
            connection = (
                client.execute(
                    "order_ids_updated_since", {"query": query, "first": first, "after": after}
                ).get("orders")
                or {}
            )
            for node in connection.get("nodes") or ():
                seen[node["id"]] = timestamp(node.get("updatedAt"))
            page_info = connection.get("pageInfo") or {}
            if not page_info.get("hasNextPage"):
                break
            after, first = page_info["endCursor"], ID_PAGE_SIZE
        if not seen:
            return {}, 0
        applied = dict(
            self.env["shopify.order.binding"]
            .sudo()
            .search_fetch(
                [("shop_id", "=", self.id), ("shopify_gid", "in", list(seen))],
                ["shopify_gid", "shopify_updated_at"],
            )
            .mapped(lambda binding: (binding.shopify_gid, binding.shopify_updated_at))
        )
        changed = {
            gid: updated
            for gid, updated in seen.items()
            if updated and not (applied.get(gid) and updated <= applied[gid])
        }
        return changed, len(seen) - len(changed)

    def _shopify_import_polled_orders(self, client, changed, query):
        """Read the full orders matching `query` and import them; `(ok, updatedAt of each failure)`.
        An order already applied at its updatedAt is passed over (the import would ignore it), counted
        only if it is one of `changed` (the others were counted by the ids read)."""
        importer = self.env["shopify.order.import"]
        Binding = self.env["shopify.order.binding"].sudo()
        ok, failed_at = 0, []
        for node in client.paginate(
            "orders_updated_since", {"query": query}, connection_path=("orders",), page_size=POLL_PAGE_SIZE
        ):
            try:
                applied = Binding.search([("shop_id", "=", self.id), ("shopify_gid", "=", node["id"])])
                updated = timestamp(node.get("updatedAt"))
                if applied.shopify_updated_at and updated and updated <= applied.shopify_updated_at:
                    ok += node["id"] in changed  # applied since the ids read (a webhook got there)
                    continue
                if ((node.get("lineItems") or {}).get("pageInfo") or {}).get("hasNextPage"):
                    # A poll page holds 20 lines per order (cost cap): read the long order on its own.
                    full = self._shopify_read_order(client, node["id"])
                    if not full:  # deleted since the page was read: nothing to import
                        _logger.info("Shopify shop %s: order %s is gone, skipped", self.id, node.get("name"))
                        continue
                    node = full
                with self.env.cr.savepoint():
                    importer._import_graphql(self, node)
                ok += 1
            except Exception as error:  # one bad order must not stop the poll
                _logger.warning(
                    "Shopify shop %s: order %s from the poll failed: %s", self.id, node.get("name"), error
                )
                failed_at.append(node.get("updatedAt"))
        return ok, failed_at

    def _shopify_read_order(self, client, gid):
        """One order as a GraphQL node with all its line items (page after page); None if it is gone."""
        node = client.execute("order_by_id", {"id": gid}).get("order")
        if not node:
            return None
        line_items = node.get("lineItems") or {}
        nodes = list(line_items.get("nodes") or [])
        page_info = line_items.get("pageInfo") or {}
        while page_info.get("hasNextPage"):
            page = (
                client.execute("order_line_items", {"id": gid, "after": page_info["endCursor"]}).get("order")
                or {}
            ).get("lineItems") or {}
            nodes += page.get("nodes") or []
            page_info = page.get("pageInfo") or {}
        return {**node, "lineItems": {"nodes": nodes, "pageInfo": {"hasNextPage": False}}}

    def action_view_orders(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_order_binding")
        action["domain"] = [("shop_id", "=", self.id)]
        return action
