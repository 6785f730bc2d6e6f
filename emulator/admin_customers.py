"""`/_emulator` routes for customers: register, edit, delete, merge (each sends its webhook)."""

from . import customers as customer_logic
from .admin import AdminError, _shop, route
from .resolvers.common import parse_gid


def customer_by_id(shop, customer_id):
    numeric = (
        parse_gid(customer_id, "Customer") if str(customer_id).startswith("gid://") else int(customer_id)
    )
    customer = shop.customers.get(numeric)
    if customer is None:
        raise AdminError(f"no customer {customer_id} in {shop.domain}", 404)
    return customer


def summary(customer):
    return {"id": customer.gid, "email": customer.email, "updatedAt": customer.updated_at.isoformat()}


def _guarded(function, *args):
    try:
        return function(*args)
    except customer_logic.CustomerInputError as error:
        raise AdminError(str(error), 422) from error


@route("POST", r"/shops/(?P<domain>[^/]+)/customers")
def create(emulator, body, domain):
    """Body: the customer's data (emulator/customers.py)."""
    shop = _shop(emulator, domain)
    with shop.lock:
        return 201, summary(_guarded(customer_logic.create_customer, shop, body))


@route("POST", r"/shops/(?P<domain>[^/]+)/customers/(?P<customer_id>(?:gid://shopify/Customer/)?\d+)")
def update(emulator, body, domain, customer_id):
    shop = _shop(emulator, domain)
    with shop.lock:
        return 200, summary(
            _guarded(customer_logic.update_customer, shop, customer_by_id(shop, customer_id), body)
        )


@route("POST", r"/shops/(?P<domain>[^/]+)/customers/(?P<customer_id>(?:gid://shopify/Customer/)?\d+)/delete")
def delete(emulator, _body, domain, customer_id):
    shop = _shop(emulator, domain)
    with shop.lock:
        _guarded(customer_logic.delete_customer, shop, customer_by_id(shop, customer_id))
    return 200, {"deleted": True}


@route("POST", r"/shops/(?P<domain>[^/]+)/customers/merge")
def merge(emulator, body, domain):
    """Body: {"kept": id or GID, "deleted": id or GID}."""
    shop = _shop(emulator, domain)
    with shop.lock:
        kept = customer_by_id(shop, body["kept"])
        deleted = customer_by_id(shop, body["deleted"])
        return 200, summary(customer_logic.merge_customers(shop, kept, deleted))
