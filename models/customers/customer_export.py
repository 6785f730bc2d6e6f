"""Odoo contacts ⇄ Shopify customers, the two-way part: export (customerCreate / customerUpdate), the
three-way merge both directions share, and marketing consent sent back to Shopify.

Which contacts: per shop, off by default (`customer_export_enabled`); new Shopify customers are made from
the top-level contacts in the shop's export domain (its contact tags and/or domain); a contact already
linked to a Shopify customer sends its Odoo changes whatever the domain (it is a Shopify customer already).

Which fields and who wins: the shop's customer field mapping (shopify.customer.field.mapping: direction and
conflict policy per field), applied by the one conflict rule (services/mapping/merge.py) against the last
agreed snapshot (`binding.synced_values`). With the export off, every field is Shopify → Odoo.

No twins: a contact without a binding is first looked up on Shopify by e-mail (a re-run after a lost
answer, or a customer Shopify already has) and bound (rule `email`); otherwise created and bound with rule
`exported`. customerCreate is sent at most once per attempt (never retried blindly).

Consent: the newest decision wins. An Odoo change (dated `shopify_<channel>_consent_at`) later than
Shopify's consent date is sent with customerEmailMarketingConsentUpdate / customerSmsMarketingConsentUpdate
(state, opt-in level, the date the customer gave it); an older one is replaced by Shopify's on import.
"""

import logging
from ast import literal_eval

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext

from ...services.errors import ShopifyError
from ...services.mapping import customers as mapping
from ...services.mapping import merge

_logger = logging.getLogger(__name__)

# Customers read in full per request: each costs ~15 points (ten addresses), so 25 stay far below 1000.
READ_CHUNK = 25
CHANNELS = ("email", "sms")
# The Odoo fields each mapped field reads (a write on them marks the contact for export).
TRACKED_FIELDS = {"name", "email", "phone", "comment", "category_id", "shopify_tax_exempt",
                  "shopify_email_consent", "shopify_email_consent_at", "shopify_sms_consent",
                  "shopify_sms_consent_at"}  # fmt: skip


class ShopifyCustomerExport(models.AbstractModel):
    _name = "shopify.customer.export"
    _description = "Shopify Customer Export"

    # ------------------------------------------------------------------------------------------------
    # Snapshots and the merge
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _odoo_snapshot(self, partner):
        return mapping.snapshot(
            partner.name,
            partner.email,
            partner.phone,
            html2plaintext(partner.comment or "") if partner.comment else "",
            partner.category_id.mapped("name"),
            partner.shopify_tax_exempt,
        )

    @api.model
    def _rules(self, shop):
        """`{field: (direction, policy)}`: the shop's active mapping lines; all Shopify → Odoo when the
        export is off (Shopify is then the only source)."""
        if not shop.customer_export_enabled:
            return dict.fromkeys(mapping.CUSTOMER_FIELDS, (merge.TO_ODOO, merge.SHOPIFY_WINS))
        lines = self.env["shopify.customer.field.mapping"].sudo().search([("shop_id", "=", shop.id)])
        return {line.shopify_field: (line.direction, line.conflict_policy) for line in lines}

    @api.model
    def _merge(self, binding, remote):
        """Three-way merge of the contact with Shopify's `remote` customer; Shopify's winning values are
        written on the contact. Returns (values to send, agreed snapshot, conflicts)."""
        partner = binding.partner_id
        to_odoo, to_shopify, conflicts, result = merge.merge_flat(
            mapping.flat(binding.synced_values),
            mapping.flat(self._odoo_snapshot(partner)),
            mapping.flat(mapping.customer_snapshot(remote)),
            self._rules(binding.shop_id),
            odoo_changed_at=binding.odoo_changed_at,
            shopify_updated_at=remote["updated_at"],
            skew_seconds=binding.shop_id.product_conflict_skew_s,
        )
        self._write_odoo(binding, mapping.unflat(to_odoo))
        if conflicts:
            partner.message_post(
                body=_(
                    "Shopify customer %(gid)s and this contact both changed %(fields)s since the last sync: "
                    "kept %(kept)s (the shop's customer field mapping decides).",
                    gid=binding.shopify_gid,
                    fields=", ".join(conflict["field"] for conflict in conflicts),
                    kept=", ".join(f"{c['field']} = {c['winner']}" for c in conflicts),
                )
            )
        return mapping.unflat(to_shopify), mapping.unflat(result), conflicts

    @api.model
    def _write_odoo(self, binding, values):
        """Shopify's values of mapped fields onto the contact (never tracked back as Odoo changes)."""
        if not values:
            return
        partner = binding.partner_id.with_context(shopify_import=True)
        plain = {"name": "name", "email": "email", "phone": "phone", "note": "comment",
                 "tax_exempt": "shopify_tax_exempt"}  # fmt: skip
        partner.write(
            {
                plain[key]: (value or False) if key != "tax_exempt" else bool(value)
                for key, value in values.items()
                if key in plain and (key != "name" or value)
            }
        )
        if "tags" in values:
            tags = self.env["shopify.customer.import"]._apply_tags(binding, {"tags": values["tags"]})
            binding.write({"shopify_tags": tags})

    # ------------------------------------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _export_domain(self, shop):
        """The contacts that become Shopify customers; None when the shop names none (never "all")."""
        extra = literal_eval(shop.customer_export_domain or "[]")
        if not shop.customer_export_category_ids and not extra:
            return None
        domain = [
            ("parent_id", "=", False),
            ("company_id", "in", (shop.company_id.id, False)),
            "|",
            ("email", "!=", False),
            ("phone", "!=", False),
        ]
        if shop.customer_export_category_ids:
            domain.append(("category_id", "in", shop.customer_export_category_ids.ids))
        return domain + extra

    @api.model
    def _export_shop(self, shop, limit=None):
        """Export what waits: new contacts of the export domain, then linked contacts with Odoo changes.
        One contact's failure never stops the others. Returns {"ok", "failed", "skipped", "errors"}."""
        counts = {"ok": 0, "failed": 0, "skipped": 0, "errors": []}
        if not shop.customer_export_enabled:
            return counts
        Binding = self.env["shopify.customer.binding"].sudo()
        partners = self.env["res.partner"].sudo().browse()
        domain = self._export_domain(shop)
        if domain is not None:
            bound = Binding.search([("shop_id", "=", shop.id)]).partner_id
            partners = (
                self.env["res.partner"]
                .sudo()
                .search([*domain, ("id", "not in", bound.ids)], order="id", limit=limit)
            )
        pending = Binding.search([("shop_id", "=", shop.id), ("export_pending", "=", True)], order="id")
        client = shop._shopify_client(for_write=True)
        for record in list(partners) + list(pending):
            outcome = self._export_one(shop, record, client)
            if outcome == "failed":
                counts["failed"] += 1
                counts["errors"].append(record.display_name)
            elif outcome == "nothing":
                counts["skipped"] += 1
            else:
                counts["ok"] += 1
        return counts

    @api.model
    def _export_one(self, shop, record, client):
        """Export one contact (res.partner without a binding) or binding; its own savepoint.
        Returns created | bound | updated | nothing | failed."""
        binding = record if record._name == "shopify.customer.binding" else None
        try:
            with self.env.cr.savepoint():
                if binding:
                    outcome = self._export_binding(binding, client)
                else:
                    outcome = self._export_partner(shop, record, client)
        except (ShopifyError, UserError) as error:
            _logger.warning(
                "Shopify shop %s: export of contact %s failed: %s",
                shop.id,
                (binding.partner_id if binding else record).id,
                type(error).__name__,
            )
            if binding:
                binding.write({"export_error": str(error)})
            return "failed"
        return outcome

    @api.model
    def _export_partner(self, shop, partner, client):
        """A contact without a Shopify customer in this shop: bind the one with its e-mail, else create."""
        Binding = self.env["shopify.customer.binding"].sudo()
        if partner.email:
            found = client.execute("customers_search", {"query": f'email:"{partner.email}"', "first": 1})
            nodes = (found.get("customers") or {}).get("nodes") or []
            if nodes:
                remote = mapping.customer_from_graphql(nodes[0])
                if Binding._for_gid(shop, remote["gid"]):
                    return "nothing"  # that customer is another contact's already: not two links
                binding = Binding._bind(shop, partner, remote["gid"], "email")
                self._sync_binding(binding, remote, client)
                return "bound"
        snapshot = self._odoo_snapshot(partner)
        rules = self._rules(shop)
        sent = {
            name: value
            for name, value in snapshot.items()
            if rules.get(name, (None,))[0] in (merge.BOTH, merge.TO_SHOPIFY)
        }
        data = mapping.customer_input(sent)
        for channel, state, at in self._consents(partner):
            data[f"{channel}MarketingConsent"] = mapping.consent_input(state, at)
        answer = client.execute("customer_create", {"input": data}, at_most_once=True)
        remote = mapping.customer_from_graphql(answer["customerCreate"]["customer"])
        binding = Binding._bind(shop, partner, remote["gid"], "exported")
        binding.write(
            {
                "synced_values": mapping.customer_snapshot(remote),
                "shopify_updated_at": remote["updated_at"],
                "export_pending": False,
                "export_error": False,
            }
        )
        return "created"

    @api.model
    def _export_binding(self, binding, client):
        nodes = client.execute("customers_by_ids", {"ids": [binding.shopify_gid]}).get("nodes") or []
        if not nodes or not nodes[0]:
            raise UserError(
                _(
                    "Shopify customer %(gid)s no longer exists: the link is kept until its deletion arrives "
                    "(or unlink it).",
                    gid=binding.shopify_gid,
                )
            )
        return self._sync_binding(binding, mapping.customer_from_graphql(nodes[0]), client)

    @api.model
    def _sync_binding(self, binding, remote, client):
        """Merge the contact with Shopify's current customer; send Odoo's winning values and consent."""
        to_shopify, agreed, _conflicts = self._merge(binding, remote)
        outcome = "nothing"
        if to_shopify:
            answer = client.execute(
                "customer_update", {"input": mapping.customer_input(to_shopify, binding.shopify_gid)}
            )
            remote = mapping.customer_from_graphql(answer["customerUpdate"]["customer"])
            agreed = mapping.customer_snapshot(remote)
            outcome = "updated"
        updated_at = self._send_consents(binding, remote, client)
        if updated_at:
            outcome = "updated"
        binding.write(
            {
                "synced_values": agreed,
                "shopify_updated_at": max(filter(None, (remote["updated_at"], updated_at))),
                "export_pending": False,
                "odoo_changed_at": False,
                "export_error": False,
            }
        )
        return outcome

    # ------------------------------------------------------------------------------------------------
    # Consent
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _consents(self, partner):
        """[(channel, state, date)] of the contact's consents Shopify can take (and has the address for)."""
        found = []
        for channel in CHANNELS:
            state = partner[f"shopify_{channel}_consent"]
            reachable = partner.email if channel == "email" else partner.phone
            if state in mapping.SENDABLE_CONSENT and reachable:
                found.append((channel, state, partner[f"shopify_{channel}_consent_at"]))
        return found

    @api.model
    def _send_consents(self, binding, remote, client):
        """Send the consents Odoo decided later than Shopify; Shopify's updatedAt after the last one sent."""
        updated_at = None
        for channel, state, at in self._consents(binding.partner_id):
            theirs = remote[f"{channel}_consent"]
            if theirs and theirs["state"] == state:
                continue
            if theirs and theirs["updated_at"] and at and theirs["updated_at"] > at:
                continue  # Shopify's decision is the newer one: the import brings it to Odoo
            document = f"customer_{channel}_marketing_consent_update"
            answer = client.execute(
                document,
                {
                    "input": {
                        "customerId": binding.shopify_gid,
                        f"{channel}MarketingConsent": mapping.consent_input(state, at),
                    }
                },
            )
            root = f"customer{channel.capitalize()}MarketingConsentUpdate"
            updated_at = mapping.timestamp((answer[root]["customer"] or {}).get("updatedAt"))
        return updated_at

    # ------------------------------------------------------------------------------------------------
    # Change tracking (res.partner.write)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _mark_changed(self, partners):
        """The contacts' bindings in shops that export: marked, and a job queued to send them."""
        bindings = (
            self.env["shopify.customer.binding"]
            .sudo()
            .search([("partner_id", "in", partners.ids), ("shop_id.customer_export_enabled", "=", True)])
        )
        if not bindings:
            return
        bindings.write({"export_pending": True, "odoo_changed_at": fields.Datetime.now()})
        Job = self.env["shopify.queue.job"].sudo()
        for binding in bindings:
            Job._enqueue(
                binding.shop_id,
                "customer_export",
                payload={"binding_id": binding.id},
                dedupe_key=f"customer_export:{binding.id}",
                record=binding,
            )
