"""The HTTP side: a threaded server on 127.0.0.1 speaking Shopify's Admin endpoints and `/_emulator`."""

import hashlib
import json
import logging
import math
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse

from . import (
    admin,
    admin_customers,  # noqa: F401  (registers the customer routes)
    admin_orders,  # noqa: F401  (registers the order routes)
    admin_payouts,  # noqa: F401  (registers the payout and dispute routes)
    admin_webhooks,  # noqa: F401  (registers the webhook routes)
    bulk,
    executor,
)
from .bulk import BulkRunner
from .clock import Clock
from .schema import available_versions, load_schema
from .shop_state import ShopState
from .webhooks import WebhookDispatcher

_logger = logging.getLogger(__name__)

GRAPHQL_PATH = re.compile(r"^/admin/api/(?P<version>[^/]+)/graphql\.json$")
TOKEN_PATH = "/admin/oauth/access_token"
TOKEN_LIFETIME = 86399  # seconds; what Shopify's client credentials grant returns
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def _root_fields(body):
    """Names of the root fields the request's operations select (for `lose_answers`)."""
    try:
        document = parse(body.get("query") or "")
    except (GraphQLError, TypeError):
        return []
    return [
        selection.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if isinstance(selection, FieldNode)
    ]


class EmulatorServer:
    """A Shopify Admin API stand-in. `start()` serves in a background thread; `url` is its base URL.

    `clock` (e.g. emulator.clock.FakeClock) drives the cost bucket, token expiry and timestamps; `sleep`
    is what injected latency and timeouts use (real sleeping by default, since they exist to make a client
    wait)."""

    def __init__(self, host="127.0.0.1", port=0, seed=0, schema_dir=None, clock=None, sleep=None):
        self.host = host
        self.port = port
        self.seed = seed
        self.schema_dir = schema_dir
        self.clock = clock or Clock()
        self.sleep = sleep or Clock().sleep
        self.shops = {}
        self._tokens = {}  # issued token -> (domain, expires at)
        self._lock = threading.RLock()
        self._httpd = None
        self._thread = None
        self.snapshot_path = None
        # Webhook delivery and bulk completion run in background threads of their own.
        self.webhooks = WebhookDispatcher(self)
        self.bulk = BulkRunner(self)

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self):
        handler = type("BoundHandler", (_Handler,), {"emulator": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="shopify-emulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the calling thread (the command line uses this)."""
        handler = type("BoundHandler", (_Handler,), {"emulator": self})
        self._httpd = ThreadingHTTPServer((self.host, self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._httpd.serve_forever()

    def stop(self):
        self.webhooks.stop()
        self.bulk.stop()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    # -- shops -------------------------------------------------------------------------------------
    def add_shop(
        self,
        domain,
        access_token=None,
        client_id=None,
        client_secret=None,
        plan="standard",
        currency="USD",
        **options,
    ):
        """Create (or replace) a shop; without any credential it gets a generated access token."""
        if not access_token and not client_id:
            access_token = "shpat_" + hashlib.sha256(f"{self.seed}:{domain}".encode()).hexdigest()[:32]
        shop = ShopState(
            domain,
            clock=self.clock,
            seed=self.seed,
            access_token=access_token,
            client_id=client_id,
            client_secret=client_secret,
            plan=plan,
            currency=currency,
            **options,
        )
        shop.listeners.append(self.webhooks.on_change)
        shop.base_url = self.url
        with self._lock:
            self.shops[domain] = shop
        return shop

    def shop(self, domain):
        return self.shops.get(domain)

    def reset(self):
        with self._lock:
            self.shops.clear()
            self._tokens.clear()

    def versions(self):
        return available_versions(self.schema_dir)

    def schema(self, version):
        return load_schema(version, self.schema_dir)

    # -- authentication ----------------------------------------------------------------------------
    def shop_for_token(self, token):
        if not token:
            return None
        with self._lock:
            issued = self._tokens.get(token)
            if issued:
                domain, expires_at = issued
                if self.clock.time() >= expires_at:
                    return None
                return self.shops.get(domain)
            return next((s for s in self.shops.values() if s.access_token and s.access_token == token), None)

    def issue_token(self, params):
        """The client credentials grant: (status, json)."""
        if params.get("grant_type") != "client_credentials":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "Only client_credentials is supported.",
            }
        client_id, secret = params.get("client_id"), params.get("client_secret")
        with self._lock:
            shop = next(
                (
                    s
                    for s in self.shops.values()
                    if s.client_id
                    and s.client_id == client_id
                    and secrets.compare_digest(s.client_secret or "", secret or "")
                ),
                None,
            )
            if shop is None:
                return 400, {"error": "invalid_client", "error_description": "Client authentication failed."}
            token = "shpca_" + secrets.token_hex(16)
            self._tokens[token] = (shop.domain, self.clock.time() + TOKEN_LIFETIME)
            shop.count("tokens_issued")
        return 200, {"access_token": token, "scope": ",".join(shop.scopes), "expires_in": TOKEN_LIFETIME}

    def expire_tokens(self, domain=None):
        """Make every issued token (of one shop) invalid now, as a rotated or expired token would be."""
        with self._lock:
            for token, (owner, _expires) in list(self._tokens.items()):
                if domain is None or owner == domain:
                    del self._tokens[token]


class _Handler(BaseHTTPRequestHandler):
    emulator = None  # set on the per-server subclass
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle + delayed ACKs add ~40 ms each.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        _logger.debug("%s " + fmt, self.address_string(), *args)

    # -- plumbing ----------------------------------------------------------------------------------
    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, payload, headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_raw(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, raw):
        try:
            value = json.loads(raw or b"{}")
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def do_GET(self):
        path = urlsplit(self.path).path
        if path.startswith("/_emulator/"):
            return self._send(*admin.dispatch(self.emulator, "GET", path[len("/_emulator") :], {}))
        if path.startswith("/_bulk/"):
            return self._send_raw(*bulk.serve_file(self.emulator, path))
        if path.startswith("/_files/"):
            return self._send_raw(*bulk.serve_media_file(self.emulator, path))
        return self._send(404, {"errors": "Not Found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        raw = self._body()
        if path.startswith("/_emulator/"):
            body = self._json(raw)
            if body is None:
                return self._send(400, {"error": "the body must be a JSON object"})
            return self._send(*admin.dispatch(self.emulator, "POST", path[len("/_emulator") :], body))
        if path == TOKEN_PATH:
            return self._token(raw)
        if path.startswith("/_uploads/"):
            return self._send_raw(
                *bulk.receive_upload(self.emulator, path, self.headers.get("Content-Type"), raw)
            )
        match = GRAPHQL_PATH.match(path)
        if match:
            return self._graphql(match["version"], raw)
        return self._send(404, {"errors": "Not Found"})

    # -- endpoints ---------------------------------------------------------------------------------
    def _token(self, raw):
        if "json" in (self.headers.get("Content-Type") or ""):
            params = self._json(raw) or {}
        else:
            params = dict(parse_qsl(raw.decode("utf-8", "replace")))
        return self._send(*self.emulator.issue_token(params))

    def _graphql(self, version, raw):
        emulator = self.emulator
        shop = emulator.shop_for_token(self.headers.get("X-Shopify-Access-Token"))
        if shop is None:
            return self._send(401, INVALID_TOKEN)
        schema = emulator.schema(version)
        if schema is None:
            return self._send(404, {"errors": "Not Found"})
        body = self._json(raw)
        if body is None:
            return self._send(400, {"errors": "Bad Request: the body must be a JSON object."})
        faults = shop.faults.faults
        if faults.latency:
            emulator.sleep(faults.latency)
        outcome = shop.faults.draw()
        if faults.lose_answers and shop.faults.take_lost_answer(_root_fields(body)):
            outcome = "lost"
        if outcome == "timeout":
            shop.count("timeouts")
            emulator.sleep(faults.timeout_seconds)
            return self._send(504, {"errors": "Gateway Timeout"})
        if outcome == "error":
            shop.count("server_errors")
            return self._send(faults.error_status, {"errors": "Internal Server Error"})
        force = faults.throttle_status if outcome == "throttle" else None
        status, payload = executor.execute(emulator, shop, version, schema, body, force_throttle_status=force)
        if outcome == "lost":
            shop.count("lost_responses")
            emulator.sleep(faults.timeout_seconds)
            return self._send(504, {"errors": "Gateway Timeout"})
        headers = {}
        if status == 429:
            restore = shop.bucket.restore_rate or 1
            requested = payload["extensions"]["cost"]["requestedQueryCost"] or 0
            available = payload["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
            headers["Retry-After"] = str(max(1, math.ceil((requested - available) / restore)))
        return self._send(status, payload, headers)
