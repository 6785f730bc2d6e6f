"""Tests of models/core/: the shop record, access rules, API budget and client wiring, sync state."""
