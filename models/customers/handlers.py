"""Customer handlers named in the work registry: `customers/*` deliveries and the export jobs (lowest
queue priority)."""

from odoo import _, models
from odoo.exceptions import UserError

from ...services.mapping import customers as mapping


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_import_customer_payload(self, payload):
        _binding, action = self.env["shopify.customer.import"]._import(
            self.shop_id, mapping.customer_from_rest(payload)
        )
        if action == "nothing":
            return "skipped", _("An older version of the customer than the one applied: ignored.")
        return "done", None

    def _shopify_webhook_customers_create(self, payload):
        return self._shopify_import_customer_payload(payload)

    def _shopify_webhook_customers_update(self, payload):
        return self._shopify_import_customer_payload(payload)

    def _shopify_webhook_customers_delete(self, payload):
        outcome = self.env["shopify.customer.import"]._delete(self.shop_id, mapping.customer_gid(payload))
        if outcome == "nothing":
            return "skipped", _("No contact was linked to this Shopify customer.")
        return "done", None

    def _shopify_webhook_customers_merge(self, payload):
        merge = mapping.merge_from_rest(payload)
        if not merge["completed"]:
            return "skipped", _("Shopify's merge did not complete: nothing to follow.")
        self.env["shopify.customer.import"]._merge(self.shop_id, merge["kept"], merge["deleted"])
        return "done", None


class ShopifyQueueJob(models.Model):
    _inherit = "shopify.queue.job"

    def _shopify_job_customer_export(self):
        """A linked contact changed in Odoo: merge with Shopify's current customer and send what wins."""
        binding = self.env["shopify.customer.binding"].sudo().browse(self.payload.get("binding_id")).exists()
        if not binding or not binding.export_pending:
            return "skipped", _("Nothing waits to be exported for this contact any more.")
        if not binding.shop_id.customer_export_enabled:
            return "skipped", _("The shop no longer exports contacts.")
        client = binding.shop_id._shopify_client(for_write=True)
        self.env["shopify.customer.export"]._export_binding(binding, client)
        return "done", None

    def _shopify_job_customer_sync(self):
        """The shop's button: the scheduled customer sync (poll, then export), now."""
        run = self.shop_id._run_sync("customers")
        if run.state == "failed":
            raise UserError(run.error_summary or _("The customer sync failed."))
        return "done", _(
            "%(ok)s customers synced, %(failed)s failed.", ok=run.ok_count, failed=run.failed_count
        )
