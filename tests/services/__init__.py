"""Pure tests of services/ (mapping, cost, gid, documents, money, timestamps, backoff, payload checks,
webhook signature, client units): no database, they also run in `make test-pure`."""
