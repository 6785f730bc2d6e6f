from . import shopify_product_wizards
