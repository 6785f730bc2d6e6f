"""REST-shaped JSON of the emulator's records: what webhook bodies carry (shopify-api-facts §7, §9).

Built from the state at the moment of the change; numeric ids, amounts as decimal strings, timestamps in
the shop's time zone with their offset, as Shopify's REST resources have them."""

from zoneinfo import ZoneInfo

from . import orders as order_logic


def timestamp(shop, value):
    if value is None:
        return None
    return value.astimezone(ZoneInfo(shop.timezone)).isoformat()


def _money(value):
    return f"{order_logic.cents(value)}"


def _money_set(shop, order, amount):
    return {
        "shop_money": {"amount": _money(amount), "currency_code": shop.currency},
        "presentment_money": {
            "amount": _money(amount * order.exchange_rate),
            "currency_code": order.presentment_currency,
        },
    }


def _taxes(shop, order, tax_lines):
    return [
        {
            "title": tax.title,
            "rate": float(tax.rate),
            "price": _money(tax.amount),
            "price_set": _money_set(shop, order, tax.amount),
        }
        for tax in tax_lines
    ]


def address(stored):
    if not stored:
        return None
    name = " ".join(part for part in (stored.get("first_name"), stored.get("last_name")) if part)
    return {**stored, "name": name or None}


def customer(shop, record):
    if record is None:
        return None
    return {
        "id": record.id,
        "admin_graphql_api_id": record.gid,
        "email": record.email,
        "phone": record.phone,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "created_at": timestamp(shop, record.created_at),
        "updated_at": timestamp(shop, record.updated_at),
        "tags": ", ".join(record.tags),
        "note": record.note,
        "tax_exempt": record.tax_exempt,
        "default_address": {**address(record.default_address), "default": True}
        if record.default_address
        else None,
        "addresses": [
            {**address(stored), "default": stored is record.default_address}
            for stored in ([record.default_address] if record.default_address else [])
            + list(record.other_addresses)
        ],
        "email_marketing_consent": _consent(shop, record.email_consent),
        "sms_marketing_consent": _consent(shop, record.sms_consent),
    }


def _consent(shop, consent):
    if not consent:
        return None
    return {
        "state": consent["state"].lower(),
        "opt_in_level": (consent.get("opt_in_level") or "").lower() or None,
        "consent_updated_at": timestamp(shop, consent["consent_updated_at"])
        if consent.get("consent_updated_at")
        else None,
    }


def line_item(shop, order, line):
    status = None
    if line.fulfilled_quantity:
        status = "fulfilled" if line.fulfilled_quantity >= line.current_quantity else "partial"
    return {
        "id": line.id,
        "admin_graphql_api_id": line.gid,
        "variant_id": line.variant_id,
        "product_id": line.product_id,
        "sku": line.sku,
        "title": line.title,
        "variant_title": line.variant_title,
        "name": f"{line.title} - {line.variant_title}" if line.variant_title else line.title,
        "vendor": line.vendor,
        "quantity": line.quantity,
        "current_quantity": line.current_quantity,
        "fulfillable_quantity": max(0, line.current_quantity - line.fulfilled_quantity),
        "fulfillment_status": status,
        "price": _money(line.unit_price),
        "price_set": _money_set(shop, order, line.unit_price),
        "total_discount": _money(line.discount),
        "total_discount_set": _money_set(shop, order, line.discount),
        "taxable": line.taxable,
        "requires_shipping": line.requires_shipping,
        "gift_card": line.is_gift_card,
        "tax_lines": _taxes(shop, order, line.tax_lines),
        "discount_allocations": [
            {
                "amount": _money(amount),
                "amount_set": _money_set(shop, order, amount),
                "discount_application_index": index,
            }
            for index, amount in line.discount_allocations
        ],
    }


def fulfillment(shop, record):
    tracking = record.tracking_info
    return {
        "id": record.id,
        "admin_graphql_api_id": record.gid,
        "order_id": record.order_id,
        "name": record.name,
        "status": record.status.lower(),
        "location_id": record.location_id,
        "created_at": timestamp(shop, record.created_at),
        "updated_at": timestamp(shop, record.updated_at),
        "tracking_company": tracking[0]["company"] if tracking else None,
        "tracking_number": tracking[0]["number"] if tracking else None,
        "tracking_numbers": [t["number"] for t in tracking if t["number"]],
        "tracking_url": tracking[0]["url"] if tracking else None,
        "tracking_urls": [t["url"] for t in tracking if t["url"]],
        "line_items": [{"id": line_id, "quantity": quantity} for line_id, quantity in record.lines],
    }


def transaction(shop, record):
    order_record = shop.orders[record.order_id]
    return {
        "id": record.id,
        "admin_graphql_api_id": record.gid,
        "order_id": record.order_id,
        "kind": record.kind.lower(),
        "gateway": record.gateway,
        "status": record.status.lower(),
        "message": None,
        "created_at": timestamp(shop, record.created_at),
        "processed_at": timestamp(shop, record.processed_at),
        "test": record.test,
        "authorization": None,
        "parent_id": record.parent_id,
        "source_name": "web",
        "amount": _money(record.amount),
        "currency": shop.currency,
        "amount_set": _money_set(shop, order_record, record.amount),
        "payment_id": f"c{record.order_id}.{len(order_record.transaction_ids)}",
        "manual_payment_gateway": record.gateway in ("manual", "cash"),
        "error_code": None,
        "receipt": {},
    }


def refund(shop, record):
    order_record = shop.orders[record.order_id]
    money_set = lambda amount: _money_set(shop, order_record, amount)  # noqa: E731
    adjustments = []
    if record.discrepancy:
        adjustments.append(
            {
                "id": record.id + 1,
                "order_id": record.order_id,
                "refund_id": record.id,
                "kind": "refund_discrepancy",
                "reason": "Refund discrepancy",
                "amount": _money(-record.discrepancy),
                "amount_set": money_set(-record.discrepancy),
                "tax_amount": "0.00",
                "tax_amount_set": money_set(0),
            }
        )
    shipping_lines = [s for s in order_record.shipping_lines if not s.is_removed]
    return {
        "id": record.id,
        "admin_graphql_api_id": record.gid,
        "order_id": record.order_id,
        "created_at": timestamp(shop, record.created_at),
        "processed_at": timestamp(shop, record.processed_at),
        "note": record.note,
        "user_id": None,
        "restock": any(line.restocked for line in record.lines),
        "duties": [],
        "total_duties_set": money_set(0),
        "refund_line_items": [
            {
                "id": line.id,
                "quantity": line.quantity,
                "line_item_id": line.line_item_id,
                "location_id": line.location_id,
                "restock_type": line.restock_type.lower(),
                "subtotal": float(line.subtotal),
                "subtotal_set": money_set(line.subtotal),
                "total_tax": float(line.tax),
                "total_tax_set": money_set(line.tax),
                "line_item": line_item(shop, order_record, shop.line_items[line.line_item_id]),
            }
            for line in record.lines
        ],
        "refund_shipping_lines": [
            {
                "id": record.id + 2,
                "shipping_line_id": shipping_lines[0].id if shipping_lines else None,
                "subtotal_amount_set": money_set(record.shipping_amount),
                "tax_amount_set": money_set(record.shipping_tax),
            }
        ]
        if record.shipping_amount
        else [],
        "order_adjustments": adjustments,
        "transactions": [transaction(shop, shop.transactions[i]) for i in record.transaction_ids],
    }


def order(shop, record):
    totals = order_logic.totals(record, shop)
    status = order_logic.fulfillment_status(record)
    money_set = lambda amount: _money_set(shop, record, amount)  # noqa: E731
    return {
        "id": record.id,
        "admin_graphql_api_id": record.gid,
        "name": record.name,
        "order_number": record.number,
        "number": record.number - 1000,
        "email": record.email,
        "contact_email": record.email,
        "phone": record.phone,
        "created_at": timestamp(shop, record.created_at),
        "updated_at": timestamp(shop, record.updated_at),
        "processed_at": timestamp(shop, record.processed_at),
        "cancelled_at": timestamp(shop, record.cancelled_at),
        "cancel_reason": record.cancel_reason.lower() if record.cancel_reason else None,
        "closed_at": timestamp(shop, record.closed_at),
        "confirmed": True,
        "test": record.test,
        "currency": shop.currency,
        "presentment_currency": record.presentment_currency,
        "taxes_included": record.taxes_included,
        "financial_status": record.financial_status.lower(),
        "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(status),
        "subtotal_price": _money(totals["subtotal"]),
        "subtotal_price_set": money_set(totals["subtotal"]),
        "total_line_items_price": _money(totals["line_items"]),
        "total_line_items_price_set": money_set(totals["line_items"]),
        "total_discounts": _money(totals["discounts"]),
        "total_discounts_set": money_set(totals["discounts"]),
        "total_tax": _money(totals["tax"]),
        "total_tax_set": money_set(totals["tax"]),
        "total_price": _money(totals["total"]),
        "total_price_set": money_set(totals["total"]),
        "current_total_price": _money(totals["current"]),
        "current_total_price_set": money_set(totals["current"]),
        "total_shipping_price_set": money_set(totals["shipping"]),
        "total_outstanding": _money(totals["outstanding"]),
        "total_tip_received": "0.00",
        "discount_codes": [
            {
                "code": application["code"],
                "amount": _money(
                    sum(
                        (
                            amount
                            for line in record.line_items
                            for i, amount in line.discount_allocations
                            if i == index
                        ),
                        order_logic.cents(0),
                    )
                ),
                "type": application["value_type"],
            }
            for index, application in enumerate(record.discount_applications)
        ],
        "discount_applications": [dict(application) for application in record.discount_applications],
        "tax_lines": _taxes(shop, record, order_logic.tax_summary(record)),
        "line_items": [line_item(shop, record, line) for line in record.line_items],
        "shipping_lines": [
            {
                "id": shipping.id,
                "title": shipping.title,
                "code": shipping.code,
                "price": _money(shipping.price),
                "price_set": money_set(shipping.price),
                "discounted_price": _money(shipping.price),
                "discounted_price_set": money_set(shipping.price),
                "tax_lines": _taxes(shop, record, shipping.tax_lines),
                "discount_allocations": [],
                "is_removed": shipping.is_removed,
            }
            for shipping in record.shipping_lines
        ],
        "customer": customer(shop, shop.customers.get(record.customer_id)),
        "billing_address": address(record.billing_address),
        "shipping_address": address(record.shipping_address),
        "note": record.note,
        "tags": ", ".join(record.tags),
        "source_name": record.source_name,
        "payment_gateway_names": list(
            dict.fromkeys(shop.transactions[i].gateway for i in record.transaction_ids)
        ),
        "refunds": [refund(shop, shop.refunds[i]) for i in record.refund_ids],
        "fulfillments": [fulfillment(shop, shop.fulfillments[i]) for i in record.fulfillment_ids],
    }


def order_edit(shop, edit):
    return {
        "order_edit": {
            "id": edit.id,
            "app_id": None,
            "created_at": timestamp(shop, edit.created_at),
            "committed_at": timestamp(shop, edit.created_at),
            "notify_customer": False,
            "order_id": edit.order_id,
            "staff_note": "",
            "user_id": None,
            "line_items": {
                "additions": [{"id": i, "delta": q} for i, q in edit.additions],
                "removals": [{"id": i, "delta": q} for i, q in edit.removals],
            },
        }
    }


def product(shop, record):
    variants = [shop.variants[v] for v in record.variant_ids if v in shop.variants]

    def quantity(variant):
        return sum(level.quantity("available") for level in shop.levels_of_item(variant.inventory_item_id))

    return {
        "id": record.id,
        "admin_graphql_api_id": record.gid,
        "title": record.title,
        "body_html": record.description_html,
        "vendor": record.vendor,
        "product_type": record.product_type,
        "handle": record.handle,
        "status": record.status.lower(),
        "tags": ", ".join(record.tags),
        "created_at": timestamp(shop, record.created_at),
        "updated_at": timestamp(shop, record.updated_at),
        "published_at": timestamp(shop, record.created_at) if record.status == "ACTIVE" else None,
        "options": [
            {
                "id": option.id,
                "product_id": record.id,
                "name": option.name,
                "position": option.position,
                "values": option.values,
            }
            for option in record.options
        ],
        "variants": [
            {
                "id": variant.id,
                "admin_graphql_api_id": variant.gid,
                "product_id": record.id,
                "title": variant.title,
                "sku": variant.sku,
                "barcode": variant.barcode,
                "price": variant.price,
                "compare_at_price": variant.compare_at_price,
                "position": variant.position,
                "inventory_policy": variant.inventory_policy.lower(),
                "inventory_item_id": variant.inventory_item_id,
                "inventory_quantity": quantity(variant),
                "taxable": variant.taxable,
                "created_at": timestamp(shop, variant.created_at),
                "updated_at": timestamp(shop, variant.updated_at),
                **{f"option{i}": value for i, (_name, value) in enumerate(variant.selected, start=1)},
            }
            for variant in variants
        ],
        "images": [],
        "image": None,
    }


def inventory_level(shop, level):
    return {
        "inventory_item_id": level.item_id,
        "location_id": level.location_id,
        "available": level.quantity("available"),
        "updated_at": timestamp(shop, level.updated_at),
        "admin_graphql_api_id": level.gid,
    }


def shop_resource(shop):
    return {
        "id": 1,
        "name": shop.name,
        "email": f"owner@{shop.domain}",
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "currency": shop.currency,
        "iana_timezone": shop.timezone,
        "plan_name": shop.plan,
        "taxes_included": bool(shop.taxes_included),
        "created_at": timestamp(shop, shop.created_at),
    }


def bulk_operation(shop, operation):
    return {
        "admin_graphql_api_id": operation.gid,
        "completed_at": timestamp(shop, operation.completed_at),
        "created_at": timestamp(shop, operation.created_at),
        "error_code": operation.error_code.lower() if operation.error_code else None,
        "status": operation.status.lower(),
        "type": operation.type.lower(),
    }


def dispute(shop, record):
    """A Shopify Payments dispute as the disputes/* bodies carry it (lower-case enums, dates in the shop's
    time zone)."""
    return {
        "id": record.id,
        "admin_graphql_api_id": record.gid,
        "order_id": record.order_id,
        "type": record.type.lower(),
        "amount": _money(record.amount),
        "currency": record.currency,
        "reason": record.reason.lower(),
        "network_reason_code": record.network_reason_code,
        "status": record.status.lower(),
        "evidence_due_by": timestamp(shop, record.evidence_due_by),
        "evidence_sent_on": timestamp(shop, record.evidence_sent_on),
        "finalized_on": timestamp(shop, record.finalized_on),
        "initiated_at": timestamp(shop, record.initiated_at),
    }


def payload(shop, topic, record):
    """The webhook body of `topic` for `record` (a dict; JSON-encoded by the dispatcher)."""
    if topic in ("products/delete", "customers/delete"):
        return {"id": record.id}
    if topic == "customers/merge":
        return record  # the merge's own body (emulator/customers.py)
    if topic == "orders/edited":
        return order_edit(shop, record)
    if topic == "app/uninstalled":
        return shop_resource(shop)
    builder = {
        "orders": order,
        "products": product,
        "inventory_levels": inventory_level,
        "fulfillments": fulfillment,
        "bulk_operations": bulk_operation,
        "customers": customer,
        "order_transactions": transaction,
        "refunds": refund,
        "disputes": dispute,
    }.get(topic.split("/")[0])
    if builder is None:
        return {"id": getattr(record, "id", None), "admin_graphql_api_id": getattr(record, "gid", None)}
    return builder(shop, record)
