from . import dispute
from . import payout
from . import payout_line
from . import shop
from . import handlers
