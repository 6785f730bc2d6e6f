{
    # Loaded only by bench/orders_import.py (odoo-bin --load=…): never installed, never shipped to users.
    "name": "Shopify Sync bench: webhook processed inside the request",
    "summary": "The naive baseline of the orders benchmark: the order is imported before the 200",
    "version": "18.0.0.1.0",
    "category": "Hidden",
    "author": "shopify_sync contributors",
    "website": "https://github.com/shopify-sync/shopify_sync",
    "license": "LGPL-3",
    "depends": ["shopify_sync"],
    "installable": True,
}
