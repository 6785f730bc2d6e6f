"""Tests of models/products/: product bindings, import, export, merge, webhooks and wizards."""
