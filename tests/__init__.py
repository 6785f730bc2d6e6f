from . import test_shop
from . import test_gid
from . import test_emulator_api
from . import test_emulator_products
from . import test_emulator_inventory
from . import test_emulator_costs
