"""What the syncs write as they run (poll watermarks, last-check results, cached tokens): one row per
(shop, kind), never the shop record.

Odoo runs REPEATABLE READ: a transaction that updates a row another transaction changed and committed
after its snapshot fails with "could not serialize access due to concurrent update". The crons start
together, so when each wrote its marker on the shop row, all but one failed at every start. Here two kinds
never share a row and the shop row stays configuration that only people edit. A row is created on first
use by an INSERT … ON CONFLICT DO NOTHING (no ORM create, which would fail on a concurrent twin) and then
changed by a plain one-row update.
"""

from odoo import api, fields, models

from .access import MANAGER_GROUP

# Kinds, and the columns each uses.
ORDER_POLL = "order_poll"  # watermark: orders updated after it are fetched by the next poll
PRODUCT_POLL = "product_poll"  # watermark: products updated after it are fetched by the next poll


CUSTOMER_POLL = "customer_poll"  # watermark: customers updated after it are read by the next poll


CUSTOMER_SYNC = "customer_sync"  # checked_at, details {"export_errors": [...]}: last customer sync run


CUSTOMER_RECONCILE = "customer_reconcile"  # checked_at, details {"missing", "stale", "gone", ...}: last run


PRODUCT_CUSTOM_ID = "product_custom_id"  # done: the customId metafield definition exists on Shopify
WEBHOOKS = "webhooks"  # checked_at, error, details {"covered": [...], "missing": [...]}: last check
OAUTH_TOKEN = "oauth_token"  # secret, secret_expires_at: the client-credentials token cache


class ShopifySyncState(models.Model):
    _name = "shopify.sync.state"
    _description = "Shopify Sync State"
    _order = "shop_id, kind"
    _rec_name = "kind"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    kind = fields.Char(required=True, readonly=True, help="Which sync's state this row holds.")
    watermark = fields.Datetime(
        readonly=True, help="Poll watermark: what Shopify changed after it is read by the next poll."
    )
    done = fields.Boolean(readonly=True, help="A one-time setup step is done.")
    checked_at = fields.Datetime(string="Last Run", readonly=True)
    error = fields.Text(readonly=True, help="Why the last run failed (empty: it succeeded).")
    details = fields.Json(readonly=True, help="What the last run found, as the kind defines it.")
    # Secrets: readable by Shopify managers only, like the shop's credentials; never logged.
    secret = fields.Char(groups=MANAGER_GROUP, copy=False, readonly=True)
    secret_expires_at = fields.Datetime(groups=MANAGER_GROUP, copy=False, readonly=True)

    _sql_constraints = [
        ("shop_kind_unique", "unique(shop_id, kind)", "A shop has one state row per kind."),
    ]

    @api.model
    def _find(self, shop, kind):
        """The (shop, kind) row as the system sees it; empty if none was written yet."""
        shop.ensure_one()
        return self.sudo().search([("shop_id", "=", shop.id), ("kind", "=", kind)], limit=1)

    @api.model
    def _ensure(self, shop, kind):
        """The (shop, kind) row as the system sees it, created if missing; write it with `.write()`."""
        state = self._find(shop, kind)
        if state:
            return state
        now = self.env.cr.now()
        self.env.cr.execute(
            """
            INSERT INTO shopify_sync_state (shop_id, company_id, kind, create_uid, create_date, write_uid,
                                            write_date)
            SELECT id, company_id, %(kind)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM shopify_shop WHERE id = %(shop)s
            ON CONFLICT (shop_id, kind) DO NOTHING
            """,
            {"shop": shop.id, "kind": kind, "uid": self.env.uid, "now": now},
        )
        return self._find(shop, kind)

    @api.model
    def _by_shop(self, shops, kind):
        """{shop id: its row of `kind`} for those of `shops` that have one, as the system sees them (a
        shop being edited in a form is looked up by its `_origin`)."""
        states = self.sudo().search([("shop_id", "in", shops._origin.ids), ("kind", "=", kind)])
        return {state.shop_id.id: state for state in states}
