"""What a contact carries of its Shopify customer: marketing consent (e-mail and SMS, with the date the
customer gave or withdrew it), tax exemption, and its bindings."""

from odoo import fields, models

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
