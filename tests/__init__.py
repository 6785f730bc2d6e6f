from . import test_shop
from . import test_gid
from . import test_graphql_documents
from . import test_client_units
from . import test_product_binding
from . import test_api_budget
from . import test_inventory_service
from . import test_inventory_detection
