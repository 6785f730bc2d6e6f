"""Pure payload ⇄ Odoo-values mapping functions (no Odoo imports)."""
