from . import setup_task
from . import shop
from . import handlers
