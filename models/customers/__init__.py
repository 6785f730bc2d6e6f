from . import customer_binding
from . import res_partner
from . import customer_import
from . import handlers
