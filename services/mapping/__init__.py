"""Pure functions: Shopify payloads ⇄ plain dicts of Odoo values. No Odoo imports here."""
