"""Tests of models/payouts/: payouts, their statement lines and disputes."""
