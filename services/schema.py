"""Shopify Admin GraphQL schemas (Shopify's own introspection), loaded once per process and version.

The files `admin_<version>.json.gz` live outside the repository, in `$SHOPIFY_SCHEMA_DIR`
(default ~/.cache/shopify_sync/schema); tools/env.sh fetches them on first use.
"""

import gzip
import json
import os
import threading
from pathlib import Path

import graphql

_cache = {}
_lock = threading.Lock()


def schema_dir() -> Path:
    configured = os.environ.get("SHOPIFY_SCHEMA_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "shopify_sync" / "schema"


def schema_path(version: str) -> Path:
    return schema_dir() / f"admin_{version}.json.gz"


def load_schema(version: str) -> graphql.GraphQLSchema:
    """The GraphQLSchema of an Admin API version, ready for `graphql.validate`."""
    with _lock:
        if version not in _cache:
            path = schema_path(version)
            if not path.exists():
                raise FileNotFoundError(
                    f"No Shopify Admin schema for {version} at {path}: run `make test` once "
                    "(tools/env.sh fetches the schemas) or set SHOPIFY_SCHEMA_DIR."
                )
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                introspection = json.load(handle)
            schema = graphql.build_client_schema(introspection["data"])
            # Shopify's schema breaks a newer graphql-core rule (deprecated implementations of
            # non-deprecated interface fields); document validation does not depend on it.
            schema._validation_errors = []
            _cache[version] = schema
        return _cache[version]
