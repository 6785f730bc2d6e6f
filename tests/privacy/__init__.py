from . import test_privacy_webhooks
