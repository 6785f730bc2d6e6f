"""Where resolvers are registered: one function per (GraphQL type, field).

A resource family module decorates its functions with `@query("products")`, `@mutation("productSet")`
or `@field("Product", "variants")`; the executor looks them up. A field without a registered resolver
reads the attribute (snake_case of the field name) or dict key of its parent value.
"""

RESOLVERS = {}

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
