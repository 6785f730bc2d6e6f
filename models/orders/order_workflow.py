"""Order to cash: what an imported Shopify order becomes in the books, per the shop's workflow settings.

`_run(binding)` is called after every import of the order and after every transaction or refund received
for it. It is idempotent: each step looks at what exists before doing anything.

1. Transactions and refunds received before the order (`order_gid` known, no binding yet) are attached.
2. The invoice (policy: never / at confirmation / when paid / when fulfilled), from the sale order, its
   total checked against the sale order's to the currency's rounding (Shopify's own total was checked by
   the import); posted if the shop says so.
3. One payment per successful sale or capture (journal by gateway; an unmapped gateway holds that
   transaction with the fix to apply), registered on the invoice and reconciled with it.
4. Refunds: a credit note for what was refunded (lines, shipping, the rest as an adjustment line) and the
   refund transaction as an outbound payment reconciled with it, or, when the order is not invoiced yet,
   the sale order itself adjusted; the stock follows (shopify.order.return: delivery reduced, return
   picking for restocked shipped units).
"""

import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...services import money
from ...services.errors import PayloadError
from ...services.mapping import payments as pay_mapping

_logger = logging.getLogger(__name__)

PAID_STATUSES = ("paid", "partially_refunded", "refunded")


class ShopifyOrderWorkflow(models.AbstractModel):
    _name = "shopify.order.workflow"
    _description = "Shopify Order to Cash"

    # ------------------------------------------------------------------------------------------------
    # Receiving transactions and refunds (any order of arrival, any number of deliveries)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _binding_of(self, shop, order_gid):
        return self.env["shopify.order.binding"].search(
            [("shop_id", "=", shop.id), ("shopify_gid", "=", order_gid)], limit=1
        )

    @api.model
    def _record_transaction(self, shop, data, refund=None):
        """The transaction's row (created on first sight; later deliveries find it). Returns the row."""
        Transaction = self.env["shopify.order.transaction"]
        row = Transaction.search([("shop_id", "=", shop.id), ("shopify_gid", "=", data["gid"])], limit=1)
        if row:
            if refund and not row.refund_id:
                row.refund_id = refund.id
            return row
        importer = self.env["shopify.order.import"]
        currency = shop.company_id.currency_id
        binding = self._binding_of(shop, data["order_gid"])
        if binding.currency_id:
            currency = binding.currency_id
        presentment = (
            importer._currency(data["presentment_currency"]) if data["presentment_currency"] else currency
        )
        return Transaction.create(
            {
                "shop_id": shop.id,
                "shopify_gid": data["gid"],
                "order_gid": data["order_gid"],
                "binding_id": binding.id,
                "refund_id": refund.id if refund else False,
                "kind": data["kind"],
                "status": data["status"],
                "gateway": data["gateway"],
                "currency_id": currency.id,
                "amount": float(data["amount"]),
                "presentment_currency_id": presentment.id,
                "presentment_amount": float(data["presentment_amount"]),
                "processed_at": data["processed_at"],
                "state": "pending" if pay_mapping.moves_money(data) else "ignored",
            }
        )

    @api.model
    def _record_refund(self, shop, data, raw, source):
        Refund = self.env["shopify.order.refund"]
        row = Refund.search([("shop_id", "=", shop.id), ("shopify_gid", "=", data["gid"])], limit=1)
        if not row:
            row = Refund.create(
                {
                    "shop_id": shop.id,
                    "shopify_gid": data["gid"],
                    "order_gid": data["order_gid"],
                    "binding_id": self._binding_of(shop, data["order_gid"]).id,
                    "processed_at": data["processed_at"],
                    "note": (data["note"] or "")[:200],
                    "payload": raw,
                    "payload_source": source,
                }
            )
        for transaction in data["transactions"]:
            self._record_transaction(shop, transaction, refund=row)
        return row

    @api.model
    def _absorb_refunds(self, binding, order, raw):
        """The sale order was just built from `order`, whose current quantities and total already leave
        out its refunds: those refunds are done (their money is still paid back, see _apply_refunds),
        whether they arrived before, or arrive after, as webhooks or a re-read."""
        if not order["refund_gids"]:
            return
        shop = binding.shop_id
        source = binding.payload_source
        bodies = {}
        for body in (raw or {}).get("refunds") or []:  # whole refunds, with their transactions
            try:
                if source == "graphql":
                    data = pay_mapping.refund_from_graphql(body, binding.shopify_gid)
                else:
                    data = pay_mapping.refund_from_rest(body)
            except PayloadError as error:
                _logger.warning("Shopify order %s: a refund left unread: %s", binding.name, error)
                continue
            bodies[data["gid"]] = (data, body)
        for gid in order["refund_gids"]:
            if gid in bodies:
                row = self._record_refund(shop, bodies[gid][0], bodies[gid][1], source)
            else:
                row = self.env["shopify.order.refund"].search(
                    [("shop_id", "=", shop.id), ("shopify_gid", "=", gid)], limit=1
                ) or self.env["shopify.order.refund"].create(
                    {"shop_id": shop.id, "shopify_gid": gid, "order_gid": binding.shopify_gid}
                )
            if row.state == "pending":
                row.write({"state": "done", "outcome": "order", "binding_id": binding.id})

    @api.model
    def _receive(self, shop, order_gid, transactions=(), refunds=()):
        """Record what arrived ([transaction dicts], [(refund dict, raw, source)]) and move the order on."""
        self.env["shopify.order.import"]._lock_order_key(shop, order_gid)
        for data in transactions:
            self._record_transaction(shop, data)
        for data, raw, source in refunds:
            self._record_refund(shop, data, raw, source)
        binding = self._binding_of(shop, order_gid)
        if binding:
            self._run(binding)
        return binding

    # ------------------------------------------------------------------------------------------------
    # The workflow
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _run(self, binding):
        shop = binding.shop_id
        self._attach_early_arrivals(binding)
        sale_order = binding.sale_order_id
        if not sale_order or sale_order.state != "sale":
            return
        invoice = self._ensure_invoice(binding)
        if invoice and invoice.state == "posted" and shop.order_register_payments:
            self._apply_payments(binding, invoice)
        self._apply_refunds(binding)
        self._ask_for_missing_transactions(binding)

    @api.model
    def _attach_early_arrivals(self, binding):
        for model in ("shopify.order.transaction", "shopify.order.refund"):
            self.env[model].search(
                [
                    ("shop_id", "=", binding.shop_id.id),
                    ("order_gid", "=", binding.shopify_gid),
                    ("binding_id", "=", False),
                ]
            ).write({"binding_id": binding.id})

    @api.model
    def _customer_invoice(self, sale_order):
        return sale_order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state != "cancel"
        ).sorted("id")[:1]

    @api.model
    def _is_paid(self, binding):
        if binding.financial_status in PAID_STATUSES:
            return True
        received = sum(
            binding.transaction_ids.filtered(
                lambda t: t.status == "success" and t.kind in pay_mapping.PAYMENT_KINDS
            ).mapped("amount")
        )
        return money.same_amount(received, binding.amount_total, binding.currency_id.rounding) or (
            received > binding.amount_total
        )

    @api.model
    def _is_fulfilled(self, sale_order):
        outgoing = sale_order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        return bool(outgoing) and all(p.state in ("done", "cancel") for p in outgoing)

    @api.model
    def _ensure_invoice(self, binding):
        shop = binding.shop_id
        sale_order = binding.sale_order_id
        invoice = self._customer_invoice(sale_order)
        if not invoice:
            policy = shop.order_invoice_policy
            if (
                policy == "never"
                or (policy == "paid" and not self._is_paid(binding))
                or (policy == "fulfilled" and not self._is_fulfilled(sale_order))
            ):
                return invoice
            try:
                invoice = sale_order.with_company(shop.company_id)._create_invoices(final=True)
            except UserError as error:  # nothing to invoice (yet): products invoiced on delivery
                _logger.info("Shopify order %s: no invoice yet: %s", binding.name, error)
                return self.env["account.move"]
            invoice.message_post(body=_("Created from Shopify order %s.", binding.name))
            if not money.same_amount(
                invoice.amount_total, sale_order.amount_total, invoice.currency_id.rounding
            ):
                binding._flag_for_review(
                    _(
                        "Invoice %(inv)s total %(a)s differs from the sale order's %(b)s %(cur)s: left in "
                        "draft.",
                        inv=invoice.display_name,
                        a=invoice.amount_total,
                        b=sale_order.amount_total,
                        cur=invoice.currency_id.name,
                    )
                )
                return invoice
        if invoice.state == "draft" and shop.order_invoice_post and not binding.needs_review:
            invoice.action_post()
        return invoice

    # ------------------------------------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _apply_payments(self, binding, invoice):
        rows = binding.transaction_ids.filtered(
            lambda t: t.state in ("pending", "held") and t.kind in pay_mapping.PAYMENT_KINDS
        )
        for row in rows:
            self._pay(binding, row, invoice, "inbound")

    @api.model
    def _pay(self, binding, row, move, direction):
        """Register `row` as a payment on `move` (invoice: inbound, credit note: outbound), reconciled."""
        shop = binding.shop_id
        journal = self.env["shopify.gateway.mapping"]._journal_for(shop, row.gateway)
        if not journal:
            reason = _(
                "No journal mapped for the Shopify payment gateway “%(gateway)s” (shop %(shop)s): the "
                "payment of %(amount)s %(cur)s waits. Use “Fix gateway mapping” or add the row under the "
                "shop's Orders settings.",
                gateway=row.gateway,
                shop=shop.name,
                amount=row.amount,
                cur=row.currency_id.name,
            )
            if row.state != "held":
                row.write({"state": "held", "hold_reason": reason})
                binding.write({"payment_hold": True})
                binding.message_post(body=reason)
                binding._notify_managers(reason)
            return False
        payment = self.env["account.payment"].search(
            [("shopify_shop_id", "=", shop.id), ("shopify_transaction_gid", "=", row.shopify_gid)], limit=1
        )
        if not payment:
            payment = self._create_payment(binding, row, move, journal, direction)
        row.write({"state": "done", "hold_reason": False, "payment_id": payment.id})
        if binding.payment_hold and not binding.transaction_ids.filtered(lambda t: t.state == "held"):
            binding.payment_hold = False
        return payment

    @api.model
    def _create_payment(self, binding, row, move, journal, direction):
        date = fields.Date.to_date(row.processed_at) if row.processed_at else fields.Date.context_today(self)
        memo = _("Shopify %(order)s %(gateway)s", order=binding.name, gateway=row.gateway)
        payment = self.env["account.payment"]
        matches = (direction == "inbound") == (move.move_type == "out_invoice")
        if matches and move.state == "posted" and not move.currency_id.is_zero(move.amount_residual):
            wizard = (
                self.env["account.payment.register"]
                .with_company(move.company_id)
                .with_context(active_model="account.move", active_ids=move.ids)
                .create(
                    {
                        "journal_id": journal.id,
                        "amount": row.amount,
                        "currency_id": row.currency_id.id,
                        "payment_date": date,
                        "communication": memo,
                        "payment_difference_handling": "open",
                    }
                )
            )
            payment = wizard._create_payments()
        else:  # nothing left open on the document (paid twice on Shopify, a refund the sale order
            # absorbed): an unmatched payment
            payment = payment.with_company(move.company_id).create(
                {
                    "payment_type": direction,
                    "partner_type": "customer",
                    "partner_id": move.commercial_partner_id.id,
                    "amount": row.amount,
                    "currency_id": row.currency_id.id,
                    "journal_id": journal.id,
                    "date": date,
                    "memo": memo,
                }
            )
            payment.action_post()
        payment.write(
            {
                "shopify_shop_id": binding.shop_id.id,
                "shopify_transaction_gid": row.shopify_gid,
                "shopify_presentment_amount": row.presentment_amount,
                "shopify_presentment_currency_id": row.presentment_currency_id.id,
            }
        )
        return payment

    @api.model
    def _reconcile_with_overpayment(self, binding):
        """A refund paid back without a credit note: its receivable line meets the order's payments'
        open credit (the customer paid more than the invoice, then got the difference back)."""
        payments = self.env["account.payment"].search(
            [
                ("shopify_shop_id", "=", binding.shop_id.id),
                ("shopify_transaction_gid", "in", binding.transaction_ids.mapped("shopify_gid")),
            ]
        )
        lines = payments.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        if (
            len(lines) > 1
            and lines.filtered(lambda line: line.balance > 0)
            and lines.filtered(lambda line: line.balance < 0)
        ):
            lines.reconcile()

    @api.model
    def _ask_for_missing_transactions(self, binding):
        """Paid on Shopify, but no transaction reached us (a lost webhook): read them, once per order."""
        if not binding.shop_id.order_register_payments or binding.financial_status not in PAID_STATUSES:
            return
        if binding.transaction_ids.filtered(lambda t: t.kind in pay_mapping.PAYMENT_KINDS):
            return
        self.env["shopify.queue.job"]._enqueue(
            binding.shop_id,
            "order_transactions",
            payload={"order_gid": binding.shopify_gid},
            dedupe_key=f"order_transactions:{binding.shopify_gid}",
        )

    # ------------------------------------------------------------------------------------------------
    # Refunds
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _apply_refunds(self, binding):
        for refund in binding.refund_ids.filtered(lambda r: r.state == "pending").sorted("id"):
            self._apply_refund(binding, refund)
        if not binding.shop_id.order_register_payments:
            return
        # Refund money not paid back yet: a credit note's (its payment held by a missing gateway mapping,
        # then fixed), or a refund the sale order itself absorbed — paid back against the invoice's
        # overpayment once the invoice is posted.
        invoice = self._customer_invoice(binding.sale_order_id)
        for refund in binding.refund_ids.filtered(lambda r: r.state == "done"):
            move = refund.credit_note_id or invoice
            if move.state != "posted":
                continue
            for row in refund.transaction_ids.filtered(
                lambda t: t.state in ("pending", "held") and t.kind == pay_mapping.REFUND_KIND
            ):
                self._pay(binding, row, move, "outbound")
        if binding.refund_ids.filtered(lambda r: r.state == "done" and not r.credit_note_id):
            self._reconcile_with_overpayment(binding)

    @api.model
    def _refund_dict(self, refund):
        if refund.payload_source == "graphql":
            return pay_mapping.refund_from_graphql(refund.payload, refund.order_gid)
        return pay_mapping.refund_from_rest(refund.payload)

    @api.model
    def _apply_refund(self, binding, refund):
        data = self._refund_dict(refund.sudo())
        sale_order = binding.sale_order_id
        invoice = self._customer_invoice(sale_order)
        stock = self.env["shopify.order.return"]
        if invoice.state == "posted":
            credit_note = self._credit_note(binding, invoice, refund, data)
            stock._apply(binding, refund, data, whole_quantity=False)
            refund.write({"state": "done", "outcome": "credit_note", "credit_note_id": credit_note.id})
        elif not invoice:
            stock._apply(binding, refund, data, whole_quantity=True)
            self._adjust_sale_order(binding, data)
            refund.write({"state": "done", "outcome": "sale_order"})
        else:
            return  # a draft invoice (under review): the refund waits for it to be posted
        binding.message_post(body=_("Shopify refund %s applied.", refund.shopify_gid))

    @api.model
    def _sale_lines_by_gid(self, sale_order):
        return {line.shopify_line_gid: line for line in sale_order.order_line if line.shopify_line_gid}

    @api.model
    def _shipping_line(self, binding):
        product = binding.shop_id.order_delivery_product_id
        return binding.sale_order_id.order_line.filtered(lambda line: line.product_id == product)[:1]

    @api.model
    def _refunded_money(self, refund):
        return sum(
            Decimal(str(t.amount))
            for t in refund.transaction_ids
            if t.kind == pay_mapping.REFUND_KIND and t.status == "success"
        )

    @api.model
    def _credit_note(self, binding, invoice, refund, data):
        shop = binding.shop_id
        by_gid = self._sale_lines_by_gid(binding.sale_order_id)
        commands = []
        for line in data["lines"]:
            sale_line = by_gid.get(line["line_gid"])
            if not sale_line:
                continue  # an item the sale order does not have: the adjustment line carries its money
            commands.append(
                fields.Command.create(
                    {
                        "product_id": sale_line.product_id.id,
                        "name": sale_line.name,
                        "quantity": line["quantity"],
                        "price_unit": sale_line.price_unit,
                        "discount": sale_line.discount,
                        "tax_ids": [fields.Command.set(sale_line.tax_id.ids)],
                        "sale_line_ids": [fields.Command.set(sale_line.ids)],
                    }
                )
            )
        shipping_line = self._shipping_line(binding)
        if data["shipping"]:
            commands.append(
                fields.Command.create(
                    {
                        "product_id": shop.order_delivery_product_id.id,
                        "name": _("Shipping refund"),
                        "quantity": 1,
                        "price_unit": float(data["shipping"]),
                        "tax_ids": [fields.Command.set(shipping_line.tax_id.ids)],
                    }
                )
            )
        credit_note = (
            self.env["account.move"]
            .with_company(shop.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "invoice_date": fields.Date.to_date(refund.processed_at)
                    if refund.processed_at
                    else False,
                    "invoice_origin": binding.sale_order_id.name,
                    "reversed_entry_id": invoice.id,
                    "ref": _("Shopify refund of %s", binding.name),
                    "invoice_line_ids": commands,
                }
            )
        )
        refunded = self._refunded_money(refund)
        if refunded:
            # What was given back beyond (or short of) the items: order adjustments, refund
            # discrepancies, rounding. Its own line, untaxed, so the credit note is the money to the cent.
            difference = refunded - Decimal(str(credit_note.amount_total))
            if not credit_note.currency_id.is_zero(float(difference)):
                credit_note.write(
                    {
                        "invoice_line_ids": [
                            fields.Command.create(
                                {
                                    "product_id": shop.order_discount_product_id.id,
                                    "name": _("Refund adjustment"),
                                    "quantity": 1,
                                    "price_unit": float(difference),
                                    "tax_ids": [fields.Command.clear()],
                                }
                            )
                        ]
                    }
                )
        credit_note.action_post()
        if shop.order_register_payments:
            for row in refund.transaction_ids.filtered(
                lambda t: t.state in ("pending", "held") and t.kind == pay_mapping.REFUND_KIND
            ):
                self._pay(binding, row, credit_note, "outbound")
        return credit_note

    @api.model
    def _adjust_sale_order(self, binding, data):
        """Not invoiced yet: the sale order itself loses what was refunded, so the invoice made later is
        the money kept."""
        sale_order = binding.sale_order_id
        # The refunded units already left the sale lines (shopify.order.return, with the stock).
        shipping_line = self._shipping_line(binding)
        if data["shipping"] and shipping_line:
            shipping_line.price_unit = max(shipping_line.price_unit - float(data["shipping"]), 0.0)
        if data["adjustments"]:
            sale_order.write(
                {
                    "order_line": [
                        fields.Command.create(
                            {
                                "product_id": binding.shop_id.order_discount_product_id.id,
                                "name": _("Refund adjustment"),
                                "product_uom_qty": 1,
                                "price_unit": -float(data["adjustments"]),
                                "tax_id": [fields.Command.clear()],
                            }
                        )
                    ]
                }
            )
        sale_order.message_post(body=_("Refunded on Shopify before invoicing: the sale order follows."))
