# Run inside `odoo-bin shell` by tools/demo.sh: walks the demo shop through the guided setup against the
# emulator (the same steps an admin clicks on the shop's Setup tab), so the dashboard has data.
# `env` is provided by the Odoo shell. Each step runs only if its feature is installed, and a failing step
# is reported without stopping the others.
import os
import time

DEMO_DOMAIN = "demo-shop.myshopify.com"
# Demo opening stock moved in Odoo after the import, so the stock sync has something to push.
DEMO_SOLD = 3
# Seconds the setup waits for the completeness check's bulk query (the emulator answers at once).
COMPLETENESS_POLLS = 60
DASHBOARD_WEEK = 7

env = env  # noqa: F821 — provided by the Odoo shell
Shop = env["shopify.shop"].with_context(active_test=False)
Job = env["shopify.queue.job"]


def say(message):
    print(f"demo setup: {message}", flush=True)


def step(name):
    def run(function):
        try:
            result = function()
        except Exception as error:
            env.cr.rollback()
            say(f"{name}: FAILED ({type(error).__name__}: {error})")
            return None
        env.cr.commit()
        say(f"{name}: {result}")
        return result

    return run


def run_queue():
    """Process the work queue until nothing is ready (what the queue cron does in the served Odoo)."""
    total = 0
    for _round in range(50):
        jobs = Job._cron_process_queue()
        env.cr.commit()
        total += len(jobs)
        if not jobs:
            break
    return total


shop = Shop.search([("shop_domain", "=", DEMO_DOMAIN)], limit=1)
values = {
    "name": "Demo shop (emulator)",
    "shop_domain": DEMO_DOMAIN,
    "api_base_url": os.environ["EMULATOR_URL"],
    "access_token": "demo-access-token",
    "client_id": "demo-client-id",
    "client_secret": "demo-client-secret",
    "active": True,
}
if "order_reconcile_days" in Shop._fields:
    values["order_reconcile_days"] = DASHBOARD_WEEK  # the completeness check covers the dashboard's week
env["ir.config_parameter"].sudo().set_param("web.base.url", os.environ["ODOO_URL"])
if shop:
    shop.write(values)
else:
    shop = Shop.create(values)
shop.action_confirm_database()
env.cr.commit()


@step("test connection")
def connection():
    shop.action_test_connection()
    if shop.state != "connected":
        raise RuntimeError(shop.last_connection_error or shop.state)
    return f"{shop.shop_name_remote}, {shop.currency_code_remote}, {shop.timezone_remote}"


def map_locations():
    """Main warehouse ← the company's warehouse; every other Shopify location gets a warehouse of its own."""
    shop.action_setup_fetch_locations()
    Warehouse = env["stock.warehouse"]
    for index, location in enumerate(shop.shopify_location_ids.filtered(lambda loc: not loc.is_mapped)):
        warehouse = Warehouse.search([("company_id", "=", shop.company_id.id)], limit=1, order="id")
        if index or location.name != "Main warehouse":
            code = "".join(word[0] for word in location.name.split())[:4].upper() + str(index)
            warehouse = Warehouse.search([("code", "=", code)], limit=1) or Warehouse.create(
                {"name": location.name, "code": code, "company_id": shop.company_id.id}
            )
        if warehouse in shop.shopify_location_ids.mapped("warehouse_id"):
            continue
        location.warehouse_id = warehouse
    main = shop.shopify_location_ids.filtered(lambda loc: loc.name == "Main warehouse")
    shop.warehouse_id = shop.warehouse_id or (main or shop.shopify_location_ids)[:1].warehouse_id
    return shop.setup_locations_info


def register_webhooks():
    shop.action_register_webhooks()
    return shop.setup_webhooks_state


def run_task(task_step):
    task = shop._setup_start_task(task_step)
    env.cr.commit()
    run_queue()
    task.invalidate_recordset()
    if task.state != "done":
        raise RuntimeError(f"{task.state}: {task.message}")
    return f"{task.done}/{task.total} — {task.message}"


def opening_stock():
    """Odoo gets Shopify's quantities as opening stock, then sells a few: the push has real changes."""
    shop._inventory_reconcile()
    Level = env["shopify.inventory.level"].sudo()
    levels = Level.search([("shop_id", "=", shop.id), ("remote_known", "=", True)])
    Quant = env["stock.quant"].with_context(inventory_mode=True)
    for index, level in enumerate(levels):
        quantity = level.quantity_remote
        if index % 5 == 0:
            quantity = max(quantity - DEMO_SOLD, 0)
        location = level.location_id.stock_location_id
        if location.usage == "view":
            location = level.location_id.warehouse_id.lot_stock_id
        Quant.create(
            {"product_id": level.product_id.id, "location_id": location.id, "inventory_quantity": quantity}
        ).action_apply_inventory()
    return f"{len(levels)} stock levels read from Shopify and set in Odoo"


def fix_held_orders():
    """What the admin does with an order held for an unmapped tax: the one-click “Fix tax mapping”."""
    Binding = env["shopify.order.binding"]
    held = Binding.search([("shop_id", "=", shop.id), ("state", "=", "held")])
    held.action_fix_tax_mapping()
    still_held = held.filtered(lambda binding: binding.state == "held")
    if still_held:
        raise RuntimeError("; ".join(f"{b.name}: {b.hold_reason}" for b in still_held))
    return f"{len(held)} held order(s) imported after mapping their taxes"


def check_order_completeness():
    """The orders part of the reconciliation, run once and waited for: the dashboard's "Check orders now"
    queues it, the queue starts its bulk query, then the poll (the bulk poll cron's work in the served
    Odoo) reads the result. The dashboard's completeness week has checked days from the start."""
    shop.action_dash_check_completeness()  # the dashboard's "Check orders now": queued
    env.cr.commit()
    run_queue()
    shop.invalidate_recordset()
    reports = shop.completeness_report_ids.filtered(lambda report: report.bulk_operation_id)
    started = len(reports)
    failed = len(shop.completeness_report_ids.filtered(lambda report: report.state == "error"))
    Bulk = env["shopify.bulk.operation"]
    for _attempt in range(COMPLETENESS_POLLS):
        Bulk._cron_poll()
        env.cr.commit()
        reports.invalidate_recordset()
        if not reports.filtered(lambda report: report.state == "pending"):
            break
        time.sleep(1)
    green = reports.filtered(lambda report: report.state == "green")
    summary = f"{len(green)}/{started + failed} days complete"
    not_green = (shop.completeness_report_ids - green).filtered(lambda report: report.state != "green")
    if failed or len(green) != started or not_green:
        details = "; ".join(
            f"{r.day} {r.state}: {r.error_message or r.missing_orders or ''}" for r in not_green
        )
        raise RuntimeError(f"{summary} ({details})")
    return summary


if connection is not None:
    step("fetch and map locations")(map_locations)
    step("register webhooks")(register_webhooks)
    step("first product import")(lambda: run_task("products_import"))
    step("opening stock")(opening_stock)
    step("stock sync")(lambda: run_task("inventory_push"))
    step("import orders")(lambda: run_task("orders_import"))
    step("map the taxes of held orders")(fix_held_orders)
    step("check order completeness")(check_order_completeness)
    step("activate scheduled syncs")(lambda: shop.action_setup_activate_crons() and shop.setup_crons_info)
    step("process the queue")(lambda: f"{run_queue()} job(s) processed")

shop.invalidate_recordset()
say(
    f"{shop.shop_domain}: {shop.state}; setup {shop.setup_done_count}/5 steps done; "
    f"{shop.dash_product_count} products, {shop.dash_stock_level_count} stock levels synced, "
    f"{shop.dash_orders_7d} orders; {shop.dash_completeness_line}"
)
