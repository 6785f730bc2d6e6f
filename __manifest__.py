{
    "name": "Shopify Sync",
    "summary": "Keep Odoo and Shopify stores in sync: products, stock, orders, webhooks",
    "version": "18.0.0.2.0",
    "category": "Sales/Sales",
    "author": "shopify_sync contributors",
    "website": "https://github.com/shopify-sync/shopify_sync",
    "license": "LGPL-3",
    "depends": ["sale_stock"],
    "external_dependencies": {"python": ["gql", "requests", "python-dateutil"]},
    # By domain, as models/ is: each block lists the domain's record rules, data and views. The shop form is
    # the core's base view plus one view per domain (views/<domain>/shop_views.xml); menus come last.
    "data": [
        # core: the Shopify groups, the access rights of every model, the shop and its API calls
        "security/core_security.xml",
        "security/ir.model.access.csv",
        "views/core/shop_views.xml",
        "views/core/api_call_views.xml",
        # engine: work queue, webhooks, sync runs, bulk operations and the scheduled syncs
        "security/engine_security.xml",
        "data/engine_data.xml",
        "views/engine/shop_views.xml",
        "views/engine/queue_job_views.xml",
        "views/engine/webhook_event_views.xml",
        "views/engine/sync_log_views.xml",
        "views/engine/bulk_operation_views.xml",
        "views/engine/ir_cron_views.xml",
        # products: bindings, field mapping, conflicts, publish and import
        "security/products_security.xml",
        "views/products/shop_views.xml",
        "views/products/product_binding_views.xml",
        "views/products/variant_binding_views.xml",
        "views/products/product_conflict_views.xml",
        "views/products/product_template_views.xml",
        "views/products/product_export_wizard_views.xml",
        "views/products/product_import_wizard_views.xml",
        "views/products/image_binding_views.xml",
        # inventory: locations, stock levels, pushes and changes made on Shopify
        "security/inventory_security.xml",
        "views/inventory/shop_views.xml",
        "views/inventory/location_views.xml",
        "views/inventory/inventory_level_views.xml",
        "views/inventory/inventory_push_views.xml",
        "views/inventory/inventory_change_views.xml",
        # customers: customer links, export of contacts, the customer poll
        "security/customers_security.xml",
        "data/customers_data.xml",
        "views/customers/shop_views.xml",
        "views/customers/customer_binding_views.xml",
        # orders: order import, tax mapping, sale orders and deliveries
        "security/orders_security.xml",
        "data/orders_data.xml",
        "views/orders/shop_views.xml",
        "views/orders/order_binding_views.xml",
        "views/orders/tax_mapping_views.xml",
        "views/orders/sale_order_views.xml",
        "views/orders/stock_picking_views.xml",
        # reconcile: stock, order completeness and product reconciliation
        "security/reconcile_security.xml",
        "views/reconcile/shop_views.xml",
        "views/reconcile/inventory_drift_views.xml",
        "views/reconcile/completeness_report_views.xml",
        "views/reconcile/product_reconcile_views.xml",
        "views/reconcile/product_reconcile_line_views.xml",
        "views/reconcile/reconcile_wizard_views.xml",
        # monitoring: the dashboard, the shop's health and the settings
        "security/monitoring_security.xml",
        "views/monitoring/shop_views.xml",
        "views/monitoring/dashboard_views.xml",
        "views/monitoring/dashboard_failure_views.xml",
        "views/monitoring/res_config_settings_views.xml",
        # setup: the shop's Setup page and its background tasks
        "security/setup_security.xml",
        "views/setup/shop_views.xml",
        # privacy: Shopify's mandatory customer-data requests, redactions and their log
        "security/privacy_security.xml",
        "views/privacy/shop_views.xml",
        "views/privacy/privacy_request_views.xml",
        # the menu tree, over every domain
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": ["shopify_sync/static/src/scss/*.scss"],
        "web.assets_tests": ["shopify_sync/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": True,
}
