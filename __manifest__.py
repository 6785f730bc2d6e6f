{
    "name": "Shopify Sync",
    "summary": "Keep Odoo and Shopify stores in sync: products, stock, orders, webhooks",
    "version": "18.0.0.1.0",
    "category": "Sales/Sales",
    "author": "shopify_sync contributors",
    "website": "https://github.com/shopify-sync/shopify_sync",
    "license": "LGPL-3",
    "depends": ["sale_stock"],
    "external_dependencies": {"python": ["gql", "requests", "python-dateutil"]},
    "data": [
        "security/shopify_security.xml",
        "security/ir.model.access.csv",
        "views/shopify_shop_views.xml",
        "views/menus.xml",
    ],
    "installable": True,
    "application": True,
}
