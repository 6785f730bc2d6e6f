"""Tests of models/privacy/: the mandatory privacy webhooks."""
