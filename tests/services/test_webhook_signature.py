"""Webhook signatures (services/webhook_signature.py) without a server: what Shopify (here, the emulator's
independent implementation) signs is valid, anything else is not. The controller's answers (401 …) are
tested over HTTP in test_webhook.py."""

from ...emulator import webhooks as emulator_webhooks
from ...services import webhook_signature
from ..pure import PureCase

SECRET = "shpss_test_secret"
BODY = '{"id": 1, "note": "Grüße"}'.encode()


class TestWebhookSignature(PureCase):
    def test_shopify_signature_is_valid(self):
        header = emulator_webhooks.sign(SECRET, BODY)
        self.assertEqual(webhook_signature.sign(SECRET, BODY), header)
        self.assertTrue(webhook_signature.is_valid(SECRET, BODY, header))
        self.assertTrue(
            webhook_signature.is_valid(SECRET, BODY, f" {header}\n"), "header whitespace is not part"
        )

    def test_anything_else_is_invalid(self):
        header = emulator_webhooks.sign(SECRET, BODY)
        self.assertFalse(webhook_signature.is_valid("another secret", BODY, header))
        self.assertFalse(webhook_signature.is_valid(SECRET, BODY + b" ", header))
        self.assertFalse(webhook_signature.is_valid(SECRET, BODY, header[:-2] + "AA"))
        for secret, value in (("", header), (None, header), (SECRET, ""), (SECRET, None)):
            with self.subTest(secret=secret, header=value):
                self.assertFalse(webhook_signature.is_valid(secret, BODY, value))
