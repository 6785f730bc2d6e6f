"""Shopify's query cost model: the static cost of a document, the cost of what was actually returned,
the input-size limits, and the leaky bucket each shop's requests draw from.

Rules (shopify-api-facts §2): scalars and enums 0, objects 1, a connection 2 + `first`/`last` × the cost
of one node, an interface or union the most expensive of its possible selections, a mutation field 10.
"""

import math
import threading

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationType,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    value_from_ast_untyped,
)

MAX_QUERY_COST = 1000
MUTATION_COST = 10
MAX_PAGE_SIZE = 250
MAX_INPUT_ITEMS = 250
# Input lists Shopify allows to be longer than the general 250 (argument or input field name → limit).
INPUT_ITEM_EXCEPTIONS = {"variants": 2048}

PLANS = {
    # plan → (maximumAvailable, restoreRate per second)
    "standard": (2000, 100),
    "advanced": (4000, 200),
    "plus": (20000, 1000),
    "enterprise": (40000, 2000),
}


class InputLimitError(Exception):
    """A `first:`/`last:` or an input list beyond Shopify's limits."""

    def __init__(self, message, node=None, path=None):
        super().__init__(message)
        self.node = node
        self.path = path or []


def _is_connection(named_type):
    fields = getattr(named_type, "fields", None) or {}
    return named_type.name.endswith("Connection") and "pageInfo" in fields


def _argument(field_node, name, variables):
    for argument in field_node.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value, variables)
    return None


class _Walker:
    """Walks one operation against the schema, for the requested (static) or the actual cost."""

    def __init__(self, schema, fragments, variables):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables or {}

    # -- selection helpers -------------------------------------------------------------------------
    def _fields(self, object_type, selection_set):
        """The field nodes that apply to a concrete object type, fragments expanded."""
        out = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                out.append(selection)
            else:
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if not fragment:
                        continue
                    condition, inner = fragment.type_condition, fragment.selection_set
                else:
                    condition, inner = selection.type_condition, selection.selection_set
                if condition is None or self._applies(condition.name.value, object_type):
                    out.extend(self._fields(object_type, inner))
        return out

    def _applies(self, condition_name, object_type):
        if condition_name == object_type.name:
            return True
        condition = self.schema.get_type(condition_name)
        return (
            condition is not None
            and is_abstract_type(condition)
            and self.schema.is_sub_type(condition, object_type)
        )

    def _conditions(self, selection_set, seen=None):
        names = set()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, InlineFragmentNode):
                if selection.type_condition:
                    names.add(selection.type_condition.name.value)
                names |= self._conditions(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment:
                    names.add(fragment.type_condition.name.value)
                    names |= self._conditions(fragment.selection_set)
        return names

    def _candidates(self, named_type, selection_set):
        """Concrete types worth costing for an abstract type: those named in fragments, plus one other."""
        if not is_abstract_type(named_type):
            return [named_type]
        possible = list(self.schema.get_possible_types(named_type))
        named = self._conditions(selection_set)
        chosen = [t for t in possible if t.name in named]
        others = [t for t in possible if t.name not in named]
        return chosen + others[:1]

    # -- requested cost ----------------------------------------------------------------------------
    def static_cost(self, named_type, selection_set):
        return max(
            (
                sum(self.static_field(t, field) for field in self._fields(t, selection_set))
                for t in self._candidates(named_type, selection_set)
            ),
            default=0,
        )

    def static_field(self, parent_type, field_node):
        name = field_node.name.value
        if name.startswith("__"):
            return 0
        definition = parent_type.fields.get(name)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        if _is_connection(named):
            page = _argument(field_node, "first", self.variables) or _argument(
                field_node, "last", self.variables
            )
            return 2 + (page or 1) * self._static_node(named, field_node.selection_set)
        return 1 + self.static_cost(named, field_node.selection_set)

    def _static_node(self, connection_type, selection_set):
        """Cost of one node of a connection: edges/nodes/pageInfo wrappers are free."""
        best = 0
        for field in self._fields(connection_type, selection_set):
            if field.name.value == "nodes":
                node_type = get_named_type(connection_type.fields["nodes"].type)
                best = max(best, 1 + self.static_cost(node_type, field.selection_set))
            elif field.name.value == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type)
                for edge_field in self._fields(edge_type, field.selection_set):
                    if edge_field.name.value == "node":
                        node_type = get_named_type(edge_type.fields["node"].type)
                        best = max(best, 1 + self.static_cost(node_type, edge_field.selection_set))
        return best

    # -- actual cost -------------------------------------------------------------------------------
    def actual_cost(self, named_type, selection_set, value):
        if value is None:
            return 0
        if is_abstract_type(named_type):
            return self.static_cost(named_type, selection_set)
        return sum(self._actual_field(named_type, f, value) for f in self._fields(named_type, selection_set))

    def _actual_field(self, parent_type, field_node, parent_value):
        name = field_node.name.value
        if name.startswith("__") or not isinstance(parent_value, dict):
            return 0
        definition = parent_type.fields.get(name)
        value = parent_value.get(field_node.alias.value if field_node.alias else name)
        if definition is None or value is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        if _is_connection(named):
            return 2 + self._actual_nodes(named, field_node.selection_set, value)
        if isinstance(value, list):
            return max(
                (1 + self.actual_cost(named, field_node.selection_set, item) for item in value), default=0
            )
        return 1 + self.actual_cost(named, field_node.selection_set, value)

    def _actual_nodes(self, connection_type, selection_set, value):
        best = 0
        for field in self._fields(connection_type, selection_set):
            key = field.alias.value if field.alias else field.name.value
            items = value.get(key) or []
            if field.name.value == "nodes":
                node_type = get_named_type(connection_type.fields["nodes"].type)
                best = max(best, sum(1 + self.actual_cost(node_type, field.selection_set, n) for n in items))
            elif field.name.value == "edges":
                edge_type = get_named_type(connection_type.fields["edges"].type)
                node_type = get_named_type(edge_type.fields["node"].type)
                for edge_field in self._fields(edge_type, field.selection_set):
                    if edge_field.name.value == "node":
                        node_key = edge_field.alias.value if edge_field.alias else "node"
                        total = sum(
                            1 + self.actual_cost(node_type, edge_field.selection_set, (e or {}).get(node_key))
                            for e in items
                        )
                        best = max(best, total)
        return best

    # -- limits ------------------------------------------------------------------------------------
    def check_limits(self, named_type, selection_set, path=()):
        for t in self._candidates(named_type, selection_set):
            for field in self._fields(t, selection_set):
                definition = t.fields.get(field.name.value)
                if definition is None:
                    continue
                here = (*path, field.alias.value if field.alias else field.name.value)
                for argument in field.arguments or ():
                    self._check_value(argument.value, argument.name.value, [*here, argument.name.value])
                named = get_named_type(definition.type)
                if _is_connection(named):
                    for arg in ("first", "last"):
                        size = _argument(field, arg, self.variables)
                        if isinstance(size, int) and size > MAX_PAGE_SIZE:
                            raise InputLimitError(
                                f"The {arg} argument on {field.name.value} is {size}, more than the maximum "
                                f"page size of {MAX_PAGE_SIZE}.",
                                field,
                                list(here),
                            )
                if not is_leaf_type(named):
                    self.check_limits(named, field.selection_set, here)

    def _check_value(self, node, name, path):
        if isinstance(node, VariableNode):
            self._check_python(self.variables.get(node.name.value), name, path, node)
        elif isinstance(node, ListValueNode):
            self._check_size(len(node.values), name, path, node)
            for item in node.values:
                self._check_value(item, name, path)
        elif isinstance(node, ObjectValueNode):
            for field in node.fields:
                self._check_value(field.value, field.name.value, [*path, field.name.value])

    def _check_python(self, value, name, path, node):
        if isinstance(value, list):
            self._check_size(len(value), name, path, node)
            for item in value:
                self._check_python(item, name, path, node)
        elif isinstance(value, dict):
            for key, item in value.items():
                self._check_python(item, key, [*path, key], node)

    @staticmethod
    def _check_size(size, name, path, node):
        limit = INPUT_ITEM_EXCEPTIONS.get(name, MAX_INPUT_ITEMS)
        if size > limit:
            raise InputLimitError(
                f"The input array size of {size} is greater than the maximum allowed of {limit}.", node, path
            )


def _fragments(document):
    return {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}


def _root_type(schema, operation):
    if operation.operation == OperationType.MUTATION:
        return schema.mutation_type
    return schema.query_type


def _count(items):
    return len(items) if isinstance(items, list) else 0


def _product_set_extra(args):
    data = args.get("input") or {}
    variants = data.get("variants") if isinstance(data.get("variants"), list) else []
    return (
        0.2 * len(variants)
        + 0.4 * (_count(data.get("metafields")) + sum(_count((v or {}).get("metafields")) for v in variants))
        + 1.9 * _count(data.get("files"))
        + 0.6 * sum(1 for v in variants if (v or {}).get("file"))
    )


def _product_create_extra(args):
    data = args.get("product") or args.get("input") or {}
    return 0.4 * _count(data.get("metafields")) + 1.9 * _count(args.get("media"))


# Mutations whose cost grows with their input (shopify-api-facts §2): field name → extra points.
DYNAMIC_MUTATION_COSTS = {
    "productSet": _product_set_extra,
    "productCreate": _product_create_extra,
    "productUpdate": _product_create_extra,
}


def _mutation_cost(walker, root, operation):
    total = 0
    for field in walker._fields(root, operation.selection_set):
        extra = DYNAMIC_MUTATION_COSTS.get(field.name.value)
        if extra is None:
            total += MUTATION_COST
            continue
        args = {
            a.name.value: value_from_ast_untyped(a.value, walker.variables) for a in field.arguments or ()
        }
        total += math.ceil(MUTATION_COST + extra(args))
    return total


def requested_cost(schema, document, operation, variables):
    """The cost Shopify charges up front for `operation`, from the document and variables only."""
    walker = _Walker(schema, _fragments(document), variables)
    root = _root_type(schema, operation)
    if operation.operation == OperationType.MUTATION:
        return _mutation_cost(walker, root, operation)
    return walker.static_cost(root, operation.selection_set)


def actual_cost(schema, document, operation, variables, data):
    """The cost of what was returned: connections count the nodes they really hold."""
    walker = _Walker(schema, _fragments(document), variables)
    root = _root_type(schema, operation)
    if operation.operation == OperationType.MUTATION:
        return _mutation_cost(walker, root, operation)
    return walker.actual_cost(root, operation.selection_set, data or {})


def check_limits(schema, document, operation, variables):
    """Raise InputLimitError for a page size over 250 or an input list over its limit."""
    walker = _Walker(schema, _fragments(document), variables)
    walker.check_limits(_root_type(schema, operation), operation.selection_set)


class CostBucket:
    """The leaky bucket of one shop: drains by the requested cost, refills at `restore_rate` per second."""

    def __init__(self, maximum, restore_rate, clock):
        self.maximum = float(maximum)
        self.restore_rate = float(restore_rate)
        self._clock = clock
        self._available = float(maximum)
        self._at = clock.time()
        self._lock = threading.Lock()

    def _refill(self):
        now = self._clock.time()
        elapsed = max(0.0, now - self._at)
        self._available = min(self.maximum, self._available + elapsed * self.restore_rate)
        self._at = now

    def configure(self, maximum=None, restore_rate=None, available=None):
        with self._lock:
            self._refill()
            if maximum is not None:
                self.maximum = float(maximum)
            if restore_rate is not None:
                self.restore_rate = float(restore_rate)
            self._available = min(self.maximum, float(available) if available is not None else self.maximum)

    def try_take(self, cost):
        """Take `cost` if the bucket holds it; False (nothing taken) otherwise."""
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, amount):
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + max(0, amount))

    def drain(self):
        """Empty the bucket (a throttle storm)."""
        with self._lock:
            self._refill()
            self._available = 0.0

    def status(self):
        with self._lock:
            self._refill()
            return {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": int(self._available),
                "restoreRate": self.restore_rate,
            }
