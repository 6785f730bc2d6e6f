"""Tests of models/engine/: the queue, webhooks (endpoint, subscriptions, payload checks), bulk operations,
scheduled syncs and the work registry."""
