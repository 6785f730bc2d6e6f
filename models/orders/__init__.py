from . import order_binding
from . import order_import
from . import sale_order
from . import sale_order_line
from . import stock_picking
from . import tax_mapping
from . import shop
from . import handlers
