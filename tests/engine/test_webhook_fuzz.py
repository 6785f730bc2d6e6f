"""The webhook endpoint against broken and hostile input, signed and unsigned: never a 5xx, the designed
4xx or 200 for each class of input, and not one database write before the signature is proven."""

import json
import random
import re

import requests

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ...models.engine.webhook_stat import UNFLUSHED
from ...services import webhook_signature
from .test_webhook import DOMAIN, ORDER, SECRET, WebhookCase

HEADERS = (
    "X-Shopify-Shop-Domain",
    "X-Shopify-Topic",
    "X-Shopify-Webhook-Id",
    "X-Shopify-Event-Id",
    "X-Shopify-Triggered-At",
    "X-Shopify-API-Version",
    "X-Shopify-Hmac-Sha256",
    "Content-Type",
)
# Header values as they can reach the server: str goes out latin-1 encoded, bytes as they are.
ODD_VALUES = {
    "nul": "a\x00b",
    "only_nul": "\x00",
    "controls": "\x01\x1b[31m\x7f",
    "utf8": "é€\u2028\U0001f600".encode(),
    "bad_utf8": b"\xff\xfe\xc3(",
    "long": "x" * 10_000,
}
# What a signed delivery gets when one header holds an odd value.
SIGNED_STATUS_BY_HEADER = {
    "X-Shopify-Shop-Domain": 401,  # no shop has such a domain: refused before anything else
    "X-Shopify-Hmac-Sha256": 401,  # the odd value replaces the signature
    "X-Shopify-Topic": 400,
    "X-Shopify-Webhook-Id": 400,
    "X-Shopify-Event-Id": 200,  # optional headers: ignored (stored empty), the delivery kept
    "X-Shopify-Triggered-At": 200,
    "X-Shopify-API-Version": 200,
    "Content-Type": 200,  # the signed bytes are read as they are
}
OPTIONAL_FIELD_BY_HEADER = {
    "X-Shopify-Event-Id": "event_id",
    "X-Shopify-Triggered-At": "triggered_at",
    "X-Shopify-API-Version": "api_version",
}


def nested(depth, leaf=1):
    value = leaf
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def body(**changes):
    return json.dumps(dict(ORDER, **changes)).encode()


def body_cases():
    """(label, raw body, status when signed, expected job resource_gid / resource_updated_at or None)."""
    order_gid = "gid://shopify/Order/450789469"
    rng = random.Random(14)
    cases = [
        ("arrays 10,000 deep", b"[" * 10_000 + b"]" * 10_000, 400, None),
        ("objects 10,000 deep", b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400, None),
        ("objects 100 deep", body(note=nested(100)), 400, None),
        ("objects 30 deep", body(note=nested(30)), 200, {"resource_gid": order_gid}),
        ("id superscript two", body(id="²", admin_graphql_api_id=None), 200, {"resource_gid": False}),
        ("id arabic digits", body(id="٣٤", admin_graphql_api_id=None), 200, {"resource_gid": False}),
        ("id 5,000 digits", body(id="9" * 5000, admin_graphql_api_id=None), 200, {"resource_gid": False}),
        ("id number 5,000 digits", b'{"id": ' + b"9" * 5000 + b"}", 400, None),
        ("id number 30 digits", body(id=10**30, admin_graphql_api_id=None), 200, {"resource_gid": False}),
        ("id negative", body(id=-1, admin_graphql_api_id=None), 200, {"resource_gid": False}),
        ("id float", body(id=1e300, admin_graphql_api_id=None), 200, {"resource_gid": False}),
        ("id true", body(id=True, admin_graphql_api_id=None), 200, {"resource_gid": False}),
        ("id list", body(id=[1], admin_graphql_api_id=[]), 200, {"resource_gid": False}),
        ("gid lone surrogate", body(admin_graphql_api_id="\ud800"), 200, {"resource_gid": order_gid}),
        (
            "gid with NUL",
            body(admin_graphql_api_id="gid://shopify/Order/1\u0000"),
            200,
            {"resource_gid": order_gid},
        ),
        (
            "gid with surrogate query",
            body(admin_graphql_api_id="gid://shopify/Order/1?x=\udc80"),
            200,
            {"resource_gid": order_gid},
        ),
        ("gid huge number", body(admin_graphql_api_id="gid://shopify/Order/" + "9" * 5000), 200, None),
        ("updated_at year 9999 west", body(updated_at="9999-12-31T23:59:59-23:59"), 200, None),
        ("updated_at year 1 east", body(updated_at="0001-01-01T00:00:00+14:00"), 200, None),
        ("updated_at with NUL", body(updated_at="2026-11-25\u0000"), 200, None),
        ("updated_at number", body(updated_at=1e308), 200, None),
        ("note with NUL and surrogate", body(note="a\u0000b\udfff"), 200, None),
        ("NaN", b'{"id": NaN}', 200, None),
        ("empty", b"", 400, None),
        ("null", b"null", 400, None),
        ("list", b"[]", 400, None),
        ("string", b'"text"', 400, None),
        ("huge float", b"1e999", 400, None),
        ("UTF-16", json.dumps(ORDER).encode("utf-16"), 400, None),
        ("UTF-8 with BOM", b"\xef\xbb\xbf" + json.dumps(ORDER).encode(), 400, None),
        ("raw NUL byte", b'{"id": 1,\x00 "x": 2}', 400, None),
        ("encoded surrogate", b'{"note": "\xed\xa0\x80"}', 400, None),
    ]
    cases += [(f"random bytes {n}", rng.randbytes(rng.randint(1, 4000)), 400, None) for n in range(6)]
    return cases


class FuzzCase(WebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["shopify.shop"].create({"name": "no secret", "shop_domain": "no-secret.myshopify.com"})
        cls.counter = 0

    def send(self, raw_body=None, headers=None, signed=True, drop=(), chunked=False):
        """POST to the endpoint with the base headers of a valid delivery, its own webhook and event ids.

        `signed`: a valid signature of the body, else a forged one (`None`: no signature header).
        """
        type(self).counter += 1
        raw_body = json.dumps(ORDER).encode() if raw_body is None else raw_body
        sent = {
            "Content-Type": "application/json",
            "X-Shopify-Shop-Domain": DOMAIN,
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Webhook-Id": f"fuzz-{self.counter}",
            "X-Shopify-Event-Id": f"fuzz-event-{self.counter}",
            "X-Shopify-Triggered-At": "2026-11-25T15:00:00.123Z",
            "X-Shopify-API-Version": "2026-10",
        }
        if signed is True:
            sent["X-Shopify-Hmac-Sha256"] = webhook_signature.sign(SECRET, raw_body)
        elif signed is False:
            sent["X-Shopify-Hmac-Sha256"] = webhook_signature.sign("forged", raw_body)
        sent.update(headers or {})
        for name in drop:
            sent.pop(name, None)
        data = iter([raw_body[: len(raw_body) // 2], raw_body[len(raw_body) // 2 :]]) if chunked else raw_body
        with mute_logger("odoo.addons.shopify_sync.controllers.webhook", "odoo.http"):
            response = self.opener.post(
                self.base_url() + "/shopify/webhook", data=data, headers=sent, timeout=60
            )
        return response, sent["X-Shopify-Webhook-Id"]

    def assertStatus(self, response, expected, label):
        self.assertLess(response.status_code, 500, label)
        self.assertEqual(response.status_code, expected, label)

    def event(self, webhook_id):
        if isinstance(webhook_id, bytes):
            webhook_id = webhook_id.decode("latin-1")
        return self.env["shopify.webhook.event"].search(
            [("shop_id", "=", self.shop.id), ("webhook_id", "=", webhook_id)]
        )


@tagged("post_install", "-at_install")
class TestWebhookFuzz(FuzzCase):
    def test_odd_header_values_signed_and_unsigned(self):
        for header in HEADERS:
            for name, value in ODD_VALUES.items():
                label = f"{header}: {name}"
                with self.subTest(label, signed=False):
                    response, _id = self.send(headers={header: value}, signed=False)
                    self.assertStatus(response, 401, label)
                with self.subTest(label, signed=True):
                    response, webhook_id = self.send(headers={header: value})
                    expected = SIGNED_STATUS_BY_HEADER[header]
                    self.assertStatus(response, expected, label)
                    if header == "X-Shopify-Webhook-Id":
                        continue
                    event = self.event(webhook_id)
                    self.assertEqual(len(event), 1 if expected == 200 else 0, label)
                    if header in OPTIONAL_FIELD_BY_HEADER:
                        self.assertFalse(event[OPTIONAL_FIELD_BY_HEADER[header]], f"{label}: ignored")
                        self.assertEqual(event.topic, "orders/create")

    def test_header_values_past_the_servers_line_limit_never_reach_odoo(self):
        """The HTTP server refuses a header line over 64 KiB before Odoo runs (431, which the client
        may not get to read: the server closes the connection on the rest of the request)."""
        for header in ("X-Shopify-Webhook-Id", "X-Shopify-Shop-Domain", "X-Shopify-Hmac-Sha256"):
            for signed in (True, False):
                with self.subTest(header, signed=signed):
                    try:
                        response, webhook_id = self.send(headers={header: "x" * 70_000}, signed=signed)
                    except requests.ConnectionError:
                        continue
                    self.assertEqual(response.status_code, 431)
                    self.assertFalse(self.event(webhook_id))

    def test_timestamps_out_of_range_in_headers_are_ignored(self):
        for value in (
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+14:00",
            "99999-01-01T00:00:00Z",
            "2026-13-45T99:99:99Z",
            "1" * 200,
        ):
            with self.subTest(value):
                response, webhook_id = self.send(headers={"X-Shopify-Triggered-At": value})
                self.assertStatus(response, 200, value)
                self.assertFalse(self.event(webhook_id).triggered_at)

    def test_bodies_signed_and_unsigned(self):
        for label, raw_body, signed_status, job_values in body_cases():
            with self.subTest(label, signed=False):
                response, _id = self.send(raw_body, signed=False)
                self.assertStatus(response, 401, label)
            with self.subTest(label, signed=None):
                response, _id = self.send(raw_body, signed=None)
                self.assertStatus(response, 401, label)
            with self.subTest(label, signed=True):
                response, webhook_id = self.send(raw_body)
                self.assertStatus(response, signed_status, label)
                event = self.event(webhook_id)
                self.assertEqual(len(event), 1 if signed_status == 200 else 0, label)
                if event:
                    self.assertEqual(event.sudo().raw_body, raw_body.decode(), "stored as received")
                    self.assertEqual(len(event.job_ids), 1)
                    if label.startswith("updated_at"):
                        self.assertFalse(event.job_ids.resource_updated_at, label)
                    for field, value in (job_values or {}).items():
                        self.assertEqual(event.job_ids[field], value, label)
        self.assertGreaterEqual(self.rejections("bad_json"), 10)

    def test_content_types(self):
        for content_type, signed_status in (
            ("text/plain", 200),
            ("application/octet-stream", 200),
            ("application/json; charset=latin-1", 200),
            (None, 200),
            # Odoo parses these as forms before the endpoint runs: the signed bytes are gone.
            ("application/x-www-form-urlencoded", 401),
            ("multipart/form-data; boundary=x", 401),
        ):
            drop = ("Content-Type",) if content_type is None else ()
            headers = {"Content-Type": content_type} if content_type else {}
            with self.subTest(content_type, signed=False):
                response, _id = self.send(headers=headers, drop=drop, signed=False)
                self.assertStatus(response, 401, content_type)
            with self.subTest(content_type, signed=True):
                response, webhook_id = self.send(headers=headers, drop=drop)
                self.assertStatus(response, signed_status, content_type)
                self.assertEqual(len(self.event(webhook_id)), 1 if signed_status == 200 else 0)

    def test_oversized_bodies_with_and_without_content_length_are_413(self):
        self.env["ir.config_parameter"].set_param("shopify_sync.webhook_max_bytes", "2000")
        big = body(note="x" * 5000)
        for chunked in (False, True):
            for signed in (True, False):
                with self.subTest(chunked=chunked, signed=signed):
                    response, _id = self.send(big, signed=signed, chunked=chunked)
                    self.assertStatus(response, 413, f"chunked={chunked}")
        response, webhook_id = self.send(body(note="x" * 100), chunked=True)
        self.assertStatus(response, 200, "a chunked body under the limit")
        self.assertTrue(self.event(webhook_id))
        self.assertEqual(self.rejections("too_large"), 4)

    def test_unexpected_error_is_a_logged_400_and_stores_nothing(self):
        from unittest.mock import patch

        def broken(*args, **kwargs):
            raise KeyError("a bug")

        with patch.object(type(self.env["shopify.webhook.event"]), "_ingest", broken):
            response, webhook_id = self.send()
        self.assertStatus(response, 400, "a bug")
        self.assertFalse(self.event(webhook_id))
        self.assertEqual(self.rejections("unexpected_error"), 1)


@tagged("post_install", "-at_install")
class TestUnauthenticatedCostsNoWrite(FuzzCase):
    """Every rejection before the signature is proven leaves every table as it was."""

    def table_counts(self):
        """{table: (rows, max id)} of every table of the database."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT t.table_name,
                   EXISTS (SELECT 1 FROM information_schema.columns c
                            WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                              AND c.column_name = 'id' AND c.data_type IN ('integer', 'bigint'))
              FROM information_schema.tables t
             WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          ORDER BY 1
            """
        )
        tables = self.env.cr.fetchall()
        self.assertGreater(len(tables), 100)
        query = SQL(" UNION ALL ").join(
            SQL(
                "SELECT %s, count(*), %s FROM %s",
                name,
                SQL("max(id)::bigint") if has_id else SQL("NULL::bigint"),
                SQL.identifier(name),
            )
            for name, has_id in tables
        )
        self.env.cr.execute(query)
        return {name: (rows, max_id) for name, rows, max_id in self.env.cr.fetchall()}

    def metrics_rejections(self):
        response = self.opener.get(
            self.base_url() + "/shopify/metrics", headers={"Authorization": "Bearer fuzz-token"}, timeout=30
        )
        self.assertEqual(response.status_code, 200)
        found = re.findall(
            r'^shopify_webhook_rejected_total\{shop="([^"]*)",reason="(\w+)"\} (\d+)$', response.text, re.M
        )
        return {(shop, reason): int(count) for shop, reason, count in found}

    def send_forged_requests(self):
        """One request of each unauthenticated kind; returns the rejections they must count."""
        big = body(note="x" * 30_000)
        sends = [
            ((), {"signed": False}, 401),  # bad_hmac
            ((), {"signed": None}, 401),  # missing_hmac
            ((), {"headers": {"X-Shopify-Shop-Domain": "nobody.myshopify.com"}}, 401),
            ((), {"headers": {"X-Shopify-Shop-Domain": "no-secret.myshopify.com"}}, 401),
            ((big,), {}, 413),
            ((big,), {"chunked": True}, 413),
            ((), {"headers": {"X-Shopify-Shop-Domain": DOMAIN + "\x00"}}, 401),
            ((), {"headers": {"X-Shopify-Shop-Domain": "é.myshopify.com".encode()}}, 401),
            ((b"[" * 10_000,), {"signed": False}, 401),
            ((b"\x00\xff" * 100,), {"signed": None, "headers": {"X-Shopify-Topic": "\x00"}}, 401),
            ((), {"signed": False, "headers": {"X-Shopify-Webhook-Id": "\x00" * 300}}, 401),
        ]
        for args, kwargs, status in sends:
            response, _id = self.send(*args, **kwargs)
            self.assertStatus(response, status, f"{args and args[0][:20]} {kwargs}")
        return {
            ("hooks-store.myshopify.com", "bad_hmac"): 3,
            ("hooks-store.myshopify.com", "missing_hmac"): 2,
            ("", "unknown_shop"): 3,
            ("no-secret.myshopify.com", "no_secret"): 1,
            ("", "too_large"): 2,
        }

    def test_rejections_before_the_signature_write_nothing_and_are_still_counted(self):
        self.env["ir.config_parameter"].set_param("shopify_sync.monitoring_token", "fuzz-token")
        self.env["ir.config_parameter"].set_param("shopify_sync.webhook_max_bytes", "20000")
        metrics_before = self.metrics_rejections()
        before = self.table_counts()
        sent = self.send_forged_requests()
        after = self.table_counts()
        changed = {
            name: (before[name], after.get(name)) for name in before if before[name] != after.get(name)
        }
        self.assertEqual(changed, {}, "no table changed")
        self.assertEqual(set(after), set(before))
        expected = {key: metrics_before.get(key, 0) + count for key, count in sent.items()}
        expected = {**metrics_before, **expected}
        self.assertEqual(self.metrics_rejections(), expected, "the metrics include the counts held in memory")

        # The next authenticated delivery handled by this process writes them, in its transaction.
        written_before = self.written_rejections()
        response, _id = self.send()
        self.assertStatus(response, 200, "valid delivery")
        self.assertFalse(UNFLUSHED.peek(self.env.cr.dbname), "nothing left unwritten")
        self.assertEqual(self.written_rejections() - written_before, sum(sent.values()))
        self.assertEqual(self.metrics_rejections(), expected, "written counts are not counted twice")

    def written_rejections(self):
        self.env.invalidate_all()
        return sum(self.env["shopify.webhook.stat"].search([("kind", "=", "rejected")]).mapped("count"))

    def test_fold_writes_the_counts_held_in_memory(self):
        written_before = self.written_rejections()
        self.send(signed=False)
        self.send(headers={"X-Shopify-Shop-Domain": "nobody.myshopify.com"})
        self.assertEqual(self.written_rejections(), written_before)
        self.env["shopify.webhook.stat"]._gc_fold_counters()
        self.assertFalse(UNFLUSHED.peek(self.env.cr.dbname))
        self.assertEqual(self.written_rejections(), written_before + 2)
        self.assertEqual(self.rejections("bad_hmac"), 1)

    def test_counts_go_back_to_memory_when_the_flushing_transaction_rolls_back(self):
        self.send(signed=False)
        held = UNFLUSHED.peek(self.env.cr.dbname)
        self.assertEqual(dict(held), {("rejected", "bad_hmac", self.shop.id): 1})
        with self.registry.cursor() as cr:  # the request's transaction, as the HTTP server opens it
            api.Environment(cr, SUPERUSER_ID, {})["shopify.webhook.stat"]._flush_unflushed()
            self.assertFalse(UNFLUSHED.peek(self.env.cr.dbname))
            cr.rollback()  # e.g. a serialization failure before Odoo replays the request
        self.assertEqual(UNFLUSHED.peek(self.env.cr.dbname), held)
