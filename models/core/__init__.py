from . import access
from . import api_budget
from . import api_call
from . import client_wiring
from . import sync_state
from . import shop
