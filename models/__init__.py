from . import shopify_shop
from . import shopify_shop_sync
from . import shopify_sync_log
from . import shopify_webhook_event
from . import shopify_webhook_stat
from . import shopify_resource_mark
from . import shopify_queue_job
from . import shopify_product_binding
