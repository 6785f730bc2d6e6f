#!/usr/bin/env bash
# Odoo's own test suites with and without shopify_sync, to tell our regressions from the environment's.
#   tools/odoo_suites.sh with|without [TAGS]     (TAGS default: /sale,/sale_stock,/stock)
# Each run uses a fresh copy of the dependency template (the addon installed first for "with"), then
# updates sale, sale_stock and stock with --test-enable so their at_install and post_install tests run.
# Heavy (tens of minutes on 2 cores): run one at a time. Log: $CACHE/suites/<mode>.log; the DB is kept.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
mode=${1:?with or without}
TAGS=${2:-/sale,/sale_stock,/stock}
setup_all
ensure_chromium
make_run_dir
DB="${MODULE}_suites_${mode}"
LOGDIR="$CACHE/suites"
mkdir -p "$LOGDIR"
trap 'rm -rf "$RUN"' EXIT
export TMPDIR="$RUN/tmp"
write_odoo_conf "$RUN/odoo.conf" "$DB" "$(free_port)" "$RUN/data"
create_db_from_template "$DB"
ODOO=(nice -n 10 "$PY" "$ODOO_SRC/odoo-bin" -c "$RUN/odoo.conf" -d "$DB" --stop-after-init)
if [ "$mode" = with ]; then
  say "installing $MODULE in $DB"
  "${ODOO[@]}" -i "$MODULE" --log-level=warn
fi
say "running $TAGS on $DB ($mode $MODULE)"
set +e
"${ODOO[@]}" -u sale,sale_stock,stock --test-enable --test-tags "$TAGS" --log-level=info \
  >"$LOGDIR/$mode.log" 2>&1
rc=$?
set -e
grep -E '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$LOGDIR/$mode.log" | tail -1
grep -E '^(FAIL|ERROR):|: (FAIL|ERROR): ' "$LOGDIR/$mode.log" | sort | uniq -c | sort -rn | head -50
echo "rc=$rc log=$LOGDIR/$mode.log"
echo "database $DB kept for re-running single tests (dropdb it when done)"
