# Run inside `odoo-bin shell` by tools/demo.sh: connects the demo shop to the emulator.
# `env` is provided by the Odoo shell.
import os

DEMO_DOMAIN = "demo-shop.myshopify.com"
shops = env["shopify.shop"].with_context(active_test=False)  # noqa: F821
shop = shops.search([("shop_domain", "=", DEMO_DOMAIN)], limit=1)
values = {
    "name": "Demo shop (emulator)",
    "shop_domain": DEMO_DOMAIN,
    "api_base_url": os.environ["EMULATOR_URL"],
    "access_token": "demo-access-token",
    "client_secret": "demo-client-secret",
    "active": True,
}
if shop:
    shop.write(values)
else:
    shop = shops.create(values)
env["ir.config_parameter"].sudo().set_param("web.base.url", os.environ["ODOO_URL"])  # noqa: F821
shop.action_confirm_database()
shop.action_test_connection()
env.cr.commit()  # noqa: F821
print(f"demo shop {shop.shop_domain}: {shop.state}")
