/**
 * The admin in French (tests/addon/test_french_tour.py loads fr_FR and i18n/fr.po): the Shopify menus,
 * the dashboard and the shop form speak French.
 */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("shopify_sync_french", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("shopify_sync.menu_shopify_root", "Ouvrir l'application Shopify"),
        {
            content: "The Dashboard menu is in French",
            trigger: '.o_menu_sections [data-menu-xmlid="shopify_sync.menu_shopify_dashboard"]:contains("Tableau de bord")',
            run: "click",
        },
        {
            content: "Open the shop's dashboard",
            trigger: '.o_kanban_record:contains("Boutique FR")',
            run: "click",
        },
        {
            content: "The dashboard's labels are in French",
            trigger: '.o_form_view .o_form_label:contains("File : en attente")',
        },
        {
            content: "and its chart titles",
            trigger: '.o_shopify_dash_charts h5:contains("Commandes par jour (14 jours)")',
        },
        {
            content: "Open the Configuration menu (in French)",
            trigger: '.o-dropdown[data-menu-xmlid="shopify_sync.menu_shopify_configuration"]:contains("Configuration")',
            run: "click",
        },
        {
            content: "Open the shops (in French)",
            trigger: '.o-dropdown-item[data-menu-xmlid="shopify_sync.menu_shopify_shop"]:contains("Boutiques")',
            run: "click",
        },
        {
            content: "Open the shop",
            trigger: '.o_data_row td:contains("Boutique FR")',
            run: "click",
        },
        {
            content: "The shop form's labels are in French",
            trigger: '.o_form_view .o_form_label:contains("Domaine Shopify")',
        },
    ],
});
