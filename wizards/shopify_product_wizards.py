"""First export and first import of products, each with a dry-run preview that writes nothing.

The Publish preview compares with what Shopify holds now (services/mapping/product_preview.py)."""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.core.access import MANAGER, check_shopify_access
from ..services.mapping import product_preview as preview
from ..services.mapping import products as mapping

_logger = logging.getLogger(__name__)

PREVIEW_LIMIT = 500
ACTIONS = [
    ("create", "Create"),
    ("update", "Update"),
    ("nothing", "Nothing to do"),
    ("skipped", "Skipped (older)"),
    ("ambiguous", "Ambiguous match"),
    ("error", "Error"),
]


def _describe(diffs):
    """Readable lines for `(scope, field, odoo value, shopify value, target)` differences."""
    lines = []
    for scope, name, odoo_value, shopify_value, target in diffs:
        where = "" if scope == "product" else f" [{scope}]"
        if name == mapping.IMAGES:
            winner = "shopify" if target == "odoo" else "odoo"
            source, replaced = (
                (shopify_value, odoo_value) if target == "odoo" else (odoo_value, shopify_value)
            )
            lines.append(preview.describe_images(scope, source, replaced, winner))
            continue
        if target == "odoo":
            lines.append(f"{name}{where}: Odoo {odoo_value!r} ← Shopify {shopify_value!r}")
        else:
            lines.append(f"{name}{where}: Odoo {odoo_value!r} → Shopify {shopify_value!r}")
    return "\n".join(lines)


class ShopifyProductPreviewLine(models.TransientModel):
    _name = "shopify.product.preview.line"
    _description = "Shopify Product Sync Preview Line"

    export_wizard_id = fields.Many2one("shopify.product.export.wizard", ondelete="cascade")
    import_wizard_id = fields.Many2one("shopify.product.import.wizard", ondelete="cascade")
    name = fields.Char(string="Product")
    shopify_gid = fields.Char(string="Shopify GID")
    action = fields.Selection(ACTIONS, string="Action")
    details = fields.Text(string="Details")


class ShopifyProductExportWizard(models.TransientModel):
    _name = "shopify.product.export.wizard"
    _description = "Publish Products to Shopify"

    shop_id = fields.Many2one(
        "shopify.shop",
        required=True,
        default=lambda self: self.env["shopify.shop"].search([], limit=1),
        string="Shop",
    )
    product_tmpl_ids = fields.Many2many("product.template", string="Products")
    all_products = fields.Boolean(
        help="Publish every product that can be sold, not only the selected ones.",
        string="All Sellable Products",
    )
    line_ids = fields.One2many("shopify.product.preview.line", "export_wizard_id", string="Preview")
    state = fields.Selection([("draft", "Draft"), ("preview", "Preview"), ("done", "Done")], default="draft")
    summary = fields.Text(readonly=True, string="Summary")
    # Many products are exported by one bulk mutation in the background; its progress is shown here.
    bulk_operation_id = fields.Many2one("shopify.bulk.operation", readonly=True, string="Bulk Operation")
    bulk_status = fields.Selection(related="bulk_operation_id.status", string="Bulk Status")
    bulk_processed = fields.Boolean(related="bulk_operation_id.processed", string="Answers Applied")
    bulk_progress = fields.Char(compute="_compute_bulk_progress", string="Progress")
    bulk_error_ids = fields.One2many(
        related="bulk_operation_id.line_error_ids", string="Products Not Exported"
    )

    def _templates(self):
        if self.all_products:
            return self.env["product.template"].search([("sale_ok", "=", True)])
        return self.product_tmpl_ids

    def _preview(self):
        """Per product: create / update / nothing and the field differences. Writes nothing.

        A product already on Shopify is compared with what Shopify holds now: its current values are
        read (one query per chunk, the export's own pre-merge read) and merged three-way with the last
        synced snapshot, as the export would, so each difference says which side changed and who wins.
        """
        self.ensure_one()
        Binding = self.env["shopify.product.binding"].with_context(active_test=False)
        export_fields = self.shop_id._shopify_export_fields()
        rows, bound = [], {}
        for template in self._templates()[:PREVIEW_LIMIT]:
            binding = Binding.search(
                [("shop_id", "=", self.shop_id.id), ("product_tmpl_id", "=", template.id)]
            )
            probe = binding or Binding.new({"shop_id": self.shop_id.id, "product_tmpl_id": template.id})
            product = probe._shopify_odoo_product()
            problems = mapping.check_limits(product)
            if problems:
                rows.append({"name": template.display_name, "action": "error", "details": " ".join(problems)})
                continue
            row = {"name": template.display_name, "shopify_gid": binding.shopify_gid if binding else False}
            if binding and binding.shopify_gid:
                bound[binding] = (row, product)
            else:
                # Nothing on Shopify yet: every exported value is new there.
                row["action"] = "create"
                row["details"] = _describe(
                    (key[0], key[1], value, None, "shopify")
                    for key, value in mapping.flatten(mapping.snapshot(product)).items()
                    if key[1] in export_fields
                )
            rows.append(row)
        if bound:
            bindings = Binding.browse([binding.id for binding in bound])
            current, errors = self._preview_read_current(bindings)
            for binding, (row, product) in bound.items():
                row.update(self._preview_bound(binding, product, current.get(binding.shopify_gid), errors))
        return rows

    def _preview_read_current(self, bindings):
        """`({gid: canonical product}, {binding id: error message})`: Shopify's current values of the
        bound products, read in chunks sized like the export's (read queries only)."""
        from ..services.errors import ShopifyError

        shop = self.shop_id
        client = shop._shopify_client()
        current, errors = {}, {}
        for chunk, _cost in shop._shopify_export_chunks(bindings):
            try:
                current.update(shop._shopify_read_current(chunk, client))
            except ShopifyError as error:
                _logger.warning(
                    "Shopify shop %s: publish preview could not read %d product(s) (%s)",
                    shop.id,
                    len(chunk),
                    type(error).__name__,
                )
                errors.update(dict.fromkeys(chunk.ids, str(error)))
        return current, errors

    def _preview_bound(self, binding, product, remote, errors):
        """The preview row values of a product already on Shopify, against Shopify's current `remote`."""
        if binding.id in errors:
            message = _("Shopify's current values could not be read: %s", errors[binding.id])
            return {"action": "error", "details": message}
        if remote is None:
            message = _(
                "Shopify no longer has this product (%s): publishing it fails until its link is removed.",
                binding.shopify_gid,
            )
            return {"action": "error", "details": message}
        shop = self.shop_id
        remote = binding._shopify_round_weights(remote)
        if mapping.IMAGES in shop._shopify_product_rules():
            # Images Shopify holds are known by their rows; a new one is downloaded, nothing is written.
            remote = self.env["shopify.image.binding"]._resolve_remote(binding, remote)
        remote = shop._shopify_fill_collections(
            shop._shopify_fill_published(shop._shopify_fill_metafields(remote))
        )
        base = binding.synced_values or None
        odoo_snap, shopify_snap = mapping.snapshot(product), mapping.snapshot(remote)
        lines = []
        if binding._shopify_structure_change(base, odoo_snap, shopify_snap, False):
            lines.append(
                _(
                    "variants: Shopify changed them since the last sync; Odoo takes Shopify's: %s",
                    ", ".join(sorted(shopify_snap["variants"])),
                )
            )
        else:
            only_odoo, only_shopify = preview.variant_differences(odoo_snap, shopify_snap)
            if only_odoo:
                lines.append(_("variants created on Shopify: %s", ", ".join(only_odoo)))
            if only_shopify:
                lines.append(_("variants removed from Shopify (Odoo has none): %s", ", ".join(only_shopify)))
        policy_labels = dict(self.env["shopify.field.mapping"]._fields["conflict_policy"].selection)
        entries = preview.export_differences(
            base,
            odoo_snap,
            shopify_snap,
            shop._shopify_product_rules(),
            odoo_changed_at=binding.odoo_changed_at,
            shopify_updated_at=remote.get("updated_at"),
            skew=shop.product_conflict_skew_s,
        )
        lines += [preview.describe(entry, policy_labels) for entry in entries]
        return {"action": "update" if lines else "nothing", "details": "\n".join(lines)}

    def action_preview(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        self.line_ids = [fields.Command.clear()] + [fields.Command.create(row) for row in self._preview()]
        self.state = "preview"
        return self._reopen()

    @api.depends(
        "bulk_operation_id.processed_count",
        "bulk_operation_id.object_count",
        "bulk_operation_id.line_error_count",
        "bulk_operation_id.line_refs",
    )
    def _compute_bulk_progress(self):
        for wizard in self:
            operation = wizard.bulk_operation_id
            if not operation:
                wizard.bulk_progress = False
                continue
            wizard.bulk_progress = _(
                "%(done)s of %(total)s products answered, %(errors)s not exported",
                done=operation.processed_count,
                total=len(operation.line_refs or ()),
                errors=operation.line_error_count,
            )

    def action_refresh_bulk(self):
        """Ask Shopify how the bulk export is doing (and apply its answers when it is ready)."""
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        operation = self.bulk_operation_id
        if operation and not operation.processed:
            operation._refresh()
        return self._reopen()

    def action_publish(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        templates = self._templates()
        if not templates:
            raise UserError(_("Select the products to publish."))
        bulk = self.shop_id._shopify_product_export_uses_bulk(len(templates))
        # A bulk publish queues no per-product export job: the bulk operation sends them all.
        Binding = (
            self.env["shopify.product.binding"]
            .with_context(active_test=False)
            .with_context(shopify_bulk_export=bulk)
        )
        bindings = Binding
        for template in templates:
            binding = Binding.search(
                [("shop_id", "=", self.shop_id.id), ("product_tmpl_id", "=", template.id)]
            )
            if not binding:
                binding = Binding.create({"shop_id": self.shop_id.id, "product_tmpl_id": template.id})
            elif not binding.active:
                binding.write({"active": True, "sync_state": "pending"})
            binding._mark_for_export()
            bindings |= binding
        if bulk:
            return self._publish_bulk(bindings)
        stats = self.shop_id._shopify_export_pending(bindings)
        self.summary = _(
            "%(exported)s exported, %(failed)s failed, %(left)s left for the next run (API budget).",
            **stats,
        )
        self.state = "done"
        return self._reopen()

    def _publish_bulk(self, bindings):
        """Many products: one bulk mutation, whose answers are applied when Shopify has run it."""
        operation, failed = self.shop_id._shopify_start_product_bulk_export(bindings)
        self.bulk_operation_id = operation
        parts = []
        if operation:
            parts.append(
                _(
                    "%(count)s products are sent to Shopify as one bulk operation; the answers are applied "
                    "as soon as it has run (a few minutes). Use Refresh to follow the progress.",
                    count=len(operation.line_refs or ()) or len(operation.export_binding_ids),
                )
            )
        if failed:
            parts.append(
                _("%s products could not be prepared: see the error on each product's Shopify link.", failed)
            )
        self.summary = "\n".join(parts)
        self.state = "done"
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }


class ShopifyProductImportWizard(models.TransientModel):
    _name = "shopify.product.import.wizard"
    _description = "Import Products from Shopify"

    shop_id = fields.Many2one(
        "shopify.shop",
        required=True,
        default=lambda self: self.env["shopify.shop"].search([], limit=1),
        string="Shop",
    )
    mode = fields.Selection(
        [("all", "All products"), ("since", "Products updated since")],
        default="all",
        required=True,
        string="Import Mode",
    )
    since = fields.Datetime(string="Updated Since")
    line_ids = fields.One2many("shopify.product.preview.line", "import_wizard_id", string="Preview")
    state = fields.Selection([("draft", "Draft"), ("preview", "Preview"), ("done", "Done")], default="draft")
    summary = fields.Text(readonly=True, string="Summary")
    # A large catalog is imported by a bulk query in the background; its progress is shown here.
    bulk_operation_id = fields.Many2one("shopify.bulk.operation", readonly=True, string="Bulk Operation")
    bulk_status = fields.Selection(related="bulk_operation_id.status", string="Bulk Status")
    bulk_processed = fields.Boolean(related="bulk_operation_id.processed", string="Imported")
    bulk_progress = fields.Char(compute="_compute_bulk_progress", string="Progress")
    bulk_error_ids = fields.One2many(
        related="bulk_operation_id.line_error_ids", string="Products Not Imported"
    )

    @api.constrains("mode", "since")
    def _check_since(self):
        for wizard in self:
            if wizard.mode == "since" and not wizard.since:
                raise UserError(_("Give the date from which products are imported."))

    def _shopify_products(self, client):
        variables = {}
        if self.mode == "since":
            variables["query"] = f"updated_at:>'{self.since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        digits = self.shop_id._shopify_currency_digits()
        from ..models.products.shop import POLL_PAGE_SIZE

        for node in client.paginate("products_page", variables, ("products",), page_size=POLL_PAGE_SIZE):
            node = self.shop_id._shopify_complete_variants(client, node)
            yield node, mapping.product_from_graphql(node, digits)

    def _run(self, dry_run):
        self.ensure_one()
        from ..services.errors import ShopifyError

        client = self.shop_id._shopify_client()
        Binding = self.env["shopify.product.binding"]
        rows, counts = [], {}
        for index, (node, product) in enumerate(self._shopify_products(client)):
            if dry_run and index >= PREVIEW_LIMIT:
                break
            try:
                if dry_run:
                    result = Binding._shopify_import(self.shop_id, product, dry_run=True)
                else:
                    with self.env.cr.savepoint():
                        result = Binding._shopify_import(self.shop_id, product)
            except (ShopifyError, UserError, mapping.MappingError) as error:
                result = {"action": "error", "diffs": [], "message": str(error)}
            counts[result["action"]] = counts.get(result["action"], 0) + 1
            rows.append(
                {
                    "name": product["fields"]["title"],
                    "shopify_gid": node.get("id"),
                    "action": result["action"],
                    "details": result.get("message") or _describe(result["diffs"]),
                }
            )
        return rows, counts

    def action_preview(self):
        check_shopify_access(self, MANAGER)
        rows, _counts = self._run(dry_run=True)
        self.line_ids = [fields.Command.clear()] + [fields.Command.create(row) for row in rows]
        self.state = "preview"
        return self._reopen()

    @api.depends(
        "bulk_operation_id.processed_count",
        "bulk_operation_id.object_count",
        "bulk_operation_id.root_object_count",
        "bulk_operation_id.line_error_count",
    )
    def _compute_bulk_progress(self):
        for wizard in self:
            operation = wizard.bulk_operation_id
            if not operation:
                wizard.bulk_progress = False
                continue
            wizard.bulk_progress = _(
                "%(done)s of %(total)s rows imported (%(products)s products), %(errors)s not imported",
                done=operation.processed_count,
                total=operation.object_count or "?",
                products=operation.root_object_count or "?",
                errors=operation.line_error_count,
            )

    def action_import(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        if self.mode == "all":
            client = self.shop_id._shopify_client()
            if self.shop_id._shopify_product_import_uses_bulk(client):
                return self._start_bulk()
        rows, counts = self._run(dry_run=False)
        self.line_ids = [fields.Command.clear()] + [fields.Command.create(row) for row in rows]
        labels = dict(ACTIONS)
        self.summary = ", ".join(f"{labels[action]}: {count}" for action, count in sorted(counts.items()))
        self.state = "done"
        return self._reopen()

    def _start_bulk(self):
        """Too many products to page through: one bulk query, imported when Shopify has it ready."""
        self.bulk_operation_id = self.shop_id._shopify_start_product_bulk_import()
        self.summary = _(
            "The shop holds many products: Shopify prepares them as a bulk operation and they are "
            "imported as soon as it is ready (a few minutes). Use Refresh to follow the progress."
        )
        self.state = "done"
        return self._reopen()

    def action_refresh_bulk(self):
        """Ask Shopify how the bulk operation is doing (and import its result when it is ready)."""
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        operation = self.bulk_operation_id
        if operation and not operation.processed:
            operation._refresh()
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
