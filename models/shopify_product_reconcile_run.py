"""Daily product reconciliation: every bound product checked against Shopify through one bulk query.

`shop._reconcile()` (the 02:00 cron, or the "Run reconciliation now" wizard) starts the bulk query
`bulk_product_reconcile` and opens a `shopify.product.reconcile` report. When Shopify has written the
file (finish webhook or poll), `_bulk_process_product_reconcile` reads it batch by batch:

- a product whose mapped values equal the last synced snapshot, and whose Odoo side was not written
  since, is in sync (no per-row query: bindings of a batch are read with one search, Odoo writes
  with one SQL query);
- otherwise the existing three-way merge applies the field policy (direction, conflict policy): Shopify
  values land in Odoo, Odoo-owned values are re-exported (marked, queued), conflicts recorded;
- Shopify products without a link, linked products Shopify no longer has and products to publish that
  were never exported are reported.

With `shopify_reconcile_dry_run` in the context the report is all that is written.
"""

import logging
from collections import Counter
from contextlib import contextmanager

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..services import reconcile as reconcile_service
from ..services.errors import ShopifyError
from ..services.mapping import products as mapping
from .shopify_access import USER, check_shopify_access
from .shopify_bulk_operation import ACTIVE_STATUSES

_logger = logging.getLogger(__name__)

KIND = "product_reconcile"
DOCUMENT = "bulk_product_reconcile"
ID_CHUNK = 5000  # bindings read per query when looking for the ones Shopify did not list
FINAL_STATUSES = ("failed", "canceled", "expired")

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


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    product_reconcile_ids = fields.One2many(
        "shopify.product.reconcile", "shop_id", string="Product Reconciliations"
    )

    def _reconcile_part_products(self):
        """The products part of the daily reconciliation: start it (the result comes with Shopify's file)."""
        if self.state == "draft":  # never connected: no credentials
            return {}
        return self._product_reconcile_start()

    def _product_reconcile_start(self):
        """Start the bulk query and open the report; returns counts for the sync run."""
        self.ensure_one()
        Report = self.env["shopify.product.reconcile"].sudo()
        Bulk = self.env["shopify.bulk.operation"].sudo()
        values = {
            "shop_id": self.id,
            "sync_log_id": self._current_sync_log().id or False,
            "dry_run": self._reconcile_dry_run(),
        }
        busy = Bulk.search_count(
            [
                ("shop_id", "=", self.id),
                ("kind", "=", KIND),
                "|",
                ("status", "in", ACTIVE_STATUSES),
                "&",
                ("status", "=", "completed"),
                ("processed", "=", False),
            ]
        )
        if busy:
            Report.create(
                {
                    **values,
                    "state": "failed",
                    "ended_at": fields.Datetime.now(),
                    "error_message": _(
                        "The previous product reconciliation of this shop has not finished yet; this one "
                        "was not started."
                    ),
                }
            )
            return {"skipped": 1}
        try:
            with self.env.cr.savepoint():
                operation = Bulk._start_query(self, KIND, DOCUMENT)
        except (ShopifyError, UserError) as error:
            _logger.warning(
                "Shopify shop %s: product reconciliation not started (%s)", self.id, type(error).__name__
            )
            Report.create(
                {**values, "state": "failed", "ended_at": fields.Datetime.now(), "error_message": str(error)}
            )
            return {"failed": 1}
        Report.create({**values, "bulk_operation_id": operation.id})
        return {}

    def action_view_product_reconciliations(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_product_reconcile"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        return action


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

    def _product_reconcile_report(self):
        """The report this operation feeds (one is opened for an operation started some other way)."""
        self.ensure_one()
        Report = self.env["shopify.product.reconcile"].sudo()
        return Report.search([("bulk_operation_id", "=", self.id)], limit=1) or Report.create(
            {"shop_id": self.shop_id.id, "bulk_operation_id": self.id}
        )

    def _bulk_refreshed_product_reconcile(self):
        if self.status in FINAL_STATUSES:
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

    # The bulk runner's hooks (models/shopify_bulk_operation.py): processing resumes after the last
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
    # One batch of products
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
    # After the last batch
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
