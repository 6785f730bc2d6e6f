from . import test_customer_webhooks
from . import test_customer_sync
