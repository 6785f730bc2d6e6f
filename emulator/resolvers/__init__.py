"""Resolvers, one module per resource family; importing a module registers its resolvers."""

from . import registry
from . import shop
from . import media
from . import collections
from . import products
from . import product_mutations
from . import metafields
from . import publications
from . import inventory
from . import nodes
from . import orders
from . import customers
from . import payouts
from . import webhooks
from . import bulk
