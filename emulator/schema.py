"""Shopify's real Admin API schemas (introspection JSON), loaded once per process and version."""

import gzip
import json
import os
import re
import threading

import graphql

_VERSION_RE = re.compile(r"^\d{4}-\d{2}$")
_cache = {}
_lock = threading.Lock()


def schema_dir(explicit=None):
    return (
        explicit or os.environ.get("SHOPIFY_SCHEMA_DIR") or os.path.expanduser("~/.cache/shopify_sync/schema")
    )


def available_versions(directory=None):
    """The API versions whose schema file is present, oldest first."""
    try:
        names = os.listdir(schema_dir(directory))
    except FileNotFoundError:
        return []
    found = (re.fullmatch(r"admin_(\d{4}-\d{2})\.json\.gz", name) for name in names)
    return sorted(match[1] for match in found if match)


def load_schema(version, directory=None):
    """The GraphQLSchema of `version`, or None when that version's file is absent."""
    if not _VERSION_RE.match(version or ""):
        return None
    path = os.path.join(schema_dir(directory), f"admin_{version}.json.gz")
    with _lock:
        if path not in _cache:
            if not os.path.exists(path):
                return None
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                schema = graphql.build_client_schema(json.load(handle)["data"])
            # Shopify's schema breaks one newer graphql-core rule (deprecated Node.id implementations);
            # clearing the cached schema errors lets documents be validated.
            schema._validation_errors = []
            _cache[path] = schema
        return _cache[path]
