"""In-memory records of an emulated shop. Attribute names are the GraphQL field names in snake_case:
the executor resolves `updatedAt` to `updated_at` by itself, so only computed fields need a resolver."""

from dataclasses import dataclass, field
from datetime import datetime

QUANTITY_NAMES = (
    "available",
    "committed",
    "incoming",
    "reserved",
    "damaged",
    "safety_stock",
    "quality_control",
)
# on_hand = available + the states that still sit on the shelf (incoming is not there yet).
ON_HAND_PARTS = ("available", "committed", "reserved", "damaged", "safety_stock", "quality_control")


def gid(type_name, numeric):
    return f"gid://shopify/{type_name}/{numeric}"


@dataclass
class Record:
    id: int
    created_at: datetime
    updated_at: datetime

    TYPENAME = ""

    @property
    def gid(self):
        return gid(self.TYPENAME, self.id)

    @property
    def legacy_resource_id(self):
        return str(self.id)


@dataclass
class Location(Record):
    name: str = ""
    is_active: bool = True
    fulfills_online_orders: bool = True
    is_primary: bool = False

    TYPENAME = "Location"


@dataclass
class OptionValue:
    id: int
    name: str

    TYPENAME = "ProductOptionValue"

    @property
    def gid(self):
        return gid(self.TYPENAME, self.id)


@dataclass
class ProductOption:
    id: int
    name: str
    position: int
    option_values: list = field(default_factory=list)  # [OptionValue]

    TYPENAME = "ProductOption"

    @property
    def gid(self):
        return gid(self.TYPENAME, self.id)

    @property
    def values(self):
        return [value.name for value in self.option_values]


@dataclass
class InventoryItem(Record):
    sku: str | None = None
    tracked: bool = True
    requires_shipping: bool = True
    cost: str | None = None
    weight_value: float = 0.0
    weight_unit: str = "KILOGRAMS"
    variant_id: int | None = None

    TYPENAME = "InventoryItem"


@dataclass
class Variant(Record):
    product_id: int = 0
    inventory_item_id: int = 0
    sku: str | None = None
    barcode: str | None = None
    price: str = "0.00"
    compare_at_price: str | None = None
    position: int = 1
    selected: list = field(default_factory=list)  # [(option name, value name)]
    inventory_policy: str = "DENY"
    taxable: bool = True

    TYPENAME = "ProductVariant"

    @property
    def title(self):
        return " / ".join(value for _name, value in self.selected) or "Default Title"


@dataclass
class Product(Record):
    title: str = ""
    handle: str = ""
    vendor: str = ""
    product_type: str = ""
    status: str = "ACTIVE"
    tags: list = field(default_factory=list)
    description_html: str = ""
    options: list = field(default_factory=list)  # [ProductOption]
    variant_ids: list = field(default_factory=list)
    metafields: dict = field(default_factory=dict)  # (namespace, key) -> (type, value)

    TYPENAME = "Product"


@dataclass
class InventoryLevel(Record):
    item_id: int = 0
    location_id: int = 0
    quantities: dict = field(default_factory=lambda: dict.fromkeys(QUANTITY_NAMES, 0))
    is_active: bool = True

    TYPENAME = "InventoryLevel"

    @property
    def gid(self):
        # Shopify's InventoryLevel GIDs carry the item as a query parameter.
        return f"{gid(self.TYPENAME, self.id)}?inventory_item_id={self.item_id}"

    def quantity(self, name):
        if name == "on_hand":
            return sum(self.quantities.get(part, 0) for part in ON_HAND_PARTS)
        return self.quantities.get(name, 0)


@dataclass
class MetafieldDefinition(Record):
    name: str = ""
    namespace: str = ""
    key: str = ""
    type_name: str = ""
    owner_type: str = "PRODUCT"
    description: str | None = None

    TYPENAME = "MetafieldDefinition"


@dataclass
class AdjustmentGroup(Record):
    reason: str = ""
    reference_document_uri: str | None = None
    changes: list = field(
        default_factory=list
    )  # [dict(name, delta, quantity_after, item_id, location_id, ledger)]

    TYPENAME = "InventoryAdjustmentGroup"
