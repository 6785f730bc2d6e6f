"""The registry of work: every webhook topic, queue job kind, bulk-operation kind, scheduled sync,
reconciliation part and setup task the addon handles, each with the method that handles it (and its queue
priority).

This table is the only place a handler is found: the queue, the webhook inbox, the bulk runner, the sync
crons and the setup tasks look the kind up here and call the method named, nothing builds method names. A
kind missing here is refused when queued or started (`shopify.queue.job._enqueue`,
`shopify.bulk.operation._start_query` / `_start_mutation`); the webhook subscriptions are derived from
`WEBHOOK_TOPICS`. `check()` lists what is wrong with the table against the loaded models (a handler that
does not exist, a handler-like method the table does not reach); the registry test
(tests/engine/test_work_registry.py) runs it.

Pure Python (no ORM): a handler is a `Handler(model, method)` pair of strings.
"""

from typing import NamedTuple

from ...services.queue_policy import (
    PRIORITY_CUSTOMERS,
    PRIORITY_INVENTORY,
    PRIORITY_ORDERS,
    PRIORITY_OTHER,
    PRIORITY_PRODUCTS,
)

SHOP = "shopify.shop"
QUEUE_JOB = "shopify.queue.job"
WEBHOOK_EVENT = "shopify.webhook.event"
BULK_OPERATION = "shopify.bulk.operation"


class Handler(NamedTuple):
    """The method `method` of model `model`; it is called on the record the work belongs to."""

    model: str
    method: str


class WebhookTopic(NamedTuple):
    """`handler(payload)` on the stored delivery (shopify.webhook.event); the delivery's job priority.

    `compliance`: one of Shopify's mandatory privacy topics. They are not WebhookSubscriptionTopic values
    (webhookSubscriptionCreate refuses them): the merchant's app configuration points them at our URL,
    so the subscription sync never asks for them (see `subscribed_topics`)."""

    handler: Handler
    priority: int
    compliance: bool = False


class JobKind(NamedTuple):
    """`handler()` on the claimed job (shopify.queue.job); returns None, ("done", note) or ("skipped", why).

    `priority` None: the caller gives it (a webhook delivery is queued at its topic's priority).
    `serial`: jobs of kinds sharing this name run one at a time per shop, in queue order, whichever
    queue lane claims them (other jobs are serialised per Shopify resource only)."""

    handler: Handler
    priority: int | None
    serial: str | None = None


class BulkKind(NamedTuple):
    """What a bulk operation's result feeds; every hook is a method of shopify.bulk.operation (self = the
    operation), None when the kind has no use for it.

    - `process(batch)`: query results, batch by batch (root objects with `__children`, or the lines as
      they come when `flat`); returns how many rows it handled. Required for query kinds.
    - `flat`: batches are the result lines as they come, not joined to their parents (for results whose
      parents have too many children to hold in memory).
    - `result(record, result)` / `error(record, messages)`: mutation results, a successful / failed line
      matched back to the record its variables were sent for.
    - `start()`: processing starts from the first batch (not on a resume), the operation locked.
    - `skipped(roots)`: on a resume, the roots (lines, for flat kinds) already processed and committed, as
      the file is read past them: rebuild what the kind keeps in memory between batches.
    - `done()`: once, after the last batch, in the transaction that marks the operation processed.
    - `processing()`: a context manager around one processing run (memory shared by its batches).
    - `refreshed()`: after Shopify's state of the operation was read (e.g. it ended without a result).
    """

    process: str | None = None
    flat: bool = False
    result: str | None = None
    error: str | None = None
    start: str | None = None
    skipped: str | None = None
    done: str | None = None
    processing: str | None = None
    refreshed: str | None = None

    def hooks(self):
        """(hook name, method name) of the hooks this kind uses."""
        return [(name, method) for name, method in self._asdict().items() if isinstance(method, str)]


class SyncKind(NamedTuple):
    """A scheduled sync: its cron runs `handler()` on each shop, inside a sync log of this kind; the
    handler may return {"ok": n, "failed": n, "skipped": n}."""

    handler: Handler
    cron: str


class SetupTask(NamedTuple):
    """A background step of the guided setup: `handler(task)` on the shop returns a one-line result."""

    label: str
    handler: Handler


def _event(method, priority):
    return WebhookTopic(Handler(WEBHOOK_EVENT, method), priority)


def _compliance(method):
    return WebhookTopic(Handler(WEBHOOK_EVENT, method), PRIORITY_OTHER, compliance=True)


def _job(method, priority, serial=None):
    return JobKind(Handler(QUEUE_JOB, method), priority, serial)


# Topics as Shopify names them in deliveries (X-Shopify-Topic); the subscription topic is the
# GraphQL enum value (`orders/create` → ORDERS_CREATE).
WEBHOOK_TOPICS = {
    "orders/create": _event("_shopify_webhook_orders_create", PRIORITY_ORDERS),
    "orders/updated": _event("_shopify_webhook_orders_updated", PRIORITY_ORDERS),
    "orders/paid": _event("_shopify_webhook_orders_paid", PRIORITY_ORDERS),
    "orders/cancelled": _event("_shopify_webhook_orders_cancelled", PRIORITY_ORDERS),
    "orders/edited": _event("_shopify_webhook_orders_edited", PRIORITY_ORDERS),
    "order_transactions/create": _event("_shopify_webhook_order_transactions_create", PRIORITY_ORDERS),
    "refunds/create": _event("_shopify_webhook_refunds_create", PRIORITY_ORDERS),
    "disputes/create": _event("_shopify_webhook_disputes_create", PRIORITY_ORDERS),
    "disputes/update": _event("_shopify_webhook_disputes_update", PRIORITY_ORDERS),
    "inventory_levels/update": _event("_shopify_webhook_inventory_levels_update", PRIORITY_INVENTORY),
    "products/create": _event("_shopify_webhook_products_create", PRIORITY_PRODUCTS),
    "products/update": _event("_shopify_webhook_products_update", PRIORITY_PRODUCTS),
    "products/delete": _event("_shopify_webhook_products_delete", PRIORITY_PRODUCTS),
    "bulk_operations/finish": _event("_shopify_webhook_bulk_operations_finish", PRIORITY_OTHER),
    "app/uninstalled": _event("_shopify_webhook_app_uninstalled", PRIORITY_OTHER),
    # Customers are the lowest class of work: nothing oversells or goes unpaid while they wait.
    "customers/create": _event("_shopify_webhook_customers_create", PRIORITY_CUSTOMERS),
    "customers/update": _event("_shopify_webhook_customers_update", PRIORITY_CUSTOMERS),
    "customers/delete": _event("_shopify_webhook_customers_delete", PRIORITY_CUSTOMERS),
    "customers/merge": _event("_shopify_webhook_customers_merge", PRIORITY_CUSTOMERS),
    # Mandatory privacy webhooks (answered within 30 days; see models/privacy/).
    "customers/data_request": _compliance("_shopify_webhook_customers_data_request"),
    "customers/redact": _compliance("_shopify_webhook_customers_redact"),
    "shop/redact": _compliance("_shopify_webhook_shop_redact"),
}


# Lower priority runs first: orders are money and customer-visible, stock oversells, products can wait.
JOB_KINDS = {
    "webhook": _job("_shopify_job_webhook", None),
    "order_fetch": _job("_shopify_job_order_fetch", PRIORITY_ORDERS),
    "order_fulfillment": _job("_shopify_job_order_fulfillment", PRIORITY_ORDERS),
    "order_transactions": _job("_shopify_job_order_transactions", PRIORITY_ORDERS),
    "payouts_import": _job("_shopify_job_payouts_import", PRIORITY_OTHER),
    # One shop's stock pushes never interleave: a push carries the levels it read before sending.
    "inventory_sync": _job("_shopify_job_inventory_sync", PRIORITY_INVENTORY, serial="inventory"),
    "inventory_push": _job("_shopify_job_inventory_push", PRIORITY_INVENTORY, serial="inventory"),
    "product_export": _job("_shopify_job_product_export", PRIORITY_PRODUCTS),
    "reconcile_now": _job("_shopify_job_reconcile_now", PRIORITY_OTHER),
    "setup_task": _job("_shopify_job_setup_task", PRIORITY_OTHER),
    "customer_export": _job("_shopify_job_customer_export", PRIORITY_CUSTOMERS),
    "customer_sync": _job("_shopify_job_customer_sync", PRIORITY_CUSTOMERS),
}


# Sync latency direction of job kinds (the monitoring's figures): work that applies a Shopify change in
# Odoo (webhook jobs always do), and work that sends an Odoo change to Shopify.
INBOUND_JOB_KINDS = ("webhook", "order_fetch")
OUTBOUND_JOB_KINDS = ("inventory_push", "product_export", "order_fulfillment")


BULK_KINDS = {
    "product_import": BulkKind(process="_bulk_process_product_import"),
    "product_export": BulkKind(
        result="_bulk_result_product_export",
        error="_bulk_error_product_export",
        done="_bulk_done_product_export",
        refreshed="_bulk_refreshed_product_export",
    ),
    # Shopify's current values of the products a bulk export holds, read before their 3-way merge.
    "product_export_read": BulkKind(
        process="_bulk_process_product_export_read",
        done="_bulk_done_product_export_read",
        refreshed="_bulk_refreshed_product_export_read",
    ),
    "inventory_reconcile": BulkKind(
        process="_bulk_process_inventory_reconcile",
        flat=True,  # a location can hold every variant of the catalog: its levels are not joined under it
        done="_bulk_done_inventory_reconcile",
        refreshed="_bulk_refreshed_inventory_reconcile",
    ),
    "order_reconcile": BulkKind(
        process="_bulk_process_order_reconcile",
        done="_bulk_done_order_reconcile",
        refreshed="_bulk_refreshed_order_reconcile",
    ),
    "product_reconcile": BulkKind(
        process="_bulk_process_product_reconcile",
        start="_bulk_start_product_reconcile",
        skipped="_bulk_skipped_product_reconcile",
        done="_bulk_done_product_reconcile",
        processing="_bulk_processing_product_reconcile",
        refreshed="_bulk_refreshed_product_reconcile",
    ),
}


SYNC_KINDS = {
    "products": SyncKind(Handler(SHOP, "_sync_products"), "shopify_sync.ir_cron_shopify_sync_products"),
    "inventory": SyncKind(Handler(SHOP, "_sync_inventory"), "shopify_sync.ir_cron_shopify_sync_inventory"),
    "orders": SyncKind(Handler(SHOP, "_sync_orders"), "shopify_sync.ir_cron_shopify_sync_orders"),
    "reconcile": SyncKind(Handler(SHOP, "_reconcile"), "shopify_sync.ir_cron_shopify_reconcile"),
    # Every 15 minutes, like products: the customers/* webhooks carry the changes at once; the poll only
    # catches a dropped delivery, and a customer a quarter of an hour late blocks no order (an order brings
    # its customer with it).
    "customers": SyncKind(Handler(SHOP, "_sync_customers"), "shopify_sync.ir_cron_shopify_sync_customers"),
    "payouts": SyncKind(Handler(SHOP, "_sync_payouts"), "shopify_sync.ir_cron_shopify_sync_payouts"),
}


# The daily reconciliation's parts, run in this order (the order it always had: with API versions
# before 2026-01 a shop runs one bulk operation at a time, and the first part to start one gets it).
# Each part returns counts for the sync run ({"ok", "failed", "skipped"}).
RECONCILE_PARTS = (
    ("inventory", Handler(SHOP, "_reconcile_part_inventory")),
    ("orders", Handler(SHOP, "_reconcile_part_orders")),
    ("products", Handler(SHOP, "_reconcile_part_products")),
    ("customers", Handler(SHOP, "_reconcile_part_customers")),  # pages of ids, no bulk operation
)


SETUP_TASKS = {
    "products_import": SetupTask("First product import", Handler(SHOP, "_setup_task_products_import")),
    "inventory_push": SetupTask("Stock sync to Shopify", Handler(SHOP, "_setup_task_inventory_push")),
    "orders_import": SetupTask("Order import", Handler(SHOP, "_setup_task_orders_import")),
    "products_export": SetupTask("First product export", Handler(SHOP, "_setup_task_products_export")),
    "inventory_reconcile": SetupTask(
        "Stock reconciliation", Handler(SHOP, "_setup_task_inventory_reconcile")
    ),
}


# Crons that only run while at least one shop is active (they ship inactive): the queue, the scheduled
# syncs, the daily webhook check and the bulk operation poll.
ACTIVE_SHOP_CRONS = (
    "shopify_sync.ir_cron_shopify_queue",
    *(sync.cron for sync in SYNC_KINDS.values()),
    "shopify_sync.ir_cron_shopify_check_webhooks",
    "shopify_sync.ir_cron_shopify_poll_bulk_operations",
)


# Method names that say "I am a handler": each must be reached from the table (see `check`).
HANDLER_PREFIXES = {
    WEBHOOK_EVENT: ("_shopify_webhook_",),
    QUEUE_JOB: ("_shopify_job_",),
    BULK_OPERATION: tuple(f"_bulk_{hook}_" for hook in BulkKind._fields if hook != "flat"),
    SHOP: ("_sync_", "_reconcile_part_", "_setup_task_"),
}


# ----------------------------------------------------------------------------------------------------
# Lookups
# ----------------------------------------------------------------------------------------------------
def webhook_topic(topic):
    """The registered topic, or None."""
    return WEBHOOK_TOPICS.get(topic)


def webhook_priority(topic):
    entry = WEBHOOK_TOPICS.get(topic)
    return entry.priority if entry else PRIORITY_OTHER


def job_kind(kind):
    """The registered job kind, or None."""
    return JOB_KINDS.get(kind)


def bulk_kind(kind):
    """The registered bulk kind, or None."""
    return BULK_KINDS.get(kind)


def subscribed_topics():
    """The delivery topics the subscription sync keeps subscribed: every registered one but the
    compliance topics, which only the app's configuration can subscribe."""
    return sorted(topic for topic, entry in WEBHOOK_TOPICS.items() if not entry.compliance)


def subscription_topic(topic):
    """`orders/create` → ORDERS_CREATE (Shopify's WebhookSubscriptionTopic value)."""
    return topic.replace("/", "_").upper()


def handlers():
    """Every (what, Handler) of the table; `what` names the entry for messages."""
    found = [(f"webhook topic {topic}", entry.handler) for topic, entry in WEBHOOK_TOPICS.items()]
    found += [(f"job kind {kind}", entry.handler) for kind, entry in JOB_KINDS.items()]
    for kind, entry in BULK_KINDS.items():
        found += [
            (f"bulk kind {kind} ({hook})", Handler(BULK_OPERATION, method)) for hook, method in entry.hooks()
        ]
    found += [(f"sync kind {kind}", entry.handler) for kind, entry in SYNC_KINDS.items()]
    found += [(f"reconcile part {part}", handler) for part, handler in RECONCILE_PARTS]
    found += [(f"setup task {step}", entry.handler) for step, entry in SETUP_TASKS.items()]
    return found


def check(methods_of):
    """What is wrong with the table, as a list of messages (empty when every entry is sound).

    `methods_of(model)`: the set of method names of that model (None when the model does not exist).
    Reported: a handler whose model or method does not exist, a handler on the wrong model for its kind,
    a query-less bulk kind that is not a mutation kind, and a method named like a handler
    (HANDLER_PREFIXES) that no entry reaches.
    """
    problems = []
    reached = set()
    expected_model = {"webhook topic": WEBHOOK_EVENT, "job kind": QUEUE_JOB, "bulk kind": BULK_OPERATION}
    for what, handler in handlers():
        reached.add(handler)
        methods = methods_of(handler.model)
        if methods is None:
            problems.append(f"{what}: model {handler.model} does not exist")
        elif handler.method not in methods:
            problems.append(f"{what}: {handler.model} has no method {handler.method}")
        for prefix, model in expected_model.items():
            if what.startswith(prefix) and handler.model != model:
                problems.append(f"{what}: handled on {handler.model}, dispatch calls {model}")
    for kind, entry in BULK_KINDS.items():
        if not entry.process and not (entry.result or entry.error):
            problems.append(f"bulk kind {kind}: neither a query handler (process) nor mutation hooks")
    for model, prefixes in HANDLER_PREFIXES.items():
        for method in sorted(methods_of(model) or ()):
            if method.startswith(prefixes) and Handler(model, method) not in reached:
                problems.append(f"{model}.{method} is named like a handler but no registry entry reaches it")
    return problems
