from . import shopify_product_wizards
from . import shopify_reconcile_wizard
