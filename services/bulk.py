"""Bulk operation results: JSONL streamed line by line, children joined to their parents, in batches.

Shopify writes each node of every connection on its own line; nested nodes carry `__parentId`. Memory
stays bounded by the batch size: a batch of root objects (with their descendants) is handed over as soon
as it is full, never the whole file.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

import requests

from .errors import NetworkError, QueryError, ServerError, ShopifyError
from .payload_checks import Gid, Obj, check

DEFAULT_BATCH_SIZE = 500
CHILDREN_KEY = "__children"
# The body of a bulk_operations/finish webhook, as far as we read it.
FINISH_WEBHOOK = Obj({"admin_graphql_api_id": Gid("BulkOperation", required=True)})


def stream_lines(
    url: str, timeout: float = 60.0, session: requests.Session | None = None, chunk_size: int = 64 * 1024
) -> Iterator[bytes]:
    """The non-empty lines of the result file at `url`, read as a stream.

    Any failure to read it is retryable (NetworkError, or ServerError with the HTTP status): the next
    poll resumes where this read stopped."""
    http = session or requests
    try:
        with http.get(url, stream=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise ServerError(
                    f"The bulk result file could not be read (HTTP {response.status_code})",
                    http_status=response.status_code,
                    operation="bulk_result",
                )
            for line in response.iter_lines(chunk_size=chunk_size):
                if line:
                    yield line
    except requests.RequestException as error:
        raise _network_error("The bulk result file could not be read", error, "bulk_result") from error


def parse_lines(
    lines: Iterable[bytes | str], on_error: Callable[[int, str], None] | None = None
) -> Iterator[dict]:
    """JSON objects of JSONL `lines` (bytes or str). A broken line raises ValueError naming its number,
    or, with `on_error`, is handed to `on_error(number, message)` and skipped (the rest goes on)."""
    for number, line in enumerate(lines):
        try:
            obj = json.loads(line)
        except ValueError as error:
            message = f"Bulk result line {number} is not JSON: {error}"
            if on_error is None:
                raise ValueError(message) from error
            on_error(number, message)
            continue
        if not isinstance(obj, dict):
            message = f"Bulk result line {number} is not a JSON object."
            if on_error is None:
                raise ValueError(message)
            on_error(number, message)
            continue
        yield obj


def finished_operation_gid(payload: dict) -> str:
    """The BulkOperation GID a `bulk_operations/finish` body names; PayloadError when it names none."""
    check(payload, FINISH_WEBHOOK)
    return payload["admin_graphql_api_id"]


def gid_type(gid: str | None) -> str:
    """`ProductVariant` for `gid://shopify/ProductVariant/1`."""
    return gid.split("/")[3] if gid and gid.startswith("gid://shopify/") else "Object"


def joined_batches(objects: Iterable[dict], batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[list[dict]]:
    """Batches (lists) of root objects, each with `__children` = {child type: [child objects]}.

    Children usually follow their parent; one seen before its parent waits (keyed by parent id) until the
    parent arrives. A batch is handed over when a new root would exceed `batch_size`, so the children of
    the last root of a batch are still attached. Children whose parent never appeared come last, as roots
    marked `__orphan` (nothing is silently lost).
    """
    batch = []
    known = {}  # id -> object, for the current batch (roots and their descendants)
    waiting = {}  # parent id -> [children seen before the parent]
    for obj in objects:
        parent_id = obj.get("__parentId")
        if parent_id is None:
            if len(batch) >= batch_size:
                yield batch
                batch, known = [], {}
            batch.append(obj)
        elif parent_id in known:
            _attach(known[parent_id], obj)
        else:
            waiting.setdefault(parent_id, []).append(obj)
            continue
        if obj.get("id"):
            known[obj["id"]] = obj
            for child in waiting.pop(obj["id"], ()):
                _attach(obj, child)
                if child.get("id"):
                    known[child["id"]] = child
    orphans = [dict(child, __orphan=True) for children in waiting.values() for child in children]
    batch.extend(orphans)
    if batch:
        yield batch


def object_count(obj: dict) -> int:
    """How many result lines `obj` stands for: itself and every descendant joined under it."""
    return 1 + sum(object_count(child) for kids in obj.get(CHILDREN_KEY, {}).values() for child in kids)


def skip_roots(
    batches: Iterable[list[dict]], count: int, on_skipped: Callable[[list[dict]], None] | None = None
) -> Iterator[list[dict]]:
    """`batches` without their first `count` root objects (a resumed processing skips what is done);
    `on_skipped(roots)` sees the skipped ones (to rebuild what a run keeps in memory).

    Joining is deterministic, so the same file yields the same roots in the same order."""
    for batch in batches:
        if count <= 0:
            yield batch
            continue
        skipped, batch = batch[:count], batch[count:]
        count -= len(skipped)
        if on_skipped is not None:
            on_skipped(skipped)
        if batch:
            yield batch


def flat_batches(objects: Iterable[dict], batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[list[dict]]:
    """Batches (lists) of `objects` as they come (results without nesting)."""
    objects = iter(objects)
    while batch := list(islice(objects, batch_size)):
        yield batch


def _attach(parent, child):
    parent.setdefault(CHILDREN_KEY, {}).setdefault(gid_type(child.get("id")), []).append(child)


def jsonl_bytes(variables_list: Iterable[dict]) -> bytes:
    """The variables file of a bulk mutation: one JSON object per line."""
    return b"".join(
        json.dumps(variables, separators=(",", ":")).encode() + b"\n" for variables in variables_list
    )


def upload_staged(
    target: dict,
    filename: str,
    content: bytes,
    timeout: float = 120.0,
    session: requests.Session | None = None,
) -> str:
    """POST `content` to a staged upload target (its parameters first, then the file); the `key` parameter,
    which `bulkOperationRunMutation` takes as `stagedUploadPath`.

    Raises NetworkError (no answer), ServerError (5xx) or QueryError (the upload was refused, 4xx)."""
    http = session or requests
    parameters = {parameter["name"]: parameter["value"] for parameter in target["parameters"]}
    try:
        response = http.post(
            target["url"],
            data=parameters,
            files={"file": (filename, content, "text/jsonl")},
            timeout=timeout,
        )
    except requests.RequestException as error:
        raise _network_error("The bulk variables could not be uploaded", error, "staged_upload") from error
    if response.status_code >= 400:
        error_type = ServerError if response.status_code >= 500 else QueryError
        raise error_type(
            f"The staged upload answered HTTP {response.status_code}",
            http_status=response.status_code,
            operation="staged_upload",
        )
    return parameters["key"]


def _network_error(what: str, error: requests.RequestException, operation: str) -> ShopifyError:
    """A transport failure (timeout, refused or broken connection) as our retryable NetworkError."""
    return NetworkError(f"{what} ({type(error).__name__})", code="CONNECTION", operation=operation)


def line_errors(result: dict) -> list[str]:
    """Messages of one bulk mutation result line: top-level `errors` and every root field's userErrors."""
    messages = [error.get("message") or str(error) for error in result.get("errors") or ()]
    for payload in (result.get("data") or {}).values():
        for error in (payload or {}).get("userErrors") or ():
            field = ".".join(str(part) for part in error.get("field") or ())
            messages.append(f"{field}: {error.get('message')}" if field else error.get("message"))
    return messages
