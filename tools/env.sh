# shellcheck shell=bash
# Prepares what every shopify_sync script needs and exports where it is:
#   REPO, CACHE, ODOO_SRC, ODOO_ADDONS, VENV, PY, SHOPIFY_SCHEMA_DIR
# Sourced by tools/test.sh, tools/demo.sh and the benchmarks. Each step reuses what exists,
# so a second run takes seconds. Works as root or with sudo on Debian/Ubuntu.

set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE=shopify_sync
CACHE="${SHOPIFY_SYNC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE}"
VENV="${VENV:-$CACHE/venv}"
PY="$VENV/bin/python"
SHOPIFY_SCHEMA_DIR="${SHOPIFY_SCHEMA_DIR:-$CACHE/schema}"
SCHEMA_PACKAGE="@shopify/dev-mcp@1.16.0"
SCHEMA_VERSIONS=(2025-10 2026-01 2026-04 2026-07 2026-10)
export REPO MODULE CACHE VENV PY SHOPIFY_SCHEMA_DIR DEBIAN_FRONTEND=noninteractive
mkdir -p "$CACHE"

# Bytecode goes to the cache: nothing is written into the Odoo tree or the repo.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$CACHE/pycache"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
_apt_updated=""
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* by hand"
  [ -n "$_apt_updated" ] || { $SUDO apt-get update -qq; _apt_updated=1; }
  $SUDO apt-get install -y -qq "$@" >/dev/null
}

# Serialises first-time setup when several runs start at once.
with_lock() { local name=$1; shift; (flock 9; "$@") 9>"$CACHE/$name.lock"; }

ensure_postgres() {
  if ! pg_isready -q 2>/dev/null; then
    say "PostgreSQL is not answering on the socket: starting (or installing) it"
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    local ver
    ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    pg_lsclusters -h | grep -q "^$ver " || $SUDO pg_createcluster "$ver" main >/dev/null
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null \
      || $SUDO pg_ctlcluster "$ver" main start || true
    for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
    pg_isready -q || die "PostgreSQL could not be started. Start it (pg_ctlcluster <ver> main start) and retry."
  fi
  if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    # Peer auth on the socket: the role must be named like the OS user, and be a superuser.
    say "creating PostgreSQL superuser role $(id -un)"
    (cd / && $SUDO runuser -u postgres -- createuser -s "$(id -un)") \
      || die "could not create the PostgreSQL role $(id -un); create a superuser role with that name"
  fi
}

ensure_odoo_src() {
  if [ -z "${ODOO_SRC:-}" ]; then
    ODOO_SRC="$HOME/.cache/odoo/18.0"
    if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
      say "no Odoo source in \$ODOO_SRC or $ODOO_SRC: cloning Odoo 18.0 (needs internet)"
      git clone -q --depth 1 -b 18.0 https://github.com/odoo/odoo "$ODOO_SRC" \
        || die "Odoo 18.0 source not found. Set ODOO_SRC to an Odoo 18.0 Community tree or put one at $ODOO_SRC."
    fi
  fi
  [ -f "$ODOO_SRC/odoo-bin" ] || die "no odoo-bin in ODOO_SRC=$ODOO_SRC: point ODOO_SRC at an Odoo 18.0 Community tree"
  grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" || die "ODOO_SRC=$ODOO_SRC is not Odoo 18.0"
  # A git checkout keeps most addons in addons/, a packaged tree keeps them all in odoo/addons.
  ODOO_ADDONS="$ODOO_SRC/odoo/addons"
  [ ! -d "$ODOO_SRC/addons" ] || ODOO_ADDONS="$ODOO_SRC/addons,$ODOO_ADDONS"
  export ODOO_SRC ODOO_ADDONS
}

_build_venv() {
  local key="$1"
  [ "$(cat "$VENV/.key" 2>/dev/null)" = "$key" ] && return 0
  say "creating the Python environment in $VENV (about a minute, once)"
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$PY" "$REPO/tools/odoo_requirements.py" "$ODOO_SRC/requirements.txt" > "$CACHE/odoo-requirements.txt"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$CACHE/odoo-requirements.txt" \
    -r "$REPO/requirements.txt" -r "$REPO/requirements-dev.txt"
  # Makes `import odoo` work for pytest-odoo without writing into the Odoo tree.
  "$PY" -c 'import site, sys; open(site.getsitepackages()[0] + "/odoo-src.pth", "w").write(sys.argv[1] + "\n")' \
    "$ODOO_SRC"
  echo "$key" > "$VENV/.key"
}

ensure_venv() {
  local key
  key="$(cat "$ODOO_SRC/requirements.txt" "$REPO/tools/odoo_requirements.py" "$REPO/requirements.txt" \
    "$REPO/requirements-dev.txt" | sha1sum | cut -c1-12) $ODOO_SRC"
  with_lock venv _build_venv "$key"
  "$PY" -c 'import odoo.release, gql, websocket, pytest_odoo' \
    || die "the venv $VENV is broken: remove it and run again"
}

_fetch_schema() {
  local v missing=0
  for v in "${SCHEMA_VERSIONS[@]}"; do [ -f "$SHOPIFY_SCHEMA_DIR/admin_$v.json.gz" ] || missing=1; done
  [ $missing -eq 1 ] || return 0
  say "fetching Shopify's Admin API schemas ($SCHEMA_PACKAGE) into $SHOPIFY_SCHEMA_DIR"
  command -v npm >/dev/null || apt_install npm
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack -q "$SCHEMA_PACKAGE" >/dev/null && tar xzf ./*.tgz package/dist/data) \
    || die "could not obtain $SCHEMA_PACKAGE with npm pack"
  mkdir -p "$SHOPIFY_SCHEMA_DIR"
  for v in "${SCHEMA_VERSIONS[@]}"; do cp "$tmp/package/dist/data/admin_$v.json.gz" "$SHOPIFY_SCHEMA_DIR/"; done
  rm -rf "$tmp"
}

ensure_schema() { with_lock schema _fetch_schema; }

ensure_chromium() {
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
    || command -v google-chrome >/dev/null || { say "installing chromium for browser tests"; apt_install chromium; }
}

# A temp addons folder where the repo appears under its module name (Odoo requires it).
make_run_dir() {
  RUN="$(mktemp -d "${TMPDIR:-/tmp}/$MODULE-run.XXXXXX")"
  mkdir -p "$RUN/addons" "$RUN/tmp" "$RUN/data"
  ln -s "$REPO" "$RUN/addons/$MODULE"
  export RUN
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# write_odoo_conf FILE DB PORT DATA_DIR [extra lines...]
write_odoo_conf() {
  local file=$1 db=$2 port=$3 data_dir=$4
  shift 4
  {
    echo "[options]"
    echo "addons_path = $ODOO_ADDONS,$RUN/addons"
    echo "data_dir = $data_dir"
    echo "db_name = $db"
    echo "db_user = $(id -un)"
    echo "without_demo = all"
    echo "http_interface = 127.0.0.1"
    echo "http_port = $port"
    echo "list_db = False"
    printf '%s\n' "$@"
  } > "$file"
}

_manifest_depends() {
  "$PY" -c 'import ast, sys; print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' \
    "$REPO/__manifest__.py"
}

# A database with the addon's dependencies installed is kept as a template, so that each fresh test
# database is a copy (a second) instead of a new install (a minute). The key changes with Odoo or the deps.
_build_template() {
  local tmpl=$1 store=$2
  if psql -d postgres -tAc "select 1 from pg_database where datname='$tmpl'" | grep -q 1; then return 0; fi
  say "building template database $tmpl (dependencies of $MODULE, once per machine)"
  local deps
  deps="$(_manifest_depends)"
  dropdb --if-exists "$tmpl.tmp" >/dev/null 2>&1 || true
  rm -rf "$store"
  local conf="$RUN/template.conf"
  write_odoo_conf "$conf" "$tmpl.tmp" "$(free_port)" "$store"
  "$PY" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$tmpl.tmp" -i "$deps" --stop-after-init --log-level=warn \
    >"$CACHE/template-install.log" 2>&1 || { tail -30 "$CACHE/template-install.log"; die "installing $deps failed"; }
  [ ! -d "$store/filestore/$tmpl.tmp" ] || mv "$store/filestore/$tmpl.tmp" "$store/filestore/$tmpl"
  psql -d postgres -qc "ALTER DATABASE \"$tmpl.tmp\" RENAME TO \"$tmpl\""
}

# create_db_from_template DB: a new database with the dependencies installed (not yet the addon).
create_db_from_template() {
  local db=$1 key tmpl store
  key="$( (_manifest_depends; echo "$ODOO_SRC"; cat "$ODOO_SRC/odoo/release.py") | sha1sum | cut -c1-10)"
  tmpl="${MODULE}_tmpl_$key"
  store="$CACHE/templates/$key"
  with_lock template _build_template "$tmpl" "$store"
  dropdb --if-exists "$db" >/dev/null 2>&1 || true
  createdb -T "$tmpl" "$db"
  # Attachments (e.g. compiled assets) live in the filestore; the copy needs its own.
  mkdir -p "$RUN/data/filestore"
  [ ! -d "$store/filestore/$tmpl" ] || cp -r "$store/filestore/$tmpl" "$RUN/data/filestore/$db"
}

setup_all() {
  ensure_postgres
  ensure_odoo_src
  ensure_venv
  ensure_schema
}
