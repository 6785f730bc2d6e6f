"""A webhook delivery's headers and body read defensively: what Shopify sends, or None / ValueError.

Anything can arrive here, signed or not, so these functions never raise anything else whatever the
bytes: no NUL or other control character passes (PostgreSQL refuses NUL in text), no lone surrogate
passes (it cannot be encoded for the database), no nesting hits Python's recursion limit and no
number is converted beyond Python's int limits. Header values come as werkzeug decodes them
(latin-1): a non-ASCII byte shows up as a character from U+0080 to U+00FF, and is refused.
"""

import json
import re

# Webhook and event ids (UUIDs), API versions ("2026-10"), timestamps: printable ASCII, no spaces.
_TOKEN_RE = re.compile(r"[\x21-\x7e]+")
_TOPIC_RE = re.compile(r"[a-z0-9_]+(?:/[a-z0-9_]+)+")
MAX_TOKEN_LENGTH = 255
# Shopify bodies nest a handful of levels (order › line item › tax line › price set › money); a body
# ten times deeper is not a Shopify body, and a limit well under the recursion limit means that an
# accepted body parses again wherever the queue reads it, however deep that call sits.
MAX_JSON_DEPTH = 64


def token(value, max_length=MAX_TOKEN_LENGTH):
    """The header value stripped, if it is 1..max_length printable ASCII characters; else None."""
    text = (value or "").strip()
    if len(text) > max_length or not _TOKEN_RE.fullmatch(text):
        return None
    return text


def topic(value):
    """`orders/create`: lower-cased; None unless it has the shape of a Shopify topic."""
    text = (value or "").strip().lower()
    if len(text) > MAX_TOKEN_LENGTH or not _TOPIC_RE.fullmatch(text):
        return None
    return text


def parse_body(raw_body):
    """(text, payload) of a body that is UTF-8 JSON text of an object nested at most MAX_JSON_DEPTH.

    Raises ValueError (saying why) for anything else, including JSON so deep that the parser
    runs out of recursion. The text is what gets stored: it holds no NUL and no lone surrogate.
    """
    text = raw_body.decode("utf-8")  # UnicodeDecodeError is a ValueError; UTF-16/32 JSON is refused
    try:
        payload = json.loads(text)
    except RecursionError as error:
        raise ValueError("the JSON is nested too deep to parse") from error
    if not isinstance(payload, dict):
        raise ValueError("the JSON is not an object")
    if _deeper_than(payload, MAX_JSON_DEPTH):
        raise ValueError(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    return text, payload


def _deeper_than(value, limit):
    """Whether containers nest deeper than `limit`, without recursion (only containers are visited)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
