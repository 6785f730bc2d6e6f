#!/usr/bin/env bash
# The demo: Odoo with shopify_sync and a demo shop connected to the bundled Shopify emulator.
#   DEMO_PORT (8069), EMULATOR_PORT (8765), DEMO_DB (shopify_sync_demo), DEMO_RESET=1 to start over.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
setup_all

DEMO_DB="${DEMO_DB:-${MODULE}_demo}"
DEMO_PORT="${DEMO_PORT:-8069}"
EMULATOR_PORT="${EMULATOR_PORT:-8765}"
RUN="$CACHE/demo"
mkdir -p "$RUN/addons" "$RUN/data"
ln -sfn "$REPO" "$RUN/addons/$MODULE"
export RUN
write_odoo_conf "$RUN/odoo.conf" "$DEMO_DB" "$DEMO_PORT" "$RUN/data" "dbfilter = ^$DEMO_DB\$"
ODOO=("$PY" "$ODOO_SRC/odoo-bin" -c "$RUN/odoo.conf" -d "$DEMO_DB")

for port in "$DEMO_PORT" "$EMULATOR_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use (an earlier demo still running?). Stop it or set DEMO_PORT / EMULATOR_PORT."
  fi
done

if [ -n "${DEMO_RESET:-}" ]; then dropdb --if-exists "$DEMO_DB"; rm -rf "$RUN/data/filestore/$DEMO_DB" "$RUN/emulator-state.json"; fi
state="$(psql -d "$DEMO_DB" -tAc "select state from ir_module_module where name='$MODULE'" 2>/dev/null || true)"
if [ "$state" = installed ]; then
  say "updating $MODULE in $DEMO_DB"
  "${ODOO[@]}" -u "$MODULE" --stop-after-init --log-level=warn
else
  create_db_from_template "$DEMO_DB"
  say "installing $MODULE in $DEMO_DB"
  "${ODOO[@]}" -i "$MODULE" --stop-after-init --log-level=warn
fi

if [ -f "$REPO/emulator/__main__.py" ]; then
  say "starting the Shopify emulator on 127.0.0.1:$EMULATOR_PORT"
  (cd "$REPO" && exec "$PY" -m emulator --host 127.0.0.1 --port "$EMULATOR_PORT" --seed demo \
    --state-file "$RUN/emulator-state.json") >"$RUN/emulator.log" 2>&1 &
  EMULATOR_PID=$!
  trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$EMULATOR_PORT") 2>/dev/null && break; sleep 0.2; done
  say "configuring the demo shop"
  EMULATOR_URL="http://127.0.0.1:$EMULATOR_PORT" ODOO_URL="http://127.0.0.1:$DEMO_PORT" \
    "$PY" "$ODOO_SRC/odoo-bin" shell -c "$RUN/odoo.conf" -d "$DEMO_DB" --no-http --log-level=warn \
      < "$REPO/tools/demo_setup.py"  # the subcommand must come before the options
else
  say "no bundled emulator in this checkout: the demo shop stays unconfigured"
fi

cat <<MSG

  Odoo with shopify_sync:  http://127.0.0.1:$DEMO_PORT/odoo/action-shopify_sync.action_shopify_shop
  Login:                   admin / admin
  Shopify emulator:        http://127.0.0.1:$EMULATOR_PORT  (log: $RUN/emulator.log)
  Stop with Ctrl-C.

MSG
"${ODOO[@]}" --log-level=info
