#!/usr/bin/env bash
# make bench-<name>: sets up like `make test` (venv, PostgreSQL, a fresh database with the addon
# installed), then runs bench/<name>.py, whose last line is `RESULT <name> key=value …`.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
name=$1
[ -f "$REPO/bench/$name.py" ] || die "no benchmark bench/$name.py"
setup_all
make_run_dir
DB="${MODULE}_bench_$$"
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$RUN"; }
trap cleanup EXIT
write_odoo_conf "$RUN/odoo.conf" "$DB" "$(free_port)" "$RUN/data"
create_db_from_template "$DB"
"$PY" "$ODOO_SRC/odoo-bin" -c "$RUN/odoo.conf" -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
cd "$REPO"
BENCH_DB="$DB" ODOO_RC="$RUN/odoo.conf" "$PY" "${BENCH_SCRIPT:-bench/$name.py}" --db "$DB" --odoo-config "$RUN/odoo.conf"
