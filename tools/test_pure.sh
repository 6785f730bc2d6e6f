#!/usr/bin/env bash
# The pure tests alone (services/, mapping, emulator units: the classes built on tests/pure.PureCase):
# no PostgreSQL, no Odoo registry, no server, so they take seconds. They also run in `make test`.
# Extra arguments go to pytest: test files to narrow the run (tests/services/test_gid.py), -k, -x …
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_odoo_src
ensure_venv
ensure_schema
make_run_dir
trap 'rm -rf "$RUN"' EXIT
targets=()
args=()
for arg in "$@"; do
  # Test files are named relative to the repo; pytest must see them under the module's name.
  if [ -e "$REPO/$arg" ] && [[ "$arg" == tests/* ]]; then targets+=("$RUN/addons/$MODULE/$arg"); else args+=("$arg"); fi
done
[ ${#targets[@]} -gt 0 ] || targets=("$RUN/addons/$MODULE/tests")
cd "$RUN"
PURE_ADDONS_DIR="$RUN/addons" PYTHONPATH="$REPO/tools${PYTHONPATH:+:$PYTHONPATH}" \
  "$VENV/bin/pytest" -p no:cacheprovider -p no:odoo -p pytest_pure -p pytest_ci_guard -q \
  "${targets[@]}" ${args[@]+"${args[@]}"}
