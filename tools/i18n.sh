#!/usr/bin/env bash
# Translations: export i18n/shopify_sync.pot with Odoo itself (--i18n-export, from a database where the
# addon is installed), then merge it into every i18n/<lang>.po (gettext's msgmerge). Re-run after any
# change of a label, help text, view or _() string; then translate the msgstr "" left empty.
#   I18N_DB=name  export from that database (the addon installed, e.g. your TEST_DB) instead of a throwaway one.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
setup_all
command -v msgmerge >/dev/null || { say "installing gettext (msgmerge)"; apt_install gettext; }

make_run_dir
DB="${I18N_DB:-${MODULE}_i18n_$$}"
cleanup() {
  [ -n "${I18N_DB:-}" ] || dropdb --if-exists "$DB" >/dev/null 2>&1 || true
  rm -rf "$RUN"
}
trap cleanup EXIT
write_odoo_conf "$RUN/odoo.conf" "$DB" "$(free_port)" "$RUN/data"
ODOO=("$PY" "$ODOO_SRC/odoo-bin" -c "$RUN/odoo.conf" -d "$DB" --log-level=warn)
if [ -n "${I18N_DB:-}" ]; then
  say "updating $MODULE in $DB"
  "${ODOO[@]}" -u "$MODULE" --stop-after-init
else
  create_db_from_template "$DB"
  say "installing $MODULE in $DB"
  "${ODOO[@]}" -i "$MODULE" --stop-after-init
fi

mkdir -p "$REPO/i18n"
say "exporting i18n/$MODULE.pot"
"${ODOO[@]}" --i18n-export="$REPO/i18n/$MODULE.pot" --modules="$MODULE"
for po in "$REPO"/i18n/*.po; do
  [ -e "$po" ] || continue
  # No fuzzy matching: a guessed translation would ship as wrong text; a new msgid stays visibly empty.
  msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$REPO/i18n/$MODULE.pot"
  printf '%s: ' "$(basename "$po")" >&2
  msgfmt --statistics --output-file=/dev/null "$po"
done
