"""pytest plugin, loaded by tools/test.sh with -p: in CI a skipped test is a failure.

Odoo skips browser tests silently when Chromium or websocket-client is missing, and a green
run must mean that every test ran."""

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped:
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, which counts as a failure: {reason}"
