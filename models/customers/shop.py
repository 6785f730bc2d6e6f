"""The shop's customer settings (export, field mapping), the customer poll and the customer reconciliation
(the safety net behind the customers/* webhooks), and the scopes customers need."""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...services.mapping import customers as mapping
from ..core.access import MANAGER, USER, check_shopify_access
from ..core.sync_state import CUSTOMER_POLL, CUSTOMER_RECONCILE, CUSTOMER_SYNC
from .customer_export import READ_CHUNK

_logger = logging.getLogger(__name__)


# The poll re-reads this much before the watermark: Shopify's updatedAt can land a little after a page was
# read. Re-reading is cheap (ids and updatedAt only; applied versions are skipped without a full read).
POLL_OVERLAP = timedelta(minutes=5)


# Id pages: a node costs 1 point, so a page of 250 costs ~252 of the 1000-point request maximum.
ID_PAGE_SIZE = 250


# Full reads per poll run: a shop's first poll (no watermark) walks every customer, oldest change first,
# and continues where it stopped on the next run instead of holding the cron for hours.
MAX_FULL_READS_PER_RUN = 500


# Customers named in a reconciliation report (the counts are complete).
REPORT_LIMIT = 50


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    customer_export_enabled = fields.Boolean(
        string="Export Contacts to Shopify",
        help="Off: customers only come from Shopify. On: contacts of the export selection become Shopify "
        "customers, and the customer field mapping decides which fields go which way.",
    )
    customer_export_category_ids = fields.Many2many(
        "res.partner.category",
        "shopify_shop_customer_export_category_rel",
        "shop_id",
        "category_id",
        string="Export Contacts Tagged",
        help="Top-level contacts with one of these tags (and an e-mail or phone) become Shopify customers.",
    )
    customer_export_domain = fields.Char(
        string="Export Contacts Matching",
        help="A further filter on the contacts exported (an Odoo domain on contacts).",
    )
    customer_field_mapping_ids = fields.One2many(
        "shopify.customer.field.mapping", "shop_id", string="Customer Field Mapping"
    )
    customer_binding_count = fields.Integer(compute="_compute_customer_binding_count")
    customer_poll_watermark = fields.Datetime(
        string="Customers Read Up To",
        compute="_compute_customer_sync_state",
        help="updatedAt of the newest customer the poll applied; the next poll reads from a few minutes "
        "before.",
    )
    customer_reconcile_details = fields.Json(compute="_compute_customer_sync_state")

    @api.model_create_multi
    def create(self, vals_list):
        shops = super().create(vals_list)
        mappings = self.env["shopify.customer.field.mapping"]
        for shop in shops:
            mappings.create(mappings._default_values(shop))
        return shops

    def _compute_customer_binding_count(self):
        counts = dict(
            self.env["shopify.customer.binding"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.customer_binding_count = counts.get(shop, 0)

    @api.depends("sync_state_ids.watermark", "sync_state_ids.details")
    def _compute_customer_sync_state(self):
        States = self.env["shopify.sync.state"]
        polls = States._by_shop(self, CUSTOMER_POLL)
        reports = States._by_shop(self, CUSTOMER_RECONCILE)
        for shop in self:
            shop.customer_poll_watermark = polls.get(shop._origin.id, States).watermark
            shop.customer_reconcile_details = reports.get(shop._origin.id, States).details

    @api.model
    def _shopify_required_scopes(self):
        # Customers, their webhooks (customers/*) and the export; customers/merge needs its own scope.
        return [
            *super()._shopify_required_scopes(),
            "read_customers",
            "write_customers",
            "read_customer_merge",
        ]

    # ------------------------------------------------------------------------------------------------
    # The scheduled sync "customers": poll (webhooks' safety net), then export what waits
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _cron_sync_customers(self):
        return self._run_sync_for_shops("customers")

    def _sync_customers(self):
        """Scheduled sync "customers" (cron every 15 minutes): read the customers webhooks may have missed,
        then export the contacts that wait (when the shop exports)."""
        self.ensure_one()
        if self.state == "draft":  # never connected: no credentials to poll with yet
            return {}
        ok, failed = self._shopify_poll_customers()
        exported = self.env["shopify.customer.export"]._export_shop(self)
        self._state_row(CUSTOMER_SYNC).write(
            {
                "checked_at": fields.Datetime.now(),
                "details": {"export_errors": exported["errors"][:REPORT_LIMIT]},
            }
        )
        return {
            "ok": ok + exported["ok"],
            "failed": failed + exported["failed"],
            "skipped": exported["skipped"],
        }

    def _shopify_customer_stamps(self, client, since=None):
        """(GID, updatedAt) of every customer updated after `since` (all when None), oldest change first."""
        query = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'" if since else None
        for node in client.paginate(
            "customer_ids_page", {"query": query}, connection_path=("customers",), page_size=ID_PAGE_SIZE
        ):
            yield mapping.customer_stamp(node)

    def _shopify_import_customers(self, client, gids):
        """Read `gids` in full (chunks) and import each in its own savepoint; returns {gid: error or None}."""
        importer = self.env["shopify.customer.import"]
        outcome = {}
        for start in range(0, len(gids), READ_CHUNK):
            chunk = gids[start : start + READ_CHUNK]
            nodes = client.execute("customers_by_ids", {"ids": chunk}).get("nodes") or []
            for gid, node in zip(chunk, nodes, strict=False):
                if not node:  # deleted since its id was read: its deletion webhook or the report says so
                    outcome[gid] = None
                    continue
                try:
                    with self.env.cr.savepoint():
                        importer._import(self, mapping.customer_from_graphql(node))
                    outcome[gid] = None
                except Exception as error:  # one bad customer must not stop the others
                    _logger.warning("Shopify shop %s: customer %s failed: %s", self.id, gid, error)
                    outcome[gid] = f"{type(error).__name__}: {error}"
        return outcome

    def _shopify_poll_customers(self):
        """Import the customers updated since the watermark that Odoo has not applied; returns (ok, failed).

        Cheap first: ids and updatedAt, compared with the bindings' applied version; only the others are
        read in full (at most MAX_FULL_READS_PER_RUN a run). The watermark moves to the newest updatedAt
        applied in order; a failure holds it just before the failed customer, which the next poll reads
        again.
        """
        self.ensure_one()
        state = self._state_row(CUSTOMER_POLL)
        since = state.watermark - POLL_OVERLAP if state.watermark else None
        client = self._shopify_client()
        applied = self._customer_applied_versions()
        todo, watermark = [], state.watermark
        for gid, updated_at in self._shopify_customer_stamps(client, since):
            if applied.get(gid) and updated_at and applied[gid] >= updated_at:
                watermark = max(filter(None, (watermark, updated_at)))
                continue
            if len(todo) >= MAX_FULL_READS_PER_RUN:
                break
            todo.append((gid, updated_at))
        outcome = self._shopify_import_customers(client, [gid for gid, _at in todo])
        for gid, updated_at in todo:
            if outcome.get(gid):
                watermark = min(filter(None, (watermark, updated_at - timedelta(seconds=1))))
                break
            watermark = max(filter(None, (watermark, updated_at)))
        if watermark != state.watermark:
            state.write({"watermark": watermark})
        failed = sum(1 for error in outcome.values() if error)
        return len(outcome) - failed, failed

    def _customer_applied_versions(self):
        bindings = (
            self.env["shopify.customer.binding"]
            .sudo()
            .search_read([("shop_id", "=", self.id)], ["shopify_gid", "shopify_updated_at"])
        )
        return {row["shopify_gid"]: row["shopify_updated_at"] for row in bindings}

    # ------------------------------------------------------------------------------------------------
    # Reconciliation part "customers"
    # ------------------------------------------------------------------------------------------------
    def _reconcile_part_customers(self):
        """Every Shopify customer (ids and updatedAt) against the bindings: the ones missing in Odoo and
        those Odoo holds an older version of are imported (reported only in a dry run); bindings whose
        customer is gone from Shopify are reported. The report is the shop's `customer_reconcile` row."""
        self.ensure_one()
        dry_run = self._reconcile_dry_run()
        client = self._shopify_client()
        applied = self._customer_applied_versions()
        missing, stale, seen = [], [], set()
        for gid, updated_at in self._shopify_customer_stamps(client):
            seen.add(gid)
            if gid not in applied:
                missing.append(gid)
            elif updated_at and (not applied[gid] or applied[gid] < updated_at):
                stale.append(gid)
        gone = sorted(gid for gid in applied if gid not in seen)
        outcome = {} if dry_run else self._shopify_import_customers(client, missing + stale)
        failed = sorted(gid for gid, error in outcome.items() if error)
        details = {
            "dry_run": dry_run,
            "customers": len(seen),
            "missing": len(missing),
            "stale": len(stale),
            "gone": len(gone),
            "backfilled": len(outcome) - len(failed),
            "failed": len(failed),
            "missing_gids": missing[:REPORT_LIMIT],
            "gone_gids": gone[:REPORT_LIMIT],
            "failed_gids": failed[:REPORT_LIMIT],
        }
        self._state_row(CUSTOMER_RECONCILE).write(
            {"checked_at": fields.Datetime.now(), "details": details, "error": False}
        )
        return {
            "ok": details["backfilled"],
            "failed": len(failed),
            "skipped": (len(missing) + len(stale)) if dry_run else 0,
        }

    # ------------------------------------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------------------------------------
    def action_export_customers_now(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        if not self.customer_export_enabled:
            raise UserError(_("Turn on “Export Contacts to Shopify” for %s first.", self.name))
        if self.env["shopify.customer.export"]._export_domain(self) is None:
            raise UserError(_("Choose the contacts to export: a contact tag or a filter."))
        self.env["shopify.queue.job"].sudo()._enqueue(self, "customer_sync", dedupe_key="customer_sync")
        return self._notify(
            _("Customer export queued"), _("The contacts are exported in the background."), "info"
        )

    def action_view_customer_bindings(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_customer_binding")
        action["domain"] = [("shop_id", "=", self.id)]
        return action
