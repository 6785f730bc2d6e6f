from . import shopify_shop
from . import shopify_product_binding
from . import shopify_api_call
