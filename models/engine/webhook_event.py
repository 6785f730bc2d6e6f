"""The webhook inbox: one row per accepted delivery, its raw body kept, duplicates refused by the database."""

import json
import logging
import time
from datetime import timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...services import webhook_resource
from ...services.errors import PayloadError
from ..core.access import MANAGER_GROUP
from . import registry as work_registry
from .queue_job import serial_key

_logger = logging.getLogger(__name__)


EVENT_STATES = [
    ("queued", "Queued"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("dead", "Dead"),
    ("skipped", "Skipped"),
    ("ignored", "Ignored"),
]


def origin_timestamp(triggered_at, updated_at):
    """When the change of a delivery happened (Unix time), for the sync latency: Shopify's
    X-Shopify-Triggered-At, else the resource's updated_at, else now (received)."""
    moment = triggered_at or updated_at
    if moment is None:
        return time.time()
    return moment.replace(tzinfo=timezone.utc).timestamp()


class ShopifyWebhookEvent(models.Model):
    _name = "shopify.webhook.event"
    _description = "Shopify Webhook Event"
    _order = "id desc"
    _rec_name = "topic"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, index=True, ondelete="cascade", readonly=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True, string="Company")
    topic = fields.Char(required=True, index=True, readonly=True, string="Topic")
    webhook_id = fields.Char(
        required=True,
        readonly=True,
        help="X-Shopify-Webhook-Id: unique per delivery (retries included).",
        string="Delivery ID",
    )
    event_id = fields.Char(
        readonly=True, help="X-Shopify-Event-Id: shared by deliveries of one action.", string="Event ID"
    )
    triggered_at = fields.Datetime(readonly=True, string="Triggered At (Shopify)")
    api_version = fields.Char(string="API Version", readonly=True)
    # Bodies carry customer data: managers only.
    raw_body = fields.Text(readonly=True, groups=MANAGER_GROUP, string="Raw Body")
    received_at = fields.Datetime(required=True, readonly=True, index=True, string="Received At")
    state = fields.Selection(
        EVENT_STATES, default="queued", required=True, index=True, readonly=True, string="Status"
    )
    job_ids = fields.One2many("shopify.queue.job", "webhook_event_id", readonly=True, string="Jobs")

    _sql_constraints = [
        ("webhook_id_unique", "unique(shop_id, webhook_id)", "This webhook delivery was already received."),
        (
            "event_topic_unique",
            "unique(shop_id, event_id, topic)",
            "This Shopify event was already received for this topic.",
        ),
    ]

    @api.model
    def _ingest(
        self, shop, topic, webhook_id, raw_body, payload, event_id=None, triggered_at=None, api_version=None
    ):
        """Store one verified delivery and queue its processing; None when it is a duplicate.

        The insert relies on the unique constraints (ON CONFLICT DO NOTHING), so two concurrent
        deliveries of the same webhook can never both be stored.
        """
        now = fields.Datetime.now()
        triggered = webhook_resource.parse_timestamp(triggered_at)
        updated_at = webhook_resource.resource_updated_at(payload)
        resource_gid = webhook_resource.resource_gid(topic, payload)
        entry = work_registry.job_kind("webhook")
        # Event and job in one statement (one round trip): the job row is what _enqueue would create;
        # a duplicate delivery inserts neither.
        self.env.cr.execute(
            """
            WITH event AS (
                INSERT INTO shopify_webhook_event
                       (shop_id, company_id, topic, webhook_id, event_id, triggered_at, api_version,
                        raw_body, received_at, state, create_uid, create_date, write_uid, write_date)
                VALUES (%(shop)s, %(company)s, %(topic)s, %(webhook_id)s, %(event_id)s, %(triggered_at)s,
                        %(api_version)s, %(raw_body)s, %(now)s, 'queued', %(uid)s, %(now)s, %(uid)s, %(now)s)
                ON CONFLICT DO NOTHING
                RETURNING id
            ), job AS (
                INSERT INTO shopify_queue_job
                       (shop_id, company_id, kind, state, priority, attempts, next_attempt_at, resource_gid,
                        resource_updated_at, serial_key, origin_ts, webhook_event_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(shop)s, %(company)s, 'webhook', 'pending', %(priority)s, 0, %(now)s, %(gid)s,
                       %(updated_at)s, %(serial_key)s, %(origin_ts)s, event.id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM event
            )
            SELECT id FROM event
            """,
            {
                "shop": shop.id,
                "company": shop.company_id.id,
                "topic": topic,
                "webhook_id": webhook_id,
                "event_id": event_id or None,
                "triggered_at": triggered,
                "api_version": api_version or None,
                "raw_body": raw_body,
                "now": now,
                "uid": self.env.uid,
                "priority": work_registry.webhook_priority(topic),
                "gid": resource_gid,
                "updated_at": updated_at,
                "serial_key": serial_key(entry, resource_gid),
                "origin_ts": origin_timestamp(triggered, updated_at),
            },
        )
        row = self.env.cr.fetchone()
        if not row:
            self.env["shopify.webhook.stat"]._increment("duplicate", topic, shop)
            return None
        self.env["shopify.queue.job"]._trigger_processing()
        return self.browse(row[0])

    def _dispatch(self):
        """Run the topic's handler (work registry) with the parsed body. Returns (outcome, reason) like a
        job handler."""
        self.ensure_one()
        entry = work_registry.webhook_topic(self.topic)
        if entry is None:
            return "skipped", _("No handler for webhook topic “%s”.", self.topic)
        try:
            payload = json.loads(self.sudo().raw_body or "")
        except ValueError as error:
            raise UserError(_("The stored body of this webhook is not valid JSON.")) from error
        try:
            result = getattr(self, entry.handler.method)(payload)
        except PayloadError as error:
            # The handlers' mappings name the field (`line_items[2].quantity`); the job also says whose.
            error.operation = error.operation or f"{self.topic} body"
            raise
        if isinstance(result, tuple) and result[:1] == ("skipped",):
            return result
        return "done", None

    @api.autovacuum
    def _gc_old_events(self):
        """Events (and their raw bodies) past the retention period go once their work is finished.

        Their count is kept in shopify.webhook.stat so the received_total metric never goes down.
        """
        days = max(1, self.env["shopify.queue.job"]._param_int("shopify_sync.queue_retention_days", 14))
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.search([("state", "in", ("done", "skipped", "ignored")), ("received_at", "<", limit)])
        stats = self.env["shopify.webhook.stat"]
        for shop, topic, count in old._read_group([("id", "in", old.ids)], ["shop_id", "topic"], ["__count"]):
            stats._increment("purged", topic, shop, count)
        old.unlink()
        return old
