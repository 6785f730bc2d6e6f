from . import core
from . import engine
from . import products
from . import inventory
from . import orders
from . import reconcile
from . import monitoring
from . import setup
