"""Product sync in both directions, on top of the bindings.

Odoo → Shopify: `binding._shopify_export()` sends one `productSet` keyed by our customId with the full
variant list; `shop._shopify_export_pending()` exports the marked bindings, highest priority first,
as many as the shop's API budget allows; the scheduled run (`shop._shopify_export_marked()`) hands more than
a threshold of them to one bulk mutation instead (models/shopify_product_bulk_export.py).
Shopify → Odoo: `binding._shopify_import(shop, product)` applies one canonical product (from a webhook
or the poll) through the three-way merge; `shop._shopify_poll_products()` reads what changed since
an overlapping watermark.
"""

import json
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services import timestamps
from ..services.mapping import products as mapping
from .shopify_access import MANAGER, check_shopify_access
from .shopify_sync_state import PRODUCT_CUSTOM_ID, PRODUCT_POLL

_logger = logging.getLogger(__name__)

CUSTOM_ID_NAMESPACE = "odoo"
CUSTOM_ID_KEY = "product_template_id"
POLL_OVERLAP = timedelta(minutes=5)
POLL_PAGE_SIZE = 5  # 5 products × 20 variants stays far below Shopify's 1000-point query maximum
VARIANTS_PAGE_SIZE = 100
EXPORT_WINDOW_S = 60  # one export run spends at most what the bucket holds plus this much restore
PRODUCT_SET_BASE_COST = 10
READ_MAX_COST = 500  # one pre-export read of current values stays well below the 1000-point maximum
READ_MAX_IDS = 50
BULK_IMPORT_THRESHOLD_PARAM = "shopify_sync.product_bulk_import_threshold"
DEFAULT_BULK_IMPORT_THRESHOLD = 500


def _naive_utc(value):
    return value.replace(tzinfo=None) if value else False


def _json(value):
    return json.dumps(value, ensure_ascii=False, default=str)


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    field_mapping_ids = fields.One2many("shopify.field.mapping", "shop_id", string="Product Field Mapping")
    product_match_mode = fields.Selection(
        [
            ("sku_barcode", "SKU, then barcode"),
            ("sku", "SKU only"),
            ("barcode", "Barcode only"),
            ("none", "Never match (always create)"),
        ],
        default="sku_barcode",
        required=True,
        string="Match Existing Products By",
        help="How a Shopify product without a link is matched to an existing Odoo product on first sync. "
        "Two Odoo products sharing a SKU are reported, never guessed.",
    )
    product_conflict_skew_s = fields.Integer(
        string="Clock Skew Tolerance (s)",
        default=120,
        help="Newest-wins conflicts closer than this are treated as simultaneous: Odoo wins.",
    )
    product_poll_watermark = fields.Datetime(
        string="Products Read Up To",
        compute="_compute_product_sync_state",
        help="updatedAt of the newest product read by the poll; the next poll re-reads a few minutes before.",
    )
    product_vendor_source = fields.Selection(
        [("field", "Brand field"), ("tag", "Product tag with a prefix")],
        default="field",
        required=True,
        string="Vendor Is Synced With",
        help="Where Odoo keeps the brand that Shopify calls the vendor: the product's Brand field, or a "
        "product tag named with the prefix below (e.g. “Brand: Acme”). Odoo's product tags have no "
        "category, so the prefix marks the brand tag; brand tags are not sent as Shopify tags.",
    )
    product_vendor_tag_prefix = fields.Char(
        string="Brand Tag Prefix",
        default="Brand: ",
        help="Product tags whose name starts with this prefix hold the brand (vendor on Shopify).",
    )
    product_custom_id_ready = fields.Boolean(
        string="Custom ID Definition Created",
        compute="_compute_product_sync_state",
        help="The metafield definition odoo.product_template_id (type id) exists on Shopify.",
    )

    @api.depends("sync_state_ids.watermark", "sync_state_ids.done")
    def _compute_product_sync_state(self):
        States = self.env["shopify.sync.state"]
        polls = States._by_shop(self, PRODUCT_POLL)
        custom_ids = States._by_shop(self, PRODUCT_CUSTOM_ID)
        for shop in self:
            shop.product_poll_watermark = polls.get(shop._origin.id, States).watermark
            shop.product_custom_id_ready = custom_ids.get(shop._origin.id, States).done

    @api.model_create_multi
    def create(self, vals_list):
        shops = super().create(vals_list)
        mappings = self.env["shopify.field.mapping"]
        for shop in shops:
            mappings.create(mappings._default_values(shop))
        return shops

    @api.constrains("product_vendor_source", "product_vendor_tag_prefix")
    def _check_vendor_tag_prefix(self):
        for shop in self:
            if shop.product_vendor_source == "tag" and not (shop.product_vendor_tag_prefix or "").strip():
                raise ValidationError(
                    _(
                        "Give the prefix that marks the brand tag (e.g. “Brand: ”), or sync the vendor with "
                        "the Brand field."
                    )
                )

    def _shopify_brand_prefix(self):
        """The brand tag prefix, or None when the vendor is synced with the Brand field."""
        self.ensure_one()
        return self.product_vendor_tag_prefix if self.product_vendor_source == "tag" else None

    def _shopify_product_rules(self):
        """`{field: (direction, policy)}` of the active mapping lines."""
        self.ensure_one()
        lines = self.env["shopify.field.mapping"].sudo().search([("shop_id", "=", self.id)])
        return {line.shopify_field: (line.direction, line.conflict_policy) for line in lines}

    def _shopify_fields_for(self, *directions):
        return {
            name
            for name, (direction, _policy) in self._shopify_product_rules().items()
            if direction in directions
        }

    def _shopify_export_fields(self):
        return self._shopify_fields_for(mapping.BOTH, mapping.TO_SHOPIFY)

    def _shopify_currency(self):
        self.ensure_one()
        currency = False
        if self.currency_code_remote:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", self.currency_code_remote)], limit=1)
            )
        return currency or self.company_id.currency_id

    def _shopify_currency_digits(self):
        return self._shopify_currency().decimal_places

    # ------------------------------------------------------------------------------------------------
    # Setup
    # ------------------------------------------------------------------------------------------------
    def _shopify_ensure_custom_id_definition(self, client=None):
        """Create the `id` metafield definition our customId relies on (once; an existing one is fine)."""
        from ..services.errors import UserErrorsError

        self.ensure_one()
        if self.env["shopify.sync.state"]._find(self, PRODUCT_CUSTOM_ID).done:
            return True
        client = client or self._shopify_client(for_write=True)
        definition = {
            "name": "Odoo product template",
            "namespace": CUSTOM_ID_NAMESPACE,
            "key": CUSTOM_ID_KEY,
            "type": "id",
            "ownerType": "PRODUCT",
        }
        try:
            client.execute("metafield_definition_create", {"definition": definition})
        except UserErrorsError as error:
            codes = {user_error.get("code") for user_error in error.user_errors}
            if not codes & {"TAKEN", "DUPLICATE"}:
                raise
        self._state_row(PRODUCT_CUSTOM_ID).done = True
        return True

    def action_test_connection(self):
        """Setup: once the connection works, create the customId definition exports rely on."""
        check_shopify_access(self, MANAGER)
        result = super().action_test_connection()
        if self.state == "connected" and not self.product_custom_id_ready:
            self._shopify_setup_custom_id_definition()
        return result

    def _shopify_setup_custom_id_definition(self):
        """The setup step of the customId definition: a failure is logged and shown, not raised (the
        first export tries again)."""
        from ..services.errors import ShopifyError

        self.ensure_one()
        try:
            return self._shopify_ensure_custom_id_definition()
        except (ShopifyError, UserError) as error:
            _logger.warning(
                "Shopify shop %s: customId metafield definition not created (%s)",
                self.id,
                type(error).__name__,
            )
            self.message_post(
                body=_(
                    "The metafield definition %(namespace)s.%(key)s (type id) could not be created on "
                    "Shopify: %(error)s. Products can be published once it exists: test the connection "
                    "again after fixing the cause.",
                    namespace=CUSTOM_ID_NAMESPACE,
                    key=CUSTOM_ID_KEY,
                    error=error,
                )
            )
            return False

    # ------------------------------------------------------------------------------------------------
    # First import of a large catalog
    # ------------------------------------------------------------------------------------------------
    def _shopify_products_count(self, client=None):
        client = client or self._shopify_client()
        return int(client.execute("products_count")["productsCount"]["count"])

    def _shopify_product_import_uses_bulk(self, client=None):
        """Whether a full import should run as a bulk query: the shop holds more products than the
        `shopify_sync.product_bulk_import_threshold` parameter (paging them would take too many calls)."""
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(BULK_IMPORT_THRESHOLD_PARAM, DEFAULT_BULK_IMPORT_THRESHOLD)
        )
        return self._shopify_products_count(client) > threshold

    def _shopify_start_product_bulk_import(self):
        """Start the bulk query of the whole catalog; its result is imported by
        `shopify.bulk.operation._bulk_process_product_import` when it completes (webhook or poll)."""
        self.ensure_one()
        return self.env["shopify.bulk.operation"]._start_query(self, "product_import", "bulk_products_import")

    # ------------------------------------------------------------------------------------------------
    # Scheduled sync
    # ------------------------------------------------------------------------------------------------
    def _sync_products(self):
        """Scheduled sync "products" (every 15 minutes): import what changed on Shopify, then export what
        is marked in Odoo."""
        totals = {"ok": 0, "failed": 0, "skipped": 0}
        for shop in self:
            polled = shop._shopify_poll_products()
            exported = shop._shopify_export_marked()
            totals["ok"] += polled["ok"] + exported["exported"]
            totals["failed"] += polled["failed"] + exported["failed"]
            totals["skipped"] += polled["skipped"]
        return totals

    def _shopify_export_pending(self, bindings=None, window_s=EXPORT_WINDOW_S, client=None):
        """Export marked bindings, highest priority first, within this run's share of the API budget.

        The run may spend what the bucket holds now plus `window_s` seconds of restore; it stops before
        a call whose estimated cost would exceed that, and what is left stays marked for the next run.
        Bindings go in chunks: the current Shopify values of a chunk's bound products are read first
        (one query) and merged three-way, so a change made on Shopify since the last sync is kept or
        resolved by the conflict policy instead of being overwritten.
        Products held by a running bulk export are not exported again meanwhile.
        Returns `{"exported": n, "failed": n, "left": n, "points": estimated points}`.
        """
        from ..services.errors import ShopifyError

        self.ensure_one()
        Binding = self.env["shopify.product.binding"]
        if bindings is None:
            bindings = Binding.search(
                [
                    ("shop_id", "=", self.id),
                    ("export_pending", "=", True),
                    ("bulk_export_operation_id", "=", False),
                ],
                order="export_priority, odoo_changed_at, id",
            )
        else:
            bindings = bindings.filtered(lambda binding: not binding.bulk_export_operation_id)
        stats = {"exported": 0, "failed": 0, "left": 0, "points": 0.0}
        if not bindings:
            return stats
        client = client or self._shopify_client(for_write=True)
        self._shopify_ensure_custom_id_definition(client)
        allowance = self._shopify_budget_allowance(client, window_s)
        done = 0
        for chunk, read_cost in self._shopify_export_chunks(bindings):
            if read_cost and allowance is not None and stats["points"] + read_cost > allowance:
                break
            stats["points"] += read_cost
            try:
                current = self._shopify_read_current(chunk, client)
            except ShopifyError as error:
                # Without Shopify's current values an export could overwrite a change made there.
                for binding in chunk.filtered("shopify_gid"):
                    binding._shopify_record_failure(error)
                if error.retryable:
                    break
                current = None
            stop = False
            for binding in chunk:
                if current is None and binding.shopify_gid:
                    outcome, cost = "failed", 0.0  # recorded above
                else:
                    remaining = None if allowance is None else allowance - stats["points"]
                    outcome, cost = self._shopify_export_one(
                        binding, client, (current or {}).get(binding.shopify_gid), remaining
                    )
                if outcome == "budget":
                    _logger.info("Shopify shop %s: export budget spent", self.id)
                    stop = True
                    break
                stats["points"] += cost
                done += 1
                stats["exported" if outcome == "exported" else "failed"] += 1
                if outcome == "retry":
                    stop = True  # Shopify is unwell or throttling: the next run tries again
                    break
            if stop:
                break
        stats["left"] = len(bindings) - done
        return stats

    def _shopify_export_one(self, binding, client, remote, allowance):
        """Merge Shopify's current values (`remote`, canonical), then send one binding;
        `(outcome, estimated points)` where outcome is exported / failed / retry (retryable failure) /
        budget (not sent: it costs more than `allowance`)."""
        from ..services.cost import estimate_cost
        from ..services.documents import load as load_document
        from ..services.errors import ShopifyError

        try:
            if remote is not None:
                with self.env.cr.savepoint():
                    binding._shopify_merge_before_export(remote)
            variables = binding._shopify_product_set_variables()
        except (UserError, mapping.MappingError) as error:
            binding._shopify_record_failure(error)
            return "failed", 0.0
        # productSet costs more with each variant sent (facts §2: +0.2 per variant).
        document = load_document("product_set")
        cost = (
            max(estimate_cost(document, variables), PRODUCT_SET_BASE_COST) + 0.2 * variables["variantsFirst"]
        )
        if allowance is not None and cost > allowance:
            return "budget", 0.0
        try:
            with self.env.cr.savepoint():
                binding._shopify_export(client=client, variables=variables)
        except ShopifyError as error:
            binding._shopify_record_failure(error)
            return ("retry" if error.retryable else "failed"), cost
        except UserError as error:
            binding._shopify_record_failure(error)
            return "failed", cost
        return "exported", cost

    def _shopify_export_chunks(self, bindings):
        """`(bindings, estimated cost of reading their Shopify values)` in order; a chunk's read is one
        `nodes` query costing at most READ_MAX_COST (as many products as fit)."""
        from ..services.cost import estimate_cost
        from ..services.documents import load as load_document

        document = load_document("products_current")
        variants_first = self._shopify_read_variants_first(bindings.filtered("shopify_gid"))
        per_product = estimate_cost(document, {"ids": ["x"], "variantsFirst": variants_first})
        size = max(1, min(READ_MAX_IDS, READ_MAX_COST // max(per_product, 1)))
        bindings = list(bindings)
        for start in range(0, len(bindings), size):
            chunk = self.env["shopify.product.binding"].browse([b.id for b in bindings[start : start + size]])
            bound = len(chunk.filtered("shopify_gid"))
            cost = (
                estimate_cost(document, {"ids": ["x"] * bound, "variantsFirst": variants_first})
                if bound
                else 0
            )
            yield chunk, cost

    def _shopify_read_variants_first(self, bindings):
        counts = [len(binding.variant_binding_ids) for binding in bindings] or [1]
        return max(1, min(VARIANTS_PAGE_SIZE, max(counts)))

    def _shopify_read_current(self, bindings, client):
        """`{gid: canonical product}` of the bound products among `bindings`, read in one query (a
        product Shopify no longer has is absent)."""
        bound = bindings.filtered("shopify_gid")
        if not bound:
            return {}
        variables = {
            "ids": bound.mapped("shopify_gid"),
            "variantsFirst": self._shopify_read_variants_first(bound),
        }
        digits = self._shopify_currency_digits()
        current = {}
        for node in client.execute("products_current", variables).get("nodes") or ():
            if node and node.get("id"):
                node = self._shopify_complete_variants(client, node)
                current[node["id"]] = mapping.product_from_graphql(node, digits)
        return current

    def _shopify_budget_allowance(self, client, window_s):
        """Points this run may spend: the bucket's level now plus `window_s` of restore (None = unknown)."""
        budget = getattr(client, "budget", None)
        state = budget.state(client.shop_key) if budget is not None else None
        if state is None:
            return None
        return max(0.0, state.currently_available) + state.restore_rate * window_s

    def _shopify_poll_products(self, client=None):
        """Import the products updated since the watermark (minus an overlap); returns the counts."""
        from ..services.errors import ShopifyError

        self.ensure_one()
        client = client or self._shopify_client()
        digits = self._shopify_currency_digits()
        state = self._state_row(PRODUCT_POLL)
        watermark = state.watermark
        variables = {}
        if watermark:
            since = (watermark - POLL_OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
            variables["query"] = f"updated_at:>'{since}'"
        Binding = self.env["shopify.product.binding"]
        stats = {"ok": 0, "failed": 0, "skipped": 0}
        newest = watermark
        for node in client.paginate("products_page", variables, ("products",), page_size=POLL_PAGE_SIZE):
            try:
                node = self._shopify_complete_variants(client, node)
                product = mapping.product_from_graphql(node, digits)
                with self.env.cr.savepoint():
                    result = Binding._shopify_import(self, product)
            except (ShopifyError, UserError, mapping.MappingError) as error:
                _logger.warning(
                    "Shopify shop %s: product %s not imported: %s", self.id, node.get("id"), error
                )
                stats["failed"] += 1
                continue
            stats["skipped" if result["action"] in ("skipped", "nothing") else "ok"] += 1
            updated = _naive_utc(product["updated_at"])
            if updated and (not newest or updated > newest):
                newest = updated
        if newest and newest != watermark:
            state.watermark = newest
        return stats

    def _shopify_complete_variants(self, client, node):
        """Fetch the variants a products page did not include."""
        connection = node.get("variants") or {}
        page_info = connection.get("pageInfo") or {}
        if not page_info.get("hasNextPage"):
            return node
        nodes = list(connection.get("nodes") or ())
        variables = {"id": node["id"], "after": page_info.get("endCursor")}
        nodes.extend(
            client.paginate(
                "product_variants_page", variables, ("product", "variants"), page_size=VARIANTS_PAGE_SIZE
            )
        )
        return dict(node, variants={"nodes": nodes})

    def _shopify_fetch_product(self, gid, client=None):
        """One product, as a canonical dict (None when Shopify does not know it)."""
        client = client or self._shopify_client()
        node = client.execute("product_by_id", {"id": gid}).get("product")
        if not node:
            return None
        return mapping.product_from_graphql(
            self._shopify_complete_variants(client, node), self._shopify_currency_digits()
        )


class ShopifyProductBinding(models.Model):
    _inherit = "shopify.product.binding"

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
        variants = []
        for product in self._shopify_odoo_variants():
            values_by_line = {
                ptav.attribute_line_id.id: ptav.name for ptav in product.product_template_attribute_value_ids
            }
            variant_binding = variant_bindings.get(product.id)
            variants.append(
                {
                    "gid": variant_binding.shopify_gid if variant_binding else None,
                    "inventory_item_gid": variant_binding.inventory_item_gid if variant_binding else None,
                    "option_values": [values_by_line.get(line.id) for line in lines],
                    "odoo_id": product.id,
                    "fields": {
                        "price": mapping.parse_money(product.lst_price, digits),
                        "compare_at_price": mapping.parse_money(product.shopify_compare_at_price, digits)
                        if product.shopify_compare_at_price
                        else None,
                        "sku": product.default_code or "",
                        "barcode": product.barcode or "",
                        "weight": round(self._shopify_kg(product.weight), weight_digits),
                    },
                }
            )
        return {
            "gid": self.shopify_gid or None,
            "handle": self.shopify_handle or None,
            "updated_at": None,
            "fields": {
                "title": (template.name or "").strip(),
                "description_html": mapping.html_to_text(mapping.text_to_html(template.description_sale)),
                "vendor": vendor,
                "product_type": template.categ_id.name if template.categ_id != default_category else "",
                "tags": tags,
                "status": mapping.status_from_odoo(template.active, template.sale_ok, previous_status),
            },
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
    def _shopify_product_set_variables(self):
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
        return {"input": data, "identifier": identifier, "variantsFirst": max(1, len(data["variants"]))}

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
            variables = self._shopify_product_set_variables()
        odoo_product = self._shopify_odoo_product()
        data = client.execute("product_set", variables)
        remote = (data.get("productSet") or {}).get("product")
        if not remote:
            raise UserError(
                _("Shopify accepted %s but returned no product.", self.product_tmpl_id.display_name)
            )
        self._shopify_record_export(remote, odoo_product)
        return True

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
        updated_at = _naive_utc(product.get("updated_at"))
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
        shopify_snap = mapping.snapshot(product)
        base = self.synced_values or None
        if base and mapping.snapshot_hash_of(shopify_snap, rules) == mapping.snapshot_hash_of(base, rules):
            # Shopify holds exactly what we last synced (typically the echo of our own export).
            if not dry_run and product.get("updated_at"):
                self.shopify_updated_at = _naive_utc(product["updated_at"])
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
        base_flat = mapping.flatten(base)
        if fresh:
            base_flat = mapping.flatten(odoo_snap)  # a product we just created holds only defaults
        else:
            # Variants that did not exist before this import start from their Odoo defaults.
            known = set((base or {}).get("variants", {}))
            for key, value in mapping.flatten(odoo_snap).items():
                if key[0] != "product" and key[0] not in known and key not in base_flat and base:
                    base_flat[key] = value
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
        if merged["to_odoo"]:
            self._shopify_apply_to_odoo(merged["to_odoo"])
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
        self._set_snapshot(mapping.unflatten(result), _naive_utc(product.get("updated_at")))
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

    def _shopify_apply_to_odoo(self, flat):
        """Write Shopify values (`{(scope, field): value}` in snapshot form) on the Odoo product."""
        self.ensure_one()
        template = self.product_tmpl_id.sudo().with_context(shopify_import=True, active_test=False)
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
