#!/usr/bin/env bash
# The wheel installs and works as OCA addons do: build odoo-addon-shopify_sync (tools/dist.sh), pip install it
# into a fresh venv next to Odoo, then `odoo-bin -i shopify_sync --stop-after-init` from that venv on a new
# database, with Odoo's own addons only on addons_path (the repository is not on it). Part of `make test`.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
ensure_postgres
ensure_odoo_src
ensure_venv
make_run_dir
DB="${MODULE}_wheel_$$"
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$RUN"; }
trap cleanup EXIT

DIST_DIR="$RUN/dist" "$REPO/tools/dist.sh" >/dev/null
wheel="$(ls "$RUN"/dist/odoo_addon_"$MODULE"-*.whl)"

say "installing $(basename "$wheel") into a fresh venv"
WVENV="$RUN/venv"
python3 -m venv "$WVENV"
# Odoo's Python requirements come from the test venv (added as a site dir: its odoo-src.pth finds Odoo);
# the wheel itself goes into the fresh venv, which is searched first. --no-deps: `odoo` is a source tree
# here, not an installed distribution (the Requires-Dist are checked below instead).
wsite="$("$WVENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
vsite="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "import site; site.addsitedir('$vsite')" > "$wsite/zz-odoo-venv.pth"
"$WVENV/bin/pip" install -q --disable-pip-version-check --no-deps "$wheel"

requires="$("$WVENV/bin/python" -c 'from importlib.metadata import requires; print(" ".join(sorted(requires("odoo-addon-shopify_sync"))))')"
[ "$requires" = "gql odoo==18.0.* python-dateutil requests" ] || die "the wheel's Requires-Dist are '$requires'"

write_odoo_conf "$RUN/odoo.conf" "$DB" "$(free_port)" "$RUN/data"
sed -i "s|^addons_path = .*|addons_path = $ODOO_ADDONS|" "$RUN/odoo.conf"   # not the repository
found="$(cd "$RUN" && "$WVENV/bin/python" -c '
import sys
import odoo
from odoo.modules.module import get_module_path, initialize_sys_path
odoo.tools.config.parse_config(["-c", sys.argv[1]])
initialize_sys_path()
print(get_module_path("shopify_sync"))' "$RUN/odoo.conf")"
[[ "$found" == "$wsite/odoo/addons/$MODULE" ]] || die "Odoo finds $MODULE at '$found', not in the wheel's venv"

create_db_from_template "$DB"
say "odoo-bin -i $MODULE from the wheel's venv"
(cd "$RUN" && "$WVENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$RUN/odoo.conf" -d "$DB" -i "$MODULE" \
  --stop-after-init --log-level=warn) 2>&1 | tee "$RUN/install.log"
state="$(psql -d "$DB" -tAc "select state from ir_module_module where name='$MODULE'")"
[ "$state" = installed ] || die "$MODULE is not installed from the wheel (state '$state')"
! grep -E ' (ERROR|CRITICAL) ' "$RUN/install.log" >/dev/null || die "errors while installing $MODULE from the wheel"
say "wheel check passed: $(basename "$wheel") installs $MODULE with no addons_path entry for the repository"
