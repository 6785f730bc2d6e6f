"""Health figures of every shop as one JSON document and as Prometheus text (/shopify/health,
/shopify/metrics): queue, API, syncs, webhooks, API version support and order completeness.
"""

from datetime import datetime, timedelta

from odoo import api, fields, models

from ...services import api_versions, prometheus, timestamps
from ...services.completeness import shop_zone, window_days
from ..engine import registry as work_registry

DEPRECATED_WINDOW_DAYS = 7
JOB_STATES_SHOWN = ("pending", "running", "failed", "dead")


def _epoch(moment):
    """Naive-UTC datetime → Unix seconds."""
    return (moment - datetime(1970, 1, 1)).total_seconds()


# How many days (today included) the health and metrics summarise: the dashboard's week.
SUMMARY_DAYS = 7


# Upper bounds (seconds) of the sync latency histogram's buckets.
LATENCY_BUCKETS = (1, 5, 15, 60, 300, 900, 3600)


class ShopifyHealth(models.AbstractModel):
    _name = "shopify.health"
    _description = "Shopify Sync Health"

    # ------------------------------------------------------------------------------------------------
    # Aggregates (one query each, grouped by shop)
    # ------------------------------------------------------------------------------------------------
    def _query(self, sql, params):
        self.env.cr.execute(sql, params)
        return self.env.cr.fetchall()

    def _job_counts(self, shop_ids):
        """{(shop_id, state, kind): count}"""
        rows = self._query(
            """
            SELECT shop_id, state, kind, count(*) FROM shopify_queue_job
             WHERE shop_id = ANY(%s) GROUP BY shop_id, state, kind
            """,
            [shop_ids],
        )
        return {(shop, state, kind): count for shop, state, kind, count in rows}

    def _oldest_pending(self, shop_ids):
        rows = self._query(
            """
            SELECT shop_id, min(create_date) FROM shopify_queue_job
             WHERE shop_id = ANY(%s) AND state = 'pending' GROUP BY shop_id
            """,
            [shop_ids],
        )
        return dict(rows)

    def _finished_last_hour(self, shop_ids, now):
        """{shop_id: (finished, with_error)} for jobs that finished in the hour before `now`."""
        rows = self._query(
            """
            SELECT shop_id, count(*), count(*) FILTER (WHERE state IN ('failed', 'dead'))
              FROM shopify_queue_job
             WHERE shop_id = ANY(%s) AND finished_at > %s AND finished_at <= %s
               AND state IN ('done', 'skipped', 'failed', 'dead')
          GROUP BY shop_id
            """,
            [shop_ids, now - timedelta(hours=1), now],
        )
        return {shop: (total, errors) for shop, total, errors in rows}

    def _latency_last_hour(self, shop_ids, now):
        """{(shop_id, kind, direction): figures} of the changes applied in the hour before `now`.

        Kind is the webhook topic for deliveries, else the job kind; direction `from_shopify` (a Shopify
        event applied in Odoo: from its X-Shopify-Triggered-At / updatedAt), `to_shopify` (an Odoo change
        acknowledged by Shopify: from the moment it was queued) or `internal`. Figures: count, p50_s,
        p95_s, sum_s and the cumulative bucket counts of LATENCY_BUCKETS.
        """
        buckets = ", ".join(
            f"count(*) FILTER (WHERE job.latency_s <= {int(bound)})" for bound in LATENCY_BUCKETS
        )
        rows = self._query(
            f"""
            SELECT job.shop_id, COALESCE(event.topic, job.kind),
                   CASE WHEN job.webhook_event_id IS NOT NULL OR job.kind = ANY(%(inbound)s)
                        THEN 'from_shopify'
                        WHEN job.kind = ANY(%(outbound)s) THEN 'to_shopify'
                        ELSE 'internal' END,
                   count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY job.latency_s),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY job.latency_s),
                   sum(job.latency_s), {buckets}
              FROM shopify_queue_job job
              LEFT JOIN shopify_webhook_event event ON event.id = job.webhook_event_id
             WHERE job.shop_id = ANY(%(shops)s) AND job.state = 'done' AND job.latency_s > 0
               AND job.finished_at > %(since)s AND job.finished_at <= %(now)s
          GROUP BY 1, 2, 3
            """,  # the buckets are our integer constants
            {
                "shops": shop_ids,
                "since": now - timedelta(hours=1),
                "now": now,
                "inbound": list(work_registry.INBOUND_JOB_KINDS),
                "outbound": list(work_registry.OUTBOUND_JOB_KINDS),
            },
        )
        return {
            (shop, kind, direction): {
                "count": count,
                "p50_s": round(p50 or 0.0, 3),
                "p95_s": round(p95 or 0.0, 3),
                "sum_s": round(total or 0.0, 3),
                "per_minute": round(count / 60.0, 2),
                "buckets": list(bucket_counts),
            }
            for shop, kind, direction, count, p50, p95, total, *bucket_counts in rows
        }

    def _sync_runs(self, shop_ids):
        """{(shop_id, kind, state): (runs, ok, failed, skipped, cost, last_ended_at)}"""
        rows = self._query(
            """
            SELECT shop_id, kind, state, count(*), sum(ok_count), sum(failed_count), sum(skipped_count),
                   sum(cost_used), max(ended_at)
              FROM shopify_sync_log WHERE shop_id = ANY(%s) GROUP BY shop_id, kind, state
            """,
            [shop_ids],
        )
        return {(shop, kind, state): tuple(rest) for shop, kind, state, *rest in rows}

    def _webhooks(self, shop_ids):
        """{(shop_id, topic): (stored events, last received_at)}"""
        rows = self._query(
            """
            SELECT shop_id, topic, count(*), max(received_at) FROM shopify_webhook_event
             WHERE shop_id = ANY(%s) GROUP BY shop_id, topic
            """,
            [shop_ids],
        )
        return {(shop, topic): (count, last) for shop, topic, count, last in rows}

    def _webhook_stats(self, shop_ids):
        """[(kind, key, shop_id or None, count)]: rejections, duplicates, purged events."""
        return self.env["shopify.webhook.stat"]._totals(shop_ids)

    def _api_calls(self, shop_ids):
        """{shop_id: dict} from shopify.api.call: cost, throttle waits, last success and error, bucket."""
        result = {}
        for shop, cost, wait_ms, success_at in self._query(
            """
            SELECT shop_id, sum(COALESCE(actual_cost, 0)), sum(COALESCE(throttle_wait_ms, 0)),
                   max(called_at) FILTER (WHERE outcome = 'ok')
              FROM shopify_api_call WHERE shop_id = ANY(%s) GROUP BY shop_id
            """,
            [shop_ids],
        ):
            result[shop] = {
                "cost": cost,
                "throttle_wait_ms": wait_ms,
                "last_success_at": success_at,
                "last_error": None,
                "last_error_at": None,
                "bucket": None,
            }
        for shop, error_at, error in self._query(
            """
            SELECT DISTINCT ON (shop_id) shop_id, called_at, COALESCE(error_message, error_code, outcome)
              FROM shopify_api_call WHERE shop_id = ANY(%s) AND outcome != 'ok'
          ORDER BY shop_id, id DESC
            """,
            [shop_ids],
        ):
            result[shop].update(last_error=error, last_error_at=error_at)
        for shop, available, maximum, called_at in self._query(
            """
            SELECT DISTINCT ON (shop_id) shop_id, available_after, maximum_available, called_at
              FROM shopify_api_call WHERE shop_id = ANY(%s) AND maximum_available > 0
          ORDER BY shop_id, id DESC
            """,
            [shop_ids],
        ):
            result[shop]["bucket"] = {
                "available": available,
                "maximum": maximum,
                "at": timestamps.to_text(called_at),
            }
        return result

    # ------------------------------------------------------------------------------------------------
    # Health (JSON-ready dicts)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _snapshot(self, shops, now=None):
        """{shop_id: health dict} for `shops` (already filtered by the caller's access)."""
        now = now or fields.Datetime.now()
        shop_ids = shops.ids
        self.env.flush_all()
        jobs = self._job_counts(shop_ids)
        oldest = self._oldest_pending(shop_ids)
        finished = self._finished_last_hour(shop_ids, now)
        runs = self._sync_runs(shop_ids)
        hooks = self._webhooks(shop_ids)
        api_calls = self._api_calls(shop_ids)
        latency = self._latency_last_hour(shop_ids, now)
        result = {}
        for shop in shops.sudo():
            queue = dict.fromkeys(JOB_STATES_SHOWN, 0)
            for (shop_id, state, _kind), count in jobs.items():
                if shop_id == shop.id and state in queue:
                    queue[state] += count
            oldest_at = oldest.get(shop.id)
            queue["oldest_pending_age_s"] = int((now - oldest_at).total_seconds()) if oldest_at else None
            total, errors = finished.get(shop.id, (0, 0))
            last_sync = {
                kind: timestamps.to_text(values[-1])
                for (shop_id, kind, state), values in sorted(runs.items())
                if shop_id == shop.id and state == "done"
            }
            last_webhook = {
                topic: timestamps.to_text(last)
                for (shop_id, topic), (_count, last) in sorted(hooks.items())
                if shop_id == shop.id
            }
            calls = api_calls.get(shop.id, {})
            result[shop.id] = {
                "id": shop.id,
                "name": shop.name,
                "domain": shop.shop_domain,
                "state": shop.state,
                "api": self._api_state(calls),
                "queue": queue,
                "error_rate_1h": round(errors / total, 4) if total else 0.0,
                "jobs_finished_1h": total,
                "last_sync": last_sync,
                "last_webhook": last_webhook,
                "api_bucket": calls.get("bucket"),
                # Per kind: seconds from the change to applied in Odoo / acknowledged by Shopify.
                "sync_latency_1h": {
                    kind: {key: value for key, value in figures.items() if key not in ("buckets", "sum_s")}
                    | {"direction": direction}
                    for (shop_id, kind, direction), figures in sorted(latency.items())
                    if shop_id == shop.id
                },
                "records_per_minute_1h": round(
                    sum(
                        figures["count"]
                        for (shop_id, *_key), figures in latency.items()
                        if shop_id == shop.id
                    )
                    / 60.0,
                    2,
                ),
            }
        # The parts other models of the addon add, in the order the JSON has always listed them.
        self._snapshot_api_version(result, shops, now)
        self._snapshot_order_completeness(result, shops, now)
        self._snapshot_inventory(result, shops, now)
        return result

    @staticmethod
    def _api_state(calls):
        """Reachable: a call succeeded, and no error came after it."""
        success, error_at = calls.get("last_success_at"), calls.get("last_error_at")
        return {
            "reachable": bool(success) and not (error_at and error_at > success),
            "last_success_at": timestamps.to_text(success),
            "last_error": calls.get("last_error"),
            "last_error_at": timestamps.to_text(error_at),
        }

    # ------------------------------------------------------------------------------------------------
    # Metrics (Prometheus text)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _metrics_text(self, shops, now=None):
        now = now or fields.Datetime.now()
        shop_ids = shops.ids
        domain_of = {shop.id: shop.shop_domain for shop in shops.sudo()}
        self.env.flush_all()
        jobs = self._job_counts(shop_ids)
        oldest = self._oldest_pending(shop_ids)
        runs = self._sync_runs(shop_ids)
        hooks = self._webhooks(shop_ids)
        stats = self._webhook_stats(shop_ids)
        api_calls = self._api_calls(shop_ids)
        latency = self._latency_last_hour(shop_ids, now)

        purged = {(shop, key): count for kind, key, shop, count in stats if kind == "purged"}
        received = {}
        for (shop, topic), (count, _last) in hooks.items():
            received[shop, topic] = count + purged.pop((shop, topic), 0)
        received.update(purged)

        def shop_label(shop_id):
            return domain_of.get(shop_id, "")

        last_success = []
        for (shop, kind, state), values in sorted(runs.items()):
            if state == "done" and values[-1]:
                last_success.append(({"shop": shop_label(shop), "kind": kind}, _epoch(values[-1])))
        for shop, calls in sorted(api_calls.items()):
            if calls["last_success_at"]:
                last_success.append(
                    ({"shop": shop_label(shop), "kind": "api"}, _epoch(calls["last_success_at"]))
                )

        families = [
            (
                "shopify_queue_jobs",
                "gauge",
                "Jobs in the work queue by state and kind.",
                [
                    ({"shop": shop_label(shop), "state": state, "kind": kind}, count)
                    for (shop, state, kind), count in sorted(jobs.items())
                ],
            ),
            (
                "shopify_queue_oldest_pending_age_seconds",
                "gauge",
                "Age of the oldest pending job.",
                [
                    ({"shop": shop_label(shop)}, int((now - at).total_seconds()))
                    for shop, at in sorted(oldest.items())
                ],
            ),
            (
                "shopify_webhook_events_received_total",
                "counter",
                "Webhook deliveries accepted and stored, by topic.",
                [
                    ({"shop": shop_label(shop), "topic": topic}, count)
                    for (shop, topic), count in sorted(received.items())
                ],
            ),
            (
                "shopify_webhook_duplicates_total",
                "counter",
                "Webhook deliveries answered 200 but not stored again.",
                [
                    ({"shop": shop_label(shop), "topic": key}, count)
                    for kind, key, shop, count in stats
                    if kind == "duplicate"
                ],
            ),
            (
                "shopify_webhook_rejected_total",
                "counter",
                "Webhook requests rejected, by reason.",
                [
                    ({"shop": shop_label(shop), "reason": key}, count)
                    for kind, key, shop, count in stats
                    if kind == "rejected"
                ],
            ),
            (
                "shopify_sync_runs_total",
                "counter",
                "Sync runs by kind and final state.",
                [
                    ({"shop": shop_label(shop), "kind": kind, "state": state}, values[0])
                    for (shop, kind, state), values in sorted(runs.items())
                ],
            ),
            (
                "shopify_sync_records_total",
                "counter",
                "Records handled by sync runs, by kind and outcome.",
                [
                    ({"shop": shop_label(shop), "kind": kind, "outcome": outcome}, total)
                    for (shop, kind), totals in sorted(self._records_by_kind(runs).items())
                    for outcome, total in totals.items()
                ],
            ),
            (
                "shopify_api_cost_used_total",
                "counter",
                "GraphQL cost points used.",
                [({"shop": shop_label(shop)}, calls["cost"]) for shop, calls in sorted(api_calls.items())],
            ),
            (
                "shopify_api_throttle_wait_seconds_total",
                "counter",
                "Time spent waiting for the API budget to refill.",
                [
                    ({"shop": shop_label(shop)}, round(calls["throttle_wait_ms"] / 1000.0, 3))
                    for shop, calls in sorted(api_calls.items())
                ],
            ),
            (
                "shopify_last_success_timestamp_seconds",
                "gauge",
                "Unix time of the last success per kind (api: last API call).",
                last_success,
            ),
            (
                "shopify_sync_latency_seconds",
                "histogram",
                "Seconds from a change (Shopify event, Odoo change) to applied in Odoo / acknowledged by "
                "Shopify, for the changes applied in the last hour (a sliding window, not a counter).",
                self._latency_samples(latency, shop_label),
            ),
            (
                "shopify_sync_records_per_minute",
                "gauge",
                "Changes applied per minute over the last hour, by kind and direction.",
                [
                    ({"shop": shop_label(shop), "kind": kind, "direction": direction}, figures["per_minute"])
                    for (shop, kind, direction), figures in sorted(latency.items())
                ],
            ),
        ]
        return (
            prometheus.render(families)
            + self._metrics_order_completeness(shops, now)
            + self._metrics_inventory(shops, now)
        )

    @staticmethod
    def _latency_samples(latency, shop_label):
        """The histogram's _bucket (cumulative, le=…, +Inf), _sum and _count samples."""
        samples = []
        for (shop, kind, direction), figures in sorted(latency.items()):
            labels = {"shop": shop_label(shop), "kind": kind, "direction": direction}
            for bound, count in zip(LATENCY_BUCKETS, figures["buckets"], strict=True):
                samples.append(({**labels, "__name__": "_bucket", "le": str(bound)}, count))
            samples.append(({**labels, "__name__": "_bucket", "le": "+Inf"}, figures["count"]))
            samples.append(({**labels, "__name__": "_sum"}, figures["sum_s"]))
            samples.append(({**labels, "__name__": "_count"}, figures["count"]))
        return samples

    @staticmethod
    def _records_by_kind(runs):
        totals = {}
        for (shop, kind, _state), (_runs, ok, failed, skipped, _cost, _last) in runs.items():
            bucket = totals.setdefault((shop, kind), {"ok": 0, "failed": 0, "skipped": 0})
            bucket["ok"] += ok or 0
            bucket["failed"] += failed or 0
            bucket["skipped"] += skipped or 0
        return totals

    # ------------------------------------------------------------------------------------------------
    def _inventory_waiting_ages(self, shops, now):
        """{shop id: (seconds the oldest stock change not yet on Shopify has waited, since)}; 0 and None
        when nothing waits."""
        oldest = self.env["shopify.inventory.level"].sudo()._oldest_waiting(shops.ids)
        return {
            shop_id: (max(0, int((now - oldest[shop_id]).total_seconds())), oldest[shop_id])
            if shop_id in oldest
            else (0, None)
            for shop_id in shops.ids
        }

    def _snapshot_inventory(self, result, shops, now):
        """The health snapshot's `inventory` part: written into `result` ({shop_id: health dict})."""
        for shop_id, (age, since) in self._inventory_waiting_ages(shops, now).items():
            if shop_id in result:
                result[shop_id]["inventory"] = {
                    "oldest_waiting_age_s": age,
                    "oldest_waiting_since": timestamps.to_text(since),
                }

    def _metrics_inventory(self, shops, now):
        domain_of = {shop.id: shop.shop_domain for shop in shops.sudo()}
        families = [
            (
                "shopify_inventory_oldest_waiting_age_seconds",
                "gauge",
                "Age of the oldest Odoo stock change not yet on Shopify (0: none waits; held pairs "
                "excluded).",
                [
                    ({"shop": domain_of[shop_id]}, age)
                    for shop_id, (age, _since) in sorted(self._inventory_waiting_ages(shops, now).items())
                ],
            ),
        ]
        return prometheus.render(families)

    # API version lifecycle: answers that flagged a deprecated use (X-Shopify-API-Deprecated-Reason)
    # ------------------------------------------------------------------------------------------------
    def _deprecated_calls(self, shop_ids, now):
        rows = self._query(
            """
            SELECT shop_id, count(*), max(deprecated_reason)
              FROM shopify_api_call
             WHERE shop_id = ANY(%s) AND deprecated_reason IS NOT NULL AND called_at >= %s
          GROUP BY shop_id
            """,
            (shop_ids, now - timedelta(days=DEPRECATED_WINDOW_DAYS)),
        )
        return {shop_id: (count, reason) for shop_id, count, reason in rows}

    def _snapshot_api_version(self, result, shops, now):
        """The health snapshot's `api_version` part: written into `result` ({shop_id: health dict})."""
        deprecated = self._deprecated_calls(shops.ids, now)
        for shop in shops.sudo():
            if shop.id not in result:
                continue
            end = api_versions.end_of_support(shop.api_version)
            count, reason = deprecated.get(shop.id, (0, None))
            result[shop.id]["api_version"] = {
                "version": shop.api_version,
                "end_of_support": end.isoformat() if end else None,
                "warning": api_versions.support_warning(shop.api_version, now.date()),
                "deprecated_calls_7d": count,
                "deprecated_reason": reason,
            }

    # ------------------------------------------------------------------------------------------------
    # Order completeness: each shop's reports of the last SUMMARY_DAYS days
    # ------------------------------------------------------------------------------------------------
    def _completeness(self, shops, now):
        """{shop_id: summary} of each shop's completeness reports of the last SUMMARY_DAYS days."""
        Report = self.env["shopify.completeness.report"].sudo()
        result = {}
        for shop in shops.sudo():
            days = window_days(now, shop_zone(shop.timezone_remote), SUMMARY_DAYS)
            reports = Report.search([("shop_id", "=", shop.id), ("day", ">=", days[0])], order="day")
            checked = reports.filtered(lambda report: report.state in ("green", "red"))
            last_checked = max(reports.mapped("checked_at"), default=None)
            result[shop.id] = {
                "days_checked": len(checked),
                "days_green": len(checked.filtered(lambda report: report.state == "green")),
                "days_failed_check": len(reports.filtered(lambda report: report.state == "error")),
                # A check in progress (pending) keeps the previous verdict out: only finished days count.
                "green": bool(checked)
                and all(report.state == "green" for report in checked)
                and not reports.filtered(lambda report: report.state == "error"),
                "missing": sum(checked.mapped("missing_count")),
                "extra": sum(checked.mapped("extra_count")),
                "differing": sum(checked.mapped("differing_count")),
                "backfilled": sum(checked.mapped("backfilled_count")),
                "last_checked_at": last_checked,
                "days": [
                    {
                        "day": report.day.isoformat(),
                        "state": report.state,
                        "dry_run": report.dry_run,
                        "shopify_count": report.shopify_count,
                        "shopify_total": report.shopify_total,
                        "odoo_count": report.odoo_count,
                        "odoo_total": report.odoo_total,
                        "missing": report.missing_count,
                        "extra": report.extra_count,
                        "differing": report.differing_count,
                        "backfilled": report.backfilled_count,
                    }
                    for report in reports
                ],
            }
        return result

    def _snapshot_order_completeness(self, result, shops, now):
        """The health snapshot's `order_completeness` part: written into `result` ({shop_id: health dict})."""
        for shop_id, summary in self._completeness(shops, now).items():
            if shop_id in result:
                at = summary["last_checked_at"]
                result[shop_id]["order_completeness"] = {
                    **summary,
                    "last_checked_at": timestamps.to_text(at),
                }

    def _metrics_order_completeness(self, shops, now):
        """The metric families of order completeness (Prometheus text)."""
        summaries = self._completeness(shops, now)
        domain_of = {shop.id: shop.shop_domain for shop in shops.sudo()}

        def samples(key, only_checked=True):
            return [
                ({"shop": domain_of[shop_id]}, summary[key])
                for shop_id, summary in sorted(summaries.items())
                if summary["days_checked"] or not only_checked
            ]

        epoch = fields.Datetime.to_datetime("1970-01-01")
        families = [
            (
                "shopify_order_completeness_green",
                "gauge",
                f"1 when every checked day of the last {SUMMARY_DAYS} has every Shopify order in Odoo "
                "with the same total.",
                [(labels, int(value)) for labels, value in samples("green")],
            ),
            (
                "shopify_order_completeness_days_checked",
                "gauge",
                f"Days of the last {SUMMARY_DAYS} with a finished completeness check.",
                samples("days_checked", only_checked=False),
            ),
            (
                "shopify_order_completeness_days_green",
                "gauge",
                f"Green days among the last {SUMMARY_DAYS} checked.",
                samples("days_green"),
            ),
            (
                "shopify_orders_missing",
                "gauge",
                f"Shopify orders of the last {SUMMARY_DAYS} days with no sale order in Odoo (last check).",
                samples("missing"),
            ),
            (
                "shopify_orders_differing",
                "gauge",
                f"Orders of the last {SUMMARY_DAYS} days whose Odoo total differs from Shopify's.",
                samples("differing"),
            ),
            (
                "shopify_orders_extra",
                "gauge",
                f"Sale orders of the last {SUMMARY_DAYS} days that Shopify does not list for that day.",
                samples("extra"),
            ),
            (
                "shopify_orders_backfilled",
                "gauge",
                f"Orders the checks of the last {SUMMARY_DAYS} days imported (backfill).",
                samples("backfilled"),
            ),
            (
                "shopify_order_completeness_last_check_timestamp_seconds",
                "gauge",
                "Unix time of the last completeness check.",
                [
                    (
                        {"shop": domain_of[shop_id]},
                        (summary["last_checked_at"] - epoch) / timedelta(seconds=1),
                    )
                    for shop_id, summary in sorted(summaries.items())
                    if summary["last_checked_at"]
                ],
            ),
        ]
        return prometheus.render(families)
