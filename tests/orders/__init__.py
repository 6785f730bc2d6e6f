"""Tests of models/orders/: order import, lifecycle, webhooks, polling, access."""
