from . import test_customer_webhooks
