"""One Shopify order of one shop and the Odoo sale order made from it.

The binding exists from the first time we see the order, even when no sale order can be made yet
(*held*: a tax without mapping, an unknown item with the "hold" policy): the last payload stays here, so
nothing is lost and a fix re-runs the import. `needs_review` flags orders a person must look at (a total
that does not match, a placeholder product, a change after confirmation, a cancellation after shipping).
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...services.gid import numeric_id
from ..core.access import MANAGER, MANAGER_GROUP, USER, check_shopify_access

_logger = logging.getLogger(__name__)


class ShopifyOrderBinding(models.Model):
    _name = "shopify.order.binding"
    _description = "Shopify Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "shopify_processed_at desc, id desc"

    name = fields.Char(string="Shopify Order", required=True, readonly=True, help="e.g. #1042")
    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, ondelete="restrict", index=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True, string="Company")
    shopify_gid = fields.Char(string="Shopify Order GID", required=True, readonly=True, index=True)
    sale_order_id = fields.Many2one(
        "sale.order", readonly=True, ondelete="set null", index=True, copy=False, string="Sale Order"
    )
    state = fields.Selection(
        [("held", "Held"), ("imported", "Imported")],
        required=True,
        default="held",
        readonly=True,
        tracking=True,
        help="Held: no sale order yet; the reason says what to fix, then retry.",
        string="Import Status",
    )
    hold_reason = fields.Text(readonly=True, string="Hold Reason")
    hold_kind = fields.Selection(
        [
            ("tax_mapping", "Missing tax mapping"),
            ("unknown_item", "Unknown item"),
        ],
        readonly=True,
        string="Hold Type",
    )
    needs_review = fields.Boolean(readonly=True, tracking=True, index=True, string="Needs Review")
    review_reason = fields.Text(readonly=True, string="Review Reason")
    customer_match_rule = fields.Selection(
        [
            ("binding", "Shopify customer already linked"),
            ("email", "Same e-mail address"),
            ("phone", "Same phone number"),
            ("created", "New contact"),
            ("guest", "Guest order: new contact from the order"),
        ],
        readonly=True,
        help="Which rule found the customer of this order.",
        string="Customer Matched By",
    )
    financial_status = fields.Char(readonly=True, tracking=True, string="Payment Status")
    fulfillment_status = fields.Char(readonly=True, string="Fulfillment Status")
    cancelled = fields.Boolean(readonly=True, tracking=True, string="Cancelled on Shopify")
    currency_id = fields.Many2one(
        "res.currency", readonly=True, help="The shop currency: Odoo amounts use it."
    )
    amount_total = fields.Monetary(string="Shopify Total", readonly=True, currency_field="currency_id")
    presentment_currency_id = fields.Many2one(
        "res.currency", readonly=True, help="The currency the customer saw and paid in."
    )
    presentment_amount_total = fields.Monetary(
        string="Total in Customer Currency", readonly=True, currency_field="presentment_currency_id"
    )
    shopify_processed_at = fields.Datetime(string="Processed At", readonly=True)
    shopify_updated_at = fields.Datetime(string="Updated on Shopify", readonly=True)
    # The order as Shopify sent it: the customer's name, e-mail, phone and addresses. Managers only, like
    # the webhook's raw body; the importer reads it as superuser (queue) or for a manager (buttons).
    payload = fields.Json(
        readonly=True, copy=False, groups=MANAGER_GROUP, help="The last order payload applied (or held)."
    )
    payload_source = fields.Selection([("rest", "Webhook"), ("graphql", "Poll")], readonly=True)
    admin_url = fields.Char(compute="_compute_admin_url", string="Shopify Admin")
    transaction_ids = fields.One2many(
        "shopify.order.transaction", "binding_id", readonly=True, string="Payment Transactions"
    )
    refund_ids = fields.One2many("shopify.order.refund", "binding_id", readonly=True, string="Refunds")
    risk_level = fields.Selection(
        [("none", "None"), ("pending", "Pending"), ("low", "Low"), ("medium", "Medium"), ("high", "High")],
        readonly=True,
        help="Shopify's risk analysis (the highest assessment), read when the order is imported.",
        string="Risk Level",
    )
    risk_recommendation = fields.Selection(
        [("accept", "Accept"), ("investigate", "Investigate"), ("cancel", "Cancel"), ("none", "None")],
        readonly=True,
        string="Shopify's Risk Recommendation",
    )
    risk_hold = fields.Boolean(
        readonly=True, index=True, help="Risky: kept in draft until a Shopify manager releases it."
    )
    risk_released_by = fields.Many2one("res.users", readonly=True, copy=False, string="Risk Hold Released By")
    payment_hold = fields.Boolean(
        readonly=True,
        index=True,
        help="A payment waits: its Shopify gateway has no journal (see the transactions' hold reason).",
    )

    _sql_constraints = [
        ("shopify_gid_unique", "unique(shop_id, shopify_gid)", "This Shopify order is already bound."),
    ]

    @api.depends("shop_id.shop_domain", "shopify_gid")
    def _compute_admin_url(self):
        for binding in self:
            binding.admin_url = (
                f"https://{binding.shop_id.shop_domain}/admin/orders/{numeric_id(binding.shopify_gid)}"
                if binding.shop_id.shop_domain and binding.shopify_gid
                else False
            )

    # ------------------------------------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------------------------------------
    def action_retry_import(self):
        """Run the import again with the stored payload (after products, taxes or settings were fixed)."""
        check_shopify_access(self, MANAGER)
        # Checked: from here the import runs with the queue's rights (it creates contacts, sale orders,
        # taxes), not the manager's, who need not be a salesperson or an accountant.
        importer = self.env["shopify.order.import"].sudo()
        for binding in self.sudo():
            if not binding.payload:
                raise UserError(_("The order %s has no stored payload to import again.", binding.name))
            importer._reapply(binding)
        return True

    def action_fix_tax_mapping(self):
        """One click: map every tax of the held order (reusing or creating Odoo taxes), then import it."""
        check_shopify_access(self, MANAGER)
        importer = self.env["shopify.order.import"].sudo()
        mapping = self.env["shopify.tax.mapping"].sudo()  # checked: may create the Odoo tax, as the import
        for binding in self.sudo():
            order = importer._order_dict(binding.payload, binding.payload_source)
            for rate_percent, title in importer._missing_taxes(binding.shop_id, order):
                mapping._create_missing(binding.shop_id, rate_percent, order["taxes_included"], title)
                binding.message_post(
                    body=_("Tax mapping added: %(title)s %(rate)s%%.", title=title or "-", rate=rate_percent)
                )
        return self.action_retry_import()

    def action_fix_gateway_mapping(self):
        """One click: map every gateway a held payment waits for to the shop's payment journal, then
        continue the order's workflow."""
        check_shopify_access(self, MANAGER)
        mapping = self.env["shopify.gateway.mapping"].sudo()  # checked: creates the mapping rows
        workflow = self.env["shopify.order.workflow"].sudo()  # checked: registers payments, as the queue
        for binding in self.sudo():
            for gateway in set(
                binding.transaction_ids.filtered(lambda t: t.state == "held").mapped("gateway")
            ):
                journal = mapping._create_missing(binding.shop_id, gateway)
                binding.message_post(
                    body=_(
                        "Gateway %(gateway)s mapped to %(journal)s.", gateway=gateway, journal=journal.name
                    )
                )
            workflow._run(binding)
        return True

    def action_release_risk(self):
        """A manager looked at a risky order and accepts it: the workflow continues (confirmation,
        invoice, payments), and the order is not held for its risk again."""
        check_shopify_access(self, MANAGER)
        importer = self.env["shopify.order.import"].sudo()  # checked: confirms as the queue would
        workflow = self.env["shopify.order.workflow"].sudo()
        for binding in self.sudo().filtered("risk_hold"):
            binding.write({"risk_hold": False, "risk_released_by": self.env.user.id})
            binding.message_post(body=_("Risk accepted by %s: the order continues.", self.env.user.name))
            importer._apply_confirmation_policy(binding)
            workflow._run(binding)
        return True

    def action_mark_reviewed(self):
        """A person checked the order: clear the flag and apply the shop's confirmation policy."""
        check_shopify_access(self, MANAGER)
        importer = self.env["shopify.order.import"].sudo()  # checked: confirms the sale order, as the import
        for binding in self:
            binding.write({"needs_review": False, "review_reason": False})
            binding.message_post(body=_("Reviewed by %s.", self.env.user.name))
            importer._apply_confirmation_policy(binding.sudo())
            self.env["shopify.order.workflow"].sudo()._run(binding.sudo())
        return True

    def action_open_sale_order(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------------------------------------
    # Flags
    # ------------------------------------------------------------------------------------------------
    def _flag_for_review(self, reason):
        """Add a reason to review, post it, notify the managers. Never raises: flagging is the fallback."""
        self.ensure_one()
        reasons = [r for r in (self.review_reason or "").split("\n") if r]
        if reason not in reasons:
            reasons.append(reason)
        self.write({"needs_review": True, "review_reason": "\n".join(reasons)})
        self.message_post(body=reason)
        self._notify_managers(reason)
        _logger.warning("Shopify order %s (binding %s) flagged for review", self.name, self.id)

    def _notify_managers(self, reason):
        users = self.shop_id.order_alert_user_id or self.env.ref(MANAGER_GROUP).users.filtered(
            lambda u: u.active and not u.share and u.company_id == self.company_id
        )
        for user in users:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Shopify order %s needs review", self.name),
                note=reason,
                user_id=user.id,
            )
