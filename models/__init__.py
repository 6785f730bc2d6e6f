from . import shopify_shop
from . import shopify_product_binding
