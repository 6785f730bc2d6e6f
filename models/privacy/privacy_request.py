"""A customer's request for their data (Shopify's `customers/data_request`), to be answered within 30
days: what Odoo holds about that customer for that shop is collected into a JSON file attached to the
request, the responsible user gets an activity, and the request stays open until a manager marks it sent
(the merchant sends the file to the customer; Shopify does not take it back).
"""

import base64
import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import html2plaintext

from ..core.access import MANAGER, MANAGER_GROUP, check_shopify_access

# Shopify: "you must complete the action within 30 days of receiving the request".
ANSWER_WITHIN_DAYS = 30

PARTNER_FIELDS = (
    "name",
    "type",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "company_name",
    "vat",
    "lang",
    "comment",
)


class ShopifyPrivacyRequest(models.Model):
    _name = "shopify.privacy.request"
    _description = "Shopify Customer Data Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, due_date, id"

    name = fields.Char(required=True, readonly=True, string="Request")
    shop_id = fields.Many2one(
        "shopify.shop", required=True, readonly=True, index=True, ondelete="cascade", string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    customer_gid = fields.Char(string="Shopify Customer GID", required=True, readonly=True, index=True)
    shopify_request_id = fields.Char(string="Shopify Request ID", readonly=True, index=True)
    order_gids = fields.Json(string="Orders Requested", readonly=True)
    partner_ids = fields.Many2many("res.partner", string="Contacts Found", readonly=True)
    received_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now, string="Received At"
    )
    due_date = fields.Date(
        required=True,
        readonly=True,
        index=True,
        help="Answer the customer by this date.",
        string="Answer Due By",
    )
    state = fields.Selection(
        [("open", "To send"), ("sent", "Sent"), ("erased", "Erased")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        help="Erased: the customer was redacted since; the file went with their data.",
        string="Status",
    )
    sent_at = fields.Datetime(readonly=True, string="Sent to the Customer On")
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Data File", readonly=True, groups=MANAGER_GROUP)
    webhook_event_id = fields.Many2one("shopify.webhook.event", readonly=True, ondelete="set null")

    _sql_constraints = [
        (
            "request_unique",
            "unique(shop_id, customer_gid, shopify_request_id)",
            "This Shopify data request was already received.",
        ),
    ]

    # ------------------------------------------------------------------------------------------------
    @api.model
    def _receive(self, shop, request, event=None):
        """The data request `request` (services/mapping/privacy.py) of `shop`: the existing record when
        this request was already received (a redelivery), else a new one with its file."""
        customer = request["customer"]
        # Without Shopify's request id, the delivery's event stands for it: a redelivery shares it.
        key = request["request_id"] or (event and event.event_id) or (event and event.webhook_id) or None
        existing = self.search(
            [
                ("shop_id", "=", shop.id),
                ("customer_gid", "=", customer["gid"]),
                ("shopify_request_id", "=", key),
            ],
            limit=1,
        )
        if existing:
            return existing, False
        received = fields.Datetime.now()
        record = self.create(
            {
                "name": _("Data request of %(customer)s", customer=customer["gid"].rsplit("/", 1)[-1]),
                "shop_id": shop.id,
                "customer_gid": customer["gid"],
                "shopify_request_id": key,
                "order_gids": request["order_gids"],
                "received_at": received,
                "due_date": (received + timedelta(days=ANSWER_WITHIN_DAYS)).date(),
                "user_id": shop.privacy_user_id.id,
                "webhook_event_id": event.id if event else False,
            }
        )
        record._collect(customer, request["order_gids"])
        record._notify()
        return record, True

    def _collect(self, customer, order_gids):
        """Write the data file: the contacts, this shop's orders of the customer, their invoices and the
        messages on them. Orders of other customers or other shops are never in it."""
        self.ensure_one()
        shop = self.shop_id
        partners, bindings = self._customer_records(shop, customer["gid"], order_gids)
        sale_orders = bindings.sale_order_id
        invoices = sale_orders.invoice_ids.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        data = {
            "shop": shop.shop_domain,
            "customer": customer["gid"],
            "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
            "contacts": [self._partner_data(partner) for partner in partners | partners.child_ids],
            "orders": [self._order_data(binding) for binding in bindings],
            "invoices": [self._invoice_data(invoice) for invoice in invoices],
            "messages": self._messages_data(partners, sale_orders, invoices),
        }
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"shopify-data-request-{self.id}.json",
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "application/json",
                    "datas": base64.b64encode(json.dumps(data, indent=2, default=str).encode()),
                }
            )
        )
        self.write({"attachment_id": attachment.id, "partner_ids": [fields.Command.set(partners.ids)]})
        return data

    @api.model
    def _customer_records(self, shop, customer_gid, order_gids):
        """(contacts, order bindings) of one customer in one shop: the contact its binding links and the
        contacts of the orders Shopify names; the orders are this shop's orders of those contacts."""
        OrderBinding = self.env["shopify.order.binding"].sudo()
        partners = self.env["shopify.customer.binding"].sudo()._for_gid(shop, customer_gid).partner_id
        named = OrderBinding.search([("shop_id", "=", shop.id), ("shopify_gid", "in", order_gids or [])])
        partners |= named.sale_order_id.partner_id.commercial_partner_id
        bindings = named
        if partners:
            bindings |= OrderBinding.search(
                [
                    ("shop_id", "=", shop.id),
                    ("sale_order_id.partner_id", "child_of", partners.ids),
                ]
            )
        return partners, bindings.sorted("id")

    @api.model
    def _partner_data(self, partner):
        values = {field: partner[field] or None for field in PARTNER_FIELDS}
        values.update(
            {
                "id": partner.id,
                "state": partner.state_id.name or None,
                "country": partner.country_id.code or None,
            }
        )
        return values

    @api.model
    def _order_data(self, binding):
        order = binding.sale_order_id
        return {
            "shopify_order": binding.name,
            "shopify_gid": binding.shopify_gid,
            "odoo_order": order.name or None,
            "date": fields.Datetime.to_string(order.date_order) if order else None,
            "state": order.state or binding.state,
            "amount_total": order.amount_total if order else binding.amount_total,
            "currency": (order.currency_id or binding.currency_id).name,
            "invoice_address": self._partner_data(order.partner_invoice_id) if order else None,
            "delivery_address": self._partner_data(order.partner_shipping_id) if order else None,
            "lines": [
                {
                    "description": line.name,
                    "quantity": line.product_uom_qty,
                    "unit_price": line.price_unit,
                    "subtotal": line.price_subtotal,
                    "total": line.price_total,
                }
                for line in order.order_line
            ],
        }

    @api.model
    def _invoice_data(self, invoice):
        return {
            "number": invoice.name,
            "date": fields.Date.to_string(invoice.invoice_date) if invoice.invoice_date else None,
            "state": invoice.state,
            "amount_total": invoice.amount_total,
            "currency": invoice.currency_id.name,
        }

    @api.model
    def _messages_data(self, partners, sale_orders, invoices):
        threads = [
            ("res.partner", partners.ids),
            ("sale.order", sale_orders.ids),
            ("account.move", invoices.ids),
        ]
        domain = ["|"] * (len(threads) - 1)
        for model, ids in threads:
            domain += ["&", ("model", "=", model), ("res_id", "in", ids)]
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([*domain, ("message_type", "in", ("comment", "email", "notification"))], order="date, id")
        )
        return [
            {
                "date": fields.Datetime.to_string(message.date),
                "about": f"{message.model},{message.res_id}",
                "author": message.author_id.name or message.email_from or None,
                "subject": message.subject or None,
                "body": html2plaintext(message.body or ""),
            }
            for message in messages
            if message.body
        ]

    def _notify(self):
        users = self.user_id or self.env.ref(MANAGER_GROUP).users.filtered(
            lambda u: u.active and not u.share and self.company_id in u.company_ids
        )
        for user in users:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=self.due_date,
                summary=_("Send the customer their data (Shopify data request)"),
                note=_(
                    "A customer of %(shop)s asked for their data. The file is attached to %(request)s: send "
                    "it to them by %(due)s, then mark the request sent.",
                    shop=self.shop_id.name,
                    request=self.name,
                    due=self.due_date,
                ),
                user_id=user.id,
            )

    # ------------------------------------------------------------------------------------------------
    def action_mark_sent(self):
        check_shopify_access(self, MANAGER)
        for request in self.filtered(lambda r: r.state == "open"):
            request.write({"state": "sent", "sent_at": fields.Datetime.now()})
            request.activity_feedback(["mail.mail_activity_data_todo"], feedback=_("Data sent."))
        return True
