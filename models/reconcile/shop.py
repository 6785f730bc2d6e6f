"""The daily reconciliation of a shop: an explicit, ordered list of parts (the work registry's
RECONCILE_PARTS: inventory, orders, products, customers — the last in models/customers/shop.py), each
comparing Shopify with Odoo and correcting or reporting the difference; the "Run reconciliation now"
button queues the same run.
"""

import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ...services import completeness, documents
from ...services import inventory as inventory_service
from ...services.errors import ShopifyError
from ..core.access import MANAGER, USER, check_shopify_access
from ..engine import registry as work_registry
from ..engine.bulk_operation import ACTIVE_STATUSES
from ..engine.sync_log import COUNT_KEYS

# The parts a person can ask for, in the wizard's order (the run order is work_registry.RECONCILE_PARTS;
# the registry test keeps the two sets equal).
RECONCILE_PARTS = ("products", "inventory", "orders", "customers")
RECONCILE_JOB_KIND = "reconcile_now"


def add_counts(result, counts):
    """The sum of two hook results ({"ok", "failed", "skipped"}; None counts as nothing)."""
    result, counts = result or {}, counts or {}
    return {key: (result.get(key) or 0) + (counts.get(key) or 0) for key in COUNT_KEYS}


_logger = logging.getLogger(__name__)

LEVELS_PAGE_SIZE = 100
BULK_THRESHOLD_PARAM = "shopify_sync.inventory_bulk_threshold"

# Pages of 100 levels cost ~1 call each; from this many pairs one bulk operation is cheaper and faster.
DEFAULT_BULK_THRESHOLD = 5000
INVENTORY_BULK_KIND = "inventory_reconcile"
INVENTORY_BULK_DOCUMENT = "bulk_inventory_levels"
ORDER_BULK_KIND = "order_reconcile"
ORDER_BULK_DOCUMENT = "bulk_orders_window"
MAX_WINDOW_DAYS = 60
PRODUCT_RECONCILE_KIND = "product_reconcile"
PRODUCT_RECONCILE_DOCUMENT = "bulk_product_reconcile"


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    # ------------------------------------------------------------------------------------------------
    # Status on the shop form: last run, job waiting or running, bulk operations
    # ------------------------------------------------------------------------------------------------
    reconcile_last_run_id = fields.Many2one(
        "shopify.sync.log", compute="_compute_reconcile_status", string="Last Reconciliation Run"
    )
    reconcile_last_run_state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        compute="_compute_reconcile_status",
        string="Last Run State",
    )
    reconcile_job_state = fields.Selection(
        [("queued", "Queued"), ("running", "Running")],
        compute="_compute_reconcile_status",
        string="Reconciliation Now",
        help="A reconciliation asked for with the button, waiting for or running in the background.",
    )
    bulk_operation_count = fields.Integer(compute="_compute_bulk_operation_count")

    def _compute_reconcile_status(self):
        SyncLog = self.env["shopify.sync.log"].sudo()
        Job = self.env["shopify.queue.job"].sudo()
        for shop in self:
            run = SyncLog.search([("shop_id", "=", shop.id), ("kind", "=", "reconcile")], limit=1)
            shop.reconcile_last_run_id = run
            shop.reconcile_last_run_state = run.state
            job = Job.search(
                [
                    ("shop_id", "=", shop.id),
                    ("kind", "=", RECONCILE_JOB_KIND),
                    ("state", "in", ("pending", "running")),
                ],
                limit=1,
            )
            shop.reconcile_job_state = {"pending": "queued", "running": "running"}.get(job.state, False)

    def _compute_bulk_operation_count(self):
        counts = dict(
            self.env["shopify.bulk.operation"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.bulk_operation_count = counts.get(shop, 0)

    # ------------------------------------------------------------------------------------------------
    # The daily run: each part asked for, in order
    # ------------------------------------------------------------------------------------------------
    def _reconcile(self):
        """The scheduled sync of kind "reconcile": every part of `work_registry.RECONCILE_PARTS` the
        context asks for, in that order; returns the sum of their counts."""
        self.ensure_one()
        wanted = self.env.context.get("shopify_reconcile_parts")
        result = dict.fromkeys(COUNT_KEYS, 0)
        for part, handler in work_registry.RECONCILE_PARTS:
            if wanted is None or part in wanted:
                result = add_counts(result, getattr(self, handler.method)())
        return result

    def _reconcile_dry_run(self):
        return bool(self.env.context.get("shopify_reconcile_dry_run"))

    # ------------------------------------------------------------------------------------------------
    # Run now, in the background
    # ------------------------------------------------------------------------------------------------
    def _enqueue_reconcile_now(self, parts, dry_run=False):
        """Queue one reconciliation run of these parts; the queue cron runs it (never the HTTP request)."""
        self.ensure_one()
        parts = [part for part in RECONCILE_PARTS if part in parts]
        if not parts:
            raise UserError(
                _("Choose at least one part to reconcile: products, inventory, orders or customers.")
            )
        if self.reconcile_job_state:
            raise UserError(_("A reconciliation of %s is already waiting or running.", self.name))
        return (
            self.env["shopify.queue.job"]
            .sudo()
            ._enqueue(
                self,
                RECONCILE_JOB_KIND,
                payload={"parts": parts, "dry_run": bool(dry_run)},
                dedupe_key=RECONCILE_JOB_KIND,
            )
        )

    def action_open_reconcile_wizard(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_reconcile_wizard")
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_view_bulk_operations(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_bulk_operation")
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_view_reconcile_runs(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("shopify_sync.action_shopify_sync_log")
        action["domain"] = [("shop_id", "=", self.id), ("kind", "=", "reconcile")]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------------------------------------
    # Inventory part: read every level of the mapped locations (pages, or one bulk query above
    # `shopify_sync.inventory_bulk_threshold` pairs), compare with Odoo, push what differs, report the drift
    # ------------------------------------------------------------------------------------------------
    inventory_reconcile_progress = fields.Char(
        string="Stock Reconciliation",
        compute="_compute_inventory_reconcile_progress",
        help="A bulk stock reconciliation under way: Shopify building the file, then Odoo reading it.",
    )

    def _compute_inventory_reconcile_progress(self):
        Drift = self.env["shopify.inventory.drift"].sudo()
        for shop in self:
            drift = Drift.search([("shop_id", "=", shop.id), ("state", "=", "running")], limit=1)
            operation = drift.bulk_operation_id
            if not operation:
                shop.inventory_reconcile_progress = False
            elif operation.status != "completed":
                shop.inventory_reconcile_progress = _(
                    "Shopify is reading every stock level (%(status)s, %(count)s objects so far).",
                    status=operation.status,
                    count=operation.object_count,
                )
            else:
                shop.inventory_reconcile_progress = _(
                    "Comparing with Odoo: %(done)s / %(total)s lines.",
                    done=operation.processed_count,
                    total=operation.object_count,
                )

    def _reconcile_part_inventory(self):
        """The inventory part of the daily reconciliation (and "Run reconciliation now")."""
        if not self.shopify_location_ids.filtered("is_mapped"):
            return {}
        drift = self._inventory_reconcile()
        if drift.state == "running":  # a bulk query: the report is finished when its result is read
            return {}
        return {"ok": drift.pairs_checked - drift.pairs_differed, "failed": drift.pairs_differed}

    def _inventory_bulk_threshold(self):
        value = self.env["ir.config_parameter"].sudo().get_param(BULK_THRESHOLD_PARAM)
        try:
            return int(value) if value else DEFAULT_BULK_THRESHOLD
        except ValueError:
            _logger.warning(
                "%s is not a number (%r): using %s", BULK_THRESHOLD_PARAM, value, DEFAULT_BULK_THRESHOLD
            )
            return DEFAULT_BULK_THRESHOLD

    def _inventory_reconcile_bindings(self):
        return (
            self.env["shopify.variant.binding"]
            .sudo()
            .search([("shop_id", "=", self.id), ("inventory_item_gid", "!=", False)])
        )

    def _inventory_reconcile(self):
        """Reconcile the mapped locations; returns the drift report.

        Paged: the report is complete on return and the differences are queued for pushing. Bulk: the
        report is `running` until the bulk operation's result has been processed.
        """
        self.ensure_one()
        dry_run = self._reconcile_dry_run()
        locations = self.shopify_location_ids.filtered("is_mapped")
        bindings = self._inventory_reconcile_bindings()
        if len(bindings) * len(locations) >= self._inventory_bulk_threshold():
            try:
                return self._inventory_reconcile_bulk(dry_run)
            except UserError as error:  # as many bulk operations running as Shopify allows
                _logger.warning(
                    "Shopify shop %s: inventory reconciliation reads pages instead of a bulk query (%s)",
                    self.id,
                    error,
                )
        return self._inventory_reconcile_paged(locations, bindings, dry_run)

    def _inventory_reconcile_paged(self, locations, bindings, dry_run):
        drift = self._inventory_drift_start(dry_run, "paged")
        client = self._shopify_client()
        for location in locations:
            remote = self._read_location_levels(client, location)
            self._inventory_compare(drift, self._inventory_levels_for(location, bindings), remote)
        return self._inventory_reconcile_finish(drift)

    def _inventory_reconcile_bulk(self, dry_run):
        operation = (
            self.env["shopify.bulk.operation"]
            .sudo()
            ._start_query(self, INVENTORY_BULK_KIND, INVENTORY_BULK_DOCUMENT)
        )
        return self._inventory_drift_start(dry_run, "bulk", bulk_operation_id=operation.id)

    def _inventory_drift_start(self, dry_run, method, **values):
        return (
            self.env["shopify.inventory.drift"]
            .sudo()
            .create(
                {
                    "shop_id": self.id,
                    "state": "running",
                    "method": method,
                    "dry_run": dry_run,
                    "started_at": fields.Datetime.now(),
                    **values,
                }
            )
        )

    def _inventory_reconcile_finish(self, drift):
        """Close the report and queue the pushes of what was flagged (nothing on a dry run)."""
        drift.state = "done"
        if drift.pairs_pushed:
            _logger.info(
                "Shopify shop %s: reconciliation found %d drifted pairs", self.id, drift.pairs_pushed
            )
            self._inventory_sync()
        return drift

    def _read_location_levels(self, client, location):
        """{inventory item gid: (tracked, quantity or None)} of every level at a Shopify location."""
        name = self.inventory_quantity_name
        levels = {}
        nodes = client.paginate(
            "location_inventory_levels_page",
            {"locationId": location.shopify_gid, "names": [name], "first": LEVELS_PAGE_SIZE},
            connection_path=("location", "inventoryLevels"),
        )
        for node in nodes:
            item = node.get("item") or {}
            if item.get("id"):
                levels[item["id"]] = (
                    bool(item.get("tracked")),
                    inventory_service.quantity_by_name(node.get("quantities"), name),
                )
        return levels

    def _inventory_levels_for(self, location, bindings):
        """The levels of `bindings` at `location`, missing ones created."""
        Level = self.env["shopify.inventory.level"].sudo()
        existing = Level.search(
            [("location_id", "=", location.id), ("variant_binding_id", "in", bindings.ids)]
        )
        missing = bindings - existing.variant_binding_id
        created = Level.create(
            [{"variant_binding_id": binding.id, "location_id": location.id} for binding in missing]
        )
        return existing | created

    def _inventory_compare(self, drift, levels, remote):
        """Record what Shopify holds on `levels` and add their differences with Odoo to `drift`.

        `remote`: {inventory item gid: (tracked, quantity or None)}; an item absent from it is not stocked
        at the location (unknown quantity). A level whose push is in flight, or (bulk) read after the bulk
        query started (a webhook, a push), keeps its fresher value. Differences are flagged for pushing
        unless the reconciliation is a dry run; held levels (a Shopify change still to count in Odoo) are
        reported as held instead.
        """
        Level = self.env["shopify.inventory.level"].sudo()
        now = fields.Datetime.now()
        writes = defaultdict(list)  # (quantity, known) or None (keep) -> level ids
        tracked_by_binding = {}
        for level in levels:
            tracked, quantity = remote.get(level.inventory_item_gid, (None, None))
            # A page is read live; a bulk file is a snapshot that a later read can be newer than.
            fresher = (
                drift.method == "bulk" and level.remote_read_at and level.remote_read_at > drift.started_at
            )
            key = None if level.push_id or fresher else (quantity or 0, quantity is not None)
            writes[key].append(level.id)
            if tracked is not None and level.variant_binding_id.inventory_tracked != tracked:
                tracked_by_binding[level.variant_binding_id.id] = tracked
        for key, level_ids in writes.items():
            values = {"reconcile_drift_id": drift.id}
            if key is not None:
                values.update(quantity_remote=key[0], remote_known=key[1], remote_read_at=now)
            Level.browse(level_ids).write(values)
        Binding = self.env["shopify.variant.binding"].sudo()
        for tracked in (True, False):
            ids = [binding_id for binding_id, value in tracked_by_binding.items() if value is tracked]
            Binding.browse(ids).write({"inventory_tracked": tracked})
        levels = levels.filtered(lambda level: level.variant_binding_id.inventory_tracked)
        targets = levels._odoo_quantities()
        differences = []
        drifted = []
        held = []
        for level in levels:
            quantity, _clamped = targets[level.id]
            shopify = level.quantity_remote if level.remote_known else None
            label = f"{level.product_id.display_name} @ {level.location_id.name}"
            if level.hold_change_id:
                # A Shopify change still to count in Odoo: pushing Odoo's number would undo it.
                held.append(
                    {"pair": label, "odoo": quantity, "shopify": shopify, "advice": level._hold_advice()}
                )
                continue
            if shopify != quantity:
                differences.append((label, quantity, shopify))
                drifted.append(level.id)
        if not drift.dry_run:
            Level.browse(drifted)._flag_for_push()
        drift._add(len(levels), differences, 0 if drift.dry_run else len(drifted), held=held)
        return drift

    def _inventory_compare_unseen(self, drift):
        """After a bulk result: the bound pairs of mapped locations it had no level for (not stocked)."""
        bindings = self._inventory_reconcile_bindings()
        for location in self.shopify_location_ids.filtered("is_mapped"):
            levels = self._inventory_levels_for(location, bindings)
            unseen = levels.filtered(lambda level: level.reconcile_drift_id != drift)
            if unseen:
                self._inventory_compare(drift, unseen, {})

    def action_reconcile_inventory(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        drift = self._inventory_reconcile()
        if drift.state == "running":
            return self._notify(
                _("Inventory reconciliation started"),
                _(
                    "Shopify is reading every stock level (bulk operation): the report follows when "
                    "it is done."
                ),
                "info",
            )
        message = _(
            "%(checked)s pairs checked, %(differed)s differed and are being pushed.",
            checked=drift.pairs_checked,
            differed=drift.pairs_differed,
        )
        return self._notify(_("Inventory reconciled"), message, "success")

    # ------------------------------------------------------------------------------------------------
    # Orders part: prove every Shopify order of the window is in Odoo (completeness reports per day)
    # ------------------------------------------------------------------------------------------------
    order_reconcile_days = fields.Integer(
        string="Reconciliation Window (days)",
        default=completeness.DEFAULT_WINDOW_DAYS,
        help="How many days of orders (today included, in the shop's timezone) the daily reconciliation "
        "compares with Shopify and backfills.",
    )
    completeness_report_ids = fields.One2many("shopify.completeness.report", "shop_id", string="Completeness")
    completeness_report_count = fields.Integer(
        compute="_compute_completeness_report_count", string="Order Checks"
    )
    completeness_red_count = fields.Integer(
        compute="_compute_completeness_report_count", string="Incomplete Days"
    )

    @api.constrains("order_reconcile_days")
    def _check_order_reconcile_days(self):
        for shop in self:
            if not 1 <= shop.order_reconcile_days <= MAX_WINDOW_DAYS:
                raise ValidationError(
                    _("The reconciliation window must be between 1 and %s days.", MAX_WINDOW_DAYS)
                )

    def _compute_completeness_report_count(self):
        Report = self.env["shopify.completeness.report"]
        counts = dict(Report._read_group([("shop_id", "in", self.ids)], ["shop_id"], ["__count"]))
        red = dict(
            Report._read_group(
                [("shop_id", "in", self.ids), ("state", "in", ("red", "error"))], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.completeness_report_count = counts.get(shop, 0)
            shop.completeness_red_count = red.get(shop, 0)

    def _completeness_currency(self):
        """The currency of Shopify's shop money: the shop's, else the company's."""
        self.ensure_one()
        currency = self.env["res.currency"]
        if self.currency_code_remote:
            currency = currency.with_context(active_test=False).search(
                [("name", "=", self.currency_code_remote)], limit=1
            )
        return currency or self.company_id.currency_id

    # ------------------------------------------------------------------------------------------------
    # Orders part: start the bulk query over the window
    # ------------------------------------------------------------------------------------------------
    def _reconcile_part_orders(self):
        """The orders part of the daily reconciliation: start the completeness check of the window."""
        if self.state == "draft":  # never connected: no credentials to read orders with yet
            return {}
        started, failed = self._order_reconcile_start(dry_run=self._reconcile_dry_run())
        return {"ok": started, "failed": failed}

    def _order_reconcile_start(self, dry_run=False, now=None):
        """Reset the window's reports and start the bulk query; returns (days started, days failed).

        A refusal (bulk concurrency limit, API error) marks the window's reports as failed checks.
        """
        self.ensure_one()
        zone = completeness.shop_zone(self.timezone_remote)
        days = completeness.window_days(now or fields.Datetime.now(), zone, self.order_reconcile_days)
        reports = (
            self.env["shopify.completeness.report"].sudo()._prepare_window(self, days, zone.key, dry_run)
        )
        query = completeness.with_search_query(
            documents.text(ORDER_BULK_DOCUMENT),
            "orders",
            completeness.search_query(completeness.day_start_utc(days[0], zone)),
        )
        try:
            with self.env.cr.savepoint():
                operation = (
                    self.env["shopify.bulk.operation"]
                    .sudo()
                    ._start_query(self, ORDER_BULK_KIND, ORDER_BULK_DOCUMENT, query_text=query)
                )
        except (ShopifyError, UserError) as error:
            _logger.warning(
                "Shopify shop %s: order reconciliation could not start (%s)", self.id, type(error).__name__
            )
            reports._mark_error(_("The bulk query could not start: %s", error))
            return 0, len(reports)
        reports.write({"bulk_operation_id": operation.id})
        _logger.info(
            "Shopify shop %s: order reconciliation of %s to %s started (%s%s)",
            self.id,
            days[0],
            days[-1],
            operation.operation_gid,
            ", dry run" if dry_run else "",
        )
        return len(reports), 0

    def action_view_completeness_reports(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_completeness_report"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action

    # ------------------------------------------------------------------------------------------------
    # Products part: one bulk query over every bound product (the report comes with Shopify's file)
    # ------------------------------------------------------------------------------------------------
    product_reconcile_ids = fields.One2many(
        "shopify.product.reconcile", "shop_id", string="Product Reconciliations"
    )

    def _reconcile_part_products(self):
        """The products part of the daily reconciliation: start it (the result comes with Shopify's file)."""
        if self.state == "draft":  # never connected: no credentials
            return {}
        return self._product_reconcile_start()

    def _product_reconcile_start(self):
        """Start the bulk query and open the report; returns counts for the sync run."""
        self.ensure_one()
        Report = self.env["shopify.product.reconcile"].sudo()
        Bulk = self.env["shopify.bulk.operation"].sudo()
        values = {
            "shop_id": self.id,
            "sync_log_id": self._current_sync_log().id or False,
            "dry_run": self._reconcile_dry_run(),
        }
        busy = Bulk.search_count(
            [
                ("shop_id", "=", self.id),
                ("kind", "=", PRODUCT_RECONCILE_KIND),
                "|",
                ("status", "in", ACTIVE_STATUSES),
                "&",
                ("status", "=", "completed"),
                ("processed", "=", False),
            ]
        )
        if busy:
            Report.create(
                {
                    **values,
                    "state": "failed",
                    "ended_at": fields.Datetime.now(),
                    "error_message": _(
                        "The previous product reconciliation of this shop has not finished yet; this one "
                        "was not started."
                    ),
                }
            )
            return {"skipped": 1}
        try:
            with self.env.cr.savepoint():
                operation = Bulk._start_query(self, PRODUCT_RECONCILE_KIND, PRODUCT_RECONCILE_DOCUMENT)
        except (ShopifyError, UserError) as error:
            _logger.warning(
                "Shopify shop %s: product reconciliation not started (%s)", self.id, type(error).__name__
            )
            Report.create(
                {**values, "state": "failed", "ended_at": fields.Datetime.now(), "error_message": str(error)}
            )
            return {"failed": 1}
        Report.create({**values, "bulk_operation_id": operation.id})
        return {}

    def action_view_product_reconciliations(self):
        check_shopify_access(self, USER)
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "shopify_sync.action_shopify_product_reconcile"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        return action
