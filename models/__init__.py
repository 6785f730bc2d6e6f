from . import shopify_shop
from . import shopify_customer_binding
from . import shopify_tax_mapping
from . import shopify_order_binding
from . import shopify_shop_orders
from . import shopify_order_import
from . import sale_order
from . import shopify_product_binding
