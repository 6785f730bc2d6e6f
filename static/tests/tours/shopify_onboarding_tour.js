/**
 * The admin's first hour, clicked in a real browser (tests/test_onboarding_tour.py drives both tours and
 * runs the queue in between, as the queue cron would):
 *  1. shopify_sync_onboarding_setup: open the Shopify app, create a shop (the API URL defaults to the
 *     test's emulator), Test connection, Fetch locations, start the first product import.
 *  2. shopify_sync_onboarding_dashboard: see the import finished on the Setup tab, open the Dashboard
 *     and read its numbers.
 */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const SHOP_NAME = "Emulator store";

function openShops() {
    return [
        ...stepUtils.goToAppSteps("shopify_sync.menu_shopify_root", "Open the Shopify app"),
        {
            content: "Open the Configuration menu",
            trigger: '.o-dropdown[data-menu-xmlid="shopify_sync.menu_shopify_configuration"]',
            run: "click",
        },
        {
            content: "Open the shops",
            trigger: '.o-dropdown-item[data-menu-xmlid="shopify_sync.menu_shopify_shop"]',
            run: "click",
        },
    ];
}

function openSetupTab() {
    return [
        {
            content: "Open the Setup tab",
            trigger: '.o_notebook a.nav-link[name="setup"]',
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("shopify_sync_onboarding_setup", {
    url: "/odoo",
    steps: () => [
        ...openShops(),
        {
            content: "Create a shop",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: 'div[name="name"] input',
            run: `edit ${SHOP_NAME}`,
        },
        {
            content: "Its Shopify domain",
            trigger: 'div[name="shop_domain"] input',
            run: "edit tour-store.myshopify.com",
        },
        {
            content: "Its Admin API access token",
            trigger: 'div[name="access_token"] input',
            run: "edit tour-access-token",
        },
        {
            content: "Its client secret (signs webhooks)",
            trigger: 'div[name="client_secret"] input',
            run: "edit tour-client-secret",
        },
        {
            content: "The API URL is the emulator's (a default set by the test)",
            trigger: 'div[name="api_base_url"] input:value("http://127.0.0.1")',
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
        ...openSetupTab(),
        {
            content: "Connection still to do",
            trigger: 'div[name="setup_connection_state"] .badge:contains("To do")',
        },
        {
            content: "Test the connection",
            trigger: "button.o_shopify_setup_test_connection",
            run: "click",
        },
        {
            content: "Connected: the connection step is done",
            trigger: 'div[name="setup_connection_state"] .badge:contains("Done")',
        },
        {
            content: "The shop's name on Shopify is shown",
            trigger: 'div[name="shop_name_remote"]:contains("Tour Store")',
        },
        {
            content: "Fetch the shop's locations",
            trigger: "button.o_shopify_setup_fetch_locations",
            run: "click",
        },
        {
            content: "The locations are known",
            trigger: 'div[name="setup_locations_info"]:contains("location(s)")',
        },
        {
            content: "Start the first product import in the background",
            trigger: "button.o_shopify_setup_import_products",
            run: "click",
        },
        {
            content: "The import is queued, its progress shows on the form",
            trigger: 'div[name="setup_last_task_state"] .badge:contains("Queued")',
        },
    ],
});

registry.category("web_tour.tours").add("shopify_sync_onboarding_dashboard", {
    url: "/odoo",
    steps: () => [
        ...openShops(),
        {
            content: "Open the shop",
            trigger: `.o_data_row td:contains("${SHOP_NAME}")`,
            run: "click",
        },
        ...openSetupTab(),
        {
            content: "The import finished",
            trigger: 'div[name="setup_last_task_state"] .badge:contains("Done")',
        },
        {
            content: "Every product was imported (records done / total)",
            trigger: '.o_shopify_setup_progress:contains("4") div[name="setup_last_task_total"]:contains("4")',
        },
        {
            content: "The product step is done",
            trigger: 'div[name="setup_products_state"] .badge:contains("Done")',
        },
        ...stepUtils.goToAppSteps("shopify_sync.menu_shopify_root", "Back to the Shopify app"),
        {
            content: "Open the Dashboard",
            trigger: '.o_menu_sections [data-menu-xmlid="shopify_sync.menu_shopify_dashboard"]',
            run: "click",
        },
        {
            content: "The shop's card shows its imported products",
            trigger: `.o_kanban_record:contains("${SHOP_NAME}") .o_shopify_dash_product_count:contains("4")`,
        },
        {
            content: "Open the shop's dashboard",
            trigger: `.o_kanban_record:contains("${SHOP_NAME}")`,
            run: "click",
        },
        {
            content: "The dashboard shows the products",
            trigger: '.o_form_view button[name="action_dash_products"]:contains("4")',
        },
        {
            content: "and the queue: nothing failed",
            trigger: 'div[name="dash_jobs_failed"]:contains("0")',
        },
        {
            content: "and the last sync per kind",
            trigger: '.o_notebook a.nav-link[name="dash_sync"]',
            run: "click",
        },
    ],
});
