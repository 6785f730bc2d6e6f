"""What customers and merchants do to orders: check out (taxes, discounts, shipping, stock), pay, cancel,
edit, fulfil. Resolvers and the `/_emulator` admin API both call these; every function expects to run
under `shop.lock` (they take it themselves) and changes nothing when its input is invalid."""

import random
from decimal import ROUND_HALF_UP, Decimal

from .order_records import (
    Customer,
    Fulfillment,
    FulfillmentOrder,
    FulfillmentOrderLine,
    LineItem,
    Order,
    OrderEdit,
    OrderTransaction,
    Refund,
    RefundLine,
    ShippingLine,
    TaxLine,
)

CENT = Decimal("0.01")
CANCEL_REASONS = ("CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "OTHER", "STAFF")
FINANCIAL_STATUSES = ("AUTHORIZED", "PENDING", "PAID", "PARTIALLY_PAID", "VOIDED")
RISK_LEVELS = ("LOW", "MEDIUM", "HIGH", "NONE", "PENDING")
RESTOCK_TYPES = ("RETURN", "CANCEL", "NO_RESTOCK")
FIRST_NAMES = ("Ana", "Ben", "Chloé", "Dario", "Emma", "Farid", "Greta", "Hugo", "Ines", "Jonas")
LAST_NAMES = ("Roth", "Meyer", "Dubois", "Rossi", "Novak", "Silva", "Berg", "Kowalski", "Moreau", "Weber")
CITIES = (
    ("Köln", "50674", "DE", "Germany"),
    ("Lyon", "69002", "FR", "France"),
    ("Austin", "73301", "US", "United States"),
)


class OrderInputError(ValueError):
    """Bad input for an order operation: nothing was changed."""


def cents(value):
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


# -- customers and addresses ---------------------------------------------------------------------------
def address(data):
    """A stored address (REST keys) from what a caller gives (REST or GraphQL keys)."""
    if not data:
        return None
    pick = lambda *keys: next((data[k] for k in keys if data.get(k) not in (None, "")), None)  # noqa: E731
    return {
        "first_name": pick("first_name", "firstName"),
        "last_name": pick("last_name", "lastName"),
        "company": pick("company"),
        "address1": pick("address1"),
        "address2": pick("address2"),
        "city": pick("city"),
        "province": pick("province"),
        "province_code": pick("province_code", "provinceCode"),
        "zip": pick("zip"),
        "country": pick("country"),
        "country_code": pick("country_code", "countryCode", "countryCodeV2"),
        "phone": pick("phone"),
    }


def find_or_create_customer(shop, data):
    email = (data.get("email") or "").strip().lower() or None
    if email:
        for customer in shop.customers.values():
            if customer.email == email:
                return customer
    now = shop.now()
    customer = Customer(
        id=shop.next_id(),
        created_at=now,
        updated_at=now,
        first_name=data.get("first_name") or data.get("firstName") or "",
        last_name=data.get("last_name") or data.get("lastName") or "",
        email=email,
        phone=data.get("phone"),
        default_address=address(data.get("address")),
    )
    shop.customers[customer.id] = customer
    return customer


# -- check-out -----------------------------------------------------------------------------------------
def _variant_for(shop, line):
    if line.get("variant_id") is not None:
        ref = line["variant_id"]
        numeric = int(str(ref).rsplit("/", 1)[-1]) if str(ref).rsplit("/", 1)[-1].isdigit() else None
        variant = shop.variants.get(numeric)
        if variant is None:
            raise OrderInputError(f"no variant {ref}")
        return variant
    sku = line.get("sku")
    variant = next((v for v in shop.variants.values() if sku and v.sku == sku), None)
    if variant is None:
        raise OrderInputError(f"no variant with SKU {sku!r}")
    return variant


def _stock_location(shop, item, quantity, policy):
    """Where the units come from: the first active location (primary first) holding enough `available`."""
    locations = sorted(
        (loc for loc in shop.locations.values() if loc.is_active),
        key=lambda loc: (not loc.is_primary, loc.id),
    )
    if not locations:
        raise OrderInputError("the shop has no active location")
    if item is None or not item.tracked:
        return locations[0]
    for location in locations:
        level = shop.level(item.id, location.id)
        if level and level.quantity("available") >= quantity:
            return location
    if policy == "CONTINUE":
        return locations[0]
    raise OrderInputError(f"not enough stock for SKU {item.sku!r} (wanted {quantity})")


def _new_line(shop, line):
    quantity = int(line.get("quantity", 1))
    if quantity <= 0:
        raise OrderInputError(f"quantity must be positive, got {quantity}")
    variant = _variant_for(shop, line)
    product = shop.products.get(variant.product_id)
    item = shop.inventory_items.get(variant.inventory_item_id)
    location = _stock_location(shop, item, quantity, variant.inventory_policy)
    return LineItem(
        id=shop.next_id(),
        variant_id=variant.id,
        product_id=variant.product_id,
        sku=variant.sku,
        title=product.title if product else variant.title,
        variant_title=None if variant.title == "Default Title" else variant.title,
        vendor=product.vendor if product else None,
        quantity=quantity,
        current_quantity=quantity,
        unit_price=cents(line.get("price", variant.price)),
        taxable=variant.taxable,
        requires_shipping=item.requires_shipping if item else True,
        inventory_item_id=item.id if item and item.tracked else None,
        location_id=location.id,
    )


def _move_stock(shop, line, quantity, now):
    """Commit (quantity > 0) or release (< 0) a line's units at its location: available ⇄ committed."""
    if line.inventory_item_id is None or not quantity:
        return
    level = shop.level(line.inventory_item_id, line.location_id, create=True)
    level.quantities["available"] = level.quantities.get("available", 0) - quantity
    level.quantities["committed"] = level.quantities.get("committed", 0) + quantity
    level.updated_at = now
    shop.emit("inventory_levels/update", level)


def _ship_stock(shop, line, quantity, now):
    """Units leaving the warehouse on fulfillment: committed (and so on hand) goes down."""
    if line.inventory_item_id is None or not quantity:
        return
    level = shop.level(line.inventory_item_id, line.location_id, create=True)
    level.quantities["committed"] = level.quantities.get("committed", 0) - quantity
    level.updated_at = now
    shop.emit("inventory_levels/update", level)


def _tax(amount, rate, included):
    if included:
        return cents(amount * rate / (1 + rate))
    return cents(amount * rate)


def recompute(shop, order):
    """Discount allocations and tax lines from the current quantities (checkout and edits)."""
    lines = [line for line in order.line_items if billed(line) > 0]
    bases = {line.id: line.unit_price * billed(line) for line in order.line_items}
    for line in order.line_items:
        line.discount_allocations = []
    for index, application in enumerate(order.discount_applications):
        value = Decimal(str(application["value"]))
        if application["value_type"] == "percentage":
            for line in lines:
                line.discount_allocations.append((index, cents(bases[line.id] * value / 100)))
            continue
        total = sum((bases[line.id] for line in lines), Decimal("0"))
        remaining = min(cents(value), total)
        for position, line in enumerate(lines):
            share = remaining if position == len(lines) - 1 else cents(value * bases[line.id] / total)
            share = min(share, remaining)
            remaining -= share
            line.discount_allocations.append((index, share))
    rate, title = Decimal(str(shop.tax_rate)), shop.tax_title
    for line in order.line_items:
        taxable = bases[line.id] - line.discount
        line.tax_lines = (
            [TaxLine(title, rate, _tax(taxable, rate, order.taxes_included))]
            if line.taxable and rate and billed(line)
            else []
        )
    for shipping in order.shipping_lines:
        shipping.tax_lines = (
            [TaxLine(title, rate, _tax(shipping.price, rate, order.taxes_included))] if rate else []
        )


def billed(line):
    """Units the order charged for: after edits and cancellation, before refunds (Shopify's totalPrice)."""
    return line.current_quantity + line.refunded_quantity


def refund_amount(refund, taxes_included):
    """What a refund takes off the order's current total (items and shipping; amounts, like Shopify's
    prices, include the tax when the shop's prices do)."""
    taxes = Decimal("0") if taxes_included else sum((r.tax for r in refund.lines), refund.shipping_tax)
    return sum((r.subtotal for r in refund.lines), Decimal("0")) + refund.shipping_amount + taxes


def totals(order, shop=None):
    """The order's amounts (shop currency): `total` after edits, before refunds; `current` after refunds;
    `received` / `refunded` from its successful transactions (needs `shop`)."""
    subtotal = sum(
        (line.unit_price * billed(line) - line.discount for line in order.line_items), Decimal("0")
    )
    line_items_price = sum((line.unit_price * billed(line) for line in order.line_items), Decimal("0"))
    discounts = sum((line.discount for line in order.line_items), Decimal("0"))
    shipping = sum((s.price for s in order.shipping_lines if not s.is_removed), Decimal("0"))
    tax = sum((t.amount for line in order.line_items for t in line.tax_lines), Decimal("0")) + sum(
        (t.amount for s in order.shipping_lines if not s.is_removed for t in s.tax_lines), Decimal("0")
    )
    total = subtotal + shipping + (Decimal("0") if order.taxes_included else tax)
    outstanding = (
        total if order.financial_status in ("PENDING", "AUTHORIZED") and not order.cancelled_at else 0
    )
    received = refunded = refunds = Decimal("0")
    if shop is not None:
        for transaction in (shop.transactions[i] for i in order.transaction_ids):
            if transaction.status != "SUCCESS":
                continue
            if transaction.kind in ("SALE", "CAPTURE"):
                received += transaction.amount
            elif transaction.kind == "REFUND":
                refunded += transaction.amount
        refunds = sum(
            (refund_amount(shop.refunds[i], order.taxes_included) for i in order.refund_ids), Decimal("0")
        )
    return {
        "subtotal": cents(subtotal),
        "line_items": cents(line_items_price),
        "discounts": cents(discounts),
        "shipping": cents(shipping),
        "tax": cents(tax),
        "total": cents(total),
        "current": cents(total - refunds),
        "outstanding": cents(outstanding),
        "received": cents(received),
        "refunded": cents(refunded),
    }


def tax_summary(order):
    """Order-level tax lines: the line and shipping taxes summed per (title, rate)."""
    summed = {}
    for holder in [*order.line_items, *(s for s in order.shipping_lines if not s.is_removed)]:
        for tax in holder.tax_lines:
            summed[(tax.title, tax.rate)] = summed.get((tax.title, tax.rate), Decimal("0")) + tax.amount
    return [TaxLine(title, rate, amount) for (title, rate), amount in summed.items()]


def fulfillment_status(order):
    """OrderDisplayFulfillmentStatus from the lines' fulfilled quantities."""
    wanted = sum(line.current_quantity for line in order.line_items)
    done = sum(min(line.fulfilled_quantity, line.current_quantity) for line in order.line_items)
    if wanted and done >= wanted:
        return "FULFILLED"
    if done:
        return "PARTIALLY_FULFILLED"
    return "UNFULFILLED"


def _build_fulfillment_orders(shop, order, lines, now):
    by_location = {}
    for line in lines:
        by_location.setdefault(line.location_id, []).append(line)
    existing = {
        shop.fulfillment_orders[i].location_id: shop.fulfillment_orders[i]
        for i in order.fulfillment_order_ids
    }
    for location_id, located in by_location.items():
        fulfillment_order = existing.get(location_id)
        if fulfillment_order is None or fulfillment_order.status not in ("OPEN", "IN_PROGRESS"):
            fulfillment_order = FulfillmentOrder(
                id=shop.next_id(), created_at=now, updated_at=now, order_id=order.id, location_id=location_id
            )
            shop.fulfillment_orders[fulfillment_order.id] = fulfillment_order
            order.fulfillment_order_ids.append(fulfillment_order.id)
        for line in located:
            fulfillment_order.line_items.append(
                FulfillmentOrderLine(shop.next_id(), line.id, line.current_quantity, line.current_quantity)
            )
        fulfillment_order.updated_at = now


def place_order(
    shop,
    lines,
    customer=None,
    email=None,
    phone=None,
    shipping_address=None,
    billing_address=None,
    shipping=None,
    discount=None,
    presentment_currency=None,
    exchange_rate=None,
    financial_status="PAID",
    processed_at=None,
    note=None,
    tags=(),
    source_name="web",
    test=False,
    payments=None,
    risk_level="LOW",
    risk_facts=(),
):
    """Check out as a customer would: `lines` = [{"sku" or "variant_id", "quantity", "price"?}],
    `customer` = {"first_name", "last_name", "email", "phone", "address"} (None: a guest, by `email`),
    `shipping` = {"title", "code", "price"}, `discount` = {"code", "type": "percentage"|"fixed_amount",
    "value"}. Taxes follow the shop's settings; stock moves from available to committed.
    `payments` = [{"gateway", "amount"}] of a paid order (default: the total by `shopify_payments`; gift
    cards are the gateway `gift_card`); an authorized order gets one authorization. `risk_level` /
    `risk_facts` ([description]) are Shopify's fraud assessment."""
    if not lines:
        raise OrderInputError("an order needs at least one line")
    if financial_status not in FINANCIAL_STATUSES:
        raise OrderInputError(f"financial_status must be one of {', '.join(FINANCIAL_STATUSES)}")
    if discount and discount.get("type", "fixed_amount") not in ("percentage", "fixed_amount"):
        raise OrderInputError("discount type must be 'percentage' or 'fixed_amount'")
    if risk_level not in RISK_LEVELS:
        raise OrderInputError(f"risk_level must be one of {', '.join(RISK_LEVELS)}")
    with shop.lock:
        now = shop.now()
        # Validate everything first (stock is checked per line; the same SKU twice is summed by location).
        line_items = [_new_line(shop, line) for line in lines]
        buyer = find_or_create_customer(shop, customer) if customer else None
        order = Order(
            id=shop.next_id(),
            created_at=now,
            updated_at=now,
            number=next(shop.order_numbers),
            email=(email or (buyer.email if buyer else None) or "").lower() or None,
            phone=phone or (buyer.phone if buyer else None),
            customer_id=buyer.id if buyer else None,
            shipping_address=address(shipping_address) or (buyer.default_address if buyer else None),
            billing_address=address(billing_address or shipping_address)
            or (buyer.default_address if buyer else None),
            presentment_currency=(presentment_currency or shop.currency).upper(),
            exchange_rate=Decimal(str(exchange_rate or 1)),
            taxes_included=bool(shop.taxes_included),
            line_items=line_items,
            financial_status=financial_status,
            processed_at=processed_at or now,
            note=note,
            tags=list(tags),
            source_name=source_name,
            test=test,
        )
        if shipping:
            order.shipping_lines.append(
                ShippingLine(
                    shop.next_id(),
                    shipping.get("title", "Standard"),
                    shipping.get("code", "standard"),
                    cents(shipping.get("price", 0)),
                )
            )
        if discount:
            order.discount_applications.append(
                {
                    "type": "discount_code",
                    "code": discount.get("code", "DISCOUNT"),
                    "value": str(discount["value"]),
                    "value_type": discount.get("type", "fixed_amount"),
                    "allocation_method": "across",
                    "target_type": "line_item",
                }
            )
        _adopt(shop, order, [*line_items, *order.shipping_lines])
        recompute(shop, order)
        order.original_total = totals(order)["total"]
        for line in line_items:
            _move_stock(shop, line, line.quantity, now)
        _build_fulfillment_orders(shop, order, line_items, now)
        order.risk_level = risk_level
        order.risk_facts = [(fact, "NEGATIVE") for fact in risk_facts]
        total = order.original_total
        if financial_status == "PAID":
            payments = payments or [{"gateway": "shopify_payments", "amount": total}]
            if sum((cents(p["amount"]) for p in payments), Decimal("0")) != total:
                raise OrderInputError(f"payments must add up to the order total {total}")
        shop.orders[order.id] = order
        new_transactions = []
        if financial_status == "PAID":
            new_transactions = [
                _transaction(shop, order, "SALE", p.get("gateway", "shopify_payments"), cents(p["amount"]))
                for p in payments
            ]
        elif financial_status == "AUTHORIZED":
            new_transactions = [_transaction(shop, order, "AUTHORIZATION", "shopify_payments", total)]
        shop.emit("orders/create", order)
        for transaction in new_transactions:
            shop.emit("order_transactions/create", transaction)
        if financial_status == "PAID":
            shop.emit("orders/paid", order)
        return order


def _transaction(shop, order, kind, gateway, amount, parent_id=None, refund_id=None):
    now = shop.now()
    transaction = OrderTransaction(
        id=shop.next_id(),
        created_at=now,
        updated_at=now,
        order_id=order.id,
        kind=kind,
        gateway=gateway,
        amount=amount,
        processed_at=now,
        parent_id=parent_id,
        refund_id=refund_id,
        test=order.test,
    )
    shop.transactions[transaction.id] = transaction
    order.transaction_ids.append(transaction.id)
    return transaction


def _adopt(shop, order, lines):
    for line in lines:
        line.order_id = order.id
        if isinstance(line, LineItem):
            shop.line_items[line.id] = line


def _touch(shop, order):
    order.updated_at = shop.now()


def pay_order(shop, order, gateway=None, silent_transaction=False):
    """The order is paid: a capture of its authorization, else a sale by `gateway` (default manual).
    `silent_transaction`: its order_transactions/create webhook is not sent (a lost delivery)."""
    with shop.lock:
        if order.cancelled_at:
            raise OrderInputError(f"order {order.name} is cancelled")
        if order.financial_status == "PAID":
            raise OrderInputError(f"order {order.name} is already paid")
        authorization = next(
            (
                shop.transactions[i]
                for i in order.transaction_ids
                if shop.transactions[i].kind == "AUTHORIZATION"
            ),
            None,
        )
        total = totals(order)["total"]
        if authorization is not None:
            transaction = _transaction(
                shop, order, "CAPTURE", authorization.gateway, total, parent_id=authorization.id
            )
        else:
            transaction = _transaction(shop, order, "SALE", gateway or "manual", total)
        order.financial_status = "PAID"
        _touch(shop, order)
        if not silent_transaction:
            shop.emit("order_transactions/create", transaction)
        shop.emit("orders/paid", order)
        shop.emit("orders/updated", order)
        return order


def cancel_order(shop, order, reason="CUSTOMER", restock=True, refund=True):
    """Cancel: unfulfilled units go back to `available` (when `restock`), paid money is refunded."""
    reason = (reason or "OTHER").upper()
    if reason not in CANCEL_REASONS:
        raise OrderInputError(f"reason must be one of {', '.join(CANCEL_REASONS)}")
    with shop.lock:
        if order.cancelled_at:
            raise OrderInputError(f"order {order.name} is already cancelled")
        if fulfillment_status(order) == "FULFILLED":
            raise OrderInputError(f"order {order.name} is fulfilled and cannot be cancelled")
        now = shop.now()
        for line in order.line_items:
            open_units = line.current_quantity - line.fulfilled_quantity
            if restock and open_units > 0:
                _move_stock(shop, line, -open_units, now)
            line.current_quantity = line.fulfilled_quantity
        for fulfillment_order_id in order.fulfillment_order_ids:
            fulfillment_order = shop.fulfillment_orders[fulfillment_order_id]
            if fulfillment_order.status in ("OPEN", "IN_PROGRESS", "SCHEDULED", "ON_HOLD"):
                fulfillment_order.status = "CANCELLED" if fulfillment_order.status == "OPEN" else "CLOSED"
                fulfillment_order.updated_at = now
        if order.financial_status == "PAID" and refund:
            order.financial_status = "REFUNDED"
        elif order.financial_status in ("PENDING", "AUTHORIZED"):
            order.financial_status = "VOIDED"
        order.cancelled_at = order.closed_at = now
        order.cancel_reason = reason
        recompute(shop, order)
        _touch(shop, order)
        shop.emit("orders/cancelled", order)
        shop.emit("orders/updated", order)
        return order


def edit_order(shop, order, quantities=None, add=()):
    """A merchant's order edit: `quantities` = {line item gid or id: new current quantity} (lower only,
    as Shopify), `add` = new lines like `place_order`'s. Taxes, discounts and stock follow."""
    quantities = {int(str(k).rsplit("/", 1)[-1]): int(v) for k, v in (quantities or {}).items()}
    with shop.lock:
        if order.cancelled_at:
            raise OrderInputError(f"order {order.name} is cancelled")
        lines = {line.id: line for line in order.line_items}
        for line_id, quantity in quantities.items():
            line = lines.get(line_id)
            if line is None:
                raise OrderInputError(f"order {order.name} has no line item {line_id}")
            if not line.fulfilled_quantity <= quantity <= line.current_quantity:
                raise OrderInputError(
                    f"line item {line_id}: quantity must be between {line.fulfilled_quantity} (fulfilled) "
                    f"and {line.current_quantity}"
                )
        added = [_new_line(shop, line) for line in add]
        if not added and not any(lines[i].current_quantity != q for i, q in quantities.items()):
            raise OrderInputError("the edit changes nothing")
        now = shop.now()
        edit = OrderEdit(id=shop.next_id(), created_at=now, updated_at=now, order_id=order.id)
        for line_id, quantity in quantities.items():
            line = lines[line_id]
            removed = line.current_quantity - quantity
            if not removed:
                continue
            _move_stock(shop, line, -removed, now)
            line.current_quantity = quantity
            edit.removals.append((line.id, removed))
            for fulfillment_order_id in order.fulfillment_order_ids:
                for fo_line in shop.fulfillment_orders[fulfillment_order_id].line_items:
                    if fo_line.line_item_id == line.id:
                        taken = min(removed, fo_line.remaining_quantity)
                        fo_line.remaining_quantity -= taken
                        fo_line.total_quantity -= taken
                        removed -= taken
        _adopt(shop, order, added)
        for line in added:
            _move_stock(shop, line, line.quantity, now)
            order.line_items.append(line)
            edit.additions.append((line.id, line.quantity))
        _build_fulfillment_orders(shop, order, added, now)
        for fulfillment_order_id in order.fulfillment_order_ids:
            fulfillment_order = shop.fulfillment_orders[fulfillment_order_id]
            if fulfillment_order.status in ("OPEN", "IN_PROGRESS") and not any(
                fo_line.remaining_quantity for fo_line in fulfillment_order.line_items
            ):
                fulfillment_order.status = "CLOSED"
        recompute(shop, order)
        order.edited = True
        _touch(shop, order)
        shop.emit("orders/edited", edit)
        shop.emit("orders/updated", order)
        return order


# -- refunds -------------------------------------------------------------------------------------------
def refund_order(
    shop, order, lines=None, shipping=False, restock_type="RETURN", location_id=None, note=None,
    discrepancy="0", gateway=None,
):  # fmt: skip
    """A merchant's refund: `lines` = {line item gid or id: quantity}, `shipping` = True (all of it)
    or an amount (tax as in the shop's prices), `restock_type` RETURN / CANCEL / NO_RESTOCK (restocked
    units go back to `available` at `location_id`, default the line's), `discrepancy` = money
    refunded beyond the items (negative: short). The money goes back through the gateway of the
    order's first successful sale or capture (or `gateway`). Emits refunds/create,
    order_transactions/create and orders/updated."""
    lines = {int(str(k).rsplit("/", 1)[-1]): int(v) for k, v in (lines or {}).items()}
    if restock_type not in RESTOCK_TYPES:
        raise OrderInputError(f"restock_type must be one of {', '.join(RESTOCK_TYPES)}")
    with shop.lock:
        by_id = {line.id: line for line in order.line_items}
        for line_id, quantity in lines.items():
            line = by_id.get(line_id)
            if line is None:
                raise OrderInputError(f"order {order.name} has no line item {line_id}")
            if not 0 < quantity <= line.current_quantity:
                raise OrderInputError(f"line item {line_id}: refund between 1 and {line.current_quantity}")
        if location_id is not None and int(location_id) not in shop.locations:
            raise OrderInputError(f"no location {location_id}")
        paid = [
            shop.transactions[i]
            for i in order.transaction_ids
            if shop.transactions[i].kind in ("SALE", "CAPTURE") and shop.transactions[i].status == "SUCCESS"
        ]
        if not paid:
            raise OrderInputError(f"order {order.name} has no payment to refund")
        now = shop.now()
        refund = Refund(
            id=shop.next_id(), created_at=now, updated_at=now, order_id=order.id, note=note, processed_at=now
        )
        for line_id, quantity in lines.items():
            line = by_id[line_id]
            units = billed(line)
            subtotal = cents((line.unit_price * units - line.discount) * quantity / units)
            tax = cents(sum((t.amount for t in line.tax_lines), Decimal("0")) * quantity / units)
            location = int(location_id) if location_id is not None else line.location_id
            refund.lines.append(
                RefundLine(shop.next_id(), line.id, quantity, restock_type, location, subtotal, tax)
            )
            unfulfilled = line.current_quantity - line.fulfilled_quantity
            line.current_quantity -= quantity
            line.refunded_quantity += quantity
            if restock_type != "NO_RESTOCK" and line.inventory_item_id is not None:
                # Unshipped units leave `committed`; shipped ones come back (restock_type RETURN).
                from_committed = min(quantity, max(unfulfilled, 0))
                _move_stock(shop, line, -from_committed, now)
                returned = quantity - from_committed
                if returned:
                    level = shop.level(line.inventory_item_id, location, create=True)
                    level.quantities["available"] = level.quantities.get("available", 0) + returned
                    level.updated_at = now
                    shop.emit("inventory_levels/update", level)
        shipping_lines = [s for s in order.shipping_lines if not s.is_removed]
        if shipping is True:
            refund.shipping_amount = sum((s.price for s in shipping_lines), Decimal("0"))
            refund.shipping_tax = sum((t.amount for s in shipping_lines for t in s.tax_lines), Decimal("0"))
        elif shipping:
            refund.shipping_amount = cents(shipping)
        refund.discrepancy = cents(discrepancy)
        amount = refund_amount(refund, order.taxes_included) + refund.discrepancy
        already = totals(order, shop)["refunded"]
        if amount <= 0 or amount > totals(order, shop)["received"] - already:
            raise OrderInputError(f"refund of {amount} is not between 0 and what was paid")
        source = paid[0]
        transaction = _transaction(
            shop, order, "REFUND", gateway or source.gateway, amount, parent_id=source.id, refund_id=refund.id
        )
        refund.transaction_ids.append(transaction.id)
        shop.refunds[refund.id] = refund
        order.refund_ids.append(refund.id)
        refunded = already + amount
        order.financial_status = (
            "REFUNDED" if refunded >= totals(order, shop)["received"] else "PARTIALLY_REFUNDED"
        )
        _touch(shop, order)
        shop.emit("refunds/create", refund)
        shop.emit("order_transactions/create", transaction)
        shop.emit("orders/updated", order)
        return refund


# -- fulfillment ---------------------------------------------------------------------------------------
def fulfill(shop, requests, tracking_info=None, notify_customer=False):
    """`requests` = [(fulfillment order gid, [(line gid, quantity)] or None for everything left)].
    Returns (fulfillment, user errors); with errors nothing changes."""
    errors = []

    def fail(message, *path):
        errors.append({"field": ["fulfillment", "lineItemsByFulfillmentOrder", *path], "message": message})

    with shop.lock:
        plan = []
        for index, (fo_gid, wanted) in enumerate(requests):
            numeric = str(fo_gid).rsplit("/", 1)[-1]
            fulfillment_order = shop.fulfillment_orders.get(int(numeric)) if numeric.isdigit() else None
            if fulfillment_order is None:
                fail("Fulfillment order does not exist.", index, "fulfillmentOrderId")
                continue
            if fulfillment_order.status not in ("OPEN", "IN_PROGRESS"):
                fail(
                    f"Fulfillment order {fulfillment_order.id} has an unfulfillable status= "
                    f"{fulfillment_order.status.lower()}.",
                    index,
                    "fulfillmentOrderId",
                )
                continue
            fo_lines = {fo_line.gid: fo_line for fo_line in fulfillment_order.line_items}
            if wanted is None:
                picked = [(fo_line, fo_line.remaining_quantity) for fo_line in fulfillment_order.line_items]
                picked = [(fo_line, qty) for fo_line, qty in picked if qty > 0]
            else:
                picked = []
                for line_index, (line_gid, quantity) in enumerate(wanted):
                    fo_line = fo_lines.get(line_gid)
                    if fo_line is None or not 0 < quantity <= fo_line.remaining_quantity:
                        fail(
                            "Invalid fulfillment order line item quantity requested.",
                            index,
                            "fulfillmentOrderLineItems",
                            line_index,
                        )
                        continue
                    picked.append((fo_line, quantity))
            if not picked and not errors:
                fail(f"Fulfillment order {fulfillment_order.id} has no line items to fulfill.", index)
            plan.append((fulfillment_order, picked))
        if not errors:
            orders = {fo.order_id for fo, _ in plan}
            locations = {fo.location_id for fo, _ in plan}
            if len(orders) > 1:
                fail("All fulfillment orders must belong to the same order.")
            elif len(locations) > 1:
                fail("All fulfillment orders must be assigned to the same location.")
        if errors or not plan:
            return None, errors or [{"field": ["fulfillment"], "message": "No fulfillment orders given."}]
        now = shop.now()
        order = shop.orders[plan[0][0].order_id]
        lines = {line.id: line for line in order.line_items}
        tracking = _tracking(tracking_info)
        fulfillment = Fulfillment(
            id=shop.next_id(),
            created_at=now,
            updated_at=now,
            order_id=order.id,
            location_id=plan[0][0].location_id,
            name=f"{order.name}.{len(order.fulfillment_ids) + 1}",
            tracking_info=tracking,
            fulfillment_order_ids=[fo.id for fo, _ in plan],
        )
        for fulfillment_order, picked in plan:
            for fo_line, quantity in picked:
                fo_line.remaining_quantity -= quantity
                line = lines[fo_line.line_item_id]
                line.fulfilled_quantity += quantity
                fulfillment.lines.append((line.id, quantity))
                _ship_stock(shop, line, quantity, now)
            fulfillment_order.status = (
                "IN_PROGRESS"
                if any(fl.remaining_quantity for fl in fulfillment_order.line_items)
                else "CLOSED"
            )
            fulfillment_order.updated_at = now
            fulfillment_order.fulfillment_ids.append(fulfillment.id)
        shop.fulfillments[fulfillment.id] = fulfillment
        order.fulfillment_ids.append(fulfillment.id)
        _touch(shop, order)
        shop.emit("fulfillments/create", fulfillment)
        status = fulfillment_status(order)
        shop.emit("orders/fulfilled" if status == "FULFILLED" else "orders/partially_fulfilled", order)
        shop.emit("orders/updated", order)
        return fulfillment, []


def _tracking(tracking_info):
    if not tracking_info:
        return []
    numbers = tracking_info.get("numbers") or (
        [tracking_info["number"]] if tracking_info.get("number") else []
    )
    urls = tracking_info.get("urls") or ([tracking_info["url"]] if tracking_info.get("url") else [])
    company = tracking_info.get("company")
    count = max(len(numbers), len(urls), 1 if company else 0)
    return [
        {
            "company": company,
            "number": numbers[i] if i < len(numbers) else None,
            "url": urls[i] if i < len(urls) else None,
        }
        for i in range(count)
    ]


# -- seeding -------------------------------------------------------------------------------------------
def seed_orders(shop, count, seed=None, max_lines=3, guest_share=0.2, paid_share=0.8):
    """`count` orders from the current catalog (variants in stock), some by guests, some pending; the same
    seed and catalog give the same orders."""
    with shop.lock:
        rng = random.Random(f"{shop.seed if seed is None else seed}:{shop.domain}:orders:{len(shop.orders)}")
        created = []
        for _ in range(int(count)):
            in_stock = [v for v in shop.variants.values() if _units_available(shop, v) > 0]
            if not in_stock:
                raise OrderInputError("no variant in stock to order: seed products first")
            picked = rng.sample(in_stock, min(len(in_stock), rng.randint(1, max_lines)))
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            city, zip_code, country_code, country = rng.choice(CITIES)
            where = {
                "first_name": first,
                "last_name": last,
                "address1": f"{rng.randint(1, 99)} Market Street",
                "city": city,
                "zip": zip_code,
                "country": country,
                "country_code": country_code,
            }
            email = f"{first.lower()}.{last.lower()}@example.org"
            guest = rng.random() < guest_share
            created.append(
                place_order(
                    shop,
                    [
                        {"variant_id": v.id, "quantity": min(rng.randint(1, 3), _units_available(shop, v))}
                        for v in picked
                    ],
                    customer=None
                    if guest
                    else {"first_name": first, "last_name": last, "email": email, "address": where},
                    email=email,
                    shipping_address=where,
                    shipping={
                        "title": "Standard",
                        "code": "standard",
                        "price": rng.choice(("0.00", "4.95", "9.90")),
                    },
                    discount={"code": "WELCOME10", "type": "percentage", "value": "10"}
                    if rng.random() < 0.2
                    else None,
                    financial_status="PAID" if rng.random() < paid_share else "PENDING",
                )
            )
        return created


def _units_available(shop, variant):
    item = shop.inventory_items.get(variant.inventory_item_id)
    if item is None or not item.tracked:
        return 5
    return max(
        (
            shop.level(item.id, loc.id).quantity("available")
            for loc in shop.locations.values()
            if loc.is_active and shop.level(item.id, loc.id)
        ),
        default=0,
    )
