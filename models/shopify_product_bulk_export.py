"""Large exports as one bulk mutation: when more products wait for export than the
`shopify_sync.product_bulk_export_threshold` parameter, their `productSet` calls (the same variables,
keyed by customId or GID, as the batch export builds) go to Shopify as one `bulkOperationRunMutation`
instead of batch by batch.

While the operation runs, its bindings stay marked for export and are held by it: the immediate export
jobs and the scheduled export leave them alone. When it completes (webhook or poll), each result line
is matched back to its binding by `__lineNumber`: a product Shopify accepted gets its GIDs and its synced
snapshot (the values sent, kept on the binding at start: Odoo may have changed meanwhile); a rejected
one shows the error on its binding and stays marked, so a later run retries it. An operation that
fails, is canceled or is forgotten by Shopify releases its bindings, still marked.
"""

import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.errors import ShopifyError
from ..services.mapping import products as mapping
from .shopify_bulk_operation import ACTIVE_STATUSES
from .shopify_sync_state import PRODUCT_POLL

_logger = logging.getLogger(__name__)

BULK_EXPORT_THRESHOLD_PARAM = "shopify_sync.product_bulk_export_threshold"
DEFAULT_BULK_EXPORT_THRESHOLD = 250
BULK_EXPORT_KIND = "product_export"
ENDED_WITHOUT_RESULT = ("failed", "canceled", "expired")
# Shopify takes a variables file of at most 100 MB (facts §3); what does not fit waits for the next run.
MAX_VARIABLES_BYTES = 90 * 1024 * 1024


class ShopifyProductBinding(models.Model):
    _inherit = "shopify.product.binding"

    bulk_export_operation_id = fields.Many2one(
        "shopify.bulk.operation",
        string="Exported by Bulk Operation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The bulk export this product was sent with and whose answer is awaited.",
    )
    bulk_export_values = fields.Json(
        copy=False, readonly=True, help="Snapshot of the values sent with the running bulk export."
    )

    @api.model
    def _shopify_import_awaits_bulk_export(self, shop, product, dry_run=False):
        """The import's answer while a bulk export of the shop awaits its answers (None otherwise).

        A Shopify product not linked yet may then be one the export created (its `products/create` echo,
        or the poll reading it): it is left for later instead of being matched or created a second time.
        The poll reads it again once the answers are applied (its watermark is moved back to the start of
        the export)."""
        if not dry_run and product.get("gid") and shop._shopify_product_export_in_flight():
            linked = (
                self.sudo()
                .with_context(active_test=False)
                .search_count([("shop_id", "=", shop.id), ("shopify_gid", "=", product["gid"])])
            )
            if not linked:
                return {
                    "action": "skipped",
                    "binding": self.browse(),
                    "diffs": [],
                    "message": _(
                        "A bulk export to this shop awaits its answers and may have created this product: it "
                        "is read again once they are applied."
                    ),
                }
        return None

    def _shopify_bulk_export_answered(self, remote):
        """A successful line of the bulk export: GIDs and snapshot stored as for a direct export."""
        self.ensure_one()
        if not remote:
            raise UserError(
                _("Shopify accepted %s but returned no product.", self.product_tmpl_id.display_name)
            )
        sent = self.bulk_export_values
        self._shopify_record_export(remote, self._shopify_odoo_product(), sent=sent)
        self.sudo().write({"bulk_export_operation_id": False, "bulk_export_values": False})

    def _shopify_bulk_export_failed(self, message):
        """A rejected line: the error on the binding, which stays marked for the next run."""
        for binding in self:
            binding._shopify_record_failure(UserError(message))
        self.sudo().write({"bulk_export_operation_id": False, "bulk_export_values": False})


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    def _shopify_product_export_in_flight(self):
        """Whether a bulk export of this shop has been sent and its answers are not applied yet."""
        self.ensure_one()
        return bool(
            self.env["shopify.bulk.operation"]
            .sudo()
            .search_count(
                [
                    ("shop_id", "=", self.id),
                    ("kind", "=", BULK_EXPORT_KIND),
                    "|",
                    ("status", "in", ACTIVE_STATUSES),
                    "&",
                    ("status", "=", "completed"),
                    ("processed", "=", False),
                ],
                limit=1,
            )
        )

    def _shopify_product_export_uses_bulk(self, count):
        """Whether exporting `count` products should run as one bulk mutation."""
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(BULK_EXPORT_THRESHOLD_PARAM, DEFAULT_BULK_EXPORT_THRESHOLD)
        )
        return count > threshold

    def _shopify_export_waiting(self):
        """Bindings marked for export and not held by a running bulk export, in export order."""
        self.ensure_one()
        return self.env["shopify.product.binding"].search(
            [
                ("shop_id", "=", self.id),
                ("export_pending", "=", True),
                ("active", "=", True),
                ("bulk_export_operation_id", "=", False),
            ],
            order="export_priority, odoo_changed_at, id",
        )

    def _shopify_export_marked(self):
        """The scheduled export: one bulk mutation when more products wait than the threshold (if it
        cannot start, batch by batch as usual), else batch by batch within the API budget."""
        self.ensure_one()
        waiting = self._shopify_export_waiting()
        if self._shopify_product_export_uses_bulk(len(waiting)):
            started = self._shopify_try_product_bulk_export(waiting)
            if started is not None:
                failed = started[1]
                return {"exported": 0, "failed": failed, "left": len(waiting) - failed, "points": 0.0}
        return self._shopify_export_pending(waiting)

    def _shopify_try_product_bulk_export(self, bindings):
        """`_shopify_start_product_bulk_export`, or None (logged) when it cannot start: the caller then
        exports batch by batch."""
        try:
            return self._shopify_start_product_bulk_export(bindings)
        except UserError as error:
            _logger.warning(
                "Shopify shop %s: bulk export not started, exporting batch by batch (%s)",
                self.id,
                type(error).__name__,
            )
            return None

    def _shopify_start_product_bulk_export(self, bindings):
        """Send `bindings` as one bulk mutation of productSet; `(operation or None, failures)`.

        Each product is prepared as for the batch export (Shopify's current values of a bound product
        read and merged first, then the productSet variables); one that cannot be prepared is recorded
        on its binding and left out. Raises UserError when the operation cannot be started (nothing is
        then held)."""
        self.ensure_one()
        bindings = bindings.filtered(lambda binding: not binding.bulk_export_operation_id)
        client = self._shopify_client(for_write=True)
        try:
            self._shopify_ensure_custom_id_definition(client)
        except ShopifyError as error:
            raise UserError(_("The bulk export cannot start: %s", error)) from error
        rows, failed, size = [], 0, 0
        for chunk, _read_cost in self._shopify_export_chunks(bindings):
            if size >= MAX_VARIABLES_BYTES:
                break
            try:
                current = self._shopify_read_current(chunk, client)
            except ShopifyError as error:
                # Without Shopify's current values the export could overwrite a change made there.
                for binding in chunk.filtered("shopify_gid"):
                    binding._shopify_record_failure(error)
                    failed += 1
                chunk = chunk.filtered(lambda binding: not binding.shopify_gid)
                current = {}
            for binding in chunk:
                try:
                    with self.env.cr.savepoint():
                        remote = current.get(binding.shopify_gid) if binding.shopify_gid else None
                        if remote is not None:
                            binding._shopify_merge_before_export(remote)
                        variables = binding._shopify_product_set_variables()
                except (UserError, mapping.MappingError) as error:
                    binding._shopify_record_failure(error)
                    failed += 1
                    continue
                line_size = len(json.dumps(variables, separators=(",", ":"))) + 1
                if size + line_size > MAX_VARIABLES_BYTES:
                    size = MAX_VARIABLES_BYTES
                    break
                size += line_size
                rows.append((binding, variables))
        if not rows:
            return None, failed
        try:
            operation = self.env["shopify.bulk.operation"]._start_mutation(
                self, BULK_EXPORT_KIND, "product_set", rows
            )
        except ShopifyError as error:
            _logger.warning("Shopify shop %s: bulk export not started (%s)", self.id, type(error).__name__)
            raise UserError(_("The bulk export could not be started on Shopify: %s", error)) from error
        for binding, _variables in rows:
            binding.sudo().write(
                {
                    "bulk_export_operation_id": operation.id,
                    "bulk_export_values": mapping.snapshot(binding._shopify_odoo_product()),
                }
            )
        _logger.info(
            "Shopify shop %s: bulk export %s started for %s products", self.id, operation.id, len(rows)
        )
        return operation, failed


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

    export_binding_ids = fields.One2many(
        "shopify.product.binding", "bulk_export_operation_id", string="Products Awaiting the Answer"
    )

    def _bulk_result_product_export(self, binding, result):
        payload = (result.get("data") or {}).get("productSet") or {}
        binding._shopify_bulk_export_answered(payload.get("product"))

    def _bulk_error_product_export(self, binding, messages):
        binding._shopify_bulk_export_failed("\n".join(messages))

    def _bulk_done_product_export(self):
        # Runs once after the last batch (never after an interrupted run): a line Shopify never answered
        # leaves its product marked for the next run.
        self._release_export_bindings(_("Shopify returned no result for this product."))

    def _bulk_refreshed_product_export(self):
        if self.status in ENDED_WITHOUT_RESULT:
            self._release_export_bindings(
                _(
                    "The bulk export %(operation)s ended %(status)s%(code)s: the product stays marked and "
                    "is sent again by the next export.",
                    operation=self.operation_gid,
                    status=self.status,
                    code=f" ({self.error_code})" if self.error_code else "",
                )
            )

    def _release_export_bindings(self, message):
        bindings = self.sudo().export_binding_ids
        if bindings:
            bindings._shopify_bulk_export_failed(message)
        # Products read while the answers were awaited were left for later: the poll reads them again.
        state = self.env["shopify.sync.state"]._find(self.shop_id, PRODUCT_POLL)
        if state.watermark and state.watermark > self.create_date:
            state.watermark = self.create_date
