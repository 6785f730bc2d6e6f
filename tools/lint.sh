#!/usr/bin/env bash
# ruff (format + lint) and pylint-odoo's mandatory checks over the addon.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[ -x "$VENV/bin/ruff" ] || { ensure_odoo_src; ensure_venv; }
cd "$REPO"
say "ruff format --check"
"$VENV/bin/ruff" format --check --quiet .
say "ruff check"
"$VENV/bin/ruff" check --quiet .
# pylint-odoo needs the folder to carry the module's name.
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
ln -s "$REPO" "$lint_dir/$MODULE"
say "pylint-odoo"
"$VENV/bin/pylint" --rcfile="$REPO/.pylintrc" "$lint_dir/$MODULE"
say "lint passed"
