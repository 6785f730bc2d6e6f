"""Reconciliation handlers named in the work registry: the reconcile-now job and the bulk queries of
the product, inventory and order parts.
"""

import logging
from collections import Counter, defaultdict
from contextlib import contextmanager

from odoo import _, fields, models

from ...services import completeness
from ...services import inventory as inventory_service
from ...services import reconcile as reconcile_service
from ...services.mapping import products as mapping
from ...services.mapping.orders import timestamp
from ..engine.bulk_operation import ENDED_WITHOUT_RESULT
from .shop import RECONCILE_PARTS

_logger = logging.getLogger(__name__)

ID_CHUNK = 5000  # bindings read per query when looking for the ones Shopify did not list

# Reconciliations being processed in this process: (database, operation id) → _Run.
_RUNS = {}


class _Run:
    """What one reconciliation keeps between batches: the settings, read once, and the bindings seen."""

    def __init__(self, report, shop):
        self.report = report
        self.dry_run = report.dry_run
        self.rules = shop._shopify_product_rules()
        self.export_fields = {
            name
            for name, (direction, _policy) in self.rules.items()
            if direction in (mapping.BOTH, mapping.TO_SHOPIFY)
        }
        self.digits = shop._shopify_currency_digits()
        self.weight_digits = shop.env["decimal.precision"].precision_get("Stock Weight")
        self.seen = reconcile_service.SeenIds()


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_reconcile_now(self):
        """One reconciliation run (sync log kind "reconcile") with the parts and dry run asked for."""
        payload = self.payload or {}
        shop = self.shop_id.with_context(
            shopify_reconcile_parts=list(payload.get("parts") or RECONCILE_PARTS),
            shopify_reconcile_dry_run=bool(payload.get("dry_run")),
        )
        # A failure is recorded in the run (Sync Runs); failing the job too would roll the run back.
        shop._run_sync("reconcile")
        return "done", None


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

    # ------------------------------------------------------------------------------------------------
    # Orders part (kind order_reconcile): record each Shopify order on its day's completeness report,
    # import the ones Odoo never saw; when the file ends each report turns green or red
    # ------------------------------------------------------------------------------------------------
    completeness_report_ids = fields.One2many(
        "shopify.completeness.report", "bulk_operation_id", string="Completeness Reports"
    )

    def _bulk_process_order_reconcile(self, batch):
        """Record the batch's orders on their day's report and backfill the ones Odoo lacks."""
        reports = self.completeness_report_ids.filtered(lambda report: report.state == "pending")
        if not reports:  # a newer check took the window over
            return 0
        by_day = {report.day: report for report in reports}
        zone = completeness.shop_zone(reports[0].timezone)
        by_report = defaultdict(dict)
        for node in batch:
            processed_at = timestamp(node.get("processedAt")) if not node.get("__orphan") else None
            report = by_day.get(completeness.local_day(processed_at, zone)) if processed_at else None
            if report is None or not node.get("id"):
                continue
            money = (node.get("totalPriceSet") or {}).get("shopMoney") or {}
            by_report[report][node["id"]] = [node.get("name"), money.get("amount") or "0"]
        gids = [gid for orders in by_report.values() for gid in orders]
        known = set(
            self.env["shopify.order.binding"]
            .sudo()
            .search([("shop_id", "=", self.shop_id.id), ("shopify_gid", "in", gids)])
            .mapped("shopify_gid")
        )
        for report, orders in by_report.items():
            report._add_shopify_orders(orders)
            missing = [gid for gid in orders if gid not in known]
            if missing and not report.dry_run:
                report._add_backfill_results({gid: self._backfill_order(gid) for gid in missing})
        return len(batch)

    def _backfill_order(self, gid):
        """Read one order whole and import it in a savepoint: None when imported, else the error text."""
        shop = self.shop_id
        try:
            with self.env.cr.savepoint():
                data = shop._shopify_client().execute("order_by_id", {"id": gid})
                if not data.get("order"):
                    return _("No longer exists on Shopify.")
                self.env["shopify.order.import"]._import_graphql(shop, data["order"])
        except Exception as error:  # one broken order is listed, never stops the others
            _logger.warning(
                "Shopify shop %s: backfill of order %s failed (%s)", shop.id, gid, type(error).__name__
            )
            return f"{type(error).__name__}: {error}"
        return None

    def _bulk_done_order_reconcile(self):
        """Once the whole result is processed (the runner calls it once, also after a resume)."""
        self.completeness_report_ids.filtered(lambda report: report.state == "pending")._finalize()

    def _bulk_refreshed_order_reconcile(self):
        if self.status in ENDED_WITHOUT_RESULT:
            pending = self.completeness_report_ids.filtered(lambda report: report.state == "pending")
            pending._mark_error(
                _(
                    "The bulk query ended %(status)s (%(error)s): run the reconciliation again.",
                    status=self.status,
                    error=self.error_code or self.error_message or "-",
                )
            )

    # ------------------------------------------------------------------------------------------------
    # Products part (kind product_reconcile): each bound product compared with Shopify; the three-way
    # merge applies the field policy, links that are missing on either side are reported
    # ------------------------------------------------------------------------------------------------
    def _product_reconcile_report(self):
        """The report this operation feeds (one is opened for an operation started some other way)."""
        self.ensure_one()
        Report = self.env["shopify.product.reconcile"].sudo()
        return Report.search([("bulk_operation_id", "=", self.id)], limit=1) or Report.create(
            {"shop_id": self.shop_id.id, "bulk_operation_id": self.id}
        )

    def _bulk_refreshed_product_reconcile(self):
        if self.status in ENDED_WITHOUT_RESULT:
            report = self._product_reconcile_report()
            if report.state == "running":
                report.write(
                    {
                        "state": "failed",
                        "ended_at": fields.Datetime.now(),
                        "error_message": self.error_message
                        or _("Shopify ended the bulk query as %s.", self.status),
                    }
                )

    @contextmanager
    def _bulk_processing_product_reconcile(self):
        """One processing run: the settings read once and the bindings seen, shared by its batches."""
        key = (self.env.cr.dbname, self.id)
        _RUNS[key] = _Run(self._product_reconcile_report(), self.shop_id)
        try:
            yield
        finally:
            _RUNS.pop(key, None)

    # The bulk runner's hooks (engine/bulk_operation.py): processing resumes after the last
    # committed batch, so the report is reset only on a first start, the bindings seen by the batches
    # already committed are seen again on a resume, and the report is closed once, after the last batch.
    def _bulk_start_product_reconcile(self):
        self._product_reconcile_report()._reset()

    def _bulk_skipped_product_reconcile(self, roots):
        run = _RUNS.get((self.env.cr.dbname, self.id))
        if run is None:
            return
        gids = []
        for root in roots:
            try:
                if not root.get("__orphan"):
                    node = reconcile_service.product_node(root)
                    gids.append(mapping.product_from_graphql(node, run.digits)["gid"])
            except (mapping.MappingError, KeyError, TypeError, ValueError):
                continue  # recorded as failed when its batch was processed
        for state in self._product_reconcile_states(gids).values():
            if state.active:
                run.seen.add(state.id)

    def _bulk_done_product_reconcile(self):
        run = _RUNS.get((self.env.cr.dbname, self.id)) or _Run(self._product_reconcile_report(), self.shop_id)
        self._product_reconcile_finish(run)

    # ------------------------------------------------------------------------------------------------
    # Products part: one batch
    # ------------------------------------------------------------------------------------------------
    def _bulk_process_product_reconcile(self, batch):
        run = _RUNS.get((self.env.cr.dbname, self.id))
        if run is None:  # called outside _process: a run of its own
            run = _Run(self._product_reconcile_report(), self.shop_id)
        Binding = self.env["shopify.product.binding"].sudo().with_context(active_test=False)
        counts = Counter()
        lines = []
        products = []
        for root in batch:
            try:
                if root.get("__orphan"):
                    raise mapping.MappingError(_("its product is not in Shopify's file"))
                counts["checked_count"] += 1
                node = reconcile_service.product_node(root)
                product = mapping.product_from_graphql(node, run.digits)
                products.append(mapping.round_weights(product, run.weight_digits))
            except (mapping.MappingError, KeyError, TypeError, ValueError) as error:
                _logger.warning(
                    "Shopify shop %s: reconciliation row %s unreadable", self.shop_id.id, root.get("id")
                )
                counts["failed_count"] += 1
                lines.append(
                    self._product_reconcile_error_line(run, root.get("id"), root.get("title"), error)
                )
        states = self._product_reconcile_states([product["gid"] for product in products])
        merged = False
        for product in products:
            state = states.get(product["gid"])
            if not state or not state.active:
                counts["unbound_count"] += 1
                binding = Binding.browse(state.id) if state else Binding
                lines.append(self._product_reconcile_unbound_line(run, product, binding))
                continue
            run.seen.add(state.id)
            base = state.synced_values
            shopify_unchanged = bool(base) and mapping.snapshot_hash_of(
                mapping.snapshot(product), run.rules
            ) == mapping.snapshot_hash_of(base, run.rules)
            if shopify_unchanged and state.export_pending:
                counts["pending_count"] += 1
                continue
            if shopify_unchanged and not state.odoo_written:
                counts["in_sync_count"] += 1
                continue
            binding = Binding.browse(state.id)
            merged = True
            try:
                with self.env.cr.savepoint():
                    count_name, line = self._product_reconcile_one(run, binding, product, shopify_unchanged)
            except Exception as error:  # one broken product never blocks the others
                _logger.warning(
                    "Shopify shop %s: product %s not reconciled (%s)",
                    self.shop_id.id,
                    product["gid"],
                    type(error).__name__,
                )
                count_name = "failed_count"
                line = self._product_reconcile_error_line(
                    run, product["gid"], product["fields"].get("title"), error, binding
                )
            counts[count_name] += 1
            if line:
                lines.append(line)
        if lines:
            self.env["shopify.product.reconcile.line"].sudo().create(lines)
        run.report._add_counts(counts)
        if merged:  # memory stays flat: what the merges loaded leaves the cache (already written)
            self.env.flush_all()
            self.env.invalidate_all()
        return len(batch) + sum(len(kids) for root in batch for kids in root.get("__children", {}).values())

    def _product_reconcile_states(self, gids):
        """`{gid: BindingState}` of this shop's bindings of `gids`, in one query: the snapshot of the last
        sync, and whether the Odoo product (template or a variant) was written since. Read without the
        ORM cache, so that memory and queries per batch stay the same however many batches come."""
        if not gids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT b.shopify_gid, b.id, b.active, b.export_pending, b.synced_values,
                   (b.synced_at IS NULL
                    -- subqueries, not a join: an index lookup per binding, never a scan of the catalog
                    OR (SELECT t.write_date FROM product_template t WHERE t.id = b.product_tmpl_id)
                       > b.synced_at
                    OR EXISTS (SELECT 1 FROM product_product p
                                WHERE p.product_tmpl_id = b.product_tmpl_id AND p.write_date > b.synced_at))
              FROM shopify_product_binding b
             WHERE b.shop_id = %s AND b.shopify_gid = ANY(%s)
            """,
            [self.shop_id.id, gids],
        )
        return {row[0]: reconcile_service.BindingState(*row[1:]) for row in self.env.cr.fetchall()}

    def _product_reconcile_one(self, run, binding, product, shopify_unchanged):
        """Check one product that may have drifted; `(count field, report line or None)`."""
        if shopify_unchanged:
            return self._product_reconcile_odoo_side(run, binding)
        dry_run = run.dry_run
        conflicts_before = binding.conflict_ids
        result = (
            self.env["shopify.product.binding"].sudo()._shopify_import(self.shop_id, product, dry_run=dry_run)
        )
        diffs = result["diffs"]
        if result["action"] == "skipped":
            return "in_sync_count", None  # Shopify's file is older than a version already applied
        if not diffs:
            return "in_sync_count", None
        conflicts = binding.conflict_ids - conflicts_before
        actions = []
        if any(side == "odoo" for *_values, side in diffs):
            actions.append(_("Would apply Shopify's values in Odoo") if dry_run else _("Applied in Odoo"))
        if any(side == "shopify" for *_values, side in diffs):
            exporting = binding.export_pending
            actions.append(
                _("Would re-export Odoo's values")
                if dry_run
                else (_("Re-export queued") if exporting else _("Odoo's values kept"))
            )
        for conflict in conflicts:
            actions.append(
                _(
                    "Conflict on %(field)s: %(winner)s won (%(policy)s)",
                    field=conflict.field_name,
                    winner=conflict.winner,
                    policy=conflict.policy,
                )
            )
        line = {
            "reconcile_id": run.report.id,
            "kind": "conflict" if conflicts else "drift",
            "binding_id": binding.id,
            "product_tmpl_id": binding.product_tmpl_id.id,
            "shopify_gid": product["gid"],
            "title": product["fields"].get("title"),
            "drifted": reconcile_service.describe_diffs(diffs),
            "action": "; ".join(actions),
        }
        return ("conflict_count" if conflicts else "drift_count"), line

    def _product_reconcile_odoo_side(self, run, binding):
        """Shopify holds the last synced values but Odoo was written since: export what really changed."""
        current = mapping.snapshot(binding._shopify_odoo_product())
        base = binding.synced_values or {}
        flat = mapping.flatten(current)
        diffs = [
            (key[0], key[1], flat[key], None, "shopify")
            for key in mapping.changed_fields(base, current)
            if key[1] in run.export_fields
        ]
        if set(current["variants"]) != set(base.get("variants", {})):
            diffs.append(("product", "variants", sorted(current["variants"]), None, "shopify"))
        if not diffs:
            return "in_sync_count", None
        if not run.dry_run:
            binding._mark_for_export()
        line = {
            "reconcile_id": run.report.id,
            "kind": "drift",
            "binding_id": binding.id,
            "product_tmpl_id": binding.product_tmpl_id.id,
            "shopify_gid": binding.shopify_gid,
            "title": binding.product_tmpl_id.name,
            "drifted": reconcile_service.describe_diffs(diffs),
            "action": _("Would export Odoo's values") if run.dry_run else _("Export queued"),
        }
        return "drift_count", line

    def _product_reconcile_unbound_line(self, run, product, binding):
        return {
            "reconcile_id": run.report.id,
            "kind": "unbound",
            "binding_id": binding.id if binding else False,
            "product_tmpl_id": binding.product_tmpl_id.id if binding else False,
            "shopify_gid": product["gid"],
            "title": product["fields"].get("title"),
            "action": _("Reported: its link is archived") if binding else _("Reported: import or link it"),
        }

    def _product_reconcile_error_line(self, run, gid, title, error, binding=None):
        return {
            "reconcile_id": run.report.id,
            "kind": "error",
            "binding_id": binding.id if binding else False,
            "product_tmpl_id": binding.product_tmpl_id.id if binding else False,
            "shopify_gid": gid,
            "title": title,
            "action": str(error)[:500] or type(error).__name__,
        }

    # ------------------------------------------------------------------------------------------------
    # Products part: after the last batch
    # ------------------------------------------------------------------------------------------------
    def _product_reconcile_finish(self, run):
        """Report linked products Shopify did not list and products never exported; close the report."""
        report = run.report
        counts = Counter()
        Line = self.env["shopify.product.reconcile.line"].sudo()
        self.env.flush_all()
        last_id = 0
        while True:
            self.env.cr.execute(
                """
                SELECT id, product_tmpl_id, shopify_gid, export_pending
                  FROM shopify_product_binding
                 WHERE shop_id = %s AND active AND id > %s
                 ORDER BY id
                 LIMIT %s
                """,
                [self.shop_id.id, last_id, ID_CHUNK],
            )
            rows = self.env.cr.fetchall()
            if not rows:
                break
            last_id = rows[-1][0]
            lines = []
            for binding_id, template_id, gid, export_pending in rows:
                if gid and binding_id in run.seen:
                    continue
                kind = "gone" if gid else "unexported"
                counts[f"{kind}_count"] += 1
                if gid:
                    action = _("Reported: deleted on Shopify or unpublished from this app")
                elif export_pending:
                    action = _("Reported: waiting in the export queue")
                else:
                    action = _("Reported: publish it")
                lines.append(
                    {
                        "reconcile_id": report.id,
                        "kind": kind,
                        "binding_id": binding_id,
                        "product_tmpl_id": template_id,
                        "shopify_gid": gid or False,
                        "action": action,
                    }
                )
            if lines:
                Line.create(lines)
        report._add_counts(counts)
        report.write({"state": "done", "ended_at": fields.Datetime.now()})
        self._product_reconcile_to_sync_log(report)
        _logger.info(
            "Shopify shop %s: product reconciliation %s: %s read, %s in sync, %s drifted, %s conflicts, "
            "%s failed, %s not linked, %s missing on Shopify, %s never exported%s",
            self.shop_id.id,
            report.id,
            report.checked_count,
            report.in_sync_count,
            report.drift_count,
            report.conflict_count,
            report.failed_count,
            report.unbound_count,
            report.gone_count,
            report.unexported_count,
            " (dry run)" if report.dry_run else "",
        )

    def _product_reconcile_to_sync_log(self, report):
        """Add the report's counts to the sync run that started it (closed before Shopify finished)."""
        run = report.sync_log_id.sudo()
        if not run:
            return
        run.write(
            {
                "ok_count": run.ok_count
                + report.in_sync_count
                + report.pending_count
                + report.drift_count
                + report.conflict_count,
                "failed_count": run.failed_count + report.failed_count,
                "skipped_count": run.skipped_count
                + report.unbound_count
                + report.gone_count
                + report.unexported_count,
            }
        )

    # ------------------------------------------------------------------------------------------------
    # Inventory part (kind inventory_reconcile): flat batches of level lines (a location may hold the
    # whole catalog); when the file ends, unseen pairs count as not stocked and the report closes
    # ------------------------------------------------------------------------------------------------
    inventory_drift_ids = fields.One2many(
        "shopify.inventory.drift", "bulk_operation_id", string="Drift Reports"
    )

    def _bulk_process_inventory_reconcile(self, batch):
        """Compare one batch of result lines (locations and levels) with Odoo; returns the lines handled."""
        drift = self.inventory_drift_ids.filtered(lambda report: report.state == "running")[:1]
        shop = self.shop_id
        if not drift:
            return len(batch)
        name = shop.inventory_quantity_name
        locations = {
            location.shopify_gid: location for location in shop.shopify_location_ids.filtered("is_mapped")
        }
        remote_by_location = defaultdict(dict)
        for line in batch:
            location = locations.get(line.get("__parentId"))
            item = line.get("item") or {}
            if location and item.get("id"):
                remote_by_location[location][item["id"]] = (
                    bool(item.get("tracked")),
                    inventory_service.quantity_by_name(line.get("quantities"), name),
                )
        Binding = self.env["shopify.variant.binding"].sudo()
        for location, remote in remote_by_location.items():
            bindings = Binding.search([("shop_id", "=", shop.id), ("inventory_item_gid", "in", list(remote))])
            if bindings:
                shop._inventory_compare(drift, shop._inventory_levels_for(location, bindings), remote)
        return len(batch)

    def _bulk_done_inventory_reconcile(self):
        for drift in self.inventory_drift_ids.filtered(lambda report: report.state == "running"):
            drift.shop_id._inventory_compare_unseen(drift)
            drift.shop_id._inventory_reconcile_finish(drift)

    def _bulk_refreshed_inventory_reconcile(self):
        if self.status in ENDED_WITHOUT_RESULT:
            self.inventory_drift_ids.filtered(lambda report: report.state == "running").write(
                {"state": "failed"}
            )
