"""A Shopify Admin API emulator on the real schema, for tests, the demo and benchmarks.

No Odoo and no `services/` imports: it is an independent implementation of what the client talks to.
"""

from .clock import Clock, FakeClock
from .server import EmulatorServer
