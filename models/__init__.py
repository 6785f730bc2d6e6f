from . import shopify_shop
