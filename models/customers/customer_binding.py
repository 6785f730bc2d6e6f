"""Shopify customer ⇄ Odoo contact, per shop, and the one customer matching rule everything uses.

Matching (`_find_partner`), for the order import and the customer sync alike: the customer's binding in
this shop, then the normalised e-mail, then the normalised phone, among the top-level contacts the shop's
company may use; the rule that found the contact is recorded on the binding (and on an order binding).
Two Shopify customers with one e-mail therefore end on one contact, each with its own binding.
"""

from odoo import api, fields, models

from ...services.mapping.orders import normalize_email, normalize_phone

MATCH_RULES = [
    ("binding", "Shopify customer already linked"),
    ("email", "Same e-mail address"),
    ("phone", "Same phone number"),
    ("created", "New contact"),
    ("guest", "Guest order: new contact from the order"),
    ("exported", "Exported from Odoo"),
]

# A phone shorter than this (digits) is too weak to merge two people on.
MIN_PHONE_DIGITS = 6


class ShopifyCustomerBinding(models.Model):
    _name = "shopify.customer.binding"
    _description = "Shopify Customer Binding"
    _rec_name = "partner_id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True, string="Contact"
    )
    shopify_gid = fields.Char(string="Shopify Customer GID", required=True, index=True)
    match_rule = fields.Selection(
        MATCH_RULES,
        readonly=True,
        help="Which rule linked this Shopify customer to the contact.",
        string="Matched By",
    )
    shopify_updated_at = fields.Datetime(string="Updated on Shopify", readonly=True)
    shopify_tags = fields.Json(readonly=True, help="The contact tags that came from Shopify's tags.")
    # The two-way sync (models/customers/customer_export.py): what both sides last agreed on.
    synced_values = fields.Json(
        readonly=True, help="The mapped fields as both sides last agreed (the base of the three-way merge)."
    )
    export_pending = fields.Boolean(
        readonly=True, help="An Odoo change waits to be sent to Shopify.", string="Waiting to Be Exported"
    )
    odoo_changed_at = fields.Datetime(
        readonly=True, help="When the Odoo change waiting to be sent was made.", string="Changed in Odoo At"
    )
    export_error = fields.Text(readonly=True, string="Export Error")

    _sql_constraints = [
        (
            "shopify_gid_unique",
            "unique(shop_id, shopify_gid)",
            "This Shopify customer is already linked to a contact for this shop.",
        ),
    ]

    @api.model
    def _for_gid(self, shop, gid):
        return self.search([("shop_id", "=", shop.id), ("shopify_gid", "=", gid)], limit=1) if gid else self

    @api.model
    def _find_partner(self, shop, gid, email, phone):
        """(partner, rule) by binding, then e-mail, then phone; (empty, None) when nothing matches."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        binding = self._for_gid(shop, gid)
        if binding:
            return binding.partner_id, "binding"
        company_domain = [("company_id", "in", (shop.company_id.id, False)), ("parent_id", "=", False)]
        email = normalize_email(email)
        if email:
            partner = Partner.search([*company_domain, ("email", "=ilike", email)], order="id", limit=1)
            if partner:
                return partner, "email"
        phone = normalize_phone(phone)
        if phone and len(phone.lstrip("+")) >= MIN_PHONE_DIGITS:
            # Stored phones carry spaces and dashes: narrow with the last four digits, compare normalised.
            candidates = Partner.search(
                [*company_domain, ("phone", "like", phone[-4:])], order="id", limit=200
            )
            partner = candidates.filtered(lambda p: normalize_phone(p.phone) == phone)[:1]
            if partner:
                return partner, "phone"
        return Partner.browse(), None

    @api.model
    def _bind(self, shop, partner, gid, rule):
        """The binding of `gid` in `shop` to `partner` (created, or moved to it)."""
        binding = self._for_gid(shop, gid)
        if binding:
            if binding.partner_id != partner:
                binding.write({"partner_id": partner.id, "match_rule": rule})
            return binding
        return self.create(
            {"shop_id": shop.id, "partner_id": partner.id, "shopify_gid": gid, "match_rule": rule}
        )
