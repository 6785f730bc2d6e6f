from . import test_shop
from . import test_gid
from . import test_queue
from . import test_webhook
