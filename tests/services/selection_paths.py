"""What a GraphQL document selects, as a sorted list of paths: one per field, from the operation root.

A segment is `alias:name(arg:value,…)` (arguments sorted), `on Type` for a typed inline fragment; named
fragment spreads are resolved through the document's own fragment definitions, and a fragment without a
type condition adds no segment. The order of sibling fields does not count: the same paths means the same
selections. Used to prove that moving field lists into shared fragments changed nothing.
"""

import graphql


def selection_paths(document):
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, graphql.FragmentDefinitionNode)
    }
    [operation] = [node for node in document.definitions if isinstance(node, graphql.OperationDefinitionNode)]
    paths = set()
    _walk(operation.selection_set, operation.operation.value, fragments, paths)
    return sorted(paths)


def _walk(selection_set, prefix, fragments, paths):
    for selection in selection_set.selections:
        if isinstance(selection, graphql.FieldNode):
            segment = selection.name.value
            if selection.alias:
                segment = f"{selection.alias.value}:{segment}"
            if selection.arguments:
                arguments = sorted(
                    f"{arg.name.value}:{graphql.print_ast(arg.value)}" for arg in selection.arguments
                )
                segment += f"({','.join(arguments)})"
            if selection.directives:
                segment += "".join(f" {graphql.print_ast(directive)}" for directive in selection.directives)
            path = f"{prefix}/{segment}"
            paths.add(path)
            if selection.selection_set:
                _walk(selection.selection_set, path, fragments, paths)
        elif isinstance(selection, graphql.InlineFragmentNode):
            inner = (
                f"{prefix}/on {selection.type_condition.name.value}" if selection.type_condition else prefix
            )
            _walk(selection.selection_set, inner, fragments, paths)
        else:
            _walk(fragments[selection.name.value].selection_set, prefix, fragments, paths)
