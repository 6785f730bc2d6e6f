"""Links between Odoo products and Shopify products, per shop, with the last synced snapshot.

A template may be bound to several shops (one binding per shop). The snapshot (values + hash) is what
both directions compare against: a value equal to the snapshot did not change on that side, which is how
echoes are suppressed and how a change on both sides (a conflict) is told apart from a one-sided change.

The product sync runs on the binding: `_shopify_export()` sends one `productSet` (keyed by our customId,
or by the GID once known) after merging what Shopify holds now; `_shopify_import(shop, product)` applies
one canonical product (webhook, poll or bulk import) through the same three-way merge. Many products
to export at once go as one bulk mutation, each binding held by it until its answer is applied.
"""

import hashlib
import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...services import timestamps
from ...services.mapping import metafields
from ...services.mapping import products as mapping
from .shop import CUSTOM_ID_KEY, CUSTOM_ID_NAMESPACE


def snapshot_hash(values):
    """Stable hash of a snapshot dict (keys sorted, Decimals and dates as strings)."""
    payload = json.dumps(values or {}, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


_logger = logging.getLogger(__name__)


def _json(value):
    return json.dumps(value, ensure_ascii=False, default=str)


def _renamed(value, renamed):
    """An `images` value with each hash replaced as `renamed` says."""
    if isinstance(value, list):
        return [renamed.get(item, item) for item in value]
    return renamed.get(value, value)


class ShopifyProductBinding(models.Model):
    _name = "shopify.product.binding"
    _description = "Shopify Product Binding"
    _order = "shop_id, id desc"
    _rec_name = "product_tmpl_id"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True, string="Company")
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product", required=True, ondelete="cascade", index=True
    )
    shopify_gid = fields.Char(
        string="Shopify Product GID", index=True, copy=False, help="gid://shopify/Product/<id>"
    )
    shopify_handle = fields.Char(copy=False, string="Shopify Handle")
    shopify_updated_at = fields.Datetime(
        string="Shopify Updated At",
        copy=False,
        help="updatedAt of the last Shopify version applied or written; older payloads are skipped.",
    )
    shopify_seen_at = fields.Datetime(
        string="Shopify Version Seen At",
        copy=False,
        readonly=True,
        help="When Odoo last wrote or read the Shopify version of Shopify Updated At (Odoo's clock).",
    )
    variant_binding_ids = fields.One2many("shopify.variant.binding", "product_binding_id", string="Variants")
    active = fields.Boolean(default=True)

    # Snapshot of the values last agreed by both sides (JSON of mapped values, template + variants).
    synced_values = fields.Json(copy=False, readonly=True)
    synced_hash = fields.Char(copy=False, readonly=True)
    synced_at = fields.Datetime(copy=False, readonly=True, string="Last Synced At")

    # Odoo → Shopify change tracking.
    export_pending = fields.Boolean(
        copy=False,
        index=True,
        help="A mapped field changed in Odoo since the last export.",
        string="Export Pending",
    )
    odoo_changed_at = fields.Datetime(
        copy=False,
        help="When the pending Odoo change was recorded (used by the newest-wins policy).",
        string="Changed in Odoo At",
    )
    export_priority = fields.Integer(default=10, help="Lower exports first.", string="Export Priority")

    sync_state = fields.Selection(
        [
            ("new", "Not exported yet"),
            ("synced", "In sync"),
            ("pending", "Changes to export"),
            ("error", "Error"),
            ("archived", "Deleted on Shopify"),
        ],
        default="new",
        required=True,
        copy=False,
        string="Sync Status",
    )
    last_error = fields.Text(copy=False, readonly=True, string="Last Error")
    limit_warning = fields.Text(
        copy=False,
        readonly=True,
        help="What could not be sent because it exceeds Shopify's limits (options, variants).",
        string="Shopify Limit Warning",
    )
    image_binding_ids = fields.One2many("shopify.image.binding", "product_binding_id", string="Images")
    image_warning = fields.Text(
        copy=False,
        readonly=True,
        help="Images that failed alone at the last sync (broken, too large, not downloadable).",
        string="Image Problems",
    )

    _sql_constraints = [
        (
            "shop_gid_unique",
            "unique(shop_id, shopify_gid)",
            "This Shopify product is already bound to another Odoo product of this shop.",
        ),
        (
            "shop_template_unique",
            "unique(shop_id, product_tmpl_id)",
            "This Odoo product is already bound to this shop.",
        ),
    ]

    def _set_snapshot(self, values, shopify_updated_at=None):
        """Record the values both sides now agree on."""
        self.ensure_one()
        vals = {
            "synced_values": values,
            "synced_hash": snapshot_hash(values),
            "synced_at": fields.Datetime.now(),
        }
        if shopify_updated_at:
            vals.update(shopify_updated_at=shopify_updated_at, shopify_seen_at=vals["synced_at"])
        self.write(vals)

    @api.depends("product_tmpl_id", "shop_id")
    def _compute_display_name(self):
        for binding in self:
            binding.display_name = f"{binding.product_tmpl_id.display_name} @ {binding.shop_id.name}"

    # ------------------------------------------------------------------------------------------------
    # Conflicts, and new links to publish
    # ------------------------------------------------------------------------------------------------
    conflict_ids = fields.One2many("shopify.product.conflict", "binding_id", string="Conflicts")

    @api.model_create_multi
    def create(self, vals_list):
        bindings = super().create(vals_list)
        # A link without a Shopify product yet is a product to publish.
        bindings.filtered(lambda binding: not binding.shopify_gid)._mark_for_export()
        return bindings

    # ------------------------------------------------------------------------------------------------
    # Odoo side as a canonical product
    # ------------------------------------------------------------------------------------------------
    def _shopify_option_lines(self):
        template = self.product_tmpl_id
        return template.attribute_line_ids.filtered(
            lambda line: line.attribute_id.create_variant != "no_variant"
        )

    def _shopify_odoo_variants(self):
        template = self.product_tmpl_id
        # A search, not template.product_variant_ids: archiving in this transaction must be seen.
        variants = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("product_tmpl_id", "=", template.id)], order="id")
        )
        if template.active:
            return variants.filtered("active")
        # An archived template archived its variants too: keep the ones of valid combinations.
        return variants.filtered(
            lambda product: all(product.product_template_attribute_value_ids.mapped("ptav_active"))
        )

    def _shopify_kg(self, weight, to_odoo=False):
        template = self.env["product.template"]
        database_uom = template._get_weight_uom_id_from_ir_config_parameter()
        kilogram = self.env.ref("uom.product_uom_kgm")
        if to_odoo:
            return kilogram._compute_quantity(float(weight or 0), database_uom, round=False)
        return mapping.weight_to_kg(
            database_uom._compute_quantity(weight or 0.0, kilogram, round=False), "KILOGRAMS"
        )

    def _shopify_odoo_product(self):
        """The Odoo product of this binding in the canonical shape of services/mapping/products.py."""
        self.ensure_one()
        digits = self.shop_id._shopify_currency_digits()
        template = self.product_tmpl_id.with_context(active_test=False)
        lines = self._shopify_option_lines()
        default_category = self.env.ref("product.product_category_all", raise_if_not_found=False)
        previous_status = ((self.synced_values or {}).get("product") or {}).get("status")
        variant_bindings = {
            line.product_id.id: line for line in self.with_context(active_test=False).variant_binding_ids
        }
        weight_digits = self.env["decimal.precision"].precision_get("Stock Weight")
        prefix = self.shop_id._shopify_brand_prefix()
        if prefix is None:
            vendor = (template.product_brand or "").strip()
            tags = mapping.normalize_tags(template.product_tag_ids.mapped("name"))
        else:
            vendor, tags = mapping.split_brand_tag(template.product_tag_ids.mapped("name"), prefix)
        odoo_variants = self._shopify_odoo_variants()
        own_images, variant_images, _alts = self.env["shopify.image.binding"]._odoo_images(
            template, odoo_variants
        )
        variants = []
        for product in odoo_variants:
            values_by_line = {
                ptav.attribute_line_id.id: ptav.name for ptav in product.product_template_attribute_value_ids
            }
            variant_binding = variant_bindings.get(product.id)
            price, compare_at = self.shop_id._shopify_variant_prices(product, digits)
            variants.append(
                {
                    "gid": variant_binding.shopify_gid if variant_binding else None,
                    "inventory_item_gid": variant_binding.inventory_item_gid if variant_binding else None,
                    "option_values": [values_by_line.get(line.id) for line in lines],
                    "odoo_id": product.id,
                    "fields": {
                        "price": price,
                        "compare_at_price": compare_at,
                        "sku": product.default_code or "",
                        "barcode": product.barcode or "",
                        "weight": round(self._shopify_kg(product.weight), weight_digits),
                        mapping.IMAGES: variant_images.get(product.id),
                    },
                }
            )
        product_fields = {
            "title": (template.name or "").strip(),
            "description_html": mapping.html_to_text(mapping.text_to_html(template.description_sale)),
            "vendor": vendor,
            "product_type": template.categ_id.name if template.categ_id != default_category else "",
            "tags": tags,
            "status": mapping.status_from_odoo(template.active, template.sale_ok, previous_status),
            mapping.IMAGES: own_images,
        }
        if self.shop_id.product_collection_source == "category":
            product_fields[mapping.COLLECTIONS] = (
                [template.categ_id.name] if template.categ_id != default_category else []
            )
        if self.shop_id._shopify_publish_gids():
            product_fields[mapping.PUBLISHED] = bool(template.shopify_published)
        for name, _namespace, _key, type_name, field_name, _ttype in self.shop_id._shopify_metafield_specs():
            try:
                product_fields[name] = metafields.canonical(type_name, template[field_name])
            except mapping.MappingError as error:
                raise UserError(
                    _(
                        "%(product)s: the value of %(field)s cannot be the %(type)s metafield %(name)s: "
                        "%(error)s",
                        product=template.display_name,
                        field=template._fields[field_name].string,
                        type=type_name,
                        name=name,
                        error=error,
                    )
                ) from error
        return {
            "gid": self.shopify_gid or None,
            "handle": self.shopify_handle or None,
            "updated_at": None,
            "fields": product_fields,
            "options": [
                {"name": line.attribute_id.name, "values": line.value_ids.mapped("name")} for line in lines
            ],
            "variants": variants,
        }

    # ------------------------------------------------------------------------------------------------
    # Change tracking (Odoo → Shopify)
    # ------------------------------------------------------------------------------------------------
    def _shopify_track_odoo_changes(self):
        """Mark for export the bindings whose Odoo values differ from the last synced snapshot."""
        for binding in self.sudo():
            if not binding.active or binding.sync_state == "archived":
                continue
            if not binding.shopify_gid:
                binding._mark_for_export()
                continue
            current = mapping.snapshot(binding._shopify_odoo_product())
            export_fields = binding.shop_id._shopify_export_fields()
            changed = [
                key
                for key in mapping.changed_fields(binding.synced_values, current)
                if key[1] in export_fields
            ]
            known_variants = set((binding.synced_values or {}).get("variants", {}))
            if changed or set(current["variants"]) != known_variants:
                binding._mark_for_export()

    def _mark_for_export(self):
        for binding in self.sudo():
            values = {"export_pending": True, "sync_state": "pending" if binding.shopify_gid else "new"}
            if not binding.export_pending:
                values["odoo_changed_at"] = fields.Datetime.now()
            binding.write(values)
            binding._shopify_enqueue_export()

    def _shopify_enqueue_export(self):
        """Ask the queue for an immediate export (one pending job per binding). A product held by a running
        bulk export is answered by it, and a bulk publish (context `shopify_bulk_export`) queues nothing."""
        if self.env.context.get("shopify_bulk_export"):
            return
        Job = self.env["shopify.queue.job"].sudo()
        for binding in self.filtered(lambda binding: not binding.bulk_export_operation_id):
            Job._enqueue(
                binding.shop_id,
                "product_export",
                payload={"binding_id": binding.id},
                dedupe_key=f"product_export:{binding.id}",
                record=binding,
            )

    # ------------------------------------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------------------------------------
    def _shopify_product_set_variables(self, staged=None, failed=None, client=None):
        """The productSet variables of this product; its images go as files only when they changed
        (`staged`: {hash: resource URL} uploaded for the chunk, `failed`: {hash: why}; images not staged
        yet are staged with `client`)."""
        self.ensure_one()
        product = self._shopify_odoo_product()
        problems = mapping.check_limits(product)
        if problems:
            self.sudo().limit_warning = " ".join(problems)
            raise UserError(
                _(
                    "%(product)s cannot be sent to Shopify: %(problems)s Reduce its attributes or variants.",
                    product=self.product_tmpl_id.display_name,
                    problems=" ".join(problems),
                )
            )
        export_fields = self.shop_id._shopify_export_fields()
        data = mapping.product_set_input(product, export_fields, self.shop_id._shopify_currency_digits())
        # A product we imported (or already created) is addressed by its GID: it never carried our
        # customId, and keying it by customId would make Shopify create a second product.
        identifier = (
            {"id": self.shopify_gid}
            if self.shopify_gid
            else {
                "customId": {
                    "namespace": CUSTOM_ID_NAMESPACE,
                    "key": CUSTOM_ID_KEY,
                    "value": str(self.product_tmpl_id.id),
                }
            }
        )
        files = 0
        if mapping.IMAGES in export_fields:
            files = self.env["shopify.image.binding"]._add_files(
                self, product, data, staged=staged, failed=failed, client=client
            )
        return {
            "input": data,
            "identifier": identifier,
            "variantsFirst": max(1, len(data["variants"])),
            "mediaFirst": max(1, files),
        }

    def _shopify_merge_before_export(self, remote):
        """Three-way merge of Shopify's current values into Odoo before an export: a field changed only
        on Shopify since the last sync comes to Odoo (and so is sent back unchanged), a field changed on
        both sides is a conflict settled by the field's policy. Nothing happens when Shopify still holds
        the last synced values."""
        self.ensure_one()
        self._shopify_merge_from(self._shopify_round_weights(remote))

    def _shopify_export(self, client=None, variables=None):
        """Send this product with productSet and record what Shopify now holds.

        Called alone (no `variables`), it first reads the product's current Shopify values and merges
        them, as the batch export does for a whole chunk.
        """
        self.ensure_one()
        shop = self.shop_id
        client = client or shop._shopify_client(for_write=True)
        shop._shopify_ensure_custom_id_definition(client)
        if variables is None:
            remote = shop._shopify_read_current(self, client).get(self.shopify_gid)
            if remote is not None:
                self._shopify_merge_before_export(remote)
            variables = self._shopify_product_set_variables(client=client)
        odoo_product = self._shopify_odoo_product()
        data = client.execute("product_set", variables)
        remote = (data.get("productSet") or {}).get("product")
        if not remote:
            raise UserError(
                _("Shopify accepted %s but returned no product.", self.product_tmpl_id.display_name)
            )
        self._shopify_export_metafields(client, remote["id"], odoo_product)
        self._shopify_export_publication(client, remote["id"], odoo_product)
        self._shopify_export_collections(client, remote["id"], odoo_product)
        self._shopify_record_export(remote, odoo_product)
        self.env["shopify.image.binding"]._record_answer(self, variables["input"].get("files"), remote)
        return True

    def _shopify_export_collections(self, client, product_gid, odoo_product):
        """Keep the product's manual collections in step with its category: join the one named like it
        (created when missing), leave the one of its former category."""
        shop = self.shop_id
        if (
            shop.product_collection_source != "category"
            or mapping.COLLECTIONS not in shop._shopify_export_fields()
        ):
            return
        wanted = set(odoo_product["fields"].get(mapping.COLLECTIONS) or ())
        synced_values = (self.synced_values or {}).get("product") or {}
        known = mapping.COLLECTIONS in synced_values
        member = set(synced_values.get(mapping.COLLECTIONS) or ()) if known else set()
        if known and wanted == member:
            return
        by_title = shop._shopify_collections_by_title(client)
        for title in sorted(wanted - member):
            if title not in by_title:
                created = client.execute("collection_create", {"input": {"title": title}})
                by_title[title] = created["collectionCreate"]["collection"]["id"]
            client.execute("collection_add_products", {"id": by_title[title], "productIds": [product_gid]})
        for title in sorted(member - wanted):
            if title in by_title:
                client.execute(
                    "collection_remove_products", {"id": by_title[title], "productIds": [product_gid]}
                )

    def _shopify_export_publication(self, client, product_gid, odoo_product):
        """Publish the product to the shop's chosen channels (a new product, or one published in Odoo
        since the last sync), or withdraw it from them."""
        channels = self.shop_id._shopify_publish_gids()
        if not channels or mapping.PUBLISHED not in self.shop_id._shopify_export_fields():
            return
        published = odoo_product["fields"].get(mapping.PUBLISHED)
        synced = (self.synced_values or {}).get("product") or {}
        if mapping.PUBLISHED in synced and synced[mapping.PUBLISHED] == published:
            return
        if not synced and not published:
            return  # a new product Odoo does not publish: Shopify leaves it unpublished
        document = "publishable_publish" if published else "publishable_unpublish"
        client.execute(document, {"id": product_gid, "input": [{"publicationId": gid} for gid in channels]})

    def _shopify_export_metafields(self, client, product_gid, odoo_product):
        """Send the mapped metafields whose Odoo value differs from the last synced one (all of them for a
        product Shopify did not have): metafieldsSet, 25 at a time; an emptied one is deleted."""
        export_fields = self.shop_id._shopify_export_fields()
        synced = (self.synced_values or {}).get("product") or {}
        known = bool(self.synced_values)
        to_set, to_delete = [], []
        for name, namespace, key, type_name, _field, _ttype in self.shop_id._shopify_metafield_specs():
            if name not in export_fields:
                continue
            value = odoo_product["fields"].get(name)
            if known and name in synced and synced[name] == value:
                continue
            if value is None:
                if known and synced.get(name) is not None:
                    to_delete.append({"ownerId": product_gid, "namespace": namespace, "key": key})
                continue
            to_set.append(
                {
                    "ownerId": product_gid,
                    "namespace": namespace,
                    "key": key,
                    "type": type_name,
                    "value": metafields.to_shopify(type_name, value),
                }
            )
        for start in range(0, len(to_set), 25):
            client.execute("metafields_set", {"metafields": to_set[start : start + 25]})
        if to_delete:
            client.execute("metafields_delete", {"metafields": to_delete})

    def _shopify_record_export(self, remote, odoo_product, sent=None):
        """Record a productSet answer: the GIDs Shopify returned and, as the synced snapshot, the values
        sent. `sent` is the snapshot of what was sent when Odoo may have changed since (a bulk export
        answers minutes later); the binding then stays marked if the product changed meanwhile."""
        current = mapping.snapshot(odoo_product)
        sent = current if sent is None else sent
        self._shopify_store_remote_ids(remote, odoo_product)
        export_fields = self.shop_id._shopify_export_fields()
        merged = mapping.flatten(self.synced_values)
        for key, value in mapping.flatten(sent).items():
            if key[1] in export_fields:
                merged[key] = value
        live_keys = set(sent["variants"])
        merged = {key: value for key, value in merged.items() if key[0] == "product" or key[0] in live_keys}
        self.sudo()._set_snapshot(
            mapping.unflatten(merged), timestamps.parse(remote.get("updatedAt")) or False
        )
        changed_since = set(current["variants"]) != live_keys or any(
            key[1] in export_fields for key in mapping.changed_fields(sent, current)
        )
        values = {"sync_state": "synced", "last_error": False, "limit_warning": False, "active": True}
        if changed_since:
            values["sync_state"] = "pending"
        else:
            values.update(export_pending=False, odoo_changed_at=False)
        self.sudo().write(values)
        return not changed_since

    def _shopify_store_remote_ids(self, remote, odoo_product):
        """Store the product, variant and inventory item GIDs Shopify returned."""
        option_names = [option["name"] for option in odoo_product["options"]]
        odoo_by_key = {
            mapping.variant_key(variant["option_values"]): variant["odoo_id"]
            for variant in odoo_product["variants"]
        }
        self.sudo().write({"shopify_gid": remote["id"], "shopify_handle": remote.get("handle")})
        remote_variants = []
        for node in (remote.get("variants") or {}).get("nodes") or ():
            selected = {item["name"]: item["value"] for item in node.get("selectedOptions") or ()}
            values = [selected.get(name) for name in option_names]
            remote_variants.append(
                {
                    "gid": node["id"],
                    "inventory_item_gid": (node.get("inventoryItem") or {}).get("id"),
                    "option_values": values,
                    "product_id": odoo_by_key.get(mapping.variant_key(values)),
                }
            )
        self._shopify_link_variants(remote_variants, odoo_product)

    def _shopify_link_variants(self, remote_variants, odoo_product):
        """Create/update variant bindings for `[{gid, inventory_item_gid, product_id}]`; drop the others."""
        VariantBinding = self.env["shopify.variant.binding"].sudo().with_context(active_test=False)
        existing = {
            line.product_id.id: line for line in VariantBinding.search([("product_binding_id", "=", self.id)])
        }
        skus = {variant["odoo_id"]: variant["fields"]["sku"] for variant in odoo_product["variants"]}
        kept = VariantBinding
        for remote in remote_variants:
            product_id = remote.get("product_id")
            if not product_id:
                continue
            values = {
                "shopify_gid": remote["gid"],
                "inventory_item_gid": remote.get("inventory_item_gid"),
                "sku": skus.get(product_id) or False,
                "active": True,
            }
            line = existing.get(product_id)
            if line:
                line.write(values)
            else:
                line = VariantBinding.create(
                    {"product_binding_id": self.id, "product_id": product_id, **values}
                )
            kept |= line
        (VariantBinding.browse([line.id for line in existing.values()]) - kept).unlink()

    def _shopify_record_failure(self, error):
        message = str(error)
        _logger.warning(
            "Shopify shop %s: product %s not exported (%s)",
            self.shop_id.id,
            self.product_tmpl_id.id,
            type(error).__name__,
        )
        self.sudo().write({"sync_state": "error", "last_error": message})

    # ------------------------------------------------------------------------------------------------
    # Import (Shopify → Odoo)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _shopify_import(self, shop, product, dry_run=False):
        """Apply one canonical Shopify product to Odoo.

        Returns `{"action": create|update|nothing|skipped|ambiguous, "binding", "diffs", "message"}`;
        with `dry_run` nothing is written and `diffs` lists `(scope, field, odoo value, shopify value,
        target side)` for the preview.
        """
        awaiting = self._shopify_import_awaits_bulk_export(shop, product, dry_run=dry_run)
        if awaiting is not None:
            return awaiting
        product = self._shopify_round_weights(product)
        Binding = self.sudo().with_context(active_test=False)
        binding = Binding.search([("shop_id", "=", shop.id), ("shopify_gid", "=", product["gid"])], limit=1)
        result = {"action": "nothing", "binding": binding, "diffs": [], "message": ""}
        updated_at = timestamps.parse(product.get("updated_at"))
        if binding and binding.shopify_updated_at and updated_at and updated_at < binding.shopify_updated_at:
            result.update(action="skipped", message=_("An older version than the one already applied."))
            return result
        if not binding:
            template, problem = self._shopify_match(shop, product)
            if problem:
                _logger.warning(
                    "Shopify shop %s: product %s not matched: %s", shop.id, product["gid"], problem
                )
                result.update(action="ambiguous", message=problem)
                return result
            if dry_run:
                result["action"] = "update" if template else "create"
                result["diffs"] = self._shopify_preview_new(shop, product, template)
                return result
            if not template:
                template = self._shopify_create_template(product)
                result["action"] = "create"
            else:
                result["action"] = "update"
            binding = Binding.create(
                {"shop_id": shop.id, "product_tmpl_id": template.id, "shopify_gid": product["gid"]}
            )
            result["binding"] = binding
            fresh = result["action"] == "create"
        else:
            fresh = False
        changed = binding._shopify_merge_from(product, dry_run=dry_run, fresh=fresh)
        result["diffs"] = changed["diffs"]
        if result["action"] == "nothing" and (changed["applied"] or changed["diffs"]):
            result["action"] = "update"
        return result

    @api.model
    def _shopify_round_weights(self, product):
        """Weights at Odoo's precision, so a weight Odoo cannot store exactly is not seen as a change."""
        return mapping.round_weights(product, self.env["decimal.precision"].precision_get("Stock Weight"))

    def _shopify_merge_from(self, product, dry_run=False, fresh=False):
        """Three-way merge of one Shopify product into this binding's Odoo product."""
        self.ensure_one()
        shop = self.shop_id
        rules = shop._shopify_product_rules()
        if mapping.IMAGES in rules:
            product = self.env["shopify.image.binding"]._resolve_remote(self, product)
        product = shop._shopify_fill_collections(
            shop._shopify_fill_published(shop._shopify_fill_metafields(product))
        )
        shopify_snap = mapping.snapshot(product)
        base = self.synced_values or None
        if base and mapping.snapshot_hash_of(shopify_snap, rules) == mapping.snapshot_hash_of(base, rules):
            # Shopify holds exactly what we last synced (typically the echo of our own export).
            if not dry_run:
                if product.get("updated_at"):
                    self.write(
                        {
                            "shopify_updated_at": timestamps.parse(product["updated_at"]),
                            "shopify_seen_at": fields.Datetime.now(),
                        }
                    )
                self._shopify_store_image_links(product)
            return {"applied": False, "diffs": []}
        odoo_product = self._shopify_odoo_product()
        structure = self._shopify_structure_change(base, mapping.snapshot(odoo_product), shopify_snap, fresh)
        diffs = []
        if structure and dry_run:
            diffs.append(
                (
                    "product",
                    "variants",
                    sorted(mapping.snapshot(odoo_product)["variants"]),
                    sorted(shopify_snap["variants"]),
                    "odoo",
                )
            )
        elif structure:
            self._shopify_apply_structure(product)
            odoo_product = self._shopify_odoo_product()
        odoo_snap = mapping.snapshot(odoo_product)
        # A product we just created holds only defaults: its own values are the base.
        base_flat = mapping.flatten(odoo_snap) if fresh else mapping.flat_base(base, odoo_snap)
        merged = mapping.merge(
            mapping.unflatten(base_flat) if base_flat else None,
            odoo_snap,
            shopify_snap,
            rules,
            odoo_changed_at=self.odoo_changed_at,
            shopify_updated_at=product.get("updated_at"),
            skew_seconds=shop.product_conflict_skew_s,
        )
        flat_odoo, shop_flat = mapping.flatten(odoo_snap), mapping.flatten(shopify_snap)
        for key, value in merged["to_odoo"].items():
            diffs.append((key[0], key[1], flat_odoo.get(key), value, "odoo"))
        for key, value in merged["to_shopify"].items():
            diffs.append((key[0], key[1], value, shop_flat.get(key), "shopify"))
        if dry_run:
            return {"applied": False, "diffs": diffs}
        renamed = {}
        if merged["to_odoo"]:
            renamed = self._shopify_apply_to_odoo(merged["to_odoo"], product.get("image_data"))
        for conflict in merged["conflicts"]:
            self.env["shopify.product.conflict"].sudo().create(
                {
                    "binding_id": self.id,
                    "field_name": conflict["field"],
                    "scope": conflict["scope"],
                    "odoo_value": _json(conflict["odoo_value"]),
                    "shopify_value": _json(conflict["shopify_value"]),
                    "policy": conflict["policy"],
                    "winner": conflict["winner"],
                }
            )
        result = {key: value for key, value in mapping.flatten(merged["result"]).items() if key in shop_flat}
        # Images Shopify's payload did not give (a REST body, a failed download) keep their synced value.
        scopes = {key[0] for key in shop_flat}
        for key, value in base_flat.items():
            synced_elsewhere = key[1] in (mapping.IMAGES, mapping.PUBLISHED, mapping.COLLECTIONS) or key[
                1
            ].startswith(metafields.PREFIX)
            if synced_elsewhere and key not in shop_flat and key[0] in scopes:
                result[key] = value
        if renamed:
            result = {
                key: _renamed(value, renamed) if key[1] == mapping.IMAGES else value
                for key, value in result.items()
            }
        # Read the (possibly restructured) Odoo product once, not once per Shopify variant.
        odoo_product = self._shopify_odoo_product()
        odoo_id_by_key = self._shopify_odoo_id_by_key(odoo_product)
        self._shopify_link_variants(
            [
                {
                    "gid": variant["gid"],
                    "inventory_item_gid": variant["inventory_item_gid"],
                    "product_id": odoo_id_by_key.get(mapping.variant_key(variant["option_values"])),
                }
                for variant in product["variants"]
            ],
            odoo_product,
        )
        self._set_snapshot(mapping.unflatten(result), timestamps.parse(product.get("updated_at")))
        self._shopify_store_image_links(product, renamed)
        self.write(
            {
                "sync_state": "synced",
                "last_error": False,
                "shopify_handle": product.get("handle"),
                "active": True,
            }
        )
        self._shopify_track_odoo_changes()
        return {"applied": bool(merged["to_odoo"]), "diffs": diffs}

    def _shopify_store_image_links(self, product, renamed=None):
        """Shopify's media as just read become the image rows (when the product was read with them)."""
        if product.get("image_links") is not None:
            self.env["shopify.image.binding"]._store_links(self, product["image_links"], renamed)
            self.sudo().image_warning = "\n".join(product.get("image_errors") or ()) or False

    def _shopify_odoo_id_by_key(self, odoo_product=None):
        """{variant key: product.product id} of the Odoo product (read now unless `odoo_product` is given)."""
        return {
            mapping.variant_key(variant["option_values"]): variant["odoo_id"]
            for variant in (odoo_product or self._shopify_odoo_product())["variants"]
        }

    def _shopify_structure_change(self, base, odoo_snap, shopify_snap, fresh):
        """Whether Odoo's options/variants must follow Shopify's (Shopify changed them, Odoo did not)."""
        shop_keys, odoo_keys = set(shopify_snap["variants"]), set(odoo_snap["variants"])
        if shop_keys == odoo_keys:
            return False
        if fresh or not base:
            return True
        base_keys = set(base.get("variants", {}))
        return shop_keys != base_keys and odoo_keys == base_keys

    @api.model
    def _shopify_preview_new(self, shop, product, template):
        rules = shop._shopify_product_rules()
        diffs = []
        for (scope, name), value in mapping.flatten(mapping.snapshot(product)).items():
            if name in rules and rules[name][0] in (mapping.BOTH, mapping.TO_ODOO):
                diffs.append((scope, name, None, value, "odoo"))
        return diffs

    @api.model
    def _shopify_match(self, shop, product):
        """The existing template a Shopify product is, by SKU then barcode: `(template, problem)`."""
        modes = {"sku_barcode": ("sku", "barcode"), "sku": ("sku",), "barcode": ("barcode",), "none": ()}
        Product = self.env["product.product"].sudo()
        company_domain = [("company_id", "in", [False, shop.company_id.id])]
        for mode in modes[shop.product_match_mode]:
            field_name = "default_code" if mode == "sku" else "barcode"
            values = [
                variant["fields"][mode] for variant in product["variants"] if variant["fields"].get(mode)
            ]
            templates = self.env["product.template"]
            for value in values:
                found = Product.search([(field_name, "=", value), *company_domain])
                if len(found.product_tmpl_id) > 1:
                    return None, _(
                        "The %(what)s %(value)s of Shopify product “%(title)s” belongs to several Odoo "
                        "products (%(products)s): nothing was linked. Make the %(what)s unique in Odoo, "
                        "then sync again.",
                        what=mode.upper() if mode == "sku" else mode,
                        value=value,
                        title=product["fields"]["title"],
                        products=", ".join(found.product_tmpl_id.mapped("display_name")),
                    )
                templates |= found.product_tmpl_id
            if len(templates) > 1:
                return None, _(
                    "The variants of Shopify product “%(title)s” match different Odoo products "
                    "(%(products)s): nothing was linked. Link it by hand or fix the %(what)ss.",
                    title=product["fields"]["title"],
                    products=", ".join(templates.mapped("display_name")),
                    what=mode,
                )
            if templates:
                taken = self.sudo().search(
                    [("shop_id", "=", shop.id), ("product_tmpl_id", "=", templates.id)]
                )
                if taken:
                    return None, _(
                        "Shopify product “%(title)s” matches %(product)s, which is already linked to another "
                        "Shopify product (%(gid)s) of this shop.",
                        title=product["fields"]["title"],
                        product=templates.display_name,
                        gid=taken.shopify_gid,
                    )
                return templates, None
        return None, None

    @api.model
    def _shopify_create_template(self, product):
        return (
            self.env["product.template"]
            .sudo()
            .with_context(shopify_import=True)
            .create(
                {"name": product["fields"]["title"] or product["gid"], "type": "consu", "is_storable": True}
            )
        )

    def _shopify_apply_structure(self, product):
        """Make the template's variant-creating attribute lines match the Shopify options."""
        template = self.product_tmpl_id.sudo().with_context(shopify_import=True)
        Attribute = self.env["product.attribute"].sudo()
        Value = self.env["product.attribute.value"].sudo()
        lines = self._shopify_option_lines()
        commands = []
        wanted = set()
        for position, option in enumerate(product["options"], start=1):
            attribute = Attribute.search(
                [("name", "=", option["name"]), ("create_variant", "=", "always")], limit=1
            )
            if not attribute:
                attribute = Attribute.create({"name": option["name"], "create_variant": "always"})
            values = Value
            for name in option["values"]:
                value = Value.search([("attribute_id", "=", attribute.id), ("name", "=", name)], limit=1)
                values |= value or Value.create({"attribute_id": attribute.id, "name": name})
            wanted.add(attribute.id)
            line = lines.filtered(lambda line, attribute=attribute: line.attribute_id == attribute)
            line_values = {"value_ids": [fields.Command.set(values.ids)], "sequence": position}
            if line:
                commands.append(fields.Command.update(line.id, line_values))
            else:
                commands.append(fields.Command.create({"attribute_id": attribute.id, **line_values}))
        commands += [fields.Command.delete(line.id) for line in lines if line.attribute_id.id not in wanted]
        template.write({"attribute_line_ids": commands})
        # Odoo makes every combination; Shopify may sell only some: archive the combinations it lacks.
        offered = {mapping.variant_key(variant["option_values"]) for variant in product["variants"]}
        lines = self._shopify_option_lines()
        for variant in self._shopify_odoo_variants():
            values_by_line = {
                ptav.attribute_line_id.id: ptav.name for ptav in variant.product_template_attribute_value_ids
            }
            if mapping.variant_key([values_by_line.get(line.id) for line in lines]) not in offered:
                variant.with_context(shopify_import=True).active = False

    def _shopify_apply_to_odoo(self, flat, image_data=None):
        """Write Shopify values (`{(scope, field): value}` in snapshot form) on the Odoo product; returns
        {image hash written: hash Odoo stored} where Odoo changed an image (it shrinks large ones).
        `image_data`: {hash: bytes} downloaded for this import."""
        self.ensure_one()
        image_flat = {key: value for key, value in flat.items() if key[1] == mapping.IMAGES}
        flat = {key: value for key, value in flat.items() if key[1] != mapping.IMAGES}
        renamed = {}
        if image_flat:
            renamed = self.env["shopify.image.binding"]._apply(self, image_flat, image_data)
        template = self.product_tmpl_id.sudo().with_context(shopify_import=True, active_test=False)
        specs = {spec[0]: (spec[3], spec[4], spec[5]) for spec in self.shop_id._shopify_metafield_specs()}
        template_values = {}
        for (scope, name), value in flat.items():
            if scope != "product":
                continue
            if name == "title":
                template_values["name"] = value
            elif name == "description_html":
                template_values["description_sale"] = value or False
            elif name == "vendor" and self.shop_id._shopify_brand_prefix() is None:
                template_values["product_brand"] = value or False
            elif name == "product_type":
                template_values["categ_id"] = self._shopify_category(value).id
            elif name == "status":
                template_values.update(mapping.status_to_odoo(value))
            elif name == mapping.COLLECTIONS and ("product", "product_type") not in flat:
                # A category is one collection: the current one while the product is still in it.
                current = template.categ_id.name
                if value and current not in value:
                    template_values["categ_id"] = self._shopify_category(value[0]).id
                elif not value:
                    template_values["categ_id"] = self._shopify_category("").id
            elif name == mapping.PUBLISHED:
                template_values["shopify_published"] = bool(value)
            elif name.startswith(metafields.PREFIX) and name in specs:
                type_name, field_name, ttype = specs[name]
                template_values[field_name] = metafields.to_odoo(type_name, value, ttype)
        tags = self._shopify_tags_from(flat.get(("product", "vendor")), flat.get(("product", "tags")), flat)
        if tags is not None:
            template_values["product_tag_ids"] = [fields.Command.set(tags.ids)]
        if template_values:
            template.write(template_values)
        products_by_key = {
            key: self.env["product.product"].browse(odoo_id)
            for key, odoo_id in self._shopify_odoo_id_by_key().items()
        }
        for (scope, name), value in flat.items():
            product = products_by_key.get(scope)
            if scope == "product" or not product or name == "price":
                continue
            product = product.sudo().with_context(shopify_import=True)
            if name == "sku":
                product.default_code = value or False
            elif name == "barcode":
                product.barcode = value or False
            elif name == "weight":
                product.weight = self._shopify_kg(value, to_odoo=True)
            elif name == "compare_at_price":
                product.shopify_compare_at_price = float(value or 0)
        prices = {
            key: value for (key, name), value in flat.items() if name == "price" and key in products_by_key
        }
        if prices:
            self._shopify_apply_prices(prices)
        return renamed

    def _shopify_apply_prices(self, new_prices):
        """Set list price and attribute extras so each variant gets its Shopify price (where Odoo can)."""
        odoo_product = self._shopify_odoo_product()
        from decimal import Decimal

        targets = {}
        for variant in odoo_product["variants"]:
            key = mapping.variant_key(variant["option_values"])
            price = new_prices.get(key)
            targets[tuple(variant["option_values"])] = (
                Decimal(str(price)) if price is not None else variant["fields"]["price"]
            )
        base, extras, exact = mapping.split_variant_prices(targets)
        template = self.product_tmpl_id.sudo().with_context(shopify_import=True)
        template.list_price = float(base)
        for index, line in enumerate(self._shopify_option_lines()):
            for ptav in line.product_template_value_ids:
                extra = float(extras.get((index, ptav.name), 0))
                if ptav.price_extra != extra:
                    ptav.with_context(shopify_import=True).price_extra = extra
        if not exact:
            self.limit_warning = _(
                "The variant prices on Shopify cannot all be expressed as a base price plus attribute extra "
                "prices in Odoo; the closest prices were set and Odoo's prices will be exported back."
            )

    @api.model
    def _shopify_category(self, name):
        name = (name or "").strip()
        if not name:
            return self.env.ref("product.product_category_all")
        Category = self.env["product.category"].sudo()
        return Category.search([("name", "=", name)], limit=1) or Category.create({"name": name})

    def _shopify_tags_from(self, vendor, tags, flat):
        """The template's tags after applying Shopify's `tags` and, in brand-tag mode, `vendor`
        (None when neither is applied). Brand tags and the other tags are replaced independently."""
        prefix = self.shop_id._shopify_brand_prefix()
        sets_vendor = prefix is not None and ("product", "vendor") in flat
        sets_tags = ("product", "tags") in flat
        if not sets_vendor and not sets_tags:
            return None
        current = self.product_tmpl_id.sudo().product_tag_ids
        brand_tags = current.filtered(
            lambda tag: prefix is not None and mapping.is_brand_tag(tag.name, prefix)
        )
        other_tags = current - brand_tags
        if sets_vendor:
            name = mapping.brand_tag_name(vendor, prefix)
            brand_tags = self._shopify_tags([name]) if name else self.env["product.tag"]
        if sets_tags:
            names = tags or []
            if prefix is not None:
                # A Shopify tag that looks like a brand tag would turn into the vendor on the way back.
                names = [name for name in names if not mapping.is_brand_tag(name, prefix)]
            other_tags = self._shopify_tags(names)
        return brand_tags | other_tags

    @api.model
    def _shopify_tags(self, names):
        Tag = self.env["product.tag"].sudo()
        tags = Tag
        for name in mapping.normalize_tags(names):
            tags |= Tag.search([("name", "=ilike", name)], limit=1) or Tag.create({"name": name})
        return tags

    @api.model
    def _shopify_archive_deleted(self, shop, gid):
        """products/delete: archive the binding and, unless another shop still sells it, the product."""
        binding = (
            self.sudo()
            .with_context(active_test=False)
            .search([("shop_id", "=", shop.id), ("shopify_gid", "=", gid)], limit=1)
        )
        if not binding:
            return False
        binding.write({"active": False, "sync_state": "archived", "export_pending": False})
        binding.variant_binding_ids.write({"active": False})
        others = self.sudo().search(
            [("product_tmpl_id", "=", binding.product_tmpl_id.id), ("id", "!=", binding.id)]
        )
        if not others:
            binding.product_tmpl_id.sudo().with_context(shopify_import=True).active = False
        return binding

    # ------------------------------------------------------------------------------------------------
    # Bulk export: many products as one bulk productSet mutation. While it runs its bindings stay marked
    # and held (the export jobs and the scheduled export leave them alone); each answer line is matched
    # back by `__lineNumber`: accepted → GIDs and the snapshot sent, rejected → error, still marked
    # ------------------------------------------------------------------------------------------------
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
        sent = dict(self.bulk_export_values or {})
        files = sent.pop("image_files", None)
        self._shopify_record_export(remote, self._shopify_odoo_product(), sent=sent)
        self.env["shopify.image.binding"]._record_answer(self, files, remote)
        self.sudo().write({"bulk_export_operation_id": False, "bulk_export_values": False})

    def _shopify_bulk_export_failed(self, message):
        """A rejected line: the error on the binding, which stays marked for the next run."""
        for binding in self:
            binding._shopify_record_failure(UserError(message))
        self.sudo().write({"bulk_export_operation_id": False, "bulk_export_values": False})
