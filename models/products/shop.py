"""The shop's product settings and product sync: import and poll from Shopify, export (one productSet
per product, or one bulk mutation for many), 3-way merge against the last synced snapshot.
"""

import json
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ...services import timestamps
from ...services.errors import ShopifyError
from ...services.mapping import metafields
from ...services.mapping import products as mapping
from ..core.access import MANAGER, check_shopify_access
from ..core.sync_state import PRODUCT_CUSTOM_ID, PRODUCT_POLL
from ..engine.bulk_operation import ACTIVE_STATUSES

_logger = logging.getLogger(__name__)

CUSTOM_ID_NAMESPACE = "odoo"
CUSTOM_ID_KEY = "product_template_id"
POLL_OVERLAP = timedelta(minutes=5)
# 3 products × (20 variants, 10 images, metafields, channels, collections) stay below Shopify's 1000-point
# query maximum.
POLL_PAGE_SIZE = 3
POLL_VARIANTS_FIRST = 20  # more variants are read page by page (product_variants_page)
# The poll's ids read: a small first page (2 + `first` requested points, whatever it returns), then
# full pages when more products changed.
ID_FIRST_PAGE_SIZE = 10
ID_PAGE_SIZE = 250
SAME_SECOND = timedelta(seconds=1)
VARIANTS_PAGE_SIZE = 100
EXPORT_WINDOW_S = 60  # one export run spends at most what the bucket holds plus this much restore
PRODUCT_SET_BASE_COST = 10


STAGED_UPLOAD_COST = 10  # one stagedUploadsCreate (a mutation field), whatever the number of targets


READ_MAX_COST = 500  # one pre-export read of current values stays well below the 1000-point maximum
READ_MAX_IDS = 50


# Shop settings that change what is sent for every product (prices, collections).
EXPORT_SETTINGS = {
    "product_price_pricelist_id",
    "product_compare_at_source",
    "product_compare_at_pricelist_id",
    "product_collection_source",
}


BULK_IMPORT_THRESHOLD_PARAM = "shopify_sync.product_bulk_import_threshold"
DEFAULT_BULK_IMPORT_THRESHOLD = 500
BULK_EXPORT_THRESHOLD_PARAM = "shopify_sync.product_bulk_export_threshold"
DEFAULT_BULK_EXPORT_THRESHOLD = 250
BULK_EXPORT_KIND = "product_export"
BULK_EXPORT_READ_KIND = "product_export_read"

# Shopify takes a variables file of at most 100 MB (facts §3); what does not fit waits for the next run.
MAX_VARIABLES_BYTES = 90 * 1024 * 1024


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    # ------------------------------------------------------------------------------------------------
    # Product settings: matching, conflicts, vendor ⇄ brand, field mapping
    # ------------------------------------------------------------------------------------------------
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

    product_price_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Prices From Pricelist",
        check_company=True,
        help="Send each variant's price from this pricelist instead of its sales price (e.g. a sale "
        "pricelist). Prices then go to Shopify only: a price changed on Shopify is not written back.",
    )
    product_compare_at_source = fields.Selection(
        [("field", "Compare-at price field of the variant"), ("pricelist", "A pricelist")],
        string="Compare-at Price From",
        default="field",
        required=True,
        help="Where the compare-at price (shown struck through on Shopify) comes from. From a pricelist, "
        "it is sent only when higher than the price (a sale), else cleared; it then goes to Shopify only.",
    )
    product_compare_at_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Compare-at Pricelist",
        check_company=True,
        help="The pricelist whose price is the compare-at price (often the regular public pricelist).",
    )

    product_publication_ids = fields.One2many(
        "shopify.publication",
        "shop_id",
        string="Sales Channels",
        help="Load them from Shopify, then tick the channels products are published to.",
    )

    product_collection_source = fields.Selection(
        [("none", "Not synced"), ("category", "Product category")],
        string="Collections Are Synced With",
        default="none",
        required=True,
        help="Product category: a product is a member of the manual collection named like its category "
        "(created when missing), and joining such a collection on Shopify moves it to that category.",
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

    @api.constrains("product_compare_at_source", "product_compare_at_pricelist_id")
    def _check_compare_at_pricelist(self):
        for shop in self:
            if shop.product_compare_at_source == "pricelist" and not shop.product_compare_at_pricelist_id:
                raise ValidationError(_("Choose the pricelist whose price is the compare-at price."))

    def write(self, vals):
        result = super().write(vals)
        if EXPORT_SETTINGS.intersection(vals):
            # What every product sends may differ now: those that differ are marked for export.
            self.env["shopify.product.binding"].sudo().search(
                [("shop_id", "in", self.ids)]
            )._shopify_track_odoo_changes()
        return result

    def _shopify_price_pricelists(self):
        """The pricelists this shop's product prices come from (none: sales price and the field)."""
        self.ensure_one()
        pricelists = self.product_price_pricelist_id
        if self.product_compare_at_source == "pricelist":
            pricelists |= self.product_compare_at_pricelist_id
        return pricelists

    def _shopify_variant_prices(self, product, digits):
        """`(price, compare-at price or None)` of a variant as this shop sends them (Decimals)."""
        self.ensure_one()
        currency = self._shopify_currency()

        def pricelist_price(pricelist):
            value = pricelist._get_product_price(product, 1.0, currency=currency)
            return mapping.parse_money(value, digits)

        if self.product_price_pricelist_id:
            price = pricelist_price(self.product_price_pricelist_id)
        else:
            price = mapping.parse_money(product.lst_price, digits)
        if self.product_compare_at_source == "pricelist" and self.product_compare_at_pricelist_id:
            compare_at = pricelist_price(self.product_compare_at_pricelist_id)
            return price, compare_at if compare_at is not None and compare_at > price else None
        field_value = product.shopify_compare_at_price
        return price, mapping.parse_money(field_value, digits) if field_value else None

    def _shopify_brand_prefix(self):
        """The brand tag prefix, or None when the vendor is synced with the Brand field."""
        self.ensure_one()
        return self.product_vendor_tag_prefix if self.product_vendor_source == "tag" else None

    def _shopify_product_rules(self):
        """`{field: (direction, policy)}` of the active mapping lines."""
        self.ensure_one()
        lines = self.env["shopify.field.mapping"].sudo().search([("shop_id", "=", self.id)])
        rules = {line.rule_key: (line.direction, line.conflict_policy) for line in lines if line.rule_key}
        # A price computed by a pricelist cannot take a value from Shopify: it goes one way.
        computed = set()
        if self.product_price_pricelist_id:
            computed.add("price")
        if self.product_compare_at_source == "pricelist":
            computed.add("compare_at_price")
        for name in computed & set(rules):
            if rules[name][0] == mapping.BOTH:
                rules[name] = (mapping.TO_SHOPIFY, rules[name][1])
        return rules

    def _shopify_metafield_specs(self):
        """The active metafield lines of the mapping, as `_shopify_metafield_spec` tuples."""
        self.ensure_one()
        lines = (
            self.env["shopify.field.mapping"]
            .sudo()
            .search([("shop_id", "=", self.id), ("shopify_field", "=", "metafield")])
        )
        return [line._shopify_metafield_spec() for line in lines]

    def action_shopify_fetch_publications(self):
        """Load the shop's sales channels (publications) from Shopify; the choices made are kept."""
        check_shopify_access(self, MANAGER)
        Publication = self.env["shopify.publication"].sudo()
        for shop in self:
            client = shop._shopify_client()
            known = {publication.gid: publication for publication in shop.product_publication_ids}
            for node in client.paginate("publications_page", {}, ("publications",), page_size=50):
                if node["id"] in known:
                    known[node["id"]].name = node.get("name") or node["id"]
                else:
                    Publication.create(
                        {"shop_id": shop.id, "gid": node["id"], "name": node.get("name") or node["id"]}
                    )
        return True

    def _shopify_publish_gids(self):
        """GIDs of the publications products are published to (none: the publish state is not synced)."""
        self.ensure_one()
        return self.product_publication_ids.filtered("publish_products").mapped("gid")

    def _shopify_fill_published(self, product):
        """Give a canonical Shopify product its publish state: published on every chosen channel."""
        channels = self._shopify_publish_gids()
        if channels and product.get("publication_gids") is not None:
            product["fields"][mapping.PUBLISHED] = set(channels) <= set(product["publication_gids"])
        return product

    def _shopify_fill_collections(self, product):
        """Give a canonical Shopify product its collections: the titles of its collections that are
        named like an Odoo product category (the others are not Odoo's business)."""
        titles = product.get("collection_titles")
        if self.product_collection_source != "category" or titles is None:
            return product
        categories = self.env["product.category"].sudo().search([("name", "in", list(titles))])
        known = set(categories.mapped("name"))
        product["fields"][mapping.COLLECTIONS] = sorted(title for title in titles if title in known)
        return product

    def _shopify_collections_by_title(self, client):
        """{title: collection GID} of the shop's collections (the first of a title)."""
        found = {}
        for node in client.paginate("collections_page", {}, ("collections",), page_size=250):
            found.setdefault(node["title"], node["id"])
        return found

    def _shopify_fill_metafields(self, product):
        """Give a canonical Shopify product the values of the mapped metafields (absent = None), when it
        was read with its metafields (a REST webhook body is not)."""
        found = product.get("metafields")
        if found is None:
            return product
        for name, namespace, key, type_name, _field, _ttype in self._shopify_metafield_specs():
            stored = found.get(f"{namespace}.{key}")
            product["fields"][name] = (
                metafields.canonical(type_name, stored[1])
                if stored
                else (False if metafields.TYPES[type_name] == "boolean" else None)
            )
        return product

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
        from ...services.errors import UserErrorsError

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
        from ...services.errors import ShopifyError

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
    # Scheduled sync: poll Shopify, then export what Odoo changed, within the API budget
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
        from ...services.errors import ShopifyError

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
            try:
                staged, image_failed, calls = self.env["shopify.image.binding"]._stage_for(chunk, client)
            except ShopifyError as error:
                # The images wait for the next run; the rest of each product is still sent.
                _logger.warning("Shopify shop %s: images not staged (%s)", self.id, type(error).__name__)
                staged, image_failed, calls = {}, {}, 0
            stats["points"] += STAGED_UPLOAD_COST * calls
            stop = False
            for binding in chunk:
                if current is None and binding.shopify_gid:
                    outcome, cost = "failed", 0.0  # recorded above
                else:
                    remaining = None if allowance is None else allowance - stats["points"]
                    outcome, cost = self._shopify_export_one(
                        binding,
                        client,
                        (current or {}).get(binding.shopify_gid),
                        remaining,
                        staged=staged,
                        image_failed=image_failed,
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

    def _shopify_export_one(self, binding, client, remote, allowance, staged=None, image_failed=None):
        """Merge Shopify's current values (`remote`, canonical), then send one binding;
        `(outcome, estimated points)` where outcome is exported / failed / retry (retryable failure) /
        budget (not sent: it costs more than `allowance`)."""
        from ...services.cost import estimate_cost
        from ...services.documents import load as load_document
        from ...services.errors import ShopifyError

        try:
            if remote is not None:
                with self.env.cr.savepoint():
                    binding._shopify_merge_before_export(remote)
            variables = binding._shopify_product_set_variables(
                staged=staged, failed=image_failed, client=client
            )
        except (UserError, mapping.MappingError, ShopifyError) as error:
            binding._shopify_record_failure(error)
            return "failed", 0.0
        # productSet costs more with each variant and file sent (facts §2: +0.2 per variant, +1.9 per
        # file, +0.6 per variant file).
        document = load_document("product_set")
        data = variables["input"]
        variant_files = sum(1 for variant in data["variants"] if variant.get("file"))
        cost = (
            max(estimate_cost(document, variables), PRODUCT_SET_BASE_COST)
            + 0.2 * variables["variantsFirst"]
            + 1.9 * len(data.get("files") or ())
            + 0.6 * variant_files
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
        from ...services.cost import estimate_cost
        from ...services.documents import load as load_document

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
        """Import the products updated since the watermark (minus an overlap); returns the counts.

        Ids and updatedAt are read first (a few points a page); a product whose updatedAt is the one
        its binding last wrote or read is counted as skipped without being read again, the others are
        read whole (`products_current`, a page of them per query) and imported.
        """
        self.ensure_one()
        client = client or self._shopify_client()
        state = self._state_row(PRODUCT_POLL)
        watermark = state.watermark
        query = None
        if watermark:
            since = (watermark - POLL_OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
            query = f"updated_at:>'{since}'"
        stats = {"ok": 0, "failed": 0, "skipped": 0}
        newest = watermark
        for page in self._shopify_product_id_pages(client, query):
            settled = self._shopify_products_settled_at([gid for gid, _updated in page])
            to_read = []
            for gid, updated in page:
                if updated and settled.get(gid) == updated:
                    stats["skipped"] += 1
                    newest = max(newest, updated) if newest else updated
                else:
                    to_read.append(gid)
            for start in range(0, len(to_read), POLL_PAGE_SIZE):
                for updated in self._shopify_import_polled_products(
                    client, to_read[start : start + POLL_PAGE_SIZE], stats
                ):
                    newest = max(newest, updated) if newest else updated
        if newest and newest != watermark:
            state.watermark = newest
        return stats

    def _shopify_product_id_pages(self, client, query):
        """`[(gid, updatedAt)]` page after page of the products matching `query` (all when None); the
        first page is small: with webhooks flowing it usually holds everything."""
        variables = {"first": ID_FIRST_PAGE_SIZE}
        if query:
            variables["query"] = query
        while True:
            connection = client.execute("product_ids_page", variables).get("products") or {}
            yield [
                (node["id"], timestamps.parse(node.get("updatedAt")))
                for node in connection.get("nodes") or ()
            ]
            page_info = connection.get("pageInfo") or {}
            if not page_info.get("hasNextPage"):
                return
            variables.update(first=ID_PAGE_SIZE, after=page_info["endCursor"])

    def _shopify_products_settled_at(self, gids):
        """`{gid: shopify_updated_at}` of this shop's active bindings among `gids` whose Shopify version
        was last written or read after its second was over: updatedAt has a one-second resolution, so a
        version recorded within its own second (our own write, typically) may hide a later change of
        that second; such a product is read whole once more (its echo webhook or that read settles it).
        """
        bindings = (
            self.env["shopify.product.binding"]
            .sudo()
            .search_fetch(
                [("shop_id", "=", self.id), ("shopify_gid", "in", gids), ("shopify_updated_at", "!=", False)],
                ["shopify_gid", "shopify_updated_at", "shopify_seen_at"],
            )
        )
        return {
            binding.shopify_gid: binding.shopify_updated_at
            for binding in bindings
            if binding.shopify_seen_at and binding.shopify_seen_at > binding.shopify_updated_at + SAME_SECOND
        }

    def _shopify_import_polled_products(self, client, gids, stats):
        """Read `gids` whole in one query and import each; counts go to `stats`; yields the updatedAt of
        each product imported or found unchanged. A failed read stops the poll, as a failed page did."""
        Binding = self.env["shopify.product.binding"]
        digits = self._shopify_currency_digits()
        variables = {"ids": gids, "variantsFirst": POLL_VARIANTS_FIRST}
        for node in client.execute("products_current", variables).get("nodes") or ():
            if not node or not node.get("id"):  # deleted since its id was read
                continue
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
            updated = timestamps.parse(product["updated_at"])
            if updated:
                yield updated

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

    # ------------------------------------------------------------------------------------------------
    # Bulk export: above `shopify_sync.product_bulk_export_threshold` marked products, the scheduled
    # export (and the first immediate export job) sends them as one bulk productSet mutation
    # ------------------------------------------------------------------------------------------------
    def _shopify_product_export_in_flight(self):
        """Whether a bulk export of this shop has been sent and its answers are not applied yet."""
        self.ensure_one()
        return bool(
            self.env["shopify.bulk.operation"]
            .sudo()
            .search_count(
                [
                    ("shop_id", "=", self.id),
                    ("kind", "=", BULK_EXPORT_KIND),
                    "|",
                    ("status", "in", ACTIVE_STATUSES),
                    "&",
                    ("status", "=", "completed"),
                    ("processed", "=", False),
                ],
                limit=1,
            )
        )

    def _shopify_product_export_uses_bulk(self, count):
        """Whether exporting `count` products should run as one bulk mutation."""
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(BULK_EXPORT_THRESHOLD_PARAM, DEFAULT_BULK_EXPORT_THRESHOLD)
        )
        return count > threshold

    def _shopify_export_waiting(self):
        """Bindings marked for export and not held by a running bulk export, in export order."""
        self.ensure_one()
        return self.env["shopify.product.binding"].search(
            [
                ("shop_id", "=", self.id),
                ("export_pending", "=", True),
                ("active", "=", True),
                ("bulk_export_operation_id", "=", False),
            ],
            order="export_priority, odoo_changed_at, id",
        )

    def _shopify_export_marked(self):
        """The scheduled export: one bulk mutation when more products wait than the threshold (if it
        cannot start, batch by batch as usual), else batch by batch within the API budget."""
        self.ensure_one()
        waiting = self._shopify_export_waiting()
        if self._shopify_product_export_uses_bulk(len(waiting)):
            started = self._shopify_try_product_bulk_export(waiting)
            if started is not None:
                failed = started[1]
                return {"exported": 0, "failed": failed, "left": len(waiting) - failed, "points": 0.0}
        return self._shopify_export_pending(waiting)

    def _shopify_try_product_bulk_export(self, bindings):
        """`_shopify_start_product_bulk_export`, or None (logged) when it cannot start: the caller then
        exports batch by batch."""
        try:
            return self._shopify_start_product_bulk_export(bindings)
        except UserError as error:
            _logger.warning(
                "Shopify shop %s: bulk export not started, exporting batch by batch (%s)",
                self.id,
                type(error).__name__,
            )
            return None

    def _shopify_start_product_bulk_export(self, bindings):
        """Send `bindings` as one bulk mutation of productSet; `(operation or None, failures)`.

        Each product is prepared as for the batch export (Shopify's current values of a bound product
        read and merged first, then the productSet variables); one that cannot be prepared is recorded
        on its binding and left out. When some are bound, their current values are read by one bulk
        query (kind product_export_read, a few points instead of ~20 per product): the bindings are held
        by it, and the mutation starts once it has been read (`_bulk_done_product_export_read`); the
        operation returned is then that read. Without a bound product, or when the bulk query cannot
        start, they are read by paged queries and the mutation starts now. Raises UserError when the
        operation cannot be started (nothing is then held)."""
        self.ensure_one()
        bindings = bindings.filtered(lambda binding: not binding.bulk_export_operation_id)
        client = self._shopify_client(for_write=True)
        try:
            self._shopify_ensure_custom_id_definition(client)
        except ShopifyError as error:
            raise UserError(_("The bulk export cannot start: %s", error)) from error
        if bindings.filtered("shopify_gid") and not self.env.context.get("shopify_export_paged_read"):
            try:
                reading = self.env["shopify.bulk.operation"]._start_query(
                    self, BULK_EXPORT_READ_KIND, "bulk_products_import"
                )
            except (ShopifyError, UserError) as error:
                _logger.info(
                    "Shopify shop %s: bulk read before export not started, paged read (%s)",
                    self.id,
                    type(error).__name__,
                )
            else:
                bindings.sudo().write({"bulk_export_operation_id": reading.id})
                return reading, 0
        return self._shopify_send_product_bulk_export(bindings, client)

    def _shopify_send_product_bulk_export(self, bindings, client=None, merged=False):
        """Prepare `bindings` and start the bulk productSet mutation; `(operation or None, failures)`.
        `merged`: Shopify's current values were already read and merged (by the bulk read)."""
        client = client or self._shopify_client(for_write=True)
        rows, failed, size = [], 0, 0
        chunks = [(bindings, 0)] if merged else self._shopify_export_chunks(bindings)
        for chunk, _read_cost in chunks:
            if size >= MAX_VARIABLES_BYTES:
                break
            try:
                current = {} if merged else self._shopify_read_current(chunk, client)
            except ShopifyError as error:
                # Without Shopify's current values the export could overwrite a change made there.
                for binding in chunk.filtered("shopify_gid"):
                    binding._shopify_record_failure(error)
                    failed += 1
                chunk = chunk.filtered(lambda binding: not binding.shopify_gid)
                current = {}
            for binding in chunk:
                try:
                    with self.env.cr.savepoint():
                        remote = current.get(binding.shopify_gid) if binding.shopify_gid else None
                        if remote is not None:
                            binding._shopify_merge_before_export(remote)
                        variables = binding._shopify_product_set_variables(client=client)
                except (UserError, mapping.MappingError, ShopifyError) as error:
                    binding._shopify_record_failure(error)
                    failed += 1
                    continue
                line_size = len(json.dumps(variables, separators=(",", ":"))) + 1
                if size + line_size > MAX_VARIABLES_BYTES:
                    size = MAX_VARIABLES_BYTES
                    break
                size += line_size
                rows.append((binding, variables))
        if not rows:
            return None, failed
        try:
            operation = self.env["shopify.bulk.operation"]._start_mutation(
                self, BULK_EXPORT_KIND, "product_set", rows
            )
        except ShopifyError as error:
            _logger.warning("Shopify shop %s: bulk export not started (%s)", self.id, type(error).__name__)
            raise UserError(_("The bulk export could not be started on Shopify: %s", error)) from error
        for binding, variables in rows:
            sent = mapping.snapshot(binding._shopify_odoo_product())
            if variables["input"].get("files") is not None:
                sent["image_files"] = variables["input"]["files"]  # matched with the answer's media
            binding.sudo().write({"bulk_export_operation_id": operation.id, "bulk_export_values": sent})
        _logger.info(
            "Shopify shop %s: bulk export %s started for %s products", self.id, operation.id, len(rows)
        )
        return operation, failed
