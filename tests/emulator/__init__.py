"""Tests of the Shopify emulator itself (emulator/), alone or delivering to Odoo."""
