from . import test_shop
from . import test_gid
from . import test_order_mapping
from . import test_order_import
from . import test_order_lifecycle
