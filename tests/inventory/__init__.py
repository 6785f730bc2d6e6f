from . import test_inventory_realtime
