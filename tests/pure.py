"""Base class of the pure tests: no database, no registry, no Odoo server.

They run in seconds on their own (`make test-pure`, plain pytest with pytest-odoo off) and still in
`make test`. odoo-bin's runner only selects tests that carry `test_tags`/`test_module`/`test_class`
(odoo.tests.BaseCase sets them): they are given here so that it does not drop these silently.
"""

import unittest


class PureCase(unittest.TestCase):
    test_tags = frozenset({"standard", "at_install"})
    test_module = "shopify_sync"
    test_sequence = 0

    def __init_subclass__(cls, **kwargs):
        cls.test_class = cls.__name__
        return super().__init_subclass__(**kwargs)
