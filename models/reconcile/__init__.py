from . import completeness_report
from . import inventory_drift
from . import product_reconcile
from . import product_reconcile_line
from . import shop
from . import handlers
