"""Bulk operations and staged uploads: `bulkOperationRunQuery`, `bulkOperationRunMutation`,
`bulkOperationCancel`, `currentBulkOperation`, `bulkOperation(s)`, `stagedUploadsCreate`."""

import uuid

from .. import bulk
from .common import connection, parse_gid, search_filter
from .registry import field, mutation, query, shape

_SEARCH = {
    "status": lambda op: op.status.lower(),
    "operation_type": lambda op: op.type.lower(),
    "created_at": lambda op: op.created_at,
    "id": lambda op: op.id,
}


shape("BulkOperationRunQueryPayload", "bulkOperation", "userErrors")
shape("BulkOperationRunMutationPayload", "bulkOperation", "userErrors")
shape("BulkOperationCancelPayload", "bulkOperation", "userErrors")
shape("StagedUploadsCreatePayload", "stagedTargets", "userErrors")
shape("StagedMediaUploadTarget", "url", "resourceUrl", "parameters")
shape("StagedUploadParameter", "name", "value")


def _fresh(info):
    """Operations whose time has come are completed before anyone reads them."""
    bulk.complete_due(info.context.emulator, info.context.shop)
    return info.context.shop


@mutation("bulkOperationRunQuery")
def resolve_run_query(_root, info, query, groupObjects=False):
    context = info.context
    try:
        operation = bulk.run_query(context.emulator, context.shop, context.version, query, groupObjects)
    except bulk.BulkError as error:
        return {"bulkOperation": None, "userErrors": [error.as_user_error()]}
    return {"bulkOperation": operation, "userErrors": []}


@mutation("bulkOperationRunMutation")
def resolve_run_mutation(_root, info, mutation, stagedUploadPath, clientIdentifier=None, groupObjects=None):
    context = info.context
    try:
        operation = bulk.run_mutation(
            context.emulator, context.shop, context.version, mutation, stagedUploadPath, clientIdentifier
        )
    except bulk.BulkError as error:
        return {"bulkOperation": None, "userErrors": [error.as_user_error()]}
    return {"bulkOperation": operation, "userErrors": []}


@mutation("bulkOperationCancel")
def resolve_cancel(_root, info, id):
    shop = _fresh(info)
    operation = shop.bulk_operations.get(parse_gid(id, "BulkOperation"))
    if operation is None:
        return {
            "bulkOperation": None,
            "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}],
        }
    return {"bulkOperation": operation, "userErrors": bulk.cancel(shop, operation)}


@query("currentBulkOperation")
def resolve_current(_root, info, type="QUERY"):
    shop = _fresh(info)
    mine = [op for op in shop.bulk_operations.values() if op.type == type]
    return max(mine, key=lambda op: op.id) if mine else None


@query("bulkOperation")
def resolve_bulk_operation(_root, info, id):
    return _fresh(info).bulk_operations.get(parse_gid(id, "BulkOperation"))


@query("bulkOperations")
def resolve_bulk_operations(_root, info, query=None, sortKey=None, **page):
    found = search_filter(list(_fresh(info).bulk_operations.values()), query, _SEARCH, "status")
    key = {"COMPLETED_AT": lambda op: op.completed_at or op.created_at}.get(sortKey, lambda op: op.created_at)
    return connection(found, sort_key=key, **page)


def _register_count(field_name):
    attribute = bulk.snake(field_name)

    # UnsignedInt64 travels as a string.
    @field("BulkOperation", field_name)
    def resolve(operation, _info):
        value = getattr(operation, attribute)
        return None if value is None else str(value)

    return resolve


for _name in ("objectCount", "rootObjectCount", "fileSize"):
    _register_count(_name)


@mutation("stagedUploadsCreate")
def resolve_staged_uploads_create(_root, info, input):
    context = info.context
    targets = []
    for entry in input:
        folder = "bulk" if entry.get("resource") == "BULK_MUTATION_VARIABLES" else "files"
        key = f"tmp/{context.shop.domain}/{folder}/{uuid.uuid4()}/{entry['filename']}"
        url = f"{context.emulator.url}/_uploads/{context.shop.domain}"
        targets.append(
            {
                "url": url,
                "resourceUrl": f"{url}/{key}",
                "parameters": [
                    {"name": "key", "value": key},
                    {"name": "Content-Type", "value": entry["mimeType"]},
                    {"name": "success_action_status", "value": "201"},
                    {"name": "acl", "value": "private"},
                ],
            }
        )
    return {"stagedTargets": targets, "userErrors": []}
