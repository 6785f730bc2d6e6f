from . import test_inventory_realtime
from . import test_cron_wakeup
