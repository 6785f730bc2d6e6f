"""Health and metrics of the sync, per shop, from a handful of aggregate queries (never loading rows)."""

from datetime import datetime, timedelta

from odoo import api, fields, models

from ..services import prometheus

JOB_STATES_SHOWN = ("pending", "running", "failed", "dead")


def _iso(moment):
    return moment.isoformat() + "Z" if moment else None


def _epoch(moment):
    """Naive-UTC datetime → Unix seconds."""
    return (moment - datetime(1970, 1, 1)).total_seconds()


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
            result[shop]["bucket"] = {"available": available, "maximum": maximum, "at": _iso(called_at)}
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
                kind: _iso(values[-1])
                for (shop_id, kind, state), values in sorted(runs.items())
                if shop_id == shop.id and state == "done"
            }
            last_webhook = {
                topic: _iso(last)
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
            }
        # The parts other models of the addon add, in the order the JSON has always listed them.
        self._snapshot_api_version(result, shops, now)
        self._snapshot_order_completeness(result, shops, now)
        return result

    @staticmethod
    def _api_state(calls):
        """Reachable: a call succeeded, and no error came after it."""
        success, error_at = calls.get("last_success_at"), calls.get("last_error_at")
        return {
            "reachable": bool(success) and not (error_at and error_at > success),
            "last_success_at": _iso(success),
            "last_error": calls.get("last_error"),
            "last_error_at": _iso(error_at),
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
        ]
        return prometheus.render(families) + self._metrics_order_completeness(shops, now)

    @staticmethod
    def _records_by_kind(runs):
        totals = {}
        for (shop, kind, _state), (_runs, ok, failed, skipped, _cost, _last) in runs.items():
            bucket = totals.setdefault((shop, kind), {"ok": 0, "failed": 0, "skipped": 0})
            bucket["ok"] += ok or 0
            bucket["failed"] += failed or 0
            bucket["skipped"] += skipped or 0
        return totals
