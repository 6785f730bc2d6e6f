"""The emulator's own JSON admin API under `/_emulator/...`, for tests, the demo and benchmarks.

Routes are registered like resolvers: `@route("POST", r"/shops/(?P<domain>[^/]+)/seed")` on a function
`(emulator, body, **groups) -> (status, json)`. Other resource families add their own (e.g. orders).
"""

import re

ROUTES = []


class AdminError(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def route(method, pattern):
    compiled = re.compile(f"^{pattern}$")

    def register(function):
        ROUTES.append((method, compiled, function))
        return function

    return register


def dispatch(emulator, method, path, body):
    """(status, json) for `/_emulator<path>`."""
    for route_method, pattern, function in ROUTES:
        match = pattern.match(path)
        if match and route_method == method:
            try:
                return function(emulator, body, **match.groupdict())
            except AdminError as error:
                return error.status, {"error": str(error)}
            except (TypeError, ValueError, KeyError) as error:
                return 400, {"error": f"{type(error).__name__}: {error}"}
    return 404, {"error": f"no emulator admin route {method} /_emulator{path}"}


def _shop(emulator, domain):
    shop = emulator.shop(domain)
    if shop is None:
        raise AdminError(f"no shop {domain} in the emulator", 404)
    return shop


@route("GET", "/health")
def health(emulator, _body):
    return 200, {"ok": True, "shops": sorted(emulator.shops), "versions": emulator.versions()}


@route("POST", "/reset")
def reset(emulator, _body):
    """Forget every shop (and issued token)."""
    emulator.reset()
    return 200, {"ok": True}


@route("POST", "/shops")
def add_shop(emulator, body):
    shop = emulator.add_shop(**body)
    return 201, {"domain": shop.domain, "access_token": shop.access_token}


@route("GET", "/shops/(?P<domain>[^/]+)")
def shop_state(emulator, _body, domain):
    return 200, _shop(emulator, domain).state()


@route("POST", "/shops/(?P<domain>[^/]+)/reset")
def shop_reset(emulator, _body, domain):
    _shop(emulator, domain).reset()
    return 200, {"ok": True}


@route("POST", "/shops/(?P<domain>[^/]+)/seed")
def shop_seed(emulator, body, domain):
    products = _shop(emulator, domain).seed_products(**body)
    return 200, {"products": [p.gid for p in products]}


@route("POST", "/shops/(?P<domain>[^/]+)/faults")
def shop_faults(emulator, body, domain):
    return 200, _shop(emulator, domain).set_faults(**body)


@route("POST", "/shops/(?P<domain>[^/]+)/bucket")
def shop_bucket(emulator, body, domain):
    return 200, _shop(emulator, domain).set_bucket(**body)


@route("POST", "/shops/(?P<domain>[^/]+)/locations")
def shop_location(emulator, body, domain):
    location = _shop(emulator, domain).add_location(**body)
    return 201, {"id": location.gid, "name": location.name}


@route("POST", "/shops/(?P<domain>[^/]+)/collections")
def shop_collection(emulator, body, domain):
    """Body: {"title", "handle"?, "description_html"?, "products": [product GID or id]}."""
    shop = _shop(emulator, domain)
    products = [int(str(p).rsplit("/", 1)[-1]) for p in body.pop("products", ())]
    collection = shop.add_collection(products=products, **body)
    return 201, {"id": collection.gid, "handle": collection.handle}


@route("POST", "/clock/advance")
def clock_advance(emulator, body):
    if not hasattr(emulator.clock, "advance"):
        raise AdminError("this emulator runs on the real clock (start it with a FakeClock to move time)")
    emulator.clock.advance(float(body["seconds"]))
    return 200, {"now": emulator.clock.now().isoformat()}


@route("POST", "/snapshot")
def save_snapshot(emulator, body):
    """Write the shops to `path` (default: the `--snapshot` file)."""
    from . import snapshot

    path = body.get("path") or getattr(emulator, "snapshot_path", None)
    if not path:
        raise AdminError("no snapshot path: pass {'path': ...} or start with --snapshot")
    snapshot.save(emulator, path)
    return 200, {"path": path}
