#!/usr/bin/env bash
# The lint steps, the one source of truth: `make lint` runs them all, .pre-commit-config.yaml runs each by
# name (tests/addon/test_lint_config.py checks both name the same steps).
#   tools/lint.sh              all steps
#   tools/lint.sh STEP...      these steps (ruff-format, ruff-check, pylint-odoo, oca-checks)
#   tools/lint.sh --list       the step names
STEPS=(ruff-format ruff-check pylint-odoo oca-checks)
if [ "${1:-}" = --list ]; then printf '%s\n' "${STEPS[@]}"; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[ -x "$VENV/bin/ruff" ] || { ensure_odoo_src; ensure_venv; }
cd "$REPO"
# OCA's module checks (XML ids, manifest, data files) in a venv of their own: not the test venv's pins.
OCA_HOOKS="oca-odoo-pre-commit-hooks==0.2.27"
LINT_VENV="$CACHE/lint-venv"
_build_lint_venv() {
  [ "$(cat "$LINT_VENV/.key" 2>/dev/null)" = "$OCA_HOOKS" ] && return 0
  say "installing $OCA_HOOKS into $LINT_VENV (once)"
  rm -rf "$LINT_VENV"
  python3 -m venv "$LINT_VENV"
  "$LINT_VENV/bin/pip" install -q --disable-pip-version-check "$OCA_HOOKS"
  echo "$OCA_HOOKS" > "$LINT_VENV/.key"
}

# The checkers want a folder named after the module: a copy of the tracked files (pylint-odoo: a link).
lint_dir="$(mktemp -d)"
trap 'rm -rf "$lint_dir"' EXIT
module_copy() {
  mkdir -p "$lint_dir/copy/$MODULE"
  git ls-files -z --cached --others --exclude-standard | tar -c --null -T - -f - | tar -x -C "$lint_dir/copy/$MODULE" -f -
  echo "$lint_dir/copy/$MODULE"
}

step_ruff-format() { "$VENV/bin/ruff" format --check --quiet .; }
step_ruff-check() { "$VENV/bin/ruff" check --quiet .; }
step_pylint-odoo() {
  ln -s "$REPO" "$lint_dir/$MODULE"
  "$VENV/bin/pylint" --rcfile="$REPO/.pylintrc" "$lint_dir/$MODULE"
}
step_oca-checks() {
  with_lock lint-venv _build_lint_venv
  local copy
  copy="$(module_copy)"
  (cd "$copy" && "$LINT_VENV/bin/oca-checks-odoo-module" --config="$REPO/.oca_hooks.cfg" "$copy")
}

selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${STEPS[@]}")
for step in "${selected[@]}"; do
  [[ " ${STEPS[*]} " == *" $step "* ]] || die "unknown lint step '$step' (tools/lint.sh --list)"
  say "$step"
  "step_$step"
done
say "lint passed"
