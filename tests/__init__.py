from . import test_shop
from . import test_gid
from . import test_order_mapping
from . import test_order_import
from . import test_order_lifecycle
from . import test_graphql_documents
from . import test_client_units
from . import test_product_binding
