"""Customer handlers named in the work registry: `customers/*` deliveries (lowest queue priority)."""

from odoo import _, models

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
