"""A Shopify Payments dispute (chargeback or inquiry) of one shop, as received from disputes/create,
disputes/update or the daily read: one row per dispute GID, its status kept current.

The order hears of it: a note on the sale order when the dispute opens and at every status change (and
on the dispute itself when the order is not imported); a manager gets an activity when it opens. The
money it takes and gives back shows in the payouts as lines linked to it (shopify.payout.line).
"""

from odoo import _, api, fields, models

STATUSES = [
    ("NEEDS_RESPONSE", "Needs response"),
    ("UNDER_REVIEW", "Under review"),
    ("WON", "Won"),
    ("LOST", "Lost"),
    ("ACCEPTED", "Accepted"),
    ("CHARGE_REFUNDED", "Charge refunded"),
    ("PREVENTED", "Prevented"),
]


class ShopifyDispute(models.Model):
    _name = "shopify.dispute"
    _description = "Shopify Payments Dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "initiated_at desc, id desc"

    name = fields.Char(compute="_compute_name", store=True, string="Dispute")
    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, ondelete="cascade", index=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    shopify_gid = fields.Char(string="Dispute GID", required=True, readonly=True, index=True)
    order_gid = fields.Char(readonly=True, index=True)
    order_name = fields.Char(string="Shopify Order", readonly=True)
    binding_id = fields.Many2one("shopify.order.binding", compute="_compute_binding_id", store=True)
    sale_order_id = fields.Many2one(related="binding_id.sale_order_id")
    kind = fields.Selection(
        [("CHARGEBACK", "Chargeback"), ("INQUIRY", "Inquiry")], readonly=True, string="Dispute Type"
    )
    status = fields.Selection(STATUSES, readonly=True, tracking=True, string="Status on Shopify")
    reason = fields.Char(readonly=True, string="Reason")
    network_reason_code = fields.Char(readonly=True, string="Card Network Reason Code")
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id", string="Disputed Amount")
    initiated_at = fields.Datetime(readonly=True, string="Opened At")
    evidence_due_by = fields.Datetime(readonly=True, string="Evidence Due By")
    finalized_on = fields.Datetime(readonly=True, string="Decided On")
    line_ids = fields.One2many("shopify.payout.line", "dispute_id", string="Payout Lines", readonly=True)

    _sql_constraints = [
        ("dispute_unique", "unique(shop_id, shopify_gid)", "This Shopify dispute is already known."),
    ]

    @api.depends("shopify_gid", "order_name")
    def _compute_name(self):
        for dispute in self:
            number = (dispute.shopify_gid or "").rsplit("/", 1)[-1]
            dispute.name = _("Dispute %(number)s (%(order)s)", number=number, order=dispute.order_name or "?")

    @api.depends("order_gid", "shop_id")
    def _compute_binding_id(self):
        Binding = self.env["shopify.order.binding"]
        for dispute in self:
            dispute.binding_id = (
                Binding.search(
                    [("shop_id", "=", dispute.shop_id.id), ("shopify_gid", "=", dispute.order_gid)], limit=1
                )
                if dispute.order_gid
                else Binding
            )

    @api.model
    def _receive(self, shop, data):
        """Create or update the dispute from a mapped body (services/mapping/payouts.py); a status already
        known changes nothing, so repeated deliveries are no-ops. Returns the dispute."""
        dispute = self.search([("shop_id", "=", shop.id), ("shopify_gid", "=", data["gid"])], limit=1)
        if not data.get("order_name") and data.get("order_gid"):
            binding = self.env["shopify.order.binding"].search(
                [("shop_id", "=", shop.id), ("shopify_gid", "=", data["order_gid"])], limit=1
            )
            data = {**data, "order_name": binding.name or None}
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", data["currency"])], limit=1)
        )
        values = {
            "status": data["status"],
            "finalized_on": data.get("finalized_on"),
        }
        if not dispute:
            dispute = self.create(
                {
                    **values,
                    "shop_id": shop.id,
                    "shopify_gid": data["gid"],
                    "order_gid": data.get("order_gid"),
                    "order_name": data.get("order_name"),
                    "kind": data.get("kind")
                    if data.get("kind") in ("CHARGEBACK", "INQUIRY")
                    else "CHARGEBACK",
                    "reason": data.get("reason"),
                    "network_reason_code": data.get("network_reason_code"),
                    "currency_id": currency.id,
                    "amount": data["amount"],
                    "initiated_at": data.get("initiated_at"),
                    "evidence_due_by": data.get("evidence_due_by"),
                }
            )
            dispute._note(
                _(
                    "Shopify Payments dispute opened on %(order)s: %(amount)s %(currency)s, reason "
                    "%(reason)s (%(kind)s). Respond in Shopify before %(due)s.",
                    order=dispute.order_name or dispute.order_gid,
                    amount=dispute.amount,
                    currency=data["currency"],
                    reason=dispute.reason or "?",
                    kind=dispute.kind,
                    due=dispute.evidence_due_by or "?",
                )
            )
            dispute._notify_managers()
            return dispute
        if dispute.status == data["status"]:
            return dispute
        dispute.write({key: value for key, value in values.items() if value or key == "status"})
        dispute._note(
            _(
                "Shopify Payments dispute on %(order)s is now %(status)s.",
                order=dispute.order_name or dispute.order_gid,
                status=dict(STATUSES).get(dispute.status, dispute.status),
            )
        )
        return dispute

    def _note(self, body):
        """On the sale order when there is one, always on the dispute."""
        self.ensure_one()
        if self.sale_order_id:
            self.sale_order_id.message_post(body=body)
        self.message_post(body=body)

    def _notify_managers(self):
        shop = self.shop_id
        users = shop.order_alert_user_id or self.env.ref("shopify_sync.group_shopify_manager").users.filtered(
            lambda u: u.active and not u.share and u.company_id == self.company_id
        )
        for user in users:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Shopify dispute on %s", self.order_name or self.order_gid),
                note=_("Answer it in Shopify before %s.", self.evidence_due_by or "?"),
                user_id=user.id,
            )
