from . import test_shop
from . import test_gid
from . import test_queue
from . import test_webhook
from . import test_graphql_documents
from . import test_client_units
from . import test_product_binding
