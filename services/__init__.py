"""Talking to Shopify. Pure Python: nothing here imports Odoo."""
