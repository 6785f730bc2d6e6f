"""Runs one GraphQL request for one shop the way Shopify does: parse, validate against the version's real
schema, check limits and cost, execute with the registered resolvers, charge the actual cost."""

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone

import graphql
from graphql import GraphQLError, OperationType, specified_rules

from . import resolvers  # noqa: F401  (registers every resolver)
from .costs import MAX_QUERY_COST, InputLimitError, actual_cost, check_limits, requested_cost
from .coverage import NotEmulatedError, not_emulated_errors, snake
from .resolvers.registry import RESOLVERS, SHAPES

_logger = logging.getLogger(__name__)
THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits"

# graphql-core validation rule → the code Shopify puts in `extensions.code`.
_RULE_CODES = {
    "FieldsOnCorrectTypeRule": "undefinedField",
    "KnownArgumentNamesRule": "argumentNotAccepted",
    "ProvidedRequiredArgumentsRule": "missingRequiredArguments",
    "ValuesOfCorrectTypeRule": "argumentLiteralsIncompatible",
    "KnownTypeNamesRule": "undefinedType",
    "VariablesInAllowedPositionRule": "variableMismatch",
    "NoUnusedVariablesRule": "variableNotUsed",
    "NoUndefinedVariablesRule": "undefinedVariable",
    "ScalarLeafsRule": "selectionMismatch",
    "KnownDirectivesRule": "undefinedDirective",
    "UniqueOperationNamesRule": "operationNotUnique",
    "KnownFragmentNamesRule": "undefinedFragment",
    "NoUnusedFragmentsRule": "useAndDefineFragment",
}


@dataclass
class RequestContext:
    """What resolvers see as `info.context`."""

    shop: object
    version: str
    emulator: object


def _serialize(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


_MISSING = object()


def field_resolver(source, info, **args):
    """The registered resolver, else the parent dict's key or the parent record's attribute; a value that
    cannot answer the field raises NotEmulatedError (never a made-up null). Documents are checked before
    they run (`coverage.not_emulated_errors`), so this is the last line, not the rule."""
    type_name, name = info.parent_type.name, info.field_name
    function = RESOLVERS.get((type_name, name))
    if function is not None:
        return _serialize(function(source, info, **args))
    if isinstance(source, dict):
        if name in source:
            return _serialize(source[name])
        if name in SHAPES.get(type_name, ()):
            return None
        raise NotEmulatedError(type_name, name)
    value = getattr(source, "gid" if name == "id" else snake(name), _MISSING)
    if value is _MISSING:
        raise NotEmulatedError(type_name, name)
    return _serialize(value)


def type_resolver(value, _info, _abstract_type):
    if isinstance(value, dict):
        return value.get("__typename")
    return getattr(value, "TYPENAME", None)


def _error(message, code=None, locations=None, path=None, **extensions):
    error = {"message": message}
    if locations:
        error["locations"] = locations
    if path:
        error["path"] = path
    if code:
        error["extensions"] = {"code": code, **extensions}
    return error


def _formatted(error, code):
    formatted = error.formatted
    formatted.setdefault("extensions", {})
    formatted["extensions"].setdefault("code", code)
    return formatted


def validation_errors(schema, document):
    """Shopify-shaped validation errors (each with a code naming the broken rule), [] when valid."""
    errors = graphql.validate(schema, document)
    if not errors:
        return []
    coded = []
    for rule in specified_rules:
        for error in graphql.validate(schema, document, [rule]):
            coded.append(
                _formatted(error, _RULE_CODES.get(rule.__name__, rule.__name__.removesuffix("Rule")))
            )
    return coded or [_formatted(e, "GRAPHQL_VALIDATION_FAILED") for e in errors]


_checked = OrderedDict()  # (id(schema), query) -> (document, errors): clients resend the same documents
_checked_lock = threading.Lock()
CHECKED_CACHE_SIZE = 512


def parse_and_validate(schema, query):
    """(document, Shopify-shaped errors); raises GraphQLError on a syntax error. The errors are the
    schema's validation errors, else one NOT_EMULATED error per selected field the emulator does not answer
    (emulator/coverage.py): either way nothing runs. Cached per schema+text, since validating against
    Shopify's schema costs tens of milliseconds."""
    key = (id(schema), query)
    with _checked_lock:
        if key in _checked:
            _checked.move_to_end(key)
            return _checked[key]
    document = graphql.parse(query)
    checked = (document, validation_errors(schema, document) or not_emulated_errors(schema, document))
    with _checked_lock:
        _checked[key] = checked
        while len(_checked) > CHECKED_CACHE_SIZE:
            _checked.popitem(last=False)
    return checked


def _operation(document, name):
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if name:
        return next((op for op in operations if op.name and op.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def cost_extension(requested, actual, shop):
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": shop.bucket.status(),
        }
    }


def execute(emulator, shop, version, schema, body, force_throttle_status=None):
    """(HTTP status, response JSON) for one GraphQL request body of `shop`. `force_throttle_status` (200 or
    429) answers THROTTLED whatever the bucket holds (the fault injector's throttle storms)."""
    query = body.get("query")
    variables = body.get("variables") or {}
    if not isinstance(query, str) or not isinstance(variables, dict):
        return 400, {
            "errors": [_error("Bad Request: a JSON body with a 'query' string is required.", "BAD_REQUEST")]
        }
    try:
        document, errors = parse_and_validate(schema, query)
    except GraphQLError as error:
        return 200, {"errors": [_formatted(error, "PARSE_ERROR")], "extensions": cost_extension(0, 0, shop)}
    if errors:
        return 200, {"errors": errors, "extensions": cost_extension(0, 0, shop)}
    operation = _operation(document, body.get("operationName"))
    if operation is None:
        return 200, {
            "errors": [_error("An operation name is required when the document has several.", "BAD_REQUEST")]
        }
    try:
        check_limits(schema, document, operation, variables)
    except InputLimitError as error:
        locations = [{"line": loc.line, "column": loc.column} for loc in _locations(error.node)]
        return 200, {
            "errors": [_error(str(error), "MAX_INPUT_SIZE_EXCEEDED", locations, error.path)],
            "extensions": cost_extension(0, 0, shop),
        }

    requested = requested_cost(schema, document, operation, variables)
    operation_name = operation.name.value if operation.name else "anonymous"
    shop.count("requests")
    shop.operations[operation_name] += 1
    if requested > MAX_QUERY_COST:
        shop.count("max_cost_exceeded")
        message = (
            f"Query cost is {requested}, which exceeds the single query max cost limit "
            f"({MAX_QUERY_COST}).\n\n"
            f"See {THROTTLE_DOCS} for more information on how the cost of a query is calculated.\n\n"
            "To query larger amounts of data with fewer limits, bulk operations should be used instead."
        )
        return 200, {
            "errors": [_error(message, "MAX_COST_EXCEEDED", cost=requested, maxCost=MAX_QUERY_COST)],
            "extensions": cost_extension(requested, None, shop),
        }
    if force_throttle_status:
        return throttled(shop, requested, force_throttle_status)
    if not shop.bucket.try_take(requested):
        return throttled(shop, requested)
    shop.count("requested_cost", requested)  # what the bucket was asked for (the idle-cost figure)

    with shop.lock:
        result = graphql.execute(
            schema,
            document,
            context_value=RequestContext(shop=shop, version=version, emulator=emulator),
            variable_values=variables,
            operation_name=body.get("operationName"),
            field_resolver=field_resolver,
            type_resolver=type_resolver,
        )
    actual = actual_cost(schema, document, operation, variables, result.data)
    if operation.operation == OperationType.MUTATION:
        shop.count("mutations")
    shop.bucket.refund(requested - actual)
    shop.count("cost", actual)
    response = {}
    if result.errors:
        for error in result.errors:
            if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
                _logger.error("resolver failed on %s", error.path, exc_info=error.original_error)
        response["errors"] = [_formatted(error, "INTERNAL_SERVER_ERROR") for error in result.errors]
    response["data"] = result.data
    response["extensions"] = cost_extension(requested, actual, shop)
    return 200, response


def throttled(shop, requested, status=200):
    """Shopify's THROTTLED answer: no data, the code in the error, the cost at the top level."""
    shop.count("throttled")
    return status, {
        "errors": [
            {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": THROTTLE_DOCS}}
        ],
        "extensions": cost_extension(requested, None, shop),
    }


def _locations(node):
    if node is None or node.loc is None:
        return []
    return [node.loc.source.get_location(node.loc.start)]
