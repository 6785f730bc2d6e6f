"""Erasure for Shopify's `customers/redact` and `shop/redact`.

customers/redact — one customer of one shop:
* The customer's personal data goes from this shop's Shopify records: their binding, the stored payloads
  of their orders, every webhook body of the shop naming them (replaced by a stub of ids; a delivery not
  yet processed is skipped), the data files of their data requests.
* Their Odoo contact (and its child addresses) is anonymised in place — name replaced, e-mail, phone and
  address lines emptied — so the sale orders and invoices keep their amounts, numbers and taxes (accounting
  retention) and now point at an anonymous contact. A contact that also does business elsewhere (another
  shop's binding, sale orders that are not this shop's, documents of another company, a user) is only
  unlinked from this shop: its other relationships are a legal basis to keep it.
* Run twice, the second run finds nothing left to do.

shop/redact — 48 hours after the app was uninstalled:
* Every record the addon keeps for that shop is deleted (bindings, webhook events and their bodies, jobs,
  API call logs, bulk operations, sync states and their tokens, mappings, conflicts, reports); the shop's
  access token and client secret are cleared; Odoo's business documents (sale orders, invoices, products,
  contacts, stock) stay. The shop is archived with a note; the privacy log keeps what was done.
"""

import json
import logging

from odoo import _, api, fields, models

from ...services.gid import numeric_id
from ...services.mapping.privacy import redacted_body

_logger = logging.getLogger(__name__)

# Address and identity fields emptied on an anonymised contact.
ERASED_PARTNER_FIELDS = (
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "company_name",
    "vat",
    "ref",
    "website",
    "function",
    "comment",
)

# Models a shop redaction keeps: the shop itself (archived) and the privacy records (the proof).
KEPT_ON_SHOP_REDACT = {"shopify.shop", "shopify.privacy.request", "shopify.privacy.log"}


class ShopifyPrivacyRedaction(models.AbstractModel):
    _name = "shopify.privacy.redaction"
    _description = "Shopify Privacy Redaction"

    # ------------------------------------------------------------------------------------------------
    # customers/redact
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _redact_customer(self, shop, customer, order_gids, event=None):
        """Erase `customer` ({"gid", "email", "phone"}) from `shop`; returns what was done (counts, ids)."""
        shop = shop.sudo()
        Request = self.env["shopify.privacy.request"].sudo()
        bindings = self.env["shopify.customer.binding"].sudo()._for_gid(shop, customer["gid"])
        partners, order_bindings = Request._customer_records(shop, customer["gid"], order_gids)
        contacts = partners | partners.child_ids
        # What identifies the customer in stored text, read before the contacts lose it.
        needles = {customer["email"], customer["phone"]}
        for contact in contacts:
            needles |= {contact.name, contact.email, contact.phone, contact.mobile}
        needles = {needle.strip() for needle in needles if needle and len(needle.strip()) >= 4}
        done = {
            "order_payloads_purged": self._purge_order_payloads(order_bindings),
            "webhook_bodies_redacted": self._redact_webhook_bodies(shop, customer, needles, event),
            "data_files_deleted": self._erase_data_requests(shop, customer["gid"]),
            "bindings_removed": len(bindings),
            "contacts_anonymised": [],
            "contacts_kept": {},
        }
        bindings.unlink()
        for partner in partners:
            reason = self._other_business(shop, partner)
            if reason:
                done["contacts_kept"][str(partner.id)] = reason
            else:
                self._anonymise(partner)
                done["contacts_anonymised"].append(partner.id)
        return done

    @api.model
    def _purge_order_payloads(self, order_bindings):
        with_payload = order_bindings.filtered("payload")
        with_payload.write({"payload": False})
        return len(with_payload)

    @api.model
    def _redact_webhook_bodies(self, shop, customer, needles, event):
        """Replace, in this shop's stored deliveries, every body that names the customer by a value of
        `needles` or by its id, with a stub of its ids. Returns how many."""
        numeric = str(numeric_id(customer["gid"]))
        conditions = ["raw_body LIKE %s"]
        params = [f"%{numeric}%"]
        for needle in sorted(needles):
            conditions.append("raw_body ILIKE %s")
            params.append("%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        self.env.cr.execute(
            f"""SELECT id, topic, raw_body FROM shopify_webhook_event
                 WHERE shop_id = %s AND raw_body IS NOT NULL AND ({" OR ".join(conditions)})""",
            [shop.id, *params],
        )
        Event = self.env["shopify.webhook.event"].sudo()
        count = 0
        for event_id, topic, raw_body in self.env.cr.fetchall():
            try:
                payload = json.loads(raw_body)
            except ValueError:
                payload = None
            lowered = raw_body.lower()
            named = any(needle.lower() in lowered for needle in needles)
            if not named and not self._names_customer_id(topic, payload, numeric):
                continue  # the digits were some other number
            stub = redacted_body(topic, payload) if isinstance(payload, dict) else {"redacted": topic}
            record = Event.browse(event_id)
            values = {"raw_body": json.dumps(stub)}
            if record.state == "queued" and record != event:
                # Nothing may be built from it any more: its processing would meet a stub.
                values["state"] = "skipped"
                record.job_ids.filtered(lambda j: j.state == "pending").write(
                    {"state": "skipped", "last_error_message": _("Redacted by a customers/redact request.")}
                )
            record.write(values)
            count += 1
        return count

    @api.model
    def _names_customer_id(self, topic, payload, numeric):
        if not isinstance(payload, dict):
            return False
        if topic.startswith("customers/") and str(payload.get("id")) == numeric:
            return True
        customer = payload.get("customer")
        return isinstance(customer, dict) and str(customer.get("id")) == numeric

    @api.model
    def _erase_data_requests(self, shop, customer_gid):
        requests = (
            self.env["shopify.privacy.request"]
            .sudo()
            .search([("shop_id", "=", shop.id), ("customer_gid", "=", customer_gid)])
        )
        files = requests.attachment_id
        requests.write({"state": "erased", "partner_ids": [fields.Command.clear()]})
        # The chatter holds the file too (the attachment is linked to the request).
        files |= (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "shopify.privacy.request"), ("res_id", "in", requests.ids)])
        )
        count = len(files)
        files.unlink()
        return count

    @api.model
    def _other_business(self, shop, partner):
        """Why `partner` must be kept as it is (a reason), or None when it may be anonymised."""
        family = [("partner_id", "child_of", partner.id)]
        if partner.user_ids.with_context(active_test=False):
            return "a user of this database"
        other_bindings = (
            self.env["shopify.customer.binding"].sudo().search([*family, ("shop_id", "!=", shop.id)], limit=1)
        )
        if other_bindings:
            return "linked to another Shopify shop"
        orders = self.env["sale.order"].sudo().with_context(active_test=False).search(family)
        ours = (
            self.env["shopify.order.binding"]
            .sudo()
            .search([("shop_id", "=", shop.id), ("sale_order_id", "in", orders.ids)])
            .sale_order_id
        )
        if orders - ours:
            return "has sale orders that are not this shop's"
        moves = self.env["account.move"].sudo().search([("commercial_partner_id", "=", partner.id)])
        if moves.filtered(lambda move: move.company_id != shop.company_id):
            return "has accounting documents of another company"
        if moves - orders.invoice_ids:
            return "has accounting documents that are not this shop's"
        return None

    @api.model
    def _anonymise(self, partner):
        contacts = (partner | partner.child_ids).sudo()
        erased = dict.fromkeys(ERASED_PARTNER_FIELDS, False)
        for contact in contacts:
            # Odoo's own fields derived from these (complete_name, email_normalized, invoice display names)
            # are recomputed from the new values.
            # shopify_import: Shopify asked for it, so no export sends the placeholder to another shop.
            contact.with_context(mail_notrack=True, tracking_disable=True, shopify_import=True).write(
                {**erased, "name": _("Redacted customer %s", contact.id)}
            )
        # Earlier values of tracked fields live on in the chatter's tracking lines.
        self.env["mail.tracking.value"].sudo().search(
            [("mail_message_id.model", "=", "res.partner"), ("mail_message_id.res_id", "in", contacts.ids)]
        ).unlink()

    # ------------------------------------------------------------------------------------------------
    # shop/redact
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _redact_shop(self, shop, event=None):
        """Delete everything the addon keeps for `shop` but the shop row and the privacy records; clear its
        secrets and archive it. Returns what was deleted, per model."""
        shop = shop.sudo()
        deleted = {}
        # Jobs and events first (they reference the rest); the running delivery keeps its row and job.
        running_jobs = event.job_ids if event else self.env["shopify.queue.job"]
        jobs = self.env["shopify.queue.job"].sudo().search([("shop_id", "=", shop.id)]) - running_jobs
        deleted["shopify.queue.job"] = len(jobs)
        jobs.unlink()
        events = self.env["shopify.webhook.event"].sudo().search([("shop_id", "=", shop.id)])
        if event:
            event.sudo().raw_body = json.dumps({"redacted": "shop/redact"})
            events -= event
        deleted["shopify.webhook.event"] = len(events)
        events.unlink()
        for model_name in self._shop_models():
            if model_name in deleted:
                continue
            records = (
                self.env[model_name]
                .sudo()
                .with_context(active_test=False)
                .search([("shop_id", "=", shop.id)])
            )
            if not records:
                continue
            try:
                with self.env.cr.savepoint():
                    count = len(records)
                    records.unlink()
                deleted[model_name] = count
            except Exception as error:
                _logger.warning("Shop redaction of shop %s: %s not deleted: %s", shop.id, model_name, error)
                deleted[model_name] = f"not deleted: {error}"
        shop.write({"access_token": False, "client_secret": False})
        shop.write({"state": "disconnected", "active": False})
        shop.message_post(
            body=_(
                "Shopify asked to erase this shop's data (shop/redact, sent 48 hours after the app was "
                "uninstalled): its Shopify records, stored deliveries, API logs and secrets were deleted and "
                "the shop archived. Sale orders, invoices, products and contacts stay in Odoo."
            )
        )
        return deleted

    @api.model
    def _shop_models(self):
        """Every stored model of the addon with rows per shop (a `shop_id` to shopify.shop), the ones
        pointing at others first so that restrict links do not stop a delete."""
        found = []
        for name, model in self.env.registry.items():
            field = model._fields.get("shop_id")
            if (
                not name.startswith("shopify.")
                or name in KEPT_ON_SHOP_REDACT
                or model._abstract
                or not model._auto
                or not field
                or field.type != "many2one"
                or field.comodel_name != "shopify.shop"
                or not field.store
            ):
                continue
            found.append(name)

        def referenced_by_others(name):
            return sum(
                1
                for other in found
                for field in self.env[other]._fields.values()
                if field.type == "many2one" and field.comodel_name == name and other != name
            )

        return sorted(found, key=lambda name: (referenced_by_others(name), name))
