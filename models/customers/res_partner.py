"""What a contact carries of its Shopify customer: marketing consent (e-mail and SMS, with the date the
customer gave or withdrew it), tax exemption, and its bindings; its Odoo changes are marked for export."""

from odoo import fields, models

from .customer_export import TRACKED_FIELDS

CONSENT_STATES = [
    ("subscribed", "Subscribed"),
    ("not_subscribed", "Not subscribed"),
    ("unsubscribed", "Unsubscribed"),
    ("pending", "Pending confirmation"),
    ("redacted", "Redacted"),
    ("invalid", "Invalid"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    shopify_customer_binding_ids = fields.One2many(
        "shopify.customer.binding", "partner_id", string="Shopify Customers", readonly=True
    )
    shopify_email_consent = fields.Selection(CONSENT_STATES, string="E-mail Marketing (Shopify)")
    shopify_email_consent_at = fields.Datetime(string="E-mail Consent Date")
    shopify_sms_consent = fields.Selection(CONSENT_STATES, string="SMS Marketing (Shopify)")
    shopify_sms_consent_at = fields.Datetime(string="SMS Consent Date")
    shopify_tax_exempt = fields.Boolean(string="Tax Exempt (Shopify)")

    def write(self, vals):
        """An Odoo change of a synced field (not one mirroring Shopify) marks the contact's Shopify
        customers for export; a consent change without a date is dated now (the newest decision wins)."""
        for channel in ("email", "sms"):
            if f"shopify_{channel}_consent" in vals and f"shopify_{channel}_consent_at" not in vals:
                vals = {**vals, f"shopify_{channel}_consent_at": fields.Datetime.now()}
        result = super().write(vals)
        if not self.env.context.get("shopify_import") and TRACKED_FIELDS.intersection(vals):
            self.env["shopify.customer.export"]._mark_changed(self)
        return result
