"""Base class of the pure tests: no database, no registry, no Odoo server.

They run in seconds on their own (`make test-pure`, plain pytest with pytest-odoo off) and still in
`make test`. The tags let odoo-bin's runner (which only selects tests that carry them) run them too.
"""

import unittest


class PureCase(unittest.TestCase):
    test_tags = frozenset({"standard", "at_install"})
    test_module = "shopify_sync"
    test_sequence = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.test_class = cls.__name__
