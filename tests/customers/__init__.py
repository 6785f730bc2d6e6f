"""Tests of models/customers/: customer links, webhooks, poll, export and consent."""
