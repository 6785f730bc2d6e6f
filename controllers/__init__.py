from . import webhook
from . import monitoring
