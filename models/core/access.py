"""Who may call the addon's buttons: one check, and the matrix it enforces.

ACLs and record rules guard records, not methods: any method whose name does not start with `_` can be
called over RPC by any logged-in user, a portal user included, and most buttons work under sudo(), call
Shopify with the shop's token or queue work. So every public method the addon defines starts with
`check_shopify_access(self, USER | MANAGER)`, and `METHOD_ACCESS` lists them all with their level (the
README's access matrix summarises it). The access matrix test (tests/core/test_access_matrix.py) calls each
one as every kind of user against it, and fails on a public method missing here.

- nobody without a Shopify group (portal, public, plain internal users) calls any of them;
- Shopify users call only what opens a list or form of related records (it reads, under their own rights);
- everything that writes, calls Shopify, queues work or changes the set-up is for Shopify managers.

Crons and the queue run as the superuser (`env.su`) and pass. Odoo's own flows that reach the addon (a
stock user validating a delivery, a salesperson confirming an order) go through Odoo's methods and the
addon's private ones, which this does not gate.
"""

import logging

from odoo import _
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

USER = "user"
MANAGER = "manager"
USER_GROUP = "shopify_sync.group_shopify_user"
MANAGER_GROUP = "shopify_sync.group_shopify_manager"
GROUP_XMLIDS = {USER: USER_GROUP, MANAGER: MANAGER_GROUP}


_SHOP_USER_METHODS = (
    "action_dash_api",
    "action_dash_completeness",
    "action_dash_conflicts",
    "action_dash_failures",
    "action_dash_orders",
    "action_dash_pending",
    "action_dash_products",
    "action_dash_queue",
    "action_dash_stock",
    "action_open_dashboard",
    "action_open_queue",
    "action_view_bulk_operations",
    "action_view_completeness_reports",
    "action_view_customer_bindings",
    "action_view_open_payout_lines",
    "action_view_orders",
    "action_view_payouts",
    "action_view_product_reconciliations",
    "action_view_reconcile_runs",
    "action_view_shopify_locations",
)


_SHOP_MANAGER_METHODS = (
    "action_confirm_database",
    "action_dash_check_completeness",
    "action_export_customers_now",
    "action_fetch_locations",
    "action_import_payouts",
    "action_open_reconcile_wizard",  # the wizard it opens is for managers
    "action_push_inventory_now",
    "action_reconcile_inventory",
    "action_register_webhooks",
    "action_setup_activate_crons",
    "action_setup_fetch_locations",
    "action_setup_preview_export",
    "action_setup_preview_import",
    "action_setup_register_webhooks",
    "action_setup_run_task",
    "action_shopify_fetch_publications",
    "action_test_connection",
)


# Model → public method → the Shopify level a caller needs.
METHOD_ACCESS = {
    "shopify.shop": {
        **dict.fromkeys(_SHOP_USER_METHODS, USER),
        **dict.fromkeys(_SHOP_MANAGER_METHODS, MANAGER),
    },
    "shopify.order.binding": {
        "action_open_sale_order": USER,
        "action_retry_import": MANAGER,
        "action_fix_tax_mapping": MANAGER,
        "action_fix_gateway_mapping": MANAGER,
        "action_release_risk": MANAGER,
        "action_mark_reviewed": MANAGER,
    },
    "shopify.payout": {"action_open_statement": USER, "action_match_again": MANAGER},
    "shopify.completeness.report": {"action_open_day_orders": USER},
    "shopify.dashboard.failure": {"action_open_jobs": USER},
    "shopify.dashboard.sync.kind": {"action_open_runs": USER},
    "shopify.dashboard.webhook.topic": {"action_open_events": USER},
    "shopify.queue.job": {"action_retry": MANAGER, "action_ignore": MANAGER},
    "shopify.bulk.operation": {"action_refresh": MANAGER},
    "shopify.inventory.change": {"action_dismiss": MANAGER},
    "shopify.product.conflict": {"action_apply_losing_value": MANAGER},
    "shopify.product.export.wizard": {
        "action_preview": MANAGER,
        "action_publish": MANAGER,
        "action_refresh_bulk": MANAGER,
    },
    "shopify.product.import.wizard": {
        "action_preview": MANAGER,
        "action_import": MANAGER,
        "action_refresh_bulk": MANAGER,
    },
    "shopify.reconcile.wizard": {"action_run": MANAGER},
    "shopify.privacy.request": {"action_mark_sent": MANAGER},
    "product.template": {
        "action_view_shopify_bindings": USER,
        "action_shopify_publish": MANAGER,  # opens the export wizard
    },
}


# Odoo's own public methods the addon extends: the model's ACLs and record rules decide, as in Odoo
# (non-managers have no write, create or unlink on any shopify.* model; stock and product writes stay
# open to whoever Odoo lets write them, since the hooks only note what changed).
EXTENDED_ODOO_METHODS = {
    "shopify.shop": ("create", "write", "unlink"),
    "shopify.location": ("write",),
    "shopify.product.binding": ("create",),
    "shopify.inventory.change": ("create",),
    "product.template": ("write",),
    "product.product": ("write",),
    "product.template.attribute.value": ("write",),
    "product.pricelist.item": ("create", "write", "unlink"),
    "stock.quant": ("create", "write"),
    "res.partner": ("write",),
}


def check_shopify_access(records, level):
    """Raise AccessError unless the caller may run a `level` (USER or MANAGER) method on `records`.

    The superuser (crons, the queue) passes. Anyone else needs the level's Shopify group, and may only
    act on records they can read (record rules: a manager of one company cannot act on another's shop).
    """
    if records.env.su:
        return
    group_xmlid = GROUP_XMLIDS[level]
    user = records.env.user
    if not user.has_group(group_xmlid):
        group = records.env.ref(group_xmlid).sudo()
        # Like Odoo's own ACL refusals (ir.model.access): logged at info, the caller gets the error.
        _logger.info("Access denied to uid %s: %s needs the group %s", user.id, records._name, group_xmlid)
        raise AccessError(
            _(
                "Only members of the group “%(group)s” may do this on %(model)s records.",
                group=group.full_name,
                model=records._description,
            )
        )
    records.check_access("read")
