"""Tests of models/reconcile/: product and inventory reconciliation, order completeness, the wizard."""
