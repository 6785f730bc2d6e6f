#!/usr/bin/env bash
# The whole test suite: lint, then the addon's tests (pytest-odoo) on a fresh database with real
# PostgreSQL, real Odoo 18 and headless Chromium. Extra arguments go to pytest (e.g. -k shop); test files
# or folders named from the repo narrow the run (tests/orders, tests/core/test_shop.py).
#   TEST_DB=name  reuse (or create and keep) that database instead of a throwaway one: faster loops.
#   NO_LINT=1     skip the lint step (local loops only; CI always lints).
#   NO_WHEEL=1    skip the wheel install check of a whole-suite run (CI always runs it).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
setup_all
ensure_chromium

if [ -z "${NO_LINT:-}" ] || [ -n "${CI:-}" ]; then
  "$REPO/tools/lint.sh"
fi
# The wheel installs and runs from a fresh venv (tools/wheel_check.sh, about a minute): on the whole suite
# (no arguments), always in CI; NO_WHEEL=1 skips it locally.
if { [ $# -eq 0 ] && [ -z "${NO_WHEEL:-}" ]; } || [ -n "${CI:-}" ]; then
  "$REPO/tools/wheel_check.sh"
fi

make_run_dir
DB="${TEST_DB:-${MODULE}_test_$$}"
cleanup() {
  [ -n "${TEST_DB:-}" ] || dropdb --if-exists "$DB" >/dev/null 2>&1 || true
  rm -rf "$RUN"
}
trap cleanup EXIT
export TMPDIR="$RUN/tmp"   # Chromium and Odoo temp profiles die with the run
ARTIFACTS="${ARTIFACTS_DIR:-$CACHE/artifacts}"
mkdir -p "$ARTIFACTS/screenshots"
DATA_DIR="$RUN/data"
[ -z "${TEST_DB:-}" ] || DATA_DIR="$CACHE/testdb-data"
write_odoo_conf "$RUN/odoo.conf" "$DB" "$(free_port)" "$DATA_DIR" "screenshots = $ARTIFACTS/screenshots"
ODOO=("$PY" "$ODOO_SRC/odoo-bin" -c "$RUN/odoo.conf" -d "$DB" --stop-after-init --log-level=warn)

installed="$(psql -d "$DB" -tAc "select state from ir_module_module where name='$MODULE'" 2>/dev/null || true)"
if [ "$installed" = installed ]; then
  say "updating $MODULE in $DB"
  "${ODOO[@]}" -u "$MODULE" 2>&1 | tee "$RUN/install.log"
else
  if [ -n "${TEST_DB:-}" ]; then
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    create_db_from_template "$DB"
    mkdir -p "$DATA_DIR/filestore"; rm -rf "${DATA_DIR:?}/filestore/$DB"
    [ ! -d "$RUN/data/filestore/$DB" ] || mv "$RUN/data/filestore/$DB" "$DATA_DIR/filestore/$DB"
  else
    create_db_from_template "$DB"
  fi
  say "installing $MODULE in $DB"
  "${ODOO[@]}" -i "$MODULE" 2>&1 | tee "$RUN/install.log"
fi
state="$(psql -d "$DB" -tAc "select state from ir_module_module where name='$MODULE'")"
[ "$state" = installed ] || die "module $MODULE is not installed in $DB (state '$state'): see the log above"
! grep -E ' (ERROR|CRITICAL) ' "$RUN/install.log" >/dev/null || die "errors while installing $MODULE (log above)"

targets=()
args=()
for arg in "$@"; do
  # Test files are named relative to the repo; pytest must see them under the module's name.
  if [ -e "$REPO/$arg" ] && [[ "$arg" == tests/* ]]; then targets+=("$RUN/addons/$MODULE/$arg"); else args+=("$arg"); fi
done
[ ${#targets[@]} -gt 0 ] || targets=("$RUN/addons/$MODULE/tests")

say "running tests"
set +e
PYTHONPATH="$REPO/tools${PYTHONPATH:+:$PYTHONPATH}" "$VENV/bin/pytest" -p no:cacheprovider -p pytest_ci_guard -rfEs --odoo-config="$RUN/odoo.conf" --odoo-database="$DB" --odoo-http \
  "${targets[@]}" ${args[@]+"${args[@]}"}
rc=$?
set -e
[ $rc -ne 5 ] || echo "pytest collected no tests" >&2
exit $rc
