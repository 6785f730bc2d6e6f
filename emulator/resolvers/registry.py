"""Where resolvers are registered: one function per (GraphQL type, field), and the shapes of the plain
dicts resolvers return.

A resource family module decorates its functions with `@query("products")`, `@mutation("productSet")`
or `@field("Product", "variants")`; the executor looks them up. A field without a registered resolver
reads the attribute (snake_case of the field name) of its parent record, or the key of its parent dict.
A dict answers a field only when `shape(type, ...)` declares it: the executor refuses (NOT_EMULATED) any
selected field that nothing answers (emulator/coverage.py), so the emulator never makes up a null.
"""

RESOLVERS = {}
SHAPES = {}  # GraphQL type name -> field names its dict values carry

QUERY_ROOT = "QueryRoot"
MUTATION_ROOT = "Mutation"


def field(type_name, field_name):
    def register(function):
        key = (type_name, field_name)
        if key in RESOLVERS:
            raise ValueError(f"two resolvers for {type_name}.{field_name}")
        RESOLVERS[key] = function
        return function

    return register


def query(field_name):
    return field(QUERY_ROOT, field_name)


def mutation(field_name):
    return field(MUTATION_ROOT, field_name)


def shape(type_name, *field_names):
    """Declare that resolvers answer `type_name` with dicts holding these keys (a key may hold None: the
    real value is null)."""
    SHAPES.setdefault(type_name, set()).update(field_names)
