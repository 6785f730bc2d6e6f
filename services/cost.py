"""Estimate a document's requested cost before sending it, the way Shopify computes it.

Shopify computes the requested cost statically from the document and its variables and refuses the
query when the bucket holds less (facts §2). The rules, from the document's shape alone:

* a leaf field (scalar/enum) costs 0, an object field 1 plus its selection;
* a connection (a field taking `first`/`last`) costs 2 + n × (cost of one item), an item being an
  `edges { node }` or `nodes` entry worth 1 plus its selection; `pageInfo` adds nothing;
* a list fetched by ids (`nodes(ids: …)`) costs one item per id;
* every top-level mutation field costs 10, whatever it selects;
* fragments on different types (unions/interfaces) cost the most expensive one.

This is an upper-bound style estimate: the budget reserves it, and Shopify refunds the difference
to the actual cost, which the next `throttleStatus` shows.
"""

import math

import graphql

SINGLE_QUERY_MAX = 1000
MUTATION_COST = 10
CONNECTION_BASE = 2
# Shopify requires first/last on connections; should a document omit it, assume the maximum page.
DEFAULT_PAGE = 250
_FREE_CONNECTION_FIELDS = frozenset({"pageInfo", "totalCount", "count", "__typename"})


def estimate_cost(document: str | graphql.DocumentNode, variables: dict | None = None) -> int:
    """Requested cost of the (single) operation in `document` with these variables, an int."""
    variables = variables or {}
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, graphql.FragmentDefinitionNode)
    }
    total = 0
    for node in document.definitions:
        if not isinstance(node, graphql.OperationDefinitionNode):
            continue
        estimator = _Estimator(variables, fragments)
        if node.operation == graphql.OperationType.MUTATION:
            total += MUTATION_COST * len(estimator.fields(node.selection_set))
        else:
            total += estimator.selection_cost(node.selection_set)
    return math.ceil(total)


class _Estimator:
    def __init__(self, variables, fragments):
        self.variables = variables
        self.fragments = fragments

    def fields(self, selection_set):
        """Top-level fields of a selection set, fragments flattened."""
        out = []
        for selection in selection_set.selections:
            if isinstance(selection, graphql.FieldNode):
                out.append(selection)
            else:
                out.extend(self.fields(self._fragment_selection_set(selection)))
        return out

    def selection_cost(self, selection_set):
        if selection_set is None:
            return 0
        direct = 0
        # Fragments with a type condition apply to one concrete type at a time: take the dearest.
        per_type = {}
        for selection in selection_set.selections:
            if isinstance(selection, graphql.FieldNode):
                direct += self.field_cost(selection)
                continue
            condition = self._type_condition(selection)
            cost = self.selection_cost(self._fragment_selection_set(selection))
            if condition is None:
                direct += cost
            else:
                per_type[condition] = per_type.get(condition, 0) + cost
        return direct + max(per_type.values(), default=0)

    def field_cost(self, field):
        if field.selection_set is None:
            return 0
        arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
        if "first" in arguments or "last" in arguments:
            size = self._int(arguments.get("first")) or self._int(arguments.get("last")) or DEFAULT_PAGE
            return CONNECTION_BASE + size * self.item_cost(field.selection_set)
        if "ids" in arguments:
            ids = self._value(arguments["ids"])
            count = len(ids) if isinstance(ids, list) else DEFAULT_PAGE
            return count * (1 + self.selection_cost(field.selection_set))
        return 1 + self.selection_cost(field.selection_set)

    def item_cost(self, connection_selection):
        """Cost of one element of a connection: its `edges { node }` and/or `nodes` entries."""
        cost = 0
        for field in self.fields(connection_selection):
            name = field.name.value
            if name in _FREE_CONNECTION_FIELDS or field.selection_set is None:
                continue
            if name == "edges":
                for edge_field in self.fields(field.selection_set):
                    if edge_field.name.value == "node":
                        cost += 1 + self.selection_cost(edge_field.selection_set)
            elif name == "nodes":
                cost += 1 + self.selection_cost(field.selection_set)
            else:
                cost += self.field_cost(field)
        return cost or 1

    def _fragment_selection_set(self, selection):
        if isinstance(selection, graphql.FragmentSpreadNode):
            fragment = self.fragments.get(selection.name.value)
            if fragment is None:
                raise ValueError(f"unknown fragment {selection.name.value}")
            return fragment.selection_set
        return selection.selection_set

    def _type_condition(self, selection):
        if isinstance(selection, graphql.FragmentSpreadNode):
            fragment = self.fragments.get(selection.name.value)
            condition = fragment.type_condition if fragment else None
        else:
            condition = selection.type_condition
        return condition.name.value if condition else None

    def _value(self, node):
        if node is None:
            return None
        if isinstance(node, graphql.VariableNode):
            return self.variables.get(node.name.value)
        return graphql.value_from_ast_untyped(node, self.variables)

    def _int(self, node):
        value = self._value(node)
        return int(value) if isinstance(value, int | float) and value > 0 else None
