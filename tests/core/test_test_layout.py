"""The tests' own layout: every test file runs under both runners, in the folder of its domain.

pytest collects tests/**/test_*.py by file name; odoo-bin runs only the members of the tests package
named test_* (odoo.tests.loader.get_test_modules), i.e. what tests/__init__.py imports. A file left
out of tests/__init__.py would pass under one runner and never run under the other.
"""

import tempfile
from pathlib import Path

from odoo.tests.loader import get_test_modules

from ..pure import PureCase

TESTS_DIR = Path(__file__).resolve().parents[1]
ADDON_DIR = TESTS_DIR.parent
MODULE = __name__.split(".")[2]  # odoo.addons.<module>.tests.core.test_test_layout
# Besides the models' domains: the pure tests of services/, the emulator's own tests, and addon/ (the
# addon as shipped: labels, translations, packaging, lint configuration).
EXTRA_FOLDERS = {"services", "emulator", "addon"}


def find_test_files(tests_dir):
    """{dotted name relative to tests/: path} of every test_*.py under tests_dir."""
    return {
        ".".join(path.relative_to(tests_dir).with_suffix("").parts): path
        for path in sorted(tests_dir.rglob("test_*.py"))
        if "__pycache__" not in path.parts
    }


def loaded_by_odoo():
    """The dotted names (relative to tests/) of the modules odoo-bin's loader runs."""
    prefix = f"odoo.addons.{MODULE}.tests."
    names = {module.__name__ for module in get_test_modules(MODULE)}
    return {name.removeprefix(prefix) for name in names if name.startswith(prefix)}


def not_run_by_odoo(tests_dir, loaded):
    """Test files that odoo-bin would never run: absent from the loaded modules."""
    return sorted(set(find_test_files(tests_dir)) - set(loaded))


class TestTestLayout(PureCase):
    def test_every_test_file_is_imported_by_the_tests_package(self):
        files = find_test_files(TESTS_DIR)
        self.assertIn("core.test_test_layout", files, "the scan no longer finds the test files")
        self.assertEqual(
            not_run_by_odoo(TESTS_DIR, loaded_by_odoo()),
            [],
            "import these in tests/__init__.py (from .<domain> import test_…): odoo-bin skips them",
        )

    def test_every_module_odoo_runs_is_a_test_file(self):
        self.assertEqual(sorted(set(loaded_by_odoo()) - set(find_test_files(TESTS_DIR))), [])

    def test_a_test_file_missing_from_the_imports_is_reported(self):
        with tempfile.TemporaryDirectory() as tmp:
            tests_dir = Path(tmp)
            for name in ("__init__.py", "orders/__init__.py", "orders/test_new_feature.py"):
                (tests_dir / name).parent.mkdir(exist_ok=True)
                (tests_dir / name).write_text("")
            self.assertEqual(not_run_by_odoo(tests_dir, loaded_by_odoo()), ["orders.test_new_feature"])

    def test_test_files_live_in_a_domain_package(self):
        domains = {path.parent.name for path in (ADDON_DIR / "models").glob("*/__init__.py")}
        self.assertIn("orders", domains, "the scan no longer finds the models' domains")
        for name, path in find_test_files(TESTS_DIR).items():
            with self.subTest(test_file=name):
                folders = path.relative_to(TESTS_DIR).parts[:-1]
                self.assertEqual(len(folders), 1, "tests/<domain>/test_….py: one folder deep")
                self.assertIn(folders[0], domains | EXTRA_FOLDERS)
                # Without the package marker, pytest imports the file outside odoo.addons and the
                # relative imports fail.
                self.assertTrue((path.parent / "__init__.py").is_file())
