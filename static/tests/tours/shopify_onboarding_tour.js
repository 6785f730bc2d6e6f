/**
 * The admin's first hour, clicked in a real browser (tests/setup/test_onboarding_tour.py drives both tours
 * and runs the queue in between, as the queue cron would):
 *  1. shopify_sync_onboarding_setup: open the Shopify app, create a shop (the API URL defaults to the
 *     test's emulator), Test connection, Fetch locations, start the first product import.
 *  2. shopify_sync_onboarding_dashboard: see the import finished on the Setup tab, open the Dashboard
 *     and read its numbers, the order completeness of the checked days included (the test runs the
 *     orders check before), then queue a new check with "Check orders now".
 * Steps wait for the server (RPCs, reloads): each gets the longest timeout a tour step may have, so a
 * slow, loaded machine does not fail a correct run.
 */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const SHOP_NAME = "Emulator store";
// What the test's check of the orders leaves: the default window of 3 days, no order missing.
const COMPLETENESS_LINE = "Orders complete: 3/3 days green";
// The dashboard's inline charts (views/monitoring/dashboard_views.xml).
const DASHBOARD_CHARTS = ["dash_chart_orders", "dash_chart_queue", "dash_chart_api_cost"];
const STEP_TIMEOUT = 60000; // the maximum web_tour accepts

function patient(steps) {
    return steps.map((step) => ({ timeout: STEP_TIMEOUT, ...step }));
}

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
    steps: () => patient([
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
    ]),
});

registry.category("web_tour.tours").add("shopify_sync_onboarding_dashboard", {
    url: "/odoo",
    steps: () => patient([
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
            content: "The shop's card shows the order completeness of the checked days",
            trigger: `.o_kanban_record:contains("${SHOP_NAME}") .o_shopify_dash_completeness.text-success:contains("${COMPLETENESS_LINE}")`,
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
            content: "The inline charts are drawn: orders per day, queue backlog, API cost per hour",
            trigger: '.o_shopify_dash_charts div[name="dash_chart_api_cost"] canvas',
            run() {
                for (const name of DASHBOARD_CHARTS) {
                    const canvas = document.querySelector(`.o_shopify_dash_charts div[name="${name}"] canvas`);
                    const chart = canvas && window.Chart && window.Chart.getChart(canvas);
                    if (!chart || !chart.data.labels.length || canvas.height === 0) {
                        throw new Error(`the dashboard chart ${name} was not drawn`);
                    }
                }
            },
        },
        {
            content: "and the order completeness of the checked days",
            trigger: `div[name="dash_completeness_line"]:contains("${COMPLETENESS_LINE}")`,
        },
        {
            content: "Open the completeness of the last 7 days",
            trigger: '.o_notebook a.nav-link[name="dash_completeness"]',
            run: "click",
        },
        {
            content: "One row per checked day, all complete",
            trigger: 'div[name="dash_completeness_ids"] .o_data_row:nth-child(3) .badge:contains("Complete")',
        },
        {
            content: "Check the orders again now",
            trigger: 'button[name="action_dash_check_completeness"]',
            run: "click",
        },
        {
            content: "The check is queued for the background",
            trigger: '.o_notification:contains("Orders check queued")',
        },
        {
            content: "The dashboard shows it queued (no second check can be asked for meanwhile)",
            trigger: ".o_shopify_dash_reconcile_queued:visible",
        },
        {
            content: "and the last sync per kind",
            trigger: '.o_notebook a.nav-link[name="dash_sync"]',
            run: "click",
        },
        {
            content: "The last sync per kind is shown",
            trigger: '.o_notebook a.nav-link.active[name="dash_sync"]',
        },
    ]),
});
