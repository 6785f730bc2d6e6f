"""Which fields of Shopify's schema the emulator really answers, and refusing the ones it does not.

A field of an object type is *emulated* when one of these answers it:
1. a resolver registered for (type, field) (`resolvers/registry.py`: `@query`, `@mutation`, `@field`);
2. the record class of that type (a dataclass whose `TYPENAME` is the type) declares the attribute the
   executor reads: the snake_case of the field name, as a dataclass field or a property (`id` reads `gid`);
3. a dict shape declared for that type with `shape(type, *fields)` (money bags, payloads, userErrors…);
4. the connection helper (`resolvers/common.py::connection`): `edges`/`nodes`/`pageInfo` of a `*Connection`,
   `cursor`/`node` of a `*Edge`;
and `__typename` always. A field selected on an interface is emulated when every type the emulator can
return for that interface answers it (and there is at least one).

Any other selected field is refused before anything runs (queries and mutations alike): an error naming
`Type.field` with `extensions.code` NOT_EMULATED, and no `data`, so nothing of a mutation is applied and no
answer ever holds a made-up null. A null stays a true answer when the resolver or attribute holds None.
"""

import dataclasses
import re
from functools import cache, lru_cache

import graphql
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    is_abstract_type,
    is_object_type,
)

from . import bulk, order_records, payout_records, records, webhooks
from .resolvers.registry import RESOLVERS, SHAPES

NOT_EMULATED = "NOT_EMULATED"
CONNECTION_FIELDS = frozenset({"edges", "nodes", "pageInfo"})
EDGE_FIELDS = frozenset({"cursor", "node"})
_RECORD_MODULES = (records, order_records, payout_records, webhooks, bulk)


@lru_cache(maxsize=2048)
def snake(name):
    """The record attribute a field reads: `updatedAt` → `updated_at`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@lru_cache(maxsize=1)
def record_classes():
    """GraphQL type name → the record dataclass the emulator stores values of that type as."""
    found = {}
    for module in _RECORD_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and getattr(value, "TYPENAME", ""):
                found[value.TYPENAME] = value
    return found


@cache
def _record_attributes(cls):
    names = {f.name for f in dataclasses.fields(cls)}
    for klass in cls.__mro__:
        names |= {name for name, value in vars(klass).items() if isinstance(value, property)}
    return frozenset(names)


def _is_connection(type_name, field_name):
    if type_name.endswith("Connection"):
        return field_name in CONNECTION_FIELDS
    return type_name.endswith("Edge") and field_name in EDGE_FIELDS


def object_field_emulated(type_name, field_name):
    """Whether the emulator answers `field_name` on values of object type `type_name` (rules 1–4)."""
    if field_name == "__typename" or (type_name, field_name) in RESOLVERS:
        return True
    if field_name in SHAPES.get(type_name, ()):
        return True
    if _is_connection(type_name, field_name):
        return True
    cls = record_classes().get(type_name)
    if cls is not None:
        attribute = "gid" if field_name == "id" else snake(field_name)
        return attribute in _record_attributes(cls)
    return False


def backed(type_name):
    """Whether the emulator ever answers with a value of this object type."""
    return (
        type_name in record_classes()
        or type_name in SHAPES
        or type_name.endswith(("Connection", "Edge"))
        or any(owner == type_name for owner, _field in RESOLVERS)
    )


def field_emulated(schema, parent_type, field_name):
    """`object_field_emulated` for an object type; for an interface, every backed implementation must
    answer the field."""
    if field_name == "__typename":
        return True
    if is_object_type(parent_type):
        return object_field_emulated(parent_type.name, field_name)
    implementations = [t for t in schema.get_possible_types(parent_type) if backed(t.name)]
    return bool(implementations) and all(object_field_emulated(t.name, field_name) for t in implementations)


# -- refusing documents --------------------------------------------------------------------------------
def _location(node):
    if node.loc is None:
        return []
    location = node.loc.source.get_location(node.loc.start)
    return [{"line": location.line, "column": location.column}]


def not_emulated_errors(schema, document):
    """Shopify-shaped errors, one per selected field the emulator does not answer ([] when all are)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    errors, seen = [], set()

    def walk(parent_type, selection_set, path, visiting):
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue  # introspection: graphql-core answers it
                definition = parent_type.fields.get(name)
                if definition is None:
                    continue  # validation reports unknown fields
                here = [*path, selection.alias.value if selection.alias else name]
                if not field_emulated(schema, parent_type, name):
                    if (parent_type.name, name) not in seen:
                        seen.add((parent_type.name, name))
                        errors.append(_refusal(parent_type.name, name, selection, here))
                    continue
                named = get_named_type(definition.type)
                if selection.selection_set is not None and hasattr(named, "fields"):
                    walk(named, selection.selection_set, here, visiting)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner_type = schema.get_type(condition.name.value) if condition else parent_type
                walk(inner_type, selection.selection_set, path, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in visiting:
                    continue
                inner_type = schema.get_type(fragment.type_condition.name.value)
                walk(inner_type, fragment.selection_set, path, visiting | {fragment.name.value})

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            walk(root, definition.selection_set, [definition.operation.value], frozenset())
    return errors


def _refusal(type_name, field_name, node, path):
    return {
        "message": (
            f"Field '{type_name}.{field_name}' is not emulated: the Shopify emulator has no resolver for it "
            "(a real shop would answer it)."
        ),
        "locations": _location(node),
        "path": path,
        "extensions": {"code": NOT_EMULATED, "typeName": type_name, "fieldName": field_name},
    }


class NotEmulatedError(graphql.GraphQLError):
    """Raised while executing when a value cannot answer a field (the static check let it through)."""

    def __init__(self, type_name, field_name):
        super().__init__(
            f"Field '{type_name}.{field_name}' is not emulated: the Shopify emulator has no resolver for it.",
            extensions={"code": NOT_EMULATED, "typeName": type_name, "fieldName": field_name},
        )


# -- the coverage report -------------------------------------------------------------------------------
def _is_builtin(named_type):
    return named_type.name.startswith("__")


def _returned_connections(schema):
    """The connection and edge types some emulated field returns (rule 4 answers only these in the report;
    other connection types are never reached, so the helper does not answer them)."""
    found = set()
    for named in schema.type_map.values():
        if not is_object_type(named) or _is_builtin(named):
            continue
        for field_name, definition in named.fields.items():
            target = get_named_type(definition.type)
            if not target.name.endswith("Connection") or _is_connection(named.name, field_name):
                continue
            if object_field_emulated(named.name, field_name):
                found.add(target.name)
                edges = getattr(target, "fields", {}).get("edges")
                if edges is not None:
                    found.add(get_named_type(edges.type).name)
    return found


def report(schema):
    """{"objects": {...}, "roots": {...}} for one schema: for each, `emulated` and `missing` lists of
    "Type.field" (object fields exclude the two root types, which `roots` covers)."""
    roots = {t.name for t in (schema.query_type, schema.mutation_type) if t is not None}
    connections = _returned_connections(schema)
    result = {"objects": {"emulated": [], "missing": []}, "roots": {"emulated": [], "missing": []}}
    for named in sorted(schema.type_map.values(), key=lambda t: t.name):
        if not is_object_type(named) or _is_builtin(named) or is_abstract_type(named):
            continue
        group = result["roots" if named.name in roots else "objects"]
        for field_name in sorted(named.fields):
            emulated = object_field_emulated(named.name, field_name)
            if emulated and _is_connection(named.name, field_name) and named.name not in connections:
                emulated = (named.name, field_name) in RESOLVERS or field_name in SHAPES.get(named.name, ())
            key = "emulated" if emulated else "missing"
            group[key].append(f"{named.name}.{field_name}")
    return result


def format_report(reports, details=True):
    """Text of `python -m emulator --coverage`: per version, the counts, then (details) the lists."""
    lines = []
    for version, found in reports.items():
        lines.append(f"== Admin API {version}")
        for group, label in (("roots", "root fields"), ("objects", "object fields")):
            emulated, missing = found[group]["emulated"], found[group]["missing"]
            total = len(emulated) + len(missing)
            share = 100 * len(emulated) / max(total, 1)
            lines.append(
                f"  {label}: {len(emulated)} of {total} emulated ({share:.1f} %), {len(missing)} not"
            )
        if details:
            for group, label in (("roots", "root fields"), ("objects", "object fields")):
                for key in ("emulated", "missing"):
                    lines.append(f"  -- {label} {'with' if key == 'emulated' else 'without'} a resolver:")
                    lines.extend(f"     {name}" for name in found[group][key])
    return "\n".join(lines)
