"""Queue and webhook entry points of the product sync (thin: the work is on the binding)."""

from odoo import _, models
from odoo.exceptions import UserError

from ..services.mapping import products as mapping


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
