"""Shopify webhook signatures: base64(HMAC-SHA256(client secret, raw body))."""

import base64
import hashlib
import hmac


def sign(secret: str, raw_body: bytes) -> str:
    """The value Shopify puts in X-Shopify-Hmac-Sha256 for `raw_body` (bytes)."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def is_valid(secret: str | None, raw_body: bytes, header_value: str | None) -> bool:
    """Constant-time check of a delivery's signature; a missing secret or header is never valid."""
    if not secret or not header_value:
        return False
    return hmac.compare_digest(sign(secret, raw_body).encode(), header_value.strip().encode())
