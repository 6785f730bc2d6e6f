#!/usr/bin/env bash
# The wheel odoo-addon-shopify_sync into dist/ (OCA's way to ship an addon: `pip install` it next to Odoo,
# no addons_path entry needed). Built by whool (PyPI) from the files git tracks, in a venv of its own.
#   DIST_DIR=path  where the wheel goes (default: dist/ in the repo)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
BUILD_TOOLS=("whool==1.3.1" "build==1.3.0")
BUILD_VENV="$CACHE/build-venv"
DIST_DIR="${DIST_DIR:-$REPO/dist}"
_build_build_venv() {
  [ "$(cat "$BUILD_VENV/.key" 2>/dev/null)" = "${BUILD_TOOLS[*]}" ] && return 0
  say "installing ${BUILD_TOOLS[*]} into $BUILD_VENV (once)"
  rm -rf "$BUILD_VENV"
  python3 -m venv "$BUILD_VENV"
  "$BUILD_VENV/bin/pip" install -q --disable-pip-version-check "${BUILD_TOOLS[@]}"
  echo "${BUILD_TOOLS[*]}" > "$BUILD_VENV/.key"
}
with_lock build-venv _build_build_venv

# whool names the addon after its folder: build from a copy of the tracked files in a folder named
# shopify_sync (the clone may be called anything).
src="$(mktemp -d)"
trap 'rm -rf "$src"' EXIT
mkdir -p "$src/$MODULE" "$DIST_DIR"
(cd "$REPO" && git ls-files -z | tar -c --null -T - -f -) | tar -x -C "$src/$MODULE" -f -
(cd "$src/$MODULE" && git init -q && git add -A)  # whool copies what git lists
say "building the wheel into $DIST_DIR"
"$BUILD_VENV/bin/python" -m build --wheel --no-isolation --outdir "$DIST_DIR" "$src/$MODULE" >&2
ls "$DIST_DIR"/odoo_addon_"$MODULE"-*.whl
