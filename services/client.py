"""The Shopify Admin GraphQL client every sync goes through.

`ShopifyClient.execute(name, variables)` sends `services/documents/<name>.graphql` and returns its
`data`. Around each request it:

* estimates the requested cost (services/cost.py), refuses above the single-query maximum, and asks
  the budget how long to wait so that all workers together stay inside the shop's bucket;
* retries what may succeed later (THROTTLED as HTTP 200 or 429, 5xx, timeouts, connection errors)
  with exponential backoff and jitter, honouring Retry-After, within `max_attempts` and `max_total_s`;
* raises a typed final error otherwise (validation errors, MAX_COST_EXCEEDED, other 4xx, userErrors);
* renews a client-credentials token once on 401;
* hands a `CallRecord` of every HTTP attempt to the recorder (the models turn it into
  `shopify.api.call` rows).

A client is cheap and not thread-safe: build one per worker thread.
"""

import email.utils
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass

import requests
from gql import GraphQLRequest
from gql.transport.exceptions import TransportConnectionFailed, TransportError, TransportServerError
from gql.transport.requests import RequestsHTTPTransport

from . import documents
from .backoff import backoff_seconds
from .cost import SINGLE_QUERY_MAX, estimate_cost
from .errors import (
    AuthError,
    CostExceededError,
    NetworkError,
    QueryError,
    ServerError,
    ShopifyError,
    ThrottledError,
    UserErrorsError,
)

_logger = logging.getLogger(__name__)

OUTCOME_OK = "ok"
OUTCOME_THROTTLED = "throttled"
OUTCOME_ERROR = "error"


@dataclass(frozen=True)
class CallRecord:
    """One HTTP attempt (or one request refused before sending), as the recorder receives it."""

    operation: str
    attempt: int
    outcome: str  # ok | throttled | error
    estimated_cost: float
    requested_cost: float | None
    actual_cost: float | None
    available_after: float | None
    maximum_available: float | None
    restore_rate: float | None
    duration_ms: float
    throttle_wait_ms: float
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    # X-Shopify-API-Version of the answer (differs from the requested one when Shopify fell forward)
    # and X-Shopify-API-Deprecated-Reason (the request used something deprecated).
    response_api_version: str | None = None
    deprecated_reason: str | None = None


class _Transport(RequestsHTTPTransport):
    """gql's requests transport, keeping the last HTTP response (status, Retry-After) for us."""

    last_response = None

    def _prepare_result(self, response):
        self.last_response = response
        return super()._prepare_result(response)


class ShopifyClient:
    def __init__(
        self,
        base_url,
        api_version,
        auth,
        *,
        shop_key=None,
        budget=None,
        recorder=None,
        timeout=30.0,
        max_attempts=5,
        max_total_s=120.0,
        backoff_base_s=0.5,
        backoff_max_s=30.0,
        max_query_cost=SINGLE_QUERY_MAX,
        mutation_guard=None,
        sleep=time.sleep,
        clock=time.monotonic,
        wall_clock=time.time,
        rng=random.random,
    ):
        self.url = f"{base_url.rstrip('/')}/admin/api/{api_version}/graphql.json"
        self.api_version = api_version
        self.auth = auth
        self.shop_key = shop_key or base_url
        self.budget = budget
        self.recorder = recorder
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_total_s = max_total_s
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.max_query_cost = max_query_cost
        # Called before any mutation is sent; raises to forbid writing (e.g. a staging copy).
        self.mutation_guard = mutation_guard
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = rng
        # requested ÷ estimated cost last seen per operation: dynamic costs (productSet variants,
        # metafields…) raise our estimate of the next call instead of getting it throttled.
        self._cost_ratio = {}
        self._call_records = []
        self._transport = _Transport(url=self.url, timeout=timeout, retries=0)
        self._transport.connect()

    def close(self) -> None:
        self._transport.close()

    # ------------------------------------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------------------------------------
    def execute(
        self,
        name: str,
        variables: dict | None = None,
        idempotency_key: str | None = None,
        at_most_once: bool = False,
    ) -> dict:
        """Send the document `name` and return its `data`; raises a final `ShopifyError` subclass.

        `at_most_once`: for a mutation Shopify cannot deduplicate (no @idempotent), a failure after
        which the request may have been executed (5xx, timeout, lost answer) is raised at once instead
        of being sent again; the caller checks Shopify's state before any new attempt. Throttled
        requests, which Shopify never executed, are still retried.

        The error carries `call_records`: the CallRecords of this call's attempts, for a caller that
        rolls back what the recorder wrote and still wants them logged."""
        self._call_records = []
        try:
            return self._execute(name, variables, idempotency_key, at_most_once)
        except ShopifyError as error:
            error.call_records = list(self._call_records)
            raise

    def _execute(self, name, variables, idempotency_key, at_most_once=False):
        info = documents.operation_info(name)
        if info.is_mutation and self.mutation_guard is not None:
            self.mutation_guard()
        document = documents.load(name)
        variables = dict(variables or {})
        if info.idempotency_variable:
            if not idempotency_key:
                raise ValueError(
                    f"{name} is @idempotent: pass the idempotency_key you persisted for this change, "
                    "so that a retry reuses it"
                )
            variables[info.idempotency_variable] = idempotency_key
        elif idempotency_key:
            raise ValueError(f"{name} has no @idempotent directive: an idempotency key would be ignored")

        estimate = estimate_cost(document, variables)
        if self.max_query_cost and estimate > self.max_query_cost:
            error = CostExceededError(
                f"Query cost is estimated at {estimate}, above the single query maximum "
                f"({self.max_query_cost}): ask for fewer items per page.",
                code="MAX_COST_EXCEEDED",
                operation=name,
            )
            self._record(name, 0, estimate, None, 0.0, 0.0, error=error)
            raise error
        reserve = estimate * max(1.0, self._cost_ratio.get(name, 1.0))
        request = GraphQLRequest(
            document, variable_values=variables or None, operation_name=info.operation_name
        )

        deadline = self._clock() + self.max_total_s
        attempt = 0
        renewed_token = False
        while True:
            attempt += 1
            try:
                return self._attempt(name, info, request, estimate, reserve, attempt, deadline)
            except AuthError as error:
                if error.http_status == 401 and not renewed_token and self.auth.invalidate():
                    renewed_token = True
                    attempt -= 1  # a renewed token is not a retry of a failing request
                    continue
                raise
            except ShopifyError as error:
                if not error.retryable or attempt >= self.max_attempts:
                    raise
                if at_most_once and isinstance(error, ServerError | NetworkError):
                    raise
                delay = self._retry_delay(error, attempt)
                if self._clock() + delay > deadline:
                    raise
                _logger.info("Shopify %s: %s, retry %d in %.2fs", name, type(error).__name__, attempt, delay)
                if delay > 0:
                    self._sleep(delay)

    def paginate(
        self,
        name: str,
        variables: dict | None = None,
        connection_path: tuple[str, ...] = ("products",),
        page_size: int = 50,
    ) -> Iterator[dict]:
        """Yield every node of the connection at `connection_path`, page after page.

        The document declares `$after` (and usually `$first`) and selects
        `pageInfo { hasNextPage endCursor }` plus `nodes` or `edges { node }`.
        """
        declared = documents.operation_info(name).variables
        variables = dict(variables or {})
        if "first" in declared:
            variables.setdefault("first", page_size)
        after = variables.pop("after", None)
        while True:
            data = self.execute(name, {**variables, "after": after})
            connection = data
            for key in connection_path:
                connection = (connection or {}).get(key)
            if not connection:
                return
            if connection.get("nodes") is not None:
                yield from connection["nodes"]
            else:
                yield from (edge["node"] for edge in connection.get("edges") or ())
            page_info = connection.get("pageInfo") or {}
            if not page_info.get("hasNextPage"):
                return
            after = page_info["endCursor"]

    # ------------------------------------------------------------------------------------------------
    # One attempt
    # ------------------------------------------------------------------------------------------------
    def _attempt(self, name, info, request, estimate, reserve, attempt, deadline):
        throttle_wait = 0.0
        if self.budget is not None:
            throttle_wait = self.budget.reserve(self.shop_key, reserve)
            if self._clock() + throttle_wait > deadline:
                self.budget.release(self.shop_key, reserve)
                raise ThrottledError(
                    f"Waiting {throttle_wait:.1f}s for the shop's API budget exceeds the time allowed.",
                    code="BUDGET_WAIT",
                    operation=name,
                )
            if throttle_wait > 0:
                self._sleep(throttle_wait)
        started = self._clock()
        response = None
        result = None
        try:
            headers = {"X-Shopify-Access-Token": self.auth.token()}
            self._transport.last_response = None
            result = self._transport.execute(request, timeout=self.timeout, extra_args={"headers": headers})
            response = self._transport.last_response
        except TransportConnectionFailed as failure:
            error = self._network_error(name, failure)
        except TransportServerError as failure:
            response = self._transport.last_response
            error = self._http_error(name, failure.code or 0, response, None)
        except TransportError:
            response = self._transport.last_response
            status = response.status_code if response is not None else 0
            error = ServerError(
                f"Shopify did not answer with GraphQL (HTTP {status})", operation=name, http_status=status
            )
        except ShopifyError as failure:  # the token could not be obtained
            error = failure
        except BaseException:
            if self.budget is not None:
                self.budget.release(self.shop_key, reserve)
            raise
        else:
            error = None
        duration = self._clock() - started

        cost = ((result.extensions or {}).get("cost") if result is not None else None) or {}
        throttle_status = cost.get("throttleStatus")
        if self.budget is not None:
            if throttle_status:
                charged = cost.get("actualQueryCost") or 0.0  # null when nothing ran (throttled…)
                self.budget.observe(self.shop_key, throttle_status, self._wall_clock(), reserve, charged)
            else:
                self.budget.release(self.shop_key, reserve)
        if cost.get("requestedQueryCost") and estimate:
            self._cost_ratio[name] = float(cost["requestedQueryCost"]) / estimate

        data = None
        if error is None:
            status = response.status_code if response is not None else 200
            data, error = self._classify(name, info, status, response, result, throttle_status, cost)
        self._record(name, attempt, estimate, cost, duration, throttle_wait, response=response, error=error)
        if error is not None:
            raise error
        return data

    def _classify(self, name, info, status, response, result, throttle_status, cost):
        """(data, None) or (data or None, error) for a GraphQL answer."""
        errors = result.errors
        if isinstance(errors, str | dict):
            errors = [{"message": errors if isinstance(errors, str) else str(errors)}]
        errors = errors or []
        codes = [((err.get("extensions") or {}).get("code") or "") for err in errors]
        if status in (401, 403):
            return None, self._http_error(name, status, response, errors)
        if status == 429 or "THROTTLED" in codes:
            error = self._http_error(name, 429, response, errors)
            if error.retry_after is None and throttle_status:
                missing = float(cost.get("requestedQueryCost") or 0) - float(
                    throttle_status.get("currentlyAvailable") or 0
                )
                rate = float(throttle_status.get("restoreRate") or 0)
                # Without a shared budget, wait for the bucket ourselves.
                if self.budget is None and rate > 0:
                    error.retry_after = max(0.0, missing / rate)
            return None, error
        if status >= 500 or "INTERNAL_SERVER_ERROR" in codes:
            return None, self._http_error(name, max(status, 500), response, errors)
        if "MAX_COST_EXCEEDED" in codes:
            first = errors[codes.index("MAX_COST_EXCEEDED")]
            return None, CostExceededError(
                first.get("message") or "Query cost exceeds the single query maximum",
                code="MAX_COST_EXCEEDED",
                operation=name,
                http_status=status,
                errors=errors,
            )
        if errors or status >= 400:
            first = errors[0] if errors else {}
            return None, QueryError(
                first.get("message") or f"HTTP {status}",
                code=codes[0] if codes and codes[0] else None,
                field=first.get("path"),
                operation=name,
                http_status=status,
                errors=errors,
            )
        data = result.data or {}
        if info.is_mutation:
            user_errors = [
                user_error
                for payload in data.values()
                if isinstance(payload, dict)
                for user_error in payload.get("userErrors") or ()
            ]
            if user_errors:
                error = UserErrorsError(user_errors, operation=name, http_status=status)
                error.data = data
                return data, error
        return data, None

    def _http_error(self, name, status, response, errors):
        errors = errors or []
        message = (errors[0].get("message") if errors else None) or f"HTTP {status}"
        code = ((errors[0].get("extensions") or {}).get("code") if errors else None) or None
        kwargs = {"operation": name, "http_status": status, "errors": errors}
        if status in (401, 403):
            return AuthError(
                message, code=code or ("UNAUTHORIZED" if status == 401 else "FORBIDDEN"), **kwargs
            )
        if status == 429:
            retry_after = _retry_after(response)
            return ThrottledError(message, code=code or "THROTTLED", retry_after=retry_after, **kwargs)
        if status >= 500:
            return ServerError(
                f"Shopify answered HTTP {status}: {message}", code=code or f"HTTP_{status}", **kwargs
            )
        return QueryError(message, code=code or f"HTTP_{status}", **kwargs)

    def _network_error(self, name, failure):
        cause = failure.__cause__
        if isinstance(cause, requests.Timeout):
            return NetworkError(
                f"No answer from Shopify within {self.timeout}s", code="TIMEOUT", operation=name
            )
        return NetworkError(
            f"Could not reach Shopify ({type(cause or failure).__name__})", code="CONNECTION", operation=name
        )

    def _retry_delay(self, error, attempt):
        if error.retry_after is not None:
            return float(error.retry_after)
        if isinstance(error, ThrottledError) and self.budget is not None:
            return 0.0  # the budget's next reservation says how long the bucket needs
        return backoff_seconds(attempt, base=self.backoff_base_s, cap=self.backoff_max_s, rand=self._rng)

    def _record(self, name, attempt, estimate, cost, duration, throttle_wait, response=None, error=None):
        cost = cost or {}
        status = cost.get("throttleStatus") or {}
        headers = response.headers if response is not None else {}
        if error is None:
            outcome = OUTCOME_OK
        elif isinstance(error, ThrottledError):
            outcome = OUTCOME_THROTTLED
        else:
            outcome = OUTCOME_ERROR
        record = CallRecord(
            operation=name,
            attempt=attempt,
            outcome=outcome,
            estimated_cost=estimate,
            requested_cost=cost.get("requestedQueryCost"),
            actual_cost=cost.get("actualQueryCost"),
            available_after=status.get("currentlyAvailable"),
            maximum_available=status.get("maximumAvailable"),
            restore_rate=status.get("restoreRate"),
            duration_ms=round(duration * 1000.0, 3),
            throttle_wait_ms=round(throttle_wait * 1000.0, 3),
            http_status=response.status_code if response is not None else None,
            error_code=error.code if error is not None else None,
            error_message=str(error) if error is not None else None,
            response_api_version=headers.get("X-Shopify-API-Version"),
            deprecated_reason=headers.get("X-Shopify-API-Deprecated-Reason"),
        )
        if record.response_api_version and record.response_api_version != self.api_version:
            _logger.warning(
                "Shopify %s: requested API version %s, answered with %s (the requested version left support)",
                name,
                self.api_version,
                record.response_api_version,
            )
        if record.deprecated_reason:
            _logger.warning("Shopify %s uses something deprecated: %s", name, record.deprecated_reason)
        self._call_records.append(record)
        if self.recorder is None:
            return
        try:
            self.recorder(record)
        except Exception:  # monitoring must never break a sync
            _logger.exception("Shopify %s: the call recorder failed", name)


def _retry_after(response):
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
