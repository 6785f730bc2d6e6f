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


# A location's address: LocationAddress fields in snake_case (country_code is required by Shopify).
ADDRESS_KEYS = (
    "address1",
    "address2",
    "city",
    "province",
    "province_code",
    "zip",
    "country",
    "country_code",
    "phone",
    "latitude",
    "longitude",
)


@dataclass
class Location(Record):
    name: str = ""
    is_active: bool = True
    fulfills_online_orders: bool = True
    is_primary: bool = False
    address: dict = field(default_factory=dict)  # ADDRESS_KEYS -> value

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
    media_ids: list = field(default_factory=list)  # the variant's media (also the product's)

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
    media_ids: list = field(default_factory=list)  # MediaImage ids, in position order
    publication_ids: list = field(default_factory=list)  # the sales channels it is published on

    TYPENAME = "Product"


@dataclass
class MediaImage(Record):
    """An image of a product (the emulator stores images only; Shopify also has videos and 3D models). The
    emulator does not download an external source: the image is READY at once, served from its original URL.
    A staged upload's bytes are kept (`ShopState.files`) and served at `url` (GET /_files/...)."""

    alt: str | None = None
    original_source: str = ""
    mime_type: str | None = None
    status: str = "READY"  # MediaStatus
    url: str | None = None  # where the emulator serves the file's bytes (None: the original source)

    TYPENAME = "MediaImage"

    @property
    def media_content_type(self):
        return "IMAGE"

    @property
    def file_status(self):
        return self.status  # FileStatus has the same READY


@dataclass
class Collection(Record):
    """A manual collection: its products are listed by id, in the order they were added."""

    title: str = ""
    handle: str = ""
    description_html: str = ""
    sort_order: str = "MANUAL"
    product_ids: list = field(default_factory=list)

    TYPENAME = "Collection"

    @property
    def rule_set(self):
        return None  # a manual collection has no rules (smart collections are not emulated)


@dataclass
class Publication(Record):
    """A sales channel's catalog a product can be published to (Online Store, Point of Sale…)."""

    name: str = ""
    auto_publish: bool = False
    supports_future_publishing: bool = False

    TYPENAME = "Publication"


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
