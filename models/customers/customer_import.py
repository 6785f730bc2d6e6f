"""Shopify customer (services/mapping/customers.py) → Odoo contact, without duplicates.

The contact is found by the one matching rule (`shopify.customer.binding._find_partner`: binding, e-mail,
phone) and the rule is recorded on the binding. A contact this customer's binding owns follows Shopify; a
contact matched for the first time by e-mail or phone (it existed in Odoo before) only gets what it lacks,
so Odoo's own data is not overwritten by a match.
The default address is the contact's own; other addresses become child contacts (type *other*), one per
distinct address. Writes carry `shopify_import=True` (never tracked back for export).

A linked contact's mapped fields (name, e-mail, phone, note, tags, tax exemption) go through the three-way
merge of models/customers/customer_export.py: with the export off Shopify wins every field, with it on the
shop's customer field mapping decides. Consent: the newer decision (by its date) wins.
"""

from odoo import _, api, fields, models

from ...services.mapping import customers as mapping

IDENTITY_FIELDS = ("name", "email", "phone", "company_name", "street", "street2", "city", "zip", "country_id",
                   "state_id")  # fmt: skip
# Contact fields the three-way merge writes for a linked customer (customer_export._write_odoo).
MERGED_FIELDS = ("name", "email", "phone", "comment", "shopify_tax_exempt")
ADDRESS_COMPARED = ("name", "street", "street2", "city", "zip", "country_id", "state_id")


class ShopifyCustomerImport(models.AbstractModel):
    _name = "shopify.customer.import"
    _description = "Shopify Customer Import"

    @api.model
    def _lock_customer_key(self, shop, gid):
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"shopify.customer.binding:{shop.id}:{gid}"]
        )

    @api.model
    def _import(self, shop, customer):
        """(binding, action) — action: created | updated | nothing (an older version than the applied)."""
        Binding = self.env["shopify.customer.binding"].sudo()
        Export = self.env["shopify.customer.export"]
        self._lock_customer_key(shop, customer["gid"])
        binding = Binding._for_gid(shop, customer["gid"])
        applied = binding.shopify_updated_at
        if binding and customer["updated_at"] and applied and customer["updated_at"] <= applied:
            return binding, "nothing"
        partner, rule = Binding._find_partner(shop, customer["gid"], customer["email"], customer["phone"])
        Partner = self.env["res.partner"].sudo().with_context(shopify_import=True)
        values = self._partner_values(customer, partner)
        synced = None
        if not partner:
            partner, rule, action = Partner.create({**values, "company_id": False}), "created", "created"
            synced = mapping.customer_snapshot(customer)
        else:
            action = "updated"
            if rule != "binding":
                # A contact Odoo already had: fill only what it lacks; the first merge (export) decides
                # the rest by the mapping's policy.
                values = {
                    key: value
                    for key, value in values.items()
                    if key not in IDENTITY_FIELDS or not partner[key]
                }
            else:
                # The mapped fields go through the three-way merge (directions, conflict policy).
                values = {key: value for key, value in values.items() if key not in MERGED_FIELDS}
            partner.with_context(shopify_import=True).write(values)
        binding = Binding._bind(shop, partner, customer["gid"], rule)
        binding_values = {"shopify_updated_at": customer["updated_at"]}
        if rule == "binding":
            to_shopify, synced, _conflicts = Export._merge(binding, customer)
            if to_shopify and shop.customer_export_enabled:
                Export._mark_changed(partner)
        else:
            binding_values["shopify_tags"] = self._apply_tags(binding, customer)
        binding.write({**binding_values, "synced_values": synced})
        for address in customer["addresses"]:
            self._address_contact(partner, address)
        return binding, action

    @api.model
    def _partner_values(self, customer, partner=None):
        name = " ".join(part for part in (customer["first_name"], customer["last_name"]) if part)
        values = {
            "name": name or customer["email"] or customer["phone"] or customer["gid"],
            "email": customer["email"] or False,
            "phone": customer["phone"] or False,
            "company_name": customer["company"] or False,
            "comment": customer["note"] or False,
            "shopify_tax_exempt": customer["tax_exempt"],
        }
        if customer["default_address"]:
            address = self._address_values(customer["default_address"])
            address.pop("name")
            values.update(address)
        for channel in ("email", "sms"):
            consent = customer[f"{channel}_consent"]
            ours = partner[f"shopify_{channel}_consent_at"] if partner else None
            if consent and consent["updated_at"] and ours and ours > consent["updated_at"]:
                continue  # Odoo decided later (the export sends it): the newest decision wins
            if consent and consent["state"]:
                values[f"shopify_{channel}_consent"] = consent["state"]
                values[f"shopify_{channel}_consent_at"] = consent["updated_at"] or fields.Datetime.now()
        return values

    @api.model
    def _address_values(self, address):
        country = self.env["res.country"].search([("code", "=", address["country_code"])], limit=1)
        state = self.env["res.country.state"]
        if country and address["state_code"]:
            state = state.search(
                [("country_id", "=", country.id), ("code", "=", address["state_code"])], limit=1
            )
        name = address.get("name") or " ".join(p for p in (address["first_name"], address["last_name"]) if p)
        return {
            "name": name or False,
            "street": address["street"] or False,
            "street2": address["street2"] or False,
            "city": address["city"] or False,
            "zip": address["zip"] or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    @api.model
    def _address_contact(self, partner, address, address_type="other"):
        """The child contact holding `address` (found when one with the same address exists, else new)."""
        values = self._address_values(address)
        values["name"] = values["name"] or partner.name

        def same(contact):
            return all(
                (contact[key].id if key.endswith("_id") else contact[key]) == values[key]
                for key in ADDRESS_COMPARED
            )

        for child in partner.child_ids:
            if same(child):
                return child
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(shopify_import=True)
            .create(
                {**values, "parent_id": partner.id, "type": address_type, "phone": address["phone"] or False}
            )
        )

    @api.model
    def _apply_tags(self, binding, customer):
        """Shopify's tags as contact tags: added, and the ones Shopify dropped since removed (tags that
        never came from Shopify stay). Returns the tags now from Shopify."""
        Category = self.env["res.partner.category"].sudo()
        partner = binding.partner_id
        wanted = Category.browse()
        for tag in customer["tags"]:
            wanted |= Category.search([("name", "=", tag)], limit=1) or Category.create({"name": tag})
        dropped = partner.category_id.filtered(
            lambda c: c.name in (binding.shopify_tags or []) and c.name not in customer["tags"]
        )
        partner.with_context(shopify_import=True).write(
            {
                "category_id": [
                    *[fields.Command.unlink(c.id) for c in dropped],
                    *[fields.Command.link(c.id) for c in wanted],
                ]
            }
        )
        return list(customer["tags"])

    # ------------------------------------------------------------------------------------------------
    @api.model
    def _delete(self, shop, gid):
        """The customer was deleted on Shopify: the link goes; the contact stays (documents may name it),
        archived when this sync created it and nothing else uses it."""
        binding = self.env["shopify.customer.binding"].sudo()._for_gid(shop, gid)
        if not binding:
            return "nothing"
        partner = binding.partner_id
        rule = binding.match_rule
        binding.unlink()
        orders = self.env["sale.order"].sudo().search_count([("partner_id", "child_of", partner.id)])
        unused = rule == "created" and not orders and not partner.shopify_customer_binding_ids
        if unused:
            partner.active = False
        partner.message_post(
            body=_(
                "Shopify customer %(gid)s of %(shop)s was deleted on Shopify%(archived)s.",
                gid=gid,
                shop=shop.name,
                archived=_(": contact archived") if unused else "",
            )
        )
        return "archived" if unused else "unlinked"

    @api.model
    def _merge(self, shop, kept_gid, deleted_gid):
        """Shopify merged `deleted_gid` into `kept_gid`: the kept customer carries the link. When both were
        linked to different contacts, the deleted one's link goes and both contacts say so (merging Odoo
        contacts is a person's decision: Odoo's *Merge* action)."""
        Binding = self.env["shopify.customer.binding"].sudo()
        kept, deleted = Binding._for_gid(shop, kept_gid), Binding._for_gid(shop, deleted_gid)
        if not deleted:
            return "nothing"
        if not kept:
            deleted.write({"shopify_gid": kept_gid, "shopify_updated_at": False})
            return "moved"
        if kept.partner_id != deleted.partner_id:
            note = _(
                "Shopify merged customer %(deleted)s into %(kept)s (shop %(shop)s): contacts %(a)s and %(b)s "
                "may be the same person; merge them in Odoo if so.",
                deleted=deleted_gid,
                kept=kept_gid,
                shop=shop.name,
                a=deleted.partner_id.display_name,
                b=kept.partner_id.display_name,
            )
            for partner in kept.partner_id | deleted.partner_id:
                partner.message_post(body=note)
        deleted.unlink()
        return "merged"
