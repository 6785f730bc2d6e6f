from . import privacy_log
from . import privacy_request
from . import privacy_redaction
from . import shop
from . import handlers
