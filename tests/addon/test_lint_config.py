"""pre-commit and `make lint` run the same steps: .pre-commit-config.yaml names each step of tools/lint.sh."""

import re
import subprocess
from pathlib import Path

from ..pure import PureCase

ADDON = Path(__file__).resolve().parents[2]


def lint_steps():
    listed = subprocess.run(
        [str(ADDON / "tools" / "lint.sh"), "--list"], capture_output=True, text=True, check=True, timeout=60
    )
    return listed.stdout.split()


def pre_commit_entries(text):
    """The `entry:` of each hook, in order (the file is plain YAML; no parser needed for one key)."""
    return re.findall(r"^\s+entry:\s*(.+?)\s*$", text, re.MULTILINE)


class TestLintConfig(PureCase):
    def test_pre_commit_runs_exactly_the_lint_steps(self):
        steps = lint_steps()
        self.assertIn("pylint-odoo", steps, "tools/lint.sh --list no longer lists its steps")
        entries = pre_commit_entries((ADDON / ".pre-commit-config.yaml").read_text())
        self.assertEqual(entries, [f"tools/lint.sh {step}" for step in steps])

    def test_make_lint_runs_every_step(self):
        # `make lint` calls tools/lint.sh with no argument: all steps.
        self.assertRegex((ADDON / "Makefile").read_text(), r"(?m)^lint:\n\t\./tools/lint\.sh\n")

    def test_a_hook_calling_something_else_is_caught(self):
        text = "repos:\n  - repo: local\n    hooks:\n      - id: x\n        entry: ruff check --fix\n"
        self.assertEqual(pre_commit_entries(text), ["ruff check --fix"])
        self.assertNotEqual(pre_commit_entries(text), [f"tools/lint.sh {step}" for step in lint_steps()])
