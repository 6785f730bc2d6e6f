"""Shopify order (the plain dict of services/mapping/orders.py) → Odoo sale order, exactly once.

Entry points: `_import_rest(shop, payload)` (webhook bodies), `_import_graphql(shop, node)` (the poll),
`_reapply(binding)` (buttons). All end in `_apply(shop, order, raw, source)`, which:

1. locks the (shop, order GID) key, so a webhook and the poll racing on one order make one binding
   (the one that waited ends in a retryable OrderCreatedConcurrently: see `_create_binding`);
2. ignores a payload older than the last one applied (out-of-order deliveries);
3. creates the sale order (or holds the binding), updates a draft one, or records a change of a
   confirmed one for review (never a silent rewrite);
4. applies payment status, cancellation and the confirmation policy.
"""

import logging
from collections import defaultdict
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from ...services import lock_wait, money
from ...services.errors import PayloadError
from ...services.mapping import orders as mapping

_logger = logging.getLogger(__name__)

# Lookups repeated within one order (currency, tax mapping, country, state), answered once per `_apply`.
# A context variable, not a cache across orders: a mapping fixed between two imports is seen at once.
_LOOKUPS = ContextVar("shopify_order_lookups", default=None)
PAID_STATUSES = ("paid", "partially_refunded")
CENT = Decimal("0.01")


class OrderCreatedConcurrently(psycopg2.errors.SerializationFailure):
    """Another transaction created the order's binding while this one waited for the lock.

    A serialization conflict, and typed as one: the queue retries it (the retry sees the binding) and
    the poll leaves its watermark before the order, so nothing is lost and nothing is made twice."""


class OrderHeld(Exception):
    """The order cannot become a sale order yet (`kind` says why, `reason` what to do)."""

    def __init__(self, kind, reason):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class ShopifyOrderImport(models.AbstractModel):
    _name = "shopify.order.import"
    _description = "Shopify Order Import"

    # ------------------------------------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _import_rest(self, shop, payload):
        return self._apply(shop, mapping.order_from_rest(payload), payload, "rest")

    @api.model
    def _import_graphql(self, shop, node):
        return self._apply(shop, mapping.order_from_graphql(self._with_refunds(shop, node)), node, "graphql")

    @api.model
    def _with_refunds(self, shop, node):
        """A polled order names its refunds only (cost): one that has some is completed with their lines
        and transactions (order_transactions.graphql), which its current quantities already leave out."""
        refunds = node.get("refunds") or []
        if not refunds or all("refundLineItems" in refund for refund in refunds):
            return node
        full = shop._shopify_client().execute("order_transactions", {"id": node["id"]}).get("order") or {}
        node["refunds"] = full.get("refunds") or []
        return node

    @api.model
    def _order_dict(self, raw, source):
        return mapping.order_from_graphql(raw) if source == "graphql" else mapping.order_from_rest(raw)

    @api.model
    def _reapply(self, binding):
        order = self._order_dict(binding.payload, binding.payload_source)
        return self._apply(binding.shop_id, order, binding.payload, binding.payload_source, force=True)

    @api.model
    def _lock_order_key(self, shop, gid):
        """Serialise every transaction working on one (shop, order) until it ends: the racing one waits,
        then finds the binding the first one created."""
        with lock_wait.waiting():
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"shopify.order.binding:{shop.id}:{gid}"]
            )

    @api.model
    def _lookup(self, key, compute):
        """`compute()` once per key while one order is applied (and every time outside `_apply`)."""
        lookups = _LOOKUPS.get()
        if lookups is None:
            return compute()
        if key not in lookups:
            lookups[key] = compute()
        return lookups[key]

    @api.model
    def _apply(self, shop, order, raw, source, force=False):
        token = _LOOKUPS.set({})
        try:
            binding = self._apply_order(shop, order, raw, source, force)
        finally:
            _LOOKUPS.reset(token)
        # Order to cash (invoice, payments, refunds) follows every import, the stale ones included: it
        # only does what is missing.
        self.env["shopify.order.workflow"]._run(binding)
        return binding

    @api.model
    def _apply_order(self, shop, order, raw, source, force):
        Binding = self.env["shopify.order.binding"]
        self._lock_order_key(shop, order["gid"])
        binding = Binding.search([("shop_id", "=", shop.id), ("shopify_gid", "=", order["gid"])])
        if binding and not force and self._is_stale(binding, order):
            _logger.info("Shopify order %s: payload not newer than the applied one, ignored", order["name"])
            return binding
        if not binding:
            binding = self._create_binding(shop, order)
        previous = self._previous_order(binding)
        binding.write(self._binding_values(order, raw, source))
        if binding.state == "held":
            self._try_create_sale_order(binding, order)
        elif binding.sale_order_id.state in ("draft", "sent"):
            self._update_draft(binding, order)
        elif binding.sale_order_id.state == "sale" and previous:
            self._apply_edit(binding, previous, order)
        self._apply_cancellation(binding, order)
        self._apply_risk(binding, order)
        self._apply_confirmation_policy(binding)
        return binding

    @api.model
    def _apply_risk(self, binding, order):
        """Shopify's risk analysis, per the shop's policy: a risky order is held in draft with the reason
        (until a manager releases it) or flagged; read once for webhook bodies, which do not carry it."""
        policy = binding.shop_id.order_risk_policy
        if policy == "ignore" or binding.risk_released_by or not binding.sale_order_id:
            return
        risk = order["risk"]
        if risk is None:
            if binding.risk_level:  # already read: risk is judged once, at import
                return
            node = binding.shop_id._shopify_client().execute("order_risk", {"id": order["gid"]}).get("order")
            risk = mapping.risk_from_graphql((node or {}).get("risk")) or {
                "level": "none",
                "recommendation": "none",
            }
        binding.write({"risk_level": risk["level"], "risk_recommendation": risk["recommendation"]})
        if not mapping.is_risky(risk) or binding.risk_hold or binding.sale_order_id.state != "draft":
            return
        reason = _(
            "Shopify rates this order's risk %(level)s (recommendation: %(recommendation)s).",
            level=risk["level"],
            recommendation=risk["recommendation"],
        )
        if policy == "hold":
            reason += " " + _("It stays in draft until a Shopify manager uses “Release risky order”.")
            binding.write({"risk_hold": True})
        binding.message_post(body=reason)
        binding._notify_managers(reason)

    @api.model
    def _previous_order(self, binding):
        """The order as last applied; None when there is none, or when its payload, stored before
        payloads were checked, would not pass today (the new payload then simply replaces it)."""
        if not binding.payload:
            return None
        try:
            return self._order_dict(binding.payload, binding.payload_source)
        except PayloadError:
            return None

    @api.model
    def _create_binding(self, shop, order):
        """The order's binding; raises OrderCreatedConcurrently when another transaction made it first.

        The lock serialises the two transactions, but Odoo reads in REPEATABLE READ: the one that waited
        still cannot see the row the other committed, so its insert meets the unique key instead.
        """
        values = {"shop_id": shop.id, "shopify_gid": order["gid"], "name": order["name"], "state": "held"}
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                # No "created" note and no follower: the sale order's chatter tells the import.
                return (
                    self.env["shopify.order.binding"]
                    .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
                    .create(values)
                )
        except psycopg2.errors.UniqueViolation as error:
            raise OrderCreatedConcurrently(
                f"Shopify order {order['name']} ({order['gid']}) was imported by a concurrent transaction: "
                "try again (the retry finds it)."
            ) from error

    @api.model
    def _is_stale(self, binding, order):
        applied = binding.shopify_updated_at
        return bool(applied and order["updated_at"] and order["updated_at"] <= applied)

    @api.model
    def _binding_values(self, order, raw, source):
        return {
            "name": order["name"],
            "payload": raw,
            "payload_source": source,
            "shopify_updated_at": order["updated_at"],
            "shopify_processed_at": order["processed_at"],
            "financial_status": order["financial_status"],
            "fulfillment_status": order["fulfillment_status"],
            "currency_id": self._currency(order["currency"]).id,
            # What the current lines add up to (after edits and refunds): the import is checked with it.
            "amount_total": float(order["current_total_price"]),
            "presentment_currency_id": self._currency(order["presentment_currency"]).id,
            "presentment_amount_total": float(order["presentment_total_price"]),
        }

    # ------------------------------------------------------------------------------------------------
    # Creating the sale order
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _try_create_sale_order(self, binding, order):
        shop = binding.shop_id
        try:
            line_commands, unknown = self._line_commands(shop, order)
        except OrderHeld as held:
            binding.write({"state": "held", "hold_kind": held.kind, "hold_reason": held.reason})
            binding.message_post(body=held.reason)
            binding._notify_managers(held.reason)
            return
        partner, rule = self._match_partner(shop, order)
        sale_values = {
            **self._sale_order_header(shop, order, partner),
            "order_line": line_commands,
        }
        sale_order = (
            self.env["sale.order"].with_company(shop.company_id).with_context(mail_create_nosubscribe=True)
        ).create(sale_values)
        binding.write(
            {
                "state": "imported",
                "sale_order_id": sale_order.id,
                "hold_kind": False,
                "hold_reason": False,
                "customer_match_rule": rule,
            }
        )
        sale_order.message_post(
            body=_(
                "Imported from Shopify order %(name)s (%(url)s). Customer: %(rule)s.",
                name=order["name"],
                url=binding.admin_url,
                rule=dict(binding._fields["customer_match_rule"].selection)[rule],
            )
        )
        self.env["shopify.order.workflow"]._absorb_refunds(binding, order, binding.payload)
        self._note_dropped_values(sale_order, order)
        if unknown:
            binding._flag_for_review(
                _(
                    "No Odoo product for %s: a placeholder product stands in. Link or create the product, "
                    "then fix the order line.",
                    ", ".join(unknown),
                )
            )
        self._validate_total(binding, order)

    @api.model
    def _sale_order_header(self, shop, order, partner):
        invoice = self._address_partner(partner, order["billing_address"], "invoice")
        delivery = self._address_partner(
            partner, order["shipping_address"] or order["billing_address"], "delivery"
        )
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": delivery.id,
            "company_id": shop.company_id.id,
            "pricelist_id": self._pricelist(shop, order["currency"]).id,
            # Shopify already computed the taxes: no fiscal position may remap them.
            "fiscal_position_id": False,
            "date_order": order["processed_at"] or fields.Datetime.now(),
            "client_order_ref": order["name"],
            "origin": _("Shopify %(shop)s %(name)s", shop=shop.name, name=order["name"]),
        }
        if shop.warehouse_id:
            values["warehouse_id"] = shop.warehouse_id.id
        if shop.order_team_id:
            values["team_id"] = shop.order_team_id.id
        if shop.order_user_id:
            values["user_id"] = shop.order_user_id.id
        if order["note"]:
            values["note"] = order["note"]
        return values

    @api.model
    def _currency(self, code):
        currency = self._lookup(
            ("currency", code),
            lambda: (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code)], limit=1)
            ),
        )
        if not currency:
            raise UserError(_("The order is in currency “%s”, which Odoo does not know.", code))
        if not currency.active:
            # An order in a currency nobody enabled yet still has to be booked in it.
            currency.sudo().active = True
        return currency

    @api.model
    def _pricelist(self, shop, code):
        """A pricelist in the order currency: Shopify's prices are taken as they are, the pricelist only
        carries the currency."""
        currency = self._currency(code)
        Pricelist = self.env["product.pricelist"].sudo()
        pricelist = Pricelist.search(
            [("currency_id", "=", currency.id), ("company_id", "in", (shop.company_id.id, False))],
            order="company_id",
            limit=1,
        )
        return pricelist or Pricelist.create(
            {"name": f"Shopify {currency.name}", "currency_id": currency.id, "company_id": shop.company_id.id}
        )

    # ------------------------------------------------------------------------------------------------
    # Lines
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _missing_taxes(self, shop, order):
        """(rate %, title) of the order's tax lines that have no mapping, sorted."""
        missing = []
        for rate, title in mapping.tax_keys(order):
            rate_percent = float(rate * 100)
            if not self._mapped_tax(shop, rate_percent, order["taxes_included"], title):
                missing.append((rate_percent, title))
        return missing

    @api.model
    def _mapped_tax(self, shop, rate_percent, price_include, title):
        return self._lookup(
            ("tax", shop.id, rate_percent, price_include, title),
            lambda: self.env["shopify.tax.mapping"]._find_tax(shop, rate_percent, price_include, title),
        )

    @api.model
    def _taxes(self, shop, order, taxes):
        tax_ids = []
        for tax in taxes:
            if not tax["rate"]:
                continue
            tax_ids.append(
                self._mapped_tax(shop, float(tax["rate"] * 100), order["taxes_included"], tax["title"]).id
            )
        return [fields.Command.set(tax_ids)]

    @api.model
    def _find_products(self, shop, order):
        """Odoo products of the order's lines: by variant binding, else by SKU. {index: product}."""
        found = {}
        variant_gids = {line["variant_gid"] for line in order["lines"] if line["variant_gid"]}
        if variant_gids:
            bindings = self.env["shopify.variant.binding"].search(
                [("shop_id", "=", shop.id), ("shopify_gid", "in", list(variant_gids))]
            )
            by_gid = {b.shopify_gid: b.product_id for b in bindings}
            for index, line in enumerate(order["lines"]):
                if by_gid.get(line["variant_gid"]):
                    found[index] = by_gid[line["variant_gid"]]
        skus = {
            line["sku"] for index, line in enumerate(order["lines"]) if index not in found and line["sku"]
        }
        if skus:
            products = self.env["product.product"].search(
                [
                    ("default_code", "in", list(skus)),
                    ("company_id", "in", (shop.company_id.id, False)),
                    ("sale_ok", "=", True),
                ]
            )
            by_sku = {}
            for product in products:
                by_sku.setdefault(product.default_code, product)
            for index, line in enumerate(order["lines"]):
                if index not in found and by_sku.get(line["sku"]):
                    found[index] = by_sku[line["sku"]]
        return found

    @api.model
    def _line_commands(self, shop, order):
        """The sale.order.line create commands, and the names of unknown items. Raises OrderHeld."""
        missing = self._missing_taxes(shop, order)
        if missing:
            label = _("incl.") if order["taxes_included"] else _("excl.")
            # Built outside _(): the term extractor cannot read an f-string among its arguments.
            missing_taxes = ", ".join(f"{title or '-'} {rate:g}%" for rate, title in missing)
            raise OrderHeld(
                "tax_mapping",
                _(
                    "No Odoo tax mapped for %(taxes)s (%(label)s) in shop %(shop)s. Use “Fix tax mapping” "
                    "or add the rows under Shopify › Configuration › Tax Mapping, then retry.",
                    taxes=missing_taxes,
                    label=label,
                    shop=shop.name,
                ),
            )
        products = self._find_products(shop, order)
        unknown = []
        commands = []
        for index, line in enumerate(order["lines"]):
            product = products.get(index)
            name = line["title"] or line["sku"] or _("Shopify item")
            if not product and line["is_gift_card"]:
                product = shop.order_gift_card_product_id
            if not product:
                label = f"{name} (SKU {line['sku']})" if line["sku"] else name
                unknown.append(label)
                product = shop.order_placeholder_product_id
            if line["sku"] and line["sku"] not in name:
                name = f"[{line['sku']}] {name}"
            commands += self._priced_line(shop, order, product, name, line["quantity"], line, line["gid"])
        if unknown and shop.order_unknown_item_policy == "hold":
            raise OrderHeld(
                "unknown_item",
                _(
                    "No Odoo product for %s. Link the Shopify variant or set the SKU as Internal Reference "
                    "on the product, then retry.",
                    ", ".join(unknown),
                ),
            )
        for ship in order["shipping_lines"]:
            shipping_line = {
                "unit_price": ship["price"],
                "discount": ship["discount"],
                "taxes": ship["taxes"],
            }
            name = ship["title"] or _("Shipping")
            commands += self._priced_line(shop, order, shop.order_delivery_product_id, name, 1, shipping_line)
        if order["tip"]:
            commands.append(
                fields.Command.create(
                    {
                        "product_id": shop.order_tip_product_id.id,
                        "name": _("Tip"),
                        "product_uom_qty": 1,
                        "price_unit": float(order["tip"]),
                        "tax_id": [fields.Command.clear()],
                    }
                )
            )
        return commands, unknown

    @api.model
    def _priced_line(self, shop, order, product, name, quantity, line, line_gid=False):
        """One line at Shopify's unit price, its discount as a % when that reproduces the amount to the
        cent, otherwise (or by setting) as a separate discount line with the same taxes."""
        taxes = self._taxes(shop, order, line["taxes"])
        gross = line["unit_price"] * quantity
        discount = line["discount"]
        percent = Decimal("0")
        separate_discount = False
        if discount:
            if shop.order_discount_mode == "line" and gross:
                digits = self.env["decimal.precision"].precision_get("Discount")
                percent = (discount / gross * 100).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
                exact = (gross * (1 - percent / 100)).quantize(CENT, ROUND_HALF_UP) == (gross - discount)
                if not exact:
                    percent = Decimal("0")
                    separate_discount = True
            else:
                separate_discount = True
        commands = [
            fields.Command.create(
                {
                    "product_id": product.id,
                    "name": name,
                    "product_uom_qty": quantity,
                    "price_unit": float(line["unit_price"]),
                    "discount": float(percent),
                    "tax_id": taxes,
                    "shopify_line_gid": line_gid,
                }
            )
        ]
        if separate_discount:
            commands.append(
                fields.Command.create(
                    {
                        "product_id": shop.order_discount_product_id.id,
                        "name": _("Discount on %s", name),
                        "product_uom_qty": 1,
                        "price_unit": float(-discount),
                        "tax_id": taxes,
                    }
                )
            )
        return commands

    # ------------------------------------------------------------------------------------------------
    # Customer and addresses
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _match_partner(self, shop, order):
        """(partner, rule): the customer matching of shopify.customer.binding (binding, then e-mail, then
        phone), else a new contact; the order's customer is bound to the contact found."""
        CustomerBinding = self.env["shopify.customer.binding"]
        customer = order["customer"] or {}
        email = customer.get("email") or order["email"]
        phone = customer.get("phone") or order["phone"]
        partner, rule = CustomerBinding._find_partner(shop, customer.get("gid"), email, phone)
        if not partner:
            partner = self.env["res.partner"].create(
                self._new_partner_values(
                    shop, order, mapping.normalize_email(email), mapping.normalize_phone(phone)
                )
            )
            rule = "created" if customer else "guest"
        if customer and rule != "binding":
            CustomerBinding._bind(shop, partner, customer["gid"], rule)
        return partner, rule

    @api.model
    def _new_partner_values(self, shop, order, email, phone):
        customer = order["customer"] or {}
        address = order["billing_address"] or order["shipping_address"] or {}
        name = " ".join(p for p in (customer.get("first_name"), customer.get("last_name")) if p)
        name = name or self._address_name(address) or email or order["name"]
        values = {"name": name, "email": email or False, "phone": phone or False, "company_id": False}
        if address:
            address_values = self._address_values(address)
            address_values.pop("name")
            values.update(address_values)
        return values

    @api.model
    def _address_name(self, address):
        if not address:
            return ""
        return address["name"] or " ".join(p for p in (address["first_name"], address["last_name"]) if p)

    @api.model
    def _address_values(self, address):
        country = self._lookup(
            ("country", address["country_code"]),
            lambda: self.env["res.country"].search([("code", "=", address["country_code"])], limit=1),
        )
        state = self.env["res.country.state"]
        if country and address["state_code"]:
            state = self._lookup(
                ("state", country.id, address["state_code"]),
                lambda: state.search(
                    [("country_id", "=", country.id), ("code", "=", address["state_code"])], limit=1
                ),
            )
        return {
            "name": self._address_name(address) or False,
            "street": address["street"] or False,
            "street2": address["street2"] or False,
            "city": address["city"] or False,
            "zip": address["zip"] or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    @api.model
    def _address_partner(self, partner, address, address_type):
        """The contact for an invoice/delivery address: the customer itself when the address is its own,
        an identical child address when one exists, else a new child."""
        if not address:
            return partner
        values = self._address_values(address)
        compared = ("street", "street2", "city", "zip", "country_id", "state_id")

        def same(contact, with_name):
            keys = compared + (("name",) if with_name else ())
            return all(
                (contact[key].id if key.endswith("_id") else contact[key]) == values[key] for key in keys
            )

        if same(partner, with_name=False) and (not values["name"] or values["name"] == partner.name):
            return partner
        for child in partner.child_ids.filtered(lambda c: c.type == address_type):
            if same(child, with_name=True):
                return child
        return self.env["res.partner"].create(
            {**values, "parent_id": partner.id, "type": address_type, "phone": address["phone"] or False}
        )

    # ------------------------------------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _validate_total(self, binding, order):
        """The Odoo total must be Shopify's to the currency's rounding; else flag with the culprit."""
        sale_order = binding.sale_order_id
        currency = sale_order.currency_id
        if money.same_amount(sale_order.amount_total, order["current_total_price"], currency.rounding):
            return True
        binding._flag_for_review(self._explain_difference(sale_order, order))
        return False

    @api.model
    def _explain_difference(self, sale_order, order):
        currency = sale_order.currency_id
        details = [
            _(
                "Total differs: Odoo %(odoo)s, Shopify %(shopify)s %(cur)s. The order stays in draft.",
                odoo=format(sale_order.amount_total, ".2f"),
                shopify=order["current_total_price"],
                cur=currency.name,
            )
        ]
        lines_by_gid = defaultdict(lambda: self.env["sale.order.line"])
        for line in sale_order.order_line:
            lines_by_gid[line.shopify_line_gid] |= line
        for line in order["lines"]:
            odoo_lines = lines_by_gid.get(line["gid"])
            if not odoo_lines:
                continue
            expected = mapping.line_total(line, order["taxes_included"])
            odoo_total = sum(odoo_lines.mapped("price_total"))
            if not money.same_amount(odoo_total, expected, currency.rounding):
                details.append(
                    _(
                        "Line %(name)s: Odoo %(odoo)s, Shopify %(shopify)s (tax included).",
                        name=line["title"],
                        odoo=format(odoo_total, ".2f"),
                        shopify=expected,
                    )
                )
        shopify_taxes = defaultdict(Decimal)
        for line in order["lines"] + order["shipping_lines"]:
            for tax in line["taxes"]:
                shopify_taxes[tax["rate"] * 100] += tax["amount"]
        odoo_taxes = defaultdict(float)
        for line in sale_order.order_line:
            if not line.tax_id:
                continue
            amount = line.price_total - line.price_subtotal
            percent = sum(line.tax_id.mapped("amount"))
            odoo_taxes[Decimal(str(percent)).normalize()] += amount
        for rate_percent, amount in sorted(shopify_taxes.items()):
            odoo_amount = odoo_taxes.get(rate_percent.normalize(), 0.0)
            if not money.same_amount(odoo_amount, amount, currency.rounding):
                details.append(
                    _(
                        "Tax %(rate)s%%: Odoo %(odoo)s, Shopify %(shopify)s.",
                        rate=format(rate_percent.normalize(), "f"),
                        odoo=format(odoo_amount, ".2f"),
                        shopify=amount,
                    )
                )
        return "\n".join(details)

    @api.model
    def _note_dropped_values(self, sale_order, order):
        """Values the payload check left out (an e-mail of the wrong shape): said on the order, so a
        person can fix the contact; the log gets the field paths only (the values are customer data)."""
        if not order["warnings"]:
            return
        _logger.warning(
            "Shopify order %s: values left out: %s",
            order["name"],
            ", ".join(path for path, _message in order["warnings"]),
        )
        left_out = "; ".join(f"{path}: {message}" for path, message in order["warnings"])
        sale_order.message_post(body=_("Left out of the Shopify order: %s", left_out))

    # ------------------------------------------------------------------------------------------------
    # Updates, cancellation, confirmation
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _update_draft(self, binding, order):
        """A draft sale order follows Shopify: its lines are rebuilt from the new payload."""
        sale_order = binding.sale_order_id
        try:
            line_commands, unknown = self._line_commands(binding.shop_id, order)
        except OrderHeld as held:
            binding._flag_for_review(_("Update from Shopify not applied: %s", held.reason))
            return
        sale_order.write(
            {
                "order_line": [fields.Command.clear(), *line_commands],
                "date_order": order["processed_at"] or sale_order.date_order,
            }
        )
        sale_order.message_post(body=_("Updated from Shopify (%s).", order["name"]))
        self.env["shopify.order.workflow"]._absorb_refunds(binding, order, binding.payload)
        # The old total mismatch (if any) is re-judged on the new lines.
        binding.write({"needs_review": False, "review_reason": False})
        if unknown:
            binding._flag_for_review(
                _("No Odoo product for %s: a placeholder stands in.", ", ".join(unknown))
            )
        self._validate_total(binding, order)

    @api.model
    def _apply_edit(self, binding, previous, order):
        """An edit on Shopify (lines added or removed, quantities changed; refunds are not edits) follows
        into a confirmed sale order while nothing of it is shipped or invoiced — Odoo updates its
        delivery; otherwise the difference is posted and a manager decides."""
        changes = self._differences(previous, order)
        if not changes:
            return
        sale_order = binding.sale_order_id
        shipped = sale_order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        invoiced = self.env["shopify.order.workflow"]._customer_invoice(sale_order)
        if shipped or invoiced:
            binding._flag_for_review(
                _(
                    "Changed on Shopify after it was %(what)s (not applied to the sale order): %(changes)s",
                    what=_("shipped") if shipped else _("invoiced"),
                    changes="; ".join(changes),
                )
            )
            return
        self._apply_line_changes(binding, previous, order)
        sale_order.message_post(body=_("Edited on Shopify: %s", "; ".join(changes)))
        self._validate_total(binding, order)

    @api.model
    def _apply_line_changes(self, binding, previous, order):
        shop = binding.shop_id
        sale_order = binding.sale_order_id
        stock = self.env["shopify.order.return"]
        by_gid = self.env["shopify.order.workflow"]._sale_lines_by_gid(sale_order)
        old = {line["gid"]: line for line in previous["lines"]}
        products = self._find_products(shop, order)
        new_commands = []
        for index, line in enumerate(order["lines"]):
            sale_line = by_gid.get(line["gid"])
            if not sale_line:
                product = products.get(index) or shop.order_placeholder_product_id
                name = line["title"] or line["sku"] or _("Shopify item")
                new_commands += self._priced_line(
                    shop, order, product, name, line["quantity"], line, line["gid"]
                )
                continue
            delta = line["billed"] - old.get(line["gid"], line)["billed"]
            if delta > 0:
                stock._set_quantity(sale_line, sale_line.product_uom_qty + delta)
            elif delta < 0:
                stock._set_quantity(sale_line, sale_line.product_uom_qty + delta, procure=False)
                stock._reduce_delivery(sale_line, -delta)
        for gid in set(old) - {line["gid"] for line in order["lines"]}:
            sale_line = by_gid.get(gid)
            if sale_line and sale_line.product_uom_qty:
                units = sale_line.product_uom_qty
                stock._set_quantity(sale_line, 0, procure=False)
                stock._reduce_delivery(sale_line, units)
        if new_commands:
            sale_order.write({"order_line": new_commands})

    @api.model
    def _differences(self, before, after):
        changes = []
        if before["total_price"] != after["total_price"]:  # before refunds: a refund is not an edit
            changes.append(_("total %(a)s → %(b)s", a=before["total_price"], b=after["total_price"]))
        old = {line["gid"]: line for line in before["lines"]}
        new = {line["gid"]: line for line in after["lines"]}
        for gid, line in new.items():
            if gid not in old:
                changes.append(_("added %(qty)s × %(name)s", qty=line["quantity"], name=line["title"]))
            elif old[gid]["billed"] != line["billed"]:
                changes.append(
                    _(
                        "%(name)s quantity %(a)s → %(b)s",
                        name=line["title"],
                        a=old[gid]["billed"],
                        b=line["billed"],
                    )
                )
            elif old[gid]["unit_price"] != line["unit_price"]:
                changes.append(
                    _(
                        "%(name)s price %(a)s → %(b)s",
                        name=line["title"],
                        a=old[gid]["unit_price"],
                        b=line["unit_price"],
                    )
                )
        changes += [_("removed %s", line["title"]) for gid, line in old.items() if gid not in new]
        return changes

    @api.model
    def _apply_cancellation(self, binding, order):
        if not order["cancelled_at"] or binding.cancelled:
            return
        binding.cancelled = True
        sale_order = binding.sale_order_id
        if not sale_order or sale_order.state == "cancel":
            return
        shipped = sale_order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        if shipped:
            binding._flag_for_review(
                _(
                    "Cancelled on Shopify (%(reason)s) but already shipped (%(pickings)s): the sale order is "
                    "kept; handle the return or refund.",
                    reason=order["cancel_reason"] or "-",
                    pickings=", ".join(shipped.mapped("name")),
                )
            )
            return
        sale_order._action_cancel()
        sale_order.message_post(body=_("Cancelled on Shopify (%s).", order["cancel_reason"] or "-"))

    @api.model
    def _apply_confirmation_policy(self, binding):
        sale_order = binding.sale_order_id
        if not sale_order or sale_order.state not in ("draft", "sent") or binding.cancelled:
            return False
        if binding.needs_review or binding.risk_hold:
            return False
        policy = binding.shop_id.order_confirmation_policy
        if policy == "never" or (policy == "paid" and binding.financial_status not in PAID_STATUSES):
            return False
        # Last guard: a confirmed order never carries a total that differs from Shopify's.
        if not money.same_amount(
            sale_order.amount_total, binding.amount_total, sale_order.currency_id.rounding
        ):
            return False
        sale_order.with_company(binding.company_id).action_confirm()
        # Confirmation stamps "now"; the order date stays the one the customer ordered at.
        if binding.shopify_processed_at:
            sale_order.date_order = binding.shopify_processed_at
        self._notify_fulfillment(binding)
        return True

    @api.model
    def _notify_fulfillment(self, binding):
        shop = binding.shop_id
        sale_order = binding.sale_order_id
        text = _(
            "Shopify order %(name)s confirmed as %(so)s: ready to fulfil.",
            name=binding.name,
            so=sale_order.name,
        )
        mode = shop.fulfillment_notify_mode
        if mode == "channel" and shop.fulfillment_channel_id:
            shop.fulfillment_channel_id.message_post(
                body=text, message_type="comment", subtype_xmlid="mail.mt_comment"
            )
            return
        users = self.env["res.users"]
        if mode == "user":
            users = shop.fulfillment_user_id
        elif mode == "group":
            users = shop.fulfillment_group_id.users.filtered(lambda u: u.active and not u.share)
        for user in users:
            sale_order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Fulfil %s", binding.name),
                note=text,
                user_id=user.id,
            )
