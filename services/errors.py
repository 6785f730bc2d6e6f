"""Typed errors of the Shopify client.

`retryable` tells the caller whether the same request may succeed later: the client retries those
itself (bounded); whatever escapes it is final for this attempt and the queue decides from `.retryable`.
Messages carry Shopify's text and the field path, never credentials.
"""


class ShopifyError(Exception):
    """Base of every error the client raises, and of PayloadError (what Shopify sent cannot be used)."""

    retryable = False

    def __init__(
        self,
        message,
        *,
        code=None,
        field=None,
        operation=None,
        http_status=None,
        retry_after=None,
        errors=None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        # Path of the offending field, e.g. ["input", "variants", "0", "price"].
        self.field = list(field) if field else None
        self.operation = operation
        self.http_status = http_status
        # Seconds the server asked us to wait (Retry-After), when it said so.
        self.retry_after = retry_after
        self.errors = errors or []
        # services.client.CallRecord of each attempt, set by the client when it gives up.
        self.call_records = []

    def __str__(self):
        text = self.message
        if self.field:
            text = f"{text} (field: {'.'.join(str(part) for part in self.field)})"
        if self.operation:
            text = f"{self.operation}: {text}"
        return text


class ThrottledError(ShopifyError):
    """THROTTLED: as HTTP 200 with the error code, or HTTP 429."""

    retryable = True


class ServerError(ShopifyError):
    """HTTP 5xx or a reply that is not GraphQL."""

    retryable = True


class NetworkError(ShopifyError):
    """Timeout or connection failure: the request may or may not have reached Shopify."""

    retryable = True


class AuthError(ShopifyError):
    """401/403, or the token endpoint refused the credentials."""


class QueryError(ShopifyError):
    """The document or its variables were rejected (validation errors, other 4xx)."""


class CostExceededError(ShopifyError):
    """The query asks for more than the single-query maximum (MAX_COST_EXCEEDED)."""


class UserErrorsError(ShopifyError):
    """A mutation answered with `userErrors`: the input was refused, nothing to retry as is."""

    def __init__(self, user_errors, **kwargs):
        self.user_errors = list(user_errors)
        first = self.user_errors[0] if self.user_errors else {}
        kwargs.setdefault("field", first.get("field"))
        kwargs.setdefault("code", first.get("code"))
        message = "; ".join(error.get("message") or "invalid input" for error in self.user_errors)
        super().__init__(message or "invalid input", **kwargs)


class PayloadError(ShopifyError, ValueError):
    """A value Shopify sent (webhook body, API node) that we cannot use: final, the same body fails
    the same way on every attempt.

    `path` names the value as the payload spells it (`line_items[2].quantity`), so the message an admin
    reads on the job says which field to look at. Also a ValueError: callers that guarded the mapping
    with `except ValueError` keep working.
    """

    def __init__(self, message, *, path=None, **kwargs):
        super().__init__(message, **kwargs)
        self.path = path or None

    def __str__(self):
        text = f"{self.path}: {self.message}" if self.path else self.message
        return f"{self.operation}: {text}" if self.operation else text
