"""The addon in French: with fr_FR active and i18n/fr.po loaded, the admin sees the Shopify menus, the
dashboard and the shop form in French (clicked in headless Chromium)."""

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestFrenchTour(HttpCase):
    def test_admin_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["shopify_sync"], ["fr_FR"], overwrite=True)
        self.env.ref("base.user_admin").lang = "fr_FR"
        self.env["shopify.shop"].create({"name": "Boutique FR", "shop_domain": "fr-store.myshopify.com"})
        menu = self.env.ref("shopify_sync.menu_shopify_dashboard").with_context(lang="fr_FR")
        self.assertEqual(menu.name, "Tableau de bord", "i18n/fr.po was not loaded")
        self.start_tour("/odoo", "shopify_sync_french", login="admin", timeout=300)
