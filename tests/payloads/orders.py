"""Realistic Shopify order payloads (REST webhook bodies and GraphQL poll nodes), amounts worked out by
hand the way Shopify computes them (per-line tax rounding). Every function returns a fresh dict.

Expected figures are written next to each payload so a test can compare Odoo's numbers to them.
"""

import copy


def _money_set(shop_amount, presentment_amount=None, shop_currency="EUR", presentment_currency=None):
    return {
        "shop_money": {"amount": shop_amount, "currency_code": shop_currency},
        "presentment_money": {
            "amount": presentment_amount or shop_amount,
            "currency_code": presentment_currency or shop_currency,
        },
    }


# --------------------------------------------------------------------------------------------------
# 1. German shop, prices include 19 % VAT, fixed discount code, paid shipping (facts §9).
#    Line 2 × 24.90 = 49.80 − 5.00 = 44.80 (VAT 7.15); DHL 4.95 (VAT 0.79); total 49.75, VAT 7.94.
# --------------------------------------------------------------------------------------------------
_EU_INCLUDED = {
    "id": 6123456789012,
    "admin_graphql_api_id": "gid://shopify/Order/6123456789012",
    "name": "#1042",
    "order_number": 1042,
    "email": "ana@example.org",
    "phone": None,
    "created_at": "2026-10-21T09:14:03+02:00",
    "processed_at": "2026-10-21T09:14:03+02:00",
    "updated_at": "2026-10-21T09:14:05+02:00",
    "cancelled_at": None,
    "cancel_reason": None,
    "test": False,
    "currency": "EUR",
    "presentment_currency": "EUR",
    "taxes_included": True,
    "financial_status": "paid",
    "fulfillment_status": None,
    "subtotal_price": "44.80",
    "total_discounts": "5.00",
    "total_tax": "7.94",
    "total_price": "49.75",
    "total_tip_received": "0.00",
    "total_price_set": _money_set("49.75"),
    "discount_codes": [{"code": "WELCOME5", "amount": "5.00", "type": "fixed_amount"}],
    "discount_applications": [
        {
            "type": "discount_code",
            "code": "WELCOME5",
            "value": "5.0",
            "value_type": "fixed_amount",
            "allocation_method": "across",
            "target_type": "line_item",
        }
    ],
    "tax_lines": [{"title": "MwSt", "rate": 0.19, "price": "7.94"}],
    "line_items": [
        {
            "id": 1410002300,
            "admin_graphql_api_id": "gid://shopify/LineItem/1410002300",
            "variant_id": 40011223344,
            "product_id": 7001122334,
            "sku": "MUG-BLU-350",
            "title": "Enamel mug",
            "variant_title": "Blue / 350 ml",
            "quantity": 2,
            "current_quantity": 2,
            "price": "24.90",
            "price_set": _money_set("24.90"),
            "taxable": True,
            "requires_shipping": True,
            "gift_card": False,
            "grams": 320,
            "tax_lines": [{"title": "MwSt", "rate": 0.19, "price": "7.15"}],
            "discount_allocations": [{"amount": "5.00", "discount_application_index": 0}],
        }
    ],
    "shipping_lines": [
        {
            "id": 3300441,
            "title": "DHL Paket",
            "code": "dhl_paket",
            "price": "4.95",
            "discounted_price": "4.95",
            "tax_lines": [{"title": "MwSt", "rate": 0.19, "price": "0.79"}],
            "discount_allocations": [],
        }
    ],
    "customer": {
        "id": 6120099887,
        "admin_graphql_api_id": "gid://shopify/Customer/6120099887",
        "email": "ana@example.org",
        "first_name": "Ana",
        "last_name": "Roth",
        "phone": None,
    },
    "billing_address": {
        "first_name": "Ana",
        "last_name": "Roth",
        "name": "Ana Roth",
        "address1": "Lindenstr. 4",
        "address2": None,
        "city": "Köln",
        "zip": "50674",
        "province_code": None,
        "country": "Germany",
        "country_code": "DE",
        "phone": None,
    },
    "shipping_address": {
        "first_name": "Ana",
        "last_name": "Roth",
        "name": "Ana Roth",
        "address1": "Lindenstr. 4",
        "address2": None,
        "city": "Köln",
        "zip": "50674",
        "province_code": None,
        "country": "Germany",
        "country_code": "DE",
        "phone": None,
    },
    "note": None,
    "tags": "",
    "source_name": "web",
    "payment_gateway_names": ["shopify_payments"],
    "refunds": [],
    "fulfillments": [],
}


def eu_tax_included():
    return copy.deepcopy(_EU_INCLUDED)


# --------------------------------------------------------------------------------------------------
# 2. Californian shop, prices exclude tax (7.25 %), 10 % order discount, three lines, UPS shipping
#    (not taxed), unicode customer name, shipping to another address than billing.
#    Apron 3 × 18.00 = 54.00 − 5.40 = 48.60, tax 3.52
#    Bowl  1 × 32.50        − 3.25 = 29.25, tax 2.12
#    Towel 2 × 9.95 = 19.90 − 1.99 = 17.91, tax 1.30
#    subtotal 95.76, shipping 12.00, tax 6.94, total 114.70 USD.
# --------------------------------------------------------------------------------------------------
def _us_line(line_id, variant_id, sku, title, variant_title, qty, price, discount, tax):
    return {
        "id": line_id,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
        "variant_id": variant_id,
        "product_id": variant_id - 1000,
        "sku": sku,
        "title": title,
        "variant_title": variant_title,
        "quantity": qty,
        "current_quantity": qty,
        "price": price,
        "price_set": _money_set(price, shop_currency="USD"),
        "taxable": True,
        "requires_shipping": True,
        "gift_card": False,
        "tax_lines": [
            {
                "title": "CA State Tax",
                "rate": 0.0725,
                "price": tax,
                "price_set": _money_set(tax, shop_currency="USD"),
            }
        ],
        "discount_allocations": [
            {
                "amount": discount,
                "amount_set": _money_set(discount, shop_currency="USD"),
                "discount_application_index": 0,
            }
        ],
    }


_US_EXCLUDED = {
    "id": 5550001112223,
    "admin_graphql_api_id": "gid://shopify/Order/5550001112223",
    "name": "#2087",
    "order_number": 2087,
    "email": "Zoe.Lukasiewicz@Example.COM",
    "phone": "+1 (415) 555-0133",
    "created_at": "2026-11-02T18:40:11-08:00",
    "processed_at": "2026-11-02T18:40:10-08:00",
    "updated_at": "2026-11-02T18:40:12-08:00",
    "cancelled_at": None,
    "cancel_reason": None,
    "test": False,
    "currency": "USD",
    "presentment_currency": "USD",
    "taxes_included": False,
    "financial_status": "pending",
    "fulfillment_status": None,
    "subtotal_price": "95.76",
    "total_discounts": "10.64",
    "total_tax": "6.94",
    "total_price": "114.70",
    "total_price_set": _money_set("114.70", shop_currency="USD"),
    "discount_applications": [
        {
            "type": "discount_code",
            "code": "FALL10",
            "value": "10.0",
            "value_type": "percentage",
            "allocation_method": "across",
            "target_type": "line_item",
        }
    ],
    "tax_lines": [{"title": "CA State Tax", "rate": 0.0725, "price": "6.94"}],
    "line_items": [
        _us_line(1500000001, 45000000001, "APR-NAT", "Linen apron", "Natural", 3, "18.00", "5.40", "3.52"),
        _us_line(
            1500000002, 45000000002, "BWL-WHT-16", "Ceramic bowl", "White / 16 cm", 1, "32.50", "3.25", "2.12"
        ),
        _us_line(1500000003, 45000000003, "TWL-STR", "Tea towel", "Striped", 2, "9.95", "1.99", "1.30"),
    ],
    "shipping_lines": [
        {
            "id": 4400551,
            "title": "UPS Ground",
            "code": "ups_ground",
            "price": "12.00",
            "price_set": _money_set("12.00", shop_currency="USD"),
            "discounted_price": "12.00",
            "tax_lines": [],
            "discount_allocations": [],
        }
    ],
    "customer": {
        "id": 7230001001,
        "admin_graphql_api_id": "gid://shopify/Customer/7230001001",
        "email": "zoe.lukasiewicz@example.com",
        "first_name": "Zoë",
        "last_name": "Łukasiewicz-Müller",
        "phone": "+14155550133",
    },
    "billing_address": {
        "first_name": "Zoë",
        "last_name": "Łukasiewicz-Müller",
        "name": "Zoë Łukasiewicz-Müller",
        "address1": "1200 Valencia St",
        "address2": "Apt 3",
        "city": "San Francisco",
        "zip": "94110",
        "province_code": "CA",
        "country_code": "US",
        "phone": "+1 415 555 0133",
    },
    "shipping_address": {
        "first_name": "Zoë",
        "last_name": "Łukasiewicz-Müller",
        "name": "Zoë Łukasiewicz-Müller",
        "company": "Atelier Zoë",
        "address1": "88 Bryant St",
        "address2": None,
        "city": "San Francisco",
        "zip": "94105",
        "province_code": "CA",
        "country_code": "US",
        "phone": None,
    },
    "note": "Gift wrap please",
    "tags": "vip",
    "source_name": "web",
    "refunds": [],
    "fulfillments": [],
}


def us_tax_excluded():
    return copy.deepcopy(_US_EXCLUDED)


# --------------------------------------------------------------------------------------------------
# 3. Guest checkout on the German shop paid in Swiss francs: free shipping, a gift card and a tip.
#    Blanket 89.00 EUR (84.50 CHF) incl. VAT 14.21; gift card 25.00 (23.75 CHF, untaxed);
#    tip 5.00 (4.75 CHF); free shipping. Total 119.00 EUR = 113.00 CHF.
# --------------------------------------------------------------------------------------------------
_GUEST_CHF = {
    "id": 6123456790555,
    "admin_graphql_api_id": "gid://shopify/Order/6123456790555",
    "name": "#1043",
    "order_number": 1043,
    "email": "guest.buyer@example.net",
    "phone": None,
    "created_at": "2026-10-22T14:02:40+02:00",
    "processed_at": "2026-10-22T14:02:39+02:00",
    "updated_at": "2026-10-22T14:02:41+02:00",
    "cancelled_at": None,
    "cancel_reason": None,
    "currency": "EUR",
    "presentment_currency": "CHF",
    "taxes_included": True,
    "financial_status": "paid",
    "fulfillment_status": None,
    "subtotal_price": "114.00",
    "subtotal_price_set": _money_set("114.00", "108.25", "EUR", "CHF"),
    "total_discounts": "0.00",
    "total_tax": "14.21",
    "total_tax_set": _money_set("14.21", "13.49", "EUR", "CHF"),
    "total_tip_received": "5.00",
    "total_price": "119.00",
    "total_price_set": _money_set("119.00", "113.00", "EUR", "CHF"),
    "discount_applications": [],
    "tax_lines": [{"title": "MwSt", "rate": 0.19, "price": "14.21"}],
    "line_items": [
        {
            "id": 1410009901,
            "admin_graphql_api_id": "gid://shopify/LineItem/1410009901",
            "variant_id": 40011229999,
            "product_id": 7001129999,
            "sku": "BLK-WOOL-GRY",
            "title": "Wool blanket",
            "variant_title": "Grey",
            "quantity": 1,
            "current_quantity": 1,
            "price": "89.00",
            "price_set": _money_set("89.00", "84.50", "EUR", "CHF"),
            "taxable": True,
            "requires_shipping": True,
            "gift_card": False,
            "tax_lines": [
                {
                    "title": "MwSt",
                    "rate": 0.19,
                    "price": "14.21",
                    "price_set": _money_set("14.21", "13.49", "EUR", "CHF"),
                }
            ],
            "discount_allocations": [],
        },
        {
            "id": 1410009902,
            "admin_graphql_api_id": "gid://shopify/LineItem/1410009902",
            "variant_id": 40011228888,
            "product_id": 7001128888,
            "sku": None,
            "title": "Gift card",
            "variant_title": "€25",
            "quantity": 1,
            "current_quantity": 1,
            "price": "25.00",
            "price_set": _money_set("25.00", "23.75", "EUR", "CHF"),
            "taxable": False,
            "requires_shipping": False,
            "gift_card": True,
            "tax_lines": [],
            "discount_allocations": [],
        },
    ],
    "shipping_lines": [
        {
            "id": 3300999,
            "title": "Free shipping",
            "code": "free",
            "price": "0.00",
            "price_set": _money_set("0.00", "0.00", "EUR", "CHF"),
            "discounted_price": "0.00",
            "tax_lines": [],
            "discount_allocations": [],
        }
    ],
    "customer": None,
    "billing_address": {
        "first_name": "Luca",
        "last_name": "Brunner",
        "name": "Luca Brunner",
        "address1": "Seefeldstrasse 12",
        "address2": None,
        "city": "Zürich",
        "zip": "8008",
        "province_code": "ZH",
        "country_code": "CH",
        "phone": None,
    },
    "shipping_address": None,
    "note": None,
    "tags": "",
    "source_name": "web",
    "refunds": [],
    "fulfillments": [],
}


def guest_chf():
    return copy.deepcopy(_GUEST_CHF)


def with_update(payload, updated_at, **changes):
    """The same order as Shopify sends it later: a newer updated_at and some fields changed."""
    payload = copy.deepcopy(payload)
    payload.update(changes)
    payload["updated_at"] = updated_at
    return payload


def eu_tax_included_graphql(updated_at="2026-10-21T07:14:05Z", cancelled_at=None):
    """Order #1042 as the poll's GraphQL query returns it (orders_updated_since.graphql)."""

    def money_set(amount):
        return {
            "shopMoney": {"amount": amount, "currencyCode": "EUR"},
            "presentmentMoney": {"amount": amount, "currencyCode": "EUR"},
        }

    address = {
        "firstName": "Ana",
        "lastName": "Roth",
        "name": "Ana Roth",
        "company": None,
        "address1": "Lindenstr. 4",
        "address2": None,
        "city": "Köln",
        "zip": "50674",
        "provinceCode": None,
        "countryCodeV2": "DE",
        "phone": None,
    }
    return {
        "id": "gid://shopify/Order/6123456789012",
        "name": "#1042",
        "email": "ana@example.org",
        "phone": None,
        "createdAt": "2026-10-21T07:14:03Z",
        "processedAt": "2026-10-21T07:14:03Z",
        "updatedAt": updated_at,
        "cancelledAt": cancelled_at,
        "cancelReason": "CUSTOMER" if cancelled_at else None,
        "currencyCode": "EUR",
        "presentmentCurrencyCode": "EUR",
        "taxesIncluded": True,
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "totalPriceSet": money_set("49.75"),
        "subtotalPriceSet": money_set("44.80"),
        "totalTaxSet": money_set("7.94"),
        "totalDiscountsSet": money_set("5.00"),
        "totalTipReceivedSet": money_set("0.0"),
        "note": None,
        "tags": [],
        "sourceName": "web",
        "customer": {
            "id": "gid://shopify/Customer/6120099887",
            "firstName": "Ana",
            "lastName": "Roth",
            "defaultEmailAddress": {"emailAddress": "ana@example.org"},
            "defaultPhoneNumber": None,
        },
        "billingAddress": address,
        "shippingAddress": dict(address),
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/LineItem/1410002300",
                    "sku": "MUG-BLU-350",
                    "title": "Enamel mug",
                    "variantTitle": "Blue / 350 ml",
                    "quantity": 2,
                    "currentQuantity": 2,
                    "taxable": True,
                    "requiresShipping": True,
                    "isGiftCard": False,
                    "variant": {"id": "gid://shopify/ProductVariant/40011223344"},
                    "originalUnitPriceSet": money_set("24.90"),
                    "discountAllocations": [{"allocatedAmountSet": money_set("5.0")}],
                    "taxLines": [{"title": "MwSt", "rate": 0.19, "priceSet": money_set("7.15")}],
                }
            ],
            "pageInfo": {"hasNextPage": False, "endCursor": None},
        },
        "shippingLines": {
            "nodes": [
                {
                    "title": "DHL Paket",
                    "code": "dhl_paket",
                    "isRemoved": False,
                    "originalPriceSet": money_set("4.95"),
                    "discountAllocations": [],
                    "taxLines": [{"title": "MwSt", "rate": 0.19, "priceSet": money_set("0.79")}],
                }
            ]
        },
    }
