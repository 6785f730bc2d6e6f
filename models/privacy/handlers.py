"""Privacy handlers named in the work registry: Shopify's three mandatory compliance webhooks.

Each delivery is HMAC-verified by the ingress like any other, stored once, and handled by the queue;
each handler is idempotent (a redelivery finds the request it made, or nothing left to erase) and writes
one privacy log row. Once handled, the delivery's own body keeps ids only.
"""

import json

from odoo import _, models

from ...services.mapping import privacy as mapping


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_privacy_strip_body(self, payload):
        """The delivery's body names the customer (e-mail, phone): once handled, only its ids stay."""
        self.sudo().raw_body = json.dumps(mapping.redacted_body(self.topic, payload))

    def _shopify_webhook_customers_data_request(self, payload):
        request = mapping.data_request_from_rest(payload)
        record, created = self.env["shopify.privacy.request"].sudo()._receive(self.shop_id, request, self)
        customer = request["customer"]["gid"]
        if created:
            summary = _(
                "Data request received: file with %(orders)s order(s) of the customer attached to "
                "%(request)s, due %(due)s.",
                orders=len(record._customer_records(self.shop_id, customer, request["order_gids"])[1]),
                request=record.name,
                due=record.due_date,
            )
        else:
            summary = _("Data request received again: %s already exists, nothing done.", record.name)
        self.env["shopify.privacy.log"]._record(
            self.shop_id,
            self.topic,
            summary,
            {"request_id": record.id, "created": created},
            customer_gid=customer,
            request=record,
            event=self,
        )
        self._shopify_privacy_strip_body(payload)
        return "done", None

    def _shopify_webhook_customers_redact(self, payload):
        request = mapping.customer_redact_from_rest(payload)
        customer = request["customer"]
        done = self.env["shopify.privacy.redaction"]._redact_customer(
            self.shop_id, customer, request["order_gids"], self
        )
        summary = _(
            "Customer redacted: %(bindings)s binding(s) removed, %(anonymised)s contact(s) anonymised, "
            "%(kept)s contact(s) kept and only unlinked (other business), %(payloads)s order payload(s) and "
            "%(bodies)s webhook body(ies) purged, %(files)s data file(s) deleted. Sale orders and invoices "
            "keep their amounts.",
            bindings=done["bindings_removed"],
            anonymised=len(done["contacts_anonymised"]),
            kept=len(done["contacts_kept"]),
            payloads=done["order_payloads_purged"],
            bodies=done["webhook_bodies_redacted"],
            files=done["data_files_deleted"],
        )
        self.env["shopify.privacy.log"]._record(
            self.shop_id, self.topic, summary, done, customer_gid=customer["gid"], event=self
        )
        self._shopify_privacy_strip_body(payload)
        return "done", None

    def _shopify_webhook_shop_redact(self, payload):
        mapping.shop_redact_from_rest(payload)
        shop = self.shop_id
        deleted = self.env["shopify.privacy.redaction"]._redact_shop(shop, self)
        summary = _(
            "Shop redacted: %(count)s Shopify record(s) deleted, secrets cleared, shop archived. Odoo's "
            "business documents are kept.",
            count=sum(count for count in deleted.values() if isinstance(count, int)),
        )
        self.env["shopify.privacy.log"]._record(shop, self.topic, summary, deleted, event=self)
        return "done", None
