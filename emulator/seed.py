"""Generated catalogs: `seed_products` for tests and benchmarks, `demo_catalog` for `make demo`.

Products are created through the same code as the `productSet` mutation, so seeded data obeys the same
rules as data a client writes."""

import random

from .resolvers.products import product_set

ADJECTIVES = (
    "Classic",
    "Enamel",
    "Linen",
    "Organic",
    "Vintage",
    "Alpine",
    "Urban",
    "Coastal",
    "Studio",
    "Nordic",
)
NOUNS = (
    "Mug",
    "Tote bag",
    "T-shirt",
    "Notebook",
    "Candle",
    "Scarf",
    "Water bottle",
    "Cap",
    "Apron",
    "Blanket",
)
OPTION_CHOICES = {
    "Color": ("Blue", "Red", "Sand", "Black", "Green"),
    "Size": ("S", "M", "L", "XL"),
    "Material": ("Cotton", "Wool", "Recycled"),
}
VENDORS = ("Acme Goods", "Northwind", "Maison Verte", "Blue Harbor")


def _product_input(rng, number, max_options=3, max_values=3, stock=(0, 40), locations=()):
    noun = rng.choice(NOUNS)
    title = f"{rng.choice(ADJECTIVES)} {noun} {number}"
    option_names = rng.sample(list(OPTION_CHOICES), rng.randint(1, max(1, min(3, max_options))))
    options = [(name, rng.sample(OPTION_CHOICES[name], rng.randint(1, max_values))) for name in option_names]
    combos = [[]]
    for name, values in options:
        combos = [[*combo, (name, value)] for combo in combos for value in values]
    code = "".join(word[0] for word in title.split()[:2]).upper()
    base_price = rng.randint(5, 120)
    variants = []
    for index, combo in enumerate(combos, start=1):
        variants.append(
            {
                "optionValues": [{"optionName": name, "name": value} for name, value in combo],
                "sku": f"{code}-{number:04d}-{index:02d}",
                "price": f"{base_price + rng.choice((0, 0, 2, 5))}.{rng.choice(('00', '50', '90', '99'))}",
                "inventoryItem": {"tracked": True, "cost": f"{base_price * 0.4:.2f}"},
                "inventoryQuantities": [
                    {"locationId": location.gid, "name": "available", "quantity": rng.randint(*stock)}
                    for location in locations
                ],
            }
        )
    return {
        "title": title,
        "vendor": rng.choice(VENDORS),
        "productType": noun,
        "status": "ACTIVE",
        "tags": rng.sample(["new", "sale", "gift", "eco", "bestseller"], 2),
        "productOptions": [
            {"name": name, "values": [{"name": v} for v in values]} for name, values in options
        ],
        "variants": variants,
    }


def seed_products(shop, count, max_options=3, max_values=3, stock=(0, 40), seed=None):
    """Create `count` products (1–`max_options` options, up to `max_values` values each, every variant
    stocked at every active location); the same shop seed gives the same catalog."""
    with shop.lock:
        rng = random.Random(f"{shop.seed if seed is None else seed}:{shop.domain}:{len(shop.products)}")
        locations = [loc for loc in shop.locations.values() if loc.is_active]
        created = []
        start = len(shop.products) + 1
        for number in range(start, start + int(count)):
            data = _product_input(rng, number, max_options, max_values, tuple(stock), locations)
            product, errors = product_set(shop, data)
            if errors:
                raise ValueError(f"seeding product {number} failed: {errors}")
            created.append(product)
        return created
