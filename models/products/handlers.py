"""Product handlers named in the work registry: product webhooks, export jobs, and the bulk import /
bulk export operations.
"""

import logging

from odoo import _, fields, models
from odoo.exceptions import UserError

from ...services.errors import ShopifyError
from ...services.mapping import products as mapping
from ..core.sync_state import PRODUCT_POLL
from ..engine.bulk_operation import ENDED_WITHOUT_RESULT

_logger = logging.getLogger(__name__)


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

    # ------------------------------------------------------------------------------------------------
    # Bulk export (kind product_export): the answers of one bulk productSet mutation
    # ------------------------------------------------------------------------------------------------
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
            code = f" ({self.error_code})" if self.error_code else ""  # outside _(): see the term extractor
            self._release_export_bindings(
                _(
                    "The bulk export %(operation)s ended %(status)s%(code)s: the product stays marked and "
                    "is sent again by the next export.",
                    operation=self.operation_gid,
                    status=self.status,
                    code=code,
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

    # ------------------------------------------------------------------------------------------------
    # Bulk read before a bulk export (kind product_export_read): Shopify's current values of the held
    # products read by one bulk query, merged three-way, then the export's bulk mutation is started
    # ------------------------------------------------------------------------------------------------
    def _bulk_process_product_export_read(self, batch):
        """Merge the current values of the products this read holds (the others of the catalog are
        passed over), each in a savepoint: one that cannot be merged is recorded and not exported."""
        shop = self.shop_id
        held = self.env["shopify.product.binding"].search(
            [
                ("bulk_export_operation_id", "=", self.id),
                ("shopify_gid", "in", [obj.get("id") for obj in batch if obj.get("id")]),
            ]
        )
        by_gid = {binding.shopify_gid: binding for binding in held}
        digits = shop._shopify_currency_digits() if by_gid else None
        rows = 0
        for obj in batch:
            children = obj.get("__children") or {}
            rows += 1 + sum(len(kids) for kids in children.values())
            binding = by_gid.get(obj.get("id"))
            if not binding:
                continue
            node = dict(obj, variants={"nodes": children.get("ProductVariant", [])})
            try:
                with self.env.cr.savepoint():
                    binding._shopify_merge_before_export(mapping.product_from_graphql(node, digits))
            except (UserError, mapping.MappingError) as error:
                binding._shopify_record_failure(error)
                binding.sudo().bulk_export_operation_id = False
        return rows

    def _bulk_done_product_export_read(self):
        """Every held product read and merged (a bound one Shopify no longer has is sent as the paged
        path sends it): start the export's bulk mutation, which holds them from now on."""
        bindings = self.sudo().export_binding_ids
        if not bindings:
            return
        try:
            self.shop_id._shopify_send_product_bulk_export(bindings, merged=True)
        except UserError as error:
            bindings._shopify_bulk_export_failed(str(error))
            return
        # What did not fit the variables file waits, still marked, for the next export.
        self.sudo().export_binding_ids.write({"bulk_export_operation_id": False})

    def _bulk_refreshed_product_export_read(self):
        if self.status in ENDED_WITHOUT_RESULT:
            self.sudo().export_binding_ids._shopify_bulk_export_failed(
                _(
                    "Reading Shopify's current values (bulk query %(operation)s) ended %(status)s: the "
                    "product stays marked and is sent again by the next export.",
                    operation=self.operation_gid,
                    status=self.status,
                )
            )

    # ------------------------------------------------------------------------------------------------
    # Bulk import (kind product_import): the first import of a large catalog
    # ------------------------------------------------------------------------------------------------
    def _bulk_process_product_import(self, batch):
        """First import of a large catalog: each product of the bulk result (variants joined as
        children) goes through the same import as the poll, in its own savepoint; a product that
        fails or is ambiguous is recorded as a line error and the others carry on."""
        shop = self.shop_id
        digits = shop._shopify_currency_digits()
        Binding = self.env["shopify.product.binding"]
        rows = 0
        for obj in batch:
            children = obj.get("__children") or {}
            rows += 1 + sum(len(kids) for kids in children.values())
            node = dict(obj, variants={"nodes": children.get("ProductVariant", [])})
            try:
                product = mapping.product_from_graphql(node, digits)
                with self.env.cr.savepoint():
                    result = Binding._shopify_import(shop, product)
                problem = result["message"] if result["action"] == "ambiguous" else None
            except (ShopifyError, UserError, mapping.MappingError) as error:
                _logger.warning(
                    "Shopify shop %s: product %s not imported (%s)",
                    shop.id,
                    obj.get("id"),
                    type(error).__name__,
                )
                problem = str(error)
            if problem:
                self._record_product_import_problem(obj, problem)
        # Memory stays flat over a large catalog: what the imports loaded leaves the cache (written).
        self.env.flush_all()
        self.env.invalidate_all()
        return rows

    def _record_product_import_problem(self, obj, problem):
        self.env["shopify.bulk.line.error"].create(
            {
                "operation_id": self.id,
                "line_number": -1,  # a query result has no line numbers; the product is named instead
                "message": _(
                    "%(title)s (%(gid)s): %(problem)s",
                    title=obj.get("title"),
                    gid=obj.get("id"),
                    problem=problem,
                ),
            }
        )
        self.line_error_count += 1


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_product_export(self):
        """Immediate export of one marked binding (queued by change tracking, one pending job each).

        Many products marked at once (e.g. a mass price change) go as one bulk export, started by the
        first of their jobs; the others find their product held by it and are skipped."""
        binding = self.env["shopify.product.binding"].browse((self.payload or {}).get("binding_id")).exists()
        if binding and binding.export_pending and binding.active and not binding.bulk_export_operation_id:
            shop = binding.shop_id
            waiting = shop._shopify_export_waiting()
            if shop._shopify_product_export_uses_bulk(len(waiting)):
                shop._shopify_try_product_bulk_export(waiting)
        if binding.bulk_export_operation_id:
            return "skipped", _(
                "Sent with the bulk export %s: its answer is applied when it completes.",
                binding.bulk_export_operation_id.operation_gid,
            )
        if not binding or not binding.export_pending or not binding.active:
            return "skipped", _("Nothing left to export for this product.")
        # Errors propagate: the queue retries what is retryable; the binding stays marked meanwhile.
        binding._shopify_export()
        return "done", None


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_webhook_products_create(self, payload):
        return self._shopify_import_product_payload(payload)

    def _shopify_webhook_products_update(self, payload):
        return self._shopify_import_product_payload(payload)

    def _shopify_webhook_products_delete(self, payload):
        gid = mapping.product_gid_from_rest(payload)
        binding = self.env["shopify.product.binding"]._shopify_archive_deleted(self.shop_id, gid)
        if not binding:
            return "skipped", _("This Shopify product is not linked to Odoo.")
        return "done", None

    def _shopify_import_product_payload(self, payload):
        shop = self.shop_id
        product = mapping.product_from_rest(payload, shop._shopify_currency_digits())
        result = self.env["shopify.product.binding"]._shopify_import(shop, product)
        if result["action"] == "ambiguous":
            raise UserError(result["message"])
        if result["action"] in ("skipped", "nothing"):
            return "skipped", result.get("message") or _("Odoo already holds this version.")
        return "done", None
