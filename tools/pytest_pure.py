"""pytest plugin, loaded by tools/test_pure.sh with -p (and pytest-odoo off): runs the pure tests
(services/ and emulator units on plain unittest.TestCase) with no database and no Odoo server.

The tests import the addon relatively (`from ...services import gid`), so the test files must be
imported as `odoo.addons.shopify_sync.tests.<domain>.<name>`: the addons directory that holds the
symlink is added to odoo.addons' path, and pytest is told the module name, as pytest-odoo does."""

import os
from pathlib import Path

import _pytest.pathlib

import odoo.addons

_resolve = _pytest.pathlib.resolve_pkg_root_and_module_name


def _odoo_module_name(path, *, consider_namespace_packages=False):
    pkg_root, module_name = _resolve(path, consider_namespace_packages=consider_namespace_packages)
    if (
        not module_name.startswith("odoo.addons.")
        and (pkg_root / module_name.split(".", 1)[0]).joinpath("__manifest__.py").is_file()
    ):
        module_name = f"odoo.addons.{module_name}"
    return pkg_root, module_name


def pytest_configure(config):
    addons = os.environ.get("PURE_ADDONS_DIR")
    if addons and str(Path(addons)) not in odoo.addons.__path__:
        odoo.addons.__path__.append(str(Path(addons)))
    _pytest.pathlib.resolve_pkg_root_and_module_name = _odoo_module_name


def pytest_collection_modifyitems(config, items):
    """Only the PureCase tests: the others need a database (they run in `make test`)."""
    from odoo.addons.shopify_sync.tests.pure import PureCase

    pure = [item for item in items if item.cls and issubclass(item.cls, PureCase)]
    deselected = [item for item in items if item not in pure]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = pure
