from . import shopify_shop
from . import shopify_product_binding
from . import shopify_field_mapping
from . import shopify_product_conflict
from . import product_shopify
from . import shopify_product_sync
