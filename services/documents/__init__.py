"""Every GraphQL document the addon sends: one operation per `<operation_name>.graphql` file here.

Shared field lists live once in `fragments/<Name>.graphql`, one named fragment per file (named like the
file). A document uses one with a spread `...Name` and defines no fragment itself. The loader inlines
every spread, transitively: in a selection of the fragment's own type the spread becomes the fragment's
fields; where the type differs but can apply (an interface or union holding it) it becomes
`... on Type { fields }`. So what is sent to Shopify, and what services/cost.py, bulk queries and the
emulator see, holds plain selections and no fragment definition. An unknown fragment, a cycle, or a
fragment whose type cannot apply where it is spread is a `DocumentError` when the document is loaded.
Types are read from the schema of DEFAULT_API_VERSION (services/schema.py); every supported version
validates the inlined documents in tests/services/test_graphql_documents.py. A server without the
schema files (they are never shipped) still works: each spread becomes `... on Type { fields }`, which
selects exactly the same (the type checks already passed in the tests).

`load(name)` gives the inlined DocumentNode (parsed once per process), `text(name)` the text actually
sent (use it wherever a document's text is needed, e.g. bulk queries); `operation_info(name)` says what
the client needs to know about it (mutation or query, the variable carrying an `@idempotent` key).
"""

import functools
from collections.abc import Callable
import logging
from dataclasses import dataclass
from pathlib import Path

import graphql

from ..api_versions import DEFAULT_API_VERSION
from ..schema import load_schema

_logger = logging.getLogger(__name__)

DOCUMENTS_DIR = Path(__file__).resolve().parent
FRAGMENTS_DIR = DOCUMENTS_DIR / "fragments"


class DocumentError(ValueError):
    """A document or fragment file the loader cannot turn into a plain operation."""


@dataclass(frozen=True)
class OperationInfo:
    name: str
    operation_name: str
    is_mutation: bool
    # Name of the variable bound to `@idempotent(key: $var)`, or None.
    idempotency_variable: str | None
    variables: frozenset = frozenset()


def names() -> list[str]:
    """Names of every document in the folder (file names without `.graphql`), sorted."""
    return sorted(path.stem for path in DOCUMENTS_DIR.glob("*.graphql"))


def fragment_names() -> list[str]:
    """Names of every shared fragment (files of `fragments/`), sorted."""
    return sorted(path.stem for path in FRAGMENTS_DIR.glob("*.graphql"))


def path_of(name: str) -> Path:
    path = DOCUMENTS_DIR / f"{name}.graphql"
    if not path.is_file():
        raise KeyError(f"no GraphQL document {name!r} in {DOCUMENTS_DIR}")
    return path


def parse_source(name: str) -> graphql.DocumentNode:
    """The document as written in its file (spreads not inlined)."""
    return graphql.parse(graphql.Source(path_of(name).read_text(encoding="utf-8"), f"{name}.graphql"))


@functools.cache
def load(name: str) -> graphql.DocumentNode:
    """The DocumentNode of `services/documents/<name>.graphql`, every fragment spread inlined."""
    return inline_fragments(parse_source(name), f"{name}.graphql", load_fragment, _schema())


@functools.cache
def text(name: str) -> str:
    """The text sent to Shopify for document `name` (fragments inlined, comments dropped)."""
    return graphql.print_ast(load(name))


@functools.cache
def load_fragment(name: str) -> graphql.FragmentDefinitionNode:
    """The FragmentDefinitionNode of `fragments/<name>.graphql`."""
    path = FRAGMENTS_DIR / f"{name}.graphql"
    if not path.is_file():
        raise DocumentError(f"unknown fragment {name!r}: no file fragments/{name}.graphql")
    source = graphql.parse(graphql.Source(path.read_text(encoding="utf-8"), f"fragments/{name}.graphql"))
    definitions = source.definitions
    if (
        len(definitions) != 1
        or not isinstance(definitions[0], graphql.FragmentDefinitionNode)
        or definitions[0].name.value != name
    ):
        raise DocumentError(f"fragments/{name}.graphql must hold exactly one fragment, named {name}")
    return definitions[0]


@functools.cache
def _schema():
    """The schema that types the inlining, or None where the schema files are not installed."""
    try:
        return load_schema(DEFAULT_API_VERSION)
    except FileNotFoundError as error:
        _logger.info("GraphQL documents inlined without a schema (%s)", error)
        return None


def inline_fragments(
    document: graphql.DocumentNode,
    label: str,
    fragment_of: Callable[[str], graphql.FragmentDefinitionNode],
    schema: graphql.GraphQLSchema | None,
) -> graphql.DocumentNode:
    """`document` (one operation, no fragment definitions) with every spread replaced by the
    selections of `fragment_of(name)`, typed against `schema` (None: every spread becomes a typed inline
    fragment, which needs no type information); `label` names it in errors."""
    operations = [node for node in document.definitions if isinstance(node, graphql.OperationDefinitionNode)]
    if len(operations) != len(document.definitions):
        raise DocumentError(
            f"{label}: a document defines no fragment; shared fragments live in fragments/<Name>.graphql"
        )
    if len(operations) != 1:
        raise DocumentError(f"{label} must hold exactly one operation")
    operation = operations[0]
    root = schema.get_root_type(operation.operation) if schema else None
    inliner = _Inliner(label, fragment_of, schema)
    return graphql.DocumentNode(
        definitions=(_replace(operation, selection_set=inliner.expand(operation.selection_set, root, ())),)
    )


class _Inliner:
    def __init__(self, label, fragment_of, schema):
        self.label = label
        self.fragment_of = fragment_of
        self.schema = schema

    def expand(self, selection_set, parent_type, chain):
        """`selection_set` (of `parent_type`) without spreads; `chain`: the fragments being expanded."""
        out = []
        for selection in selection_set.selections:
            if isinstance(selection, graphql.FieldNode):
                out.append(self._field(selection, parent_type, chain))
            elif isinstance(selection, graphql.InlineFragmentNode):
                inner_type = (
                    self._type(selection.type_condition.name.value, chain)
                    if selection.type_condition
                    else parent_type
                )
                inner = self.expand(selection.selection_set, inner_type, chain)
                out.append(_replace(selection, selection_set=inner))
            else:
                out.extend(self._spread(selection, parent_type, chain))
        return graphql.SelectionSetNode(selections=tuple(out))

    def _field(self, field, parent_type, chain):
        if field.selection_set is None:
            return field
        if self.schema is None:
            return _replace(field, selection_set=self.expand(field.selection_set, None, chain))
        definition = getattr(parent_type, "fields", {}).get(field.name.value)
        if definition is None:
            raise DocumentError(f"{self._where(chain)}: no field {field.name.value!r} on {parent_type.name}")
        field_type = graphql.get_named_type(definition.type)
        return _replace(field, selection_set=self.expand(field.selection_set, field_type, chain))

    def _spread(self, spread, parent_type, chain):
        name = spread.name.value
        if name in chain:
            raise DocumentError(f"{self.label}: fragment cycle {' → '.join((*chain, name))}")
        fragment = self.fragment_of(name)
        inner_chain = (*chain, name)
        if self.schema is None:
            inner = self.expand(fragment.selection_set, None, inner_chain)
            return (
                graphql.InlineFragmentNode(
                    type_condition=fragment.type_condition, directives=spread.directives, selection_set=inner
                ),
            )
        fragment_type = self._type(fragment.type_condition.name.value, inner_chain)
        inner = self.expand(fragment.selection_set, fragment_type, inner_chain)
        if fragment_type is parent_type and not spread.directives:
            return inner.selections
        if fragment_type is not parent_type and not graphql.do_types_overlap(
            self.schema, fragment_type, parent_type
        ):
            raise DocumentError(
                f"{self._where(chain)}: fragment {name} on {fragment_type.name} cannot apply "
                f"in a selection of {parent_type.name}"
            )
        condition = (
            None
            if fragment_type is parent_type
            else graphql.NamedTypeNode(name=graphql.NameNode(value=fragment_type.name))
        )
        return (
            graphql.InlineFragmentNode(
                type_condition=condition, directives=spread.directives, selection_set=inner
            ),
        )

    def _type(self, type_name, chain):
        if self.schema is None:
            return None
        found = self.schema.type_map.get(type_name)
        if not isinstance(
            found, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType | graphql.GraphQLUnionType
        ):
            raise DocumentError(f"{self._where(chain)}: no object, interface or union type {type_name!r}")
        return found

    def _where(self, chain):
        return " → ".join((self.label, *(f"fragments/{name}.graphql" for name in chain)))


def _replace(node, **changes):
    """A copy of AST `node` with some attributes changed (the parsed tree is never modified)."""
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.update(changes)
    return type(node)(**values)


@functools.cache
def operation_info(name: str) -> OperationInfo:
    document = load(name)
    operations = [node for node in document.definitions if isinstance(node, graphql.OperationDefinitionNode)]
    if len(operations) != 1 or not operations[0].name:
        raise ValueError(f"{name}.graphql must hold exactly one named operation")
    operation = operations[0]
    return OperationInfo(
        name=name,
        operation_name=operation.name.value,
        is_mutation=operation.operation == graphql.OperationType.MUTATION,
        idempotency_variable=_idempotency_variable(document),
        variables=frozenset(node.variable.name.value for node in operation.variable_definitions or ()),
    )


def _idempotency_variable(document):
    found = []

    class Visitor(graphql.Visitor):
        def enter_directive(self, node, *_args):
            if node.name.value != "idempotent":
                return
            for argument in node.arguments:
                if argument.name.value == "key" and isinstance(argument.value, graphql.VariableNode):
                    found.append(argument.value.name.value)

    graphql.visit(document, Visitor())
    if len(set(found)) > 1:
        raise ValueError("a document may bind @idempotent to one variable only")
    return found[0] if found else None


def snake_case(operation_name: str) -> str:
    """`ShopInfo` → `shop_info`: how a file is named after its operation."""
    out = []
    for index, char in enumerate(operation_name):
        if char.isupper() and index and not operation_name[index - 1].isupper():
            out.append("_")
        out.append(char.lower())
    return "".join(out)
