"""Shared fixtures: shops, users with each Shopify role, companies."""

import json

import requests

from odoo.tests import TransactionCase, new_test_user

from ..emulator import Clock, EmulatorServer, FakeClock
from ..services.auth import StaticTokenAuth
from ..services.budget import InMemoryBudget
from ..services.client import ShopifyClient
from .pure import PureCase


class ShopifyCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.manager = new_test_user(
            cls.env, login="shopify_manager", groups="shopify_sync.group_shopify_manager,base.group_user"
        )
        cls.shopify_user = new_test_user(
            cls.env, login="shopify_user", groups="shopify_sync.group_shopify_user,base.group_user"
        )
        cls.internal_user = new_test_user(cls.env, login="plain_internal", groups="base.group_user")

    @classmethod
    def create_shop(cls, domain="test-store.myshopify.com", **values):
        return cls.env["shopify.shop"].create(
            {
                "name": values.pop("name", domain.split(".")[0]),
                "shop_domain": domain,
                "access_token": "test-access-token",
                "client_secret": "test-client-secret",
                **values,
            }
        )


class EmulatorServerMixin:
    """A Shopify emulator of its own (one server per test class, on 127.0.0.1), and nothing of Odoo.

    `cls.emulator` is the EmulatorServer, `cls.emu_shop` its in-memory shop. Set `emulator_fake_clock =
    True` to drive the emulator's time by hand with `cls.clock.advance(seconds)` (bucket refill, token
    expiry, updatedAt). The emulator shop starts each test empty (catalog, stock, faults, bucket,
    counters): arrange its data in `setUp` or the test, or set `emulator_reset_each_test = False`.
    """

    emulator_domain = "test-store.myshopify.com"
    emulator_plan = "standard"
    emulator_fake_clock = False
    emulator_token = "test-access-token"
    emulator_client_id = "test-client-id"
    emulator_client_secret = "test-client-secret"
    emulator_reset_each_test = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clock = FakeClock() if cls.emulator_fake_clock else Clock()
        cls.emulator = EmulatorServer(seed=0, clock=cls.clock).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.emu_shop = cls.emulator.add_shop(
            cls.emulator_domain,
            access_token=cls.emulator_token,
            client_id=cls.emulator_client_id,
            client_secret=cls.emulator_client_secret,
            plan=cls.emulator_plan,
        )

    def setUp(self):
        super().setUp()
        if self.emulator_reset_each_test:
            self.emu_shop.reset()

    def capture_webhook_deliveries(self):
        """The emulator's webhook deliveries, kept in a list of (raw body, headers) instead of posted over
        HTTP (tests run no Odoo HTTP server)."""
        posted = []
        original_post = self.emulator.webhooks.post
        self.addCleanup(setattr, self.emulator.webhooks, "post", original_post)
        self.emulator.webhooks.post = lambda uri, body, headers: posted.append((body, headers)) or 200
        return posted

    @classmethod
    def graphql(cls, query, variables=None, version="2026-10", token=None, expect_status=200):
        """POST a document straight to the emulator (no client service): the decoded JSON response."""
        response = requests.post(
            f"{cls.emulator.url}/admin/api/{version}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": cls.emulator_token if token is None else token},
            timeout=10,
        )
        if expect_status is not None and response.status_code != expect_status:
            raise AssertionError(
                f"HTTP {response.status_code} (expected {expect_status}): {response.text[:500]}"
            )
        return response.json()


class EmulatorServerCase(EmulatorServerMixin, PureCase):
    """The emulator alone, no database: for the emulator's own tests."""


class EmulatorCase(EmulatorServerMixin, ShopifyCase):
    """A ShopifyCase with its emulator (see EmulatorServerMixin) and `cls.shop`, the Odoo `shopify.shop`
    pointed at it (same domain, token and secret); `run_delivery` plays a captured webhook delivery through
    the engine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.create_shop(
            cls.emulator_domain,
            api_base_url=cls.emulator.url,
            access_token=cls.emulator_token,
            client_id=cls.emulator_client_id,
            client_secret=cls.emulator_client_secret,
        )

    def direct_client(self):
        """A GraphQL client straight to the emulator (no shop record, no shared budget), closed after
        the test: for changing Shopify's side behind the addon's back."""
        client = ShopifyClient(
            self.emulator.url,
            self.shop.api_version,
            StaticTokenAuth(self.emulator_token),
            budget=InMemoryBudget(),
            timeout=5,
            backoff_base_s=0.01,
            backoff_max_s=0.05,
        )
        self.addCleanup(client.close)
        return client

    def run_delivery(self, body, headers):
        """What Odoo's webhook controller and queue do with one delivery: store the event, run its job."""
        event = self.env["shopify.webhook.event"]._ingest(
            self.shop,
            headers["X-Shopify-Topic"],
            headers["X-Shopify-Webhook-Id"],
            body.decode(),
            json.loads(body),
        )
        job = self.env["shopify.queue.job"].search([("webhook_event_id", "=", event.id)])
        job._run()
        return job
