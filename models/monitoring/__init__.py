from . import dashboard_failure
from . import dashboard_sync_kind
from . import dashboard_webhook_topic
from . import health
from . import res_config_settings
from . import shop
