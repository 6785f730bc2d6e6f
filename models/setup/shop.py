"""The guided first hour on the shop form's Setup tab: each step's state and its buttons."""

from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ...services.errors import ShopifyError
from ..core.access import MANAGER, check_shopify_access
from ..engine import registry as work_registry
from .setup_task import TASK_STATES

STEP_STATES = [
    ("todo", "To do"),
    ("running", "Running"),
    ("done", "Done"),
    ("warning", "Needs attention"),
    ("unavailable", "Not available"),
]


PRODUCT_IMPORT_WIZARD = "shopify.product.import.wizard"
PRODUCT_EXPORT_WIZARD = "shopify.product.export.wizard"


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    setup_connection_state = fields.Selection(STEP_STATES, compute="_compute_setup_states")
    setup_locations_state = fields.Selection(STEP_STATES, compute="_compute_setup_states")
    setup_webhooks_state = fields.Selection(STEP_STATES, compute="_compute_setup_states")
    setup_products_state = fields.Selection(STEP_STATES, compute="_compute_setup_states")
    setup_crons_state = fields.Selection(STEP_STATES, compute="_compute_setup_states")
    setup_locations_info = fields.Char(compute="_compute_setup_states")
    setup_products_info = fields.Char(compute="_compute_setup_states")
    setup_crons_info = fields.Char(compute="_compute_setup_states")
    setup_done_count = fields.Integer(compute="_compute_setup_states", string="Setup Steps Done")
    setup_complete = fields.Boolean(compute="_compute_setup_states")
    setup_webhook_url = fields.Char(compute="_compute_setup_webhook_url", string="Webhook URL")
    setup_webhook_url_warning = fields.Char(
        compute="_compute_setup_webhook_url", string="Webhook URL Warning"
    )
    setup_task_ids = fields.One2many("shopify.setup.task", "shop_id", string="Setup Tasks")
    setup_last_task_id = fields.Many2one("shopify.setup.task", compute="_compute_setup_last_task")
    # Copied from the last task (not related fields: the last task is computed, not searchable).
    setup_last_task_state = fields.Selection(
        TASK_STATES, compute="_compute_setup_last_task", string="Task State"
    )
    setup_last_task_name = fields.Char(compute="_compute_setup_last_task", string="Last Task")
    setup_last_task_done = fields.Integer(compute="_compute_setup_last_task", string="Records Done")
    setup_last_task_total = fields.Integer(compute="_compute_setup_last_task", string="Records Total")
    setup_last_task_progress = fields.Float(compute="_compute_setup_last_task", string="Progress")
    setup_last_task_message = fields.Text(compute="_compute_setup_last_task", string="Result")

    # ------------------------------------------------------------------------------------------------
    # Step states
    # ------------------------------------------------------------------------------------------------
    def _setup_crons(self):
        crons = self.env["ir.cron"].sudo().with_context(active_test=False)
        for xmlid in work_registry.ACTIVE_SHOP_CRONS:
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron:
                crons |= cron
        return crons

    def _compute_setup_states(self):
        crons = self._setup_crons()
        inactive_crons = crons.filtered(lambda cron: not cron.active)
        for shop in self:
            connected = shop.state == "connected" and not shop.missing_scopes
            shop.setup_connection_state = (
                "done" if connected else "warning" if shop.state in ("error", "connected") else "todo"
            )
            shop._compute_setup_locations_state()
            shop.setup_webhooks_state = shop._setup_webhooks_state()
            shop._compute_setup_products_state()
            if not crons:
                shop.setup_crons_state, shop.setup_crons_info = "unavailable", False
            elif inactive_crons:
                shop.setup_crons_state = "todo"
                shop.setup_crons_info = _("%s scheduled sync(s) inactive", len(inactive_crons))
            else:
                shop.setup_crons_state = "done"
                shop.setup_crons_info = _("%s scheduled syncs active", len(crons))
            states = [
                shop.setup_connection_state,
                shop.setup_locations_state,
                shop.setup_webhooks_state,
                shop.setup_products_state,
                shop.setup_crons_state,
            ]
            shop.setup_done_count = states.count("done")
            shop.setup_complete = all(state in ("done", "unavailable") for state in states)

    def _compute_setup_locations_state(self):
        total, unmapped = self.shopify_location_count, self.shopify_unmapped_location_count
        if not total:
            self.setup_locations_state, self.setup_locations_info = "todo", _("No location fetched yet")
        elif unmapped:
            self.setup_locations_state = "warning"
            self.setup_locations_info = _(
                "%(unmapped)s of %(total)s location(s) not mapped to Odoo stock: map them in the Locations "
                "list (their stock is not synced until then)",
                unmapped=unmapped,
                total=total,
            )
        else:
            self.setup_locations_state = "done"
            self.setup_locations_info = _("%s location(s) mapped", total)

    def _compute_setup_products_state(self):
        running = self.setup_task_ids.filtered(
            lambda task: task.step == "products_import" and task.state in ("queued", "running")
        )
        count = self.env["shopify.product.binding"].sudo().search_count([("shop_id", "=", self.id)])
        if running:
            self.setup_products_state = "running"
        elif count:
            self.setup_products_state = "done"
        else:
            self.setup_products_state = "todo"
        self.setup_products_info = _("%s product(s) linked with Shopify", count)

    @api.depends("shop_domain", "webhook_url_override")
    def _compute_setup_webhook_url(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        base_url_warning = self._setup_webhook_url_problem(base_url)
        for shop in self:
            shop.setup_webhook_url = shop._webhook_callback_url()
            shop.setup_webhook_url_warning = (
                shop._setup_webhook_url_problem(shop.webhook_url_override)
                if shop.webhook_url_override
                else base_url_warning
            )

    @api.model
    def _setup_webhook_url_problem(self, base_url):
        parts = urlsplit(base_url or "")
        host = (parts.hostname or "").lower()
        if not host or host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost"):
            return _(
                "web.base.url (%s) is a local address: Shopify cannot reach it, so no webhook will "
                "arrive. Set it to the public HTTPS address of this Odoo (Settings › Technical › "
                "System Parameters) before registering webhooks.",
                base_url or _("empty"),
            )
        if parts.scheme != "https":
            return _(
                "web.base.url (%s) is not HTTPS: Shopify only delivers webhooks to HTTPS addresses. "
                "Serve Odoo over HTTPS and update web.base.url.",
                base_url,
            )
        return False

    def _compute_setup_last_task(self):
        for shop in self:
            task = shop.setup_task_ids[:1]
            shop.setup_last_task_id = task
            shop.setup_last_task_state = task.state
            shop.setup_last_task_name = task.name
            shop.setup_last_task_done = task.done
            shop.setup_last_task_total = task.total
            shop.setup_last_task_progress = task.progress
            shop.setup_last_task_message = task.message

    # ------------------------------------------------------------------------------------------------
    # Steps (buttons on the Setup tab; every one can be re-run)
    # ------------------------------------------------------------------------------------------------
    def action_setup_fetch_locations(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        return self.action_fetch_locations()

    def action_setup_register_webhooks(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        return self.action_register_webhooks()

    def action_setup_activate_crons(self):
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        self._setup_crons().write({"active": True})
        return self._notify(
            _("Scheduled syncs active"),
            _("Products, stock and orders now sync on schedule (Shopify › Configuration › Scheduled Syncs)."),
            "success",
        )

    def action_setup_run_task(self):
        """Button with context {"setup_step": <step>}: queue the background operation of that step."""
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        step = self.env.context.get("setup_step")
        task = self._setup_start_task(step)
        return self._notify(
            _("%s started", task.name),
            _("It runs in the background; its progress shows on the Setup tab (refresh to update)."),
            "info",
        )

    def _setup_start_task(self, step):
        """Create the task and its queue job, and ask the queue cron to run now."""
        self.ensure_one()
        if step not in work_registry.SETUP_TASKS:
            raise UserError(_("This setup step is not available in this version of the addon."))
        busy = self.setup_task_ids.filtered(
            lambda task: task.step == step and task.state in ("queued", "running")
        )
        if busy:
            raise UserError(_("“%s” is already running: wait for it to finish.", busy[0].name))
        task = (
            self.env["shopify.setup.task"]
            .sudo()
            .create({"shop_id": self.id, "step": step, "name": work_registry.SETUP_TASKS[step].label})
        )
        Job = self.env["shopify.queue.job"].sudo()
        Job._enqueue(self, "setup_task", payload={"task_id": task.id}, dedupe_key=f"setup_task:{task.id}")
        Job._trigger_processing()
        self.invalidate_recordset()  # step states are computed without dependencies
        return task

    def _setup_step_operation(self, step):
        """The bound operation of a background step (work registry)."""
        return getattr(self, work_registry.SETUP_TASKS[step].handler.method)

    # Operations: each takes the task (for progress) and returns a one-line result.
    def _setup_task_products_import(self, task):
        """The products feature's import (its wizard's reading and per-product import), with progress."""
        wizard = self.env[PRODUCT_IMPORT_WIZARD].create({"shop_id": self.id, "mode": "all"})
        client = self._shopify_client()
        if self._shopify_product_import_uses_bulk(client):
            operation = self._shopify_start_product_bulk_import()
            return _(
                "Large catalog: imported by bulk operation %s when Shopify has it ready.",
                operation.operation_gid,
            )
        products = list(wizard._shopify_products(client))
        task._progress(0, len(products))
        Binding = self.env["shopify.product.binding"]
        counts = {}
        for done, (_node, product) in enumerate(products, start=1):
            try:
                with self.env.cr.savepoint():
                    action = Binding._shopify_import(self, product)["action"]
            except (ShopifyError, UserError, ValueError) as error:  # ValueError: the mapping's MappingError
                action = "error"
                task._report(message=str(error))
            counts[action] = counts.get(action, 0) + 1
            task._progress(done)
        return ", ".join(f"{action}: {count}" for action, count in sorted(counts.items()))

    def _setup_task_products_export(self, task):
        """The products feature's first export of every product that can be sold (its wizard's publish)."""
        wizard = self.env[PRODUCT_EXPORT_WIZARD].create({"shop_id": self.id, "all_products": True})
        task._progress(0, len(wizard._templates()))
        wizard.action_publish()
        task._progress(len(wizard._templates()))
        return wizard.summary

    def _setup_task_inventory_reconcile(self, task):
        """The inventory feature's reconciliation: read every level, push what differs."""
        drift = self._inventory_reconcile()
        if drift.state == "running":
            return _("Shopify is reading every stock level (bulk operation): see Inventory › Reconciliations")
        task._progress(drift.pairs_checked, drift.pairs_checked)
        return _(
            "%(checked)s stock levels checked, %(differed)s differed and are being pushed",
            checked=drift.pairs_checked,
            differed=drift.pairs_differed,
        )

    def action_setup_preview_export(self):
        """The products feature's export wizard, on its dry-run preview (writes nothing)."""
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        wizard = self.env[PRODUCT_EXPORT_WIZARD].create({"shop_id": self.id, "all_products": True})
        return wizard.action_preview()

    def action_setup_preview_import(self):
        """The products feature's import wizard, on its dry-run preview (writes nothing)."""
        check_shopify_access(self, MANAGER)
        self.ensure_one()
        wizard = self.env[PRODUCT_IMPORT_WIZARD].create({"shop_id": self.id, "mode": "all"})
        return wizard.action_preview()

    def _setup_task_inventory_push(self, task):
        """The inventory feature's sync (prepare pushes, one job each), then those pushes sent now."""
        self._inventory_sync()
        jobs = (
            self.env["shopify.queue.job"]
            .sudo()
            .search([("shop_id", "=", self.id), ("kind", "=", "inventory_push"), ("state", "=", "pending")])
        )
        task._progress(0, len(jobs))
        for done, job in enumerate(jobs, start=1):
            job._run()
            task._progress(done)
        pushes = self.env["shopify.inventory.push"].sudo().browse([job.payload["push_id"] for job in jobs])
        return _(
            "%(pushes)s stock push(es) sent with %(quantities)s changed quantities",
            pushes=len(jobs),
            quantities=sum(pushes.mapped("quantity_count")),
        )

    def _setup_task_orders_import(self, task):
        result = self._sync_orders() or {}
        task._progress(result.get("ok", 0), result.get("ok", 0) + result.get("failed", 0))
        return _(
            "Orders imported: %(ok)s, failed: %(failed)s",
            ok=result.get("ok", 0),
            failed=result.get("failed", 0),
        )
