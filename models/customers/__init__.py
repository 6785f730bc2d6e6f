from . import customer_binding
from . import customer_field_mapping
from . import customer_export
from . import res_partner
from . import customer_import
from . import shop
from . import handlers
