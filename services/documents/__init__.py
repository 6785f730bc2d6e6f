"""Every GraphQL document the addon sends: one operation per `<operation_name>.graphql` file here.

`load(name)` parses a file once per process; `operation_info(name)` says what the client needs to
know about it (mutation or query, the variable carrying an `@idempotent` key).
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import graphql

DOCUMENTS_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class OperationInfo:
    name: str
    operation_name: str
    is_mutation: bool
    # Name of the variable bound to `@idempotent(key: $var)`, or None.
    idempotency_variable: str | None
    variables: frozenset = frozenset()


def names():
    """Names of every document in the folder (file names without `.graphql`), sorted."""
    return sorted(path.stem for path in DOCUMENTS_DIR.glob("*.graphql"))


def path_of(name):
    path = DOCUMENTS_DIR / f"{name}.graphql"
    if not path.is_file():
        raise KeyError(f"no GraphQL document {name!r} in {DOCUMENTS_DIR}")
    return path


@functools.cache
def load(name):
    """The parsed DocumentNode of `services/documents/<name>.graphql`."""
    return graphql.parse(graphql.Source(path_of(name).read_text(encoding="utf-8"), f"{name}.graphql"))


@functools.cache
def operation_info(name):
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


def snake_case(operation_name):
    """`ShopInfo` → `shop_info`: how a file is named after its operation."""
    out = []
    for index, char in enumerate(operation_name):
        if char.isupper() and index and not operation_name[index - 1].isupper():
            out.append("_")
        out.append(char.lower())
    return "".join(out)
