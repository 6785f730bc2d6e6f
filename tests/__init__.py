from . import test_shop
from . import test_gid
from . import test_product_binding
from . import test_product_mapping
from . import test_product_import
