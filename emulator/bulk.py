"""Bulk operations: run a query over every object (no page limits) into a JSONL file, or run a mutation
once per line of a staged JSONL upload; files are served over HTTP by the emulator.

An operation is CREATED, then RUNNING, and completes `shop.bulk_delay` seconds (emulator clock) after it
was created: on the next read of its status or on the runner's tick, whichever comes first. Completion
emits `bulk_operations/finish`. Shopify's limits: 5 operations at a time per shop from 2026-01, before that
one query and one mutation.
"""

import json
import logging
import threading
from dataclasses import dataclass

import graphql
from graphql import TypeInfo, TypeInfoVisitor, Visitor, visit

from .records import Record

_logger = logging.getLogger(__name__)

# Versions from which five operations may run at once (one per type before).
CONCURRENT_FROM_VERSION = "2026-01"
CONCURRENT_LIMIT = 5
MAX_CONNECTIONS = 5
MAX_DEPTH = 2  # nested connections below the top-level one
UNLIMITED = 1_000_000
RUNNING = ("CREATED", "RUNNING", "CANCELING")


@dataclass
class BulkOperation(Record):
    type: str = "QUERY"  # QUERY | MUTATION
    status: str = "CREATED"
    query: str = ""
    version: str = ""
    group_objects: bool = False
    staged_upload_path: str | None = None
    client_identifier: str | None = None
    error_code: str | None = None
    completed_at: object = None
    due_at: float = 0.0  # emulator clock seconds
    object_count: int = 0
    root_object_count: int = 0
    file_size: int | None = None
    url: str | None = None
    partial_data_url: str | None = None

    TYPENAME = "BulkOperation"


class BulkError(Exception):
    """A userError of bulkOperationRun*: `code` is the BulkOperationUserErrorCode."""

    def __init__(self, message, code="INVALID", field=("query",)):
        super().__init__(message)
        self.code = code
        self.field = list(field)

    def as_user_error(self):
        return {"message": str(self), "code": self.code, "field": self.field}


def snake(name):
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


# -- starting ------------------------------------------------------------------------------------------
def _check_concurrency(shop, version, kind):
    running = [op for op in shop.bulk_operations.values() if op.status in RUNNING]
    if version >= CONCURRENT_FROM_VERSION:
        if len(running) >= CONCURRENT_LIMIT:
            raise BulkError(
                f"A maximum of {CONCURRENT_LIMIT} bulk operations can run at the same time for this app "
                "and shop.",
                "LIMIT_REACHED",
                (),
            )
        return
    same = [op for op in running if op.type == kind]
    if same:
        raise BulkError(
            f"A bulk {kind.lower()} operation for this app and shop is already in progress: {same[0].gid}.",
            "OPERATION_IN_PROGRESS",
            (),
        )


def _connection_fields(schema, document):
    """[(depth, field name)] of every connection field selected, depth 0 = top level."""
    type_info = TypeInfo(schema)
    found = []
    depth = [0]

    class Collect(Visitor):
        def enter_field(self, node, *_args):
            field_type = graphql.get_named_type(type_info.get_type())
            is_connection = field_type is not None and field_type.name.endswith("Connection")
            if is_connection:
                found.append((depth[0], node.name.value))
                depth[0] += 1
            node.__dict__.setdefault("_bulk_connection", is_connection)

        def leave_field(self, node, *_args):
            if node.__dict__.get("_bulk_connection"):
                depth[0] -= 1

    visit(document, TypeInfoVisitor(type_info, Collect()))
    return found


def refuse_not_emulated(schema, document):
    """A top-level NOT_EMULATED error (no operation created) when the document selects a field the emulator
    does not answer: a bulk operation must not complete with made-up nulls."""
    from .coverage import not_emulated_errors
    from .resolvers.common import ResolverError

    refused = not_emulated_errors(schema, document)
    if refused:
        raise ResolverError(" ".join(error["message"] for error in refused), code="NOT_EMULATED")


def check_query(schema, text):
    """The parsed document of a valid bulk query, else BulkError(INVALID)."""
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError as error:
        raise BulkError(f"Invalid bulk query: {error.message}") from error
    errors = graphql.validate(schema, document)
    if errors:
        raise BulkError(f"Invalid bulk query: {errors[0].message}")
    refuse_not_emulated(schema, document)
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation != graphql.OperationType.QUERY:
        raise BulkError("Invalid bulk query: the document must hold exactly one query.")
    top_fields = [
        s.name.value for s in operations[0].selection_set.selections if isinstance(s, graphql.FieldNode)
    ]
    if any(name in ("node", "nodes") for name in top_fields):
        raise BulkError("Bulk queries cannot contain a top level `node` or `nodes` field.")
    connections = _connection_fields(schema, document)
    if not connections:
        raise BulkError("Bulk queries must contain at least one connection.")
    if len(connections) > MAX_CONNECTIONS:
        raise BulkError(f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections.")
    if max(depth for depth, _name in connections) > MAX_DEPTH:
        raise BulkError(
            f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
        )
    return document


def run_query(emulator, shop, version, text, group_objects=False):
    schema = emulator.schema(version)
    with shop.lock:
        _check_concurrency(shop, version, "QUERY")
        check_query(schema, text)
        return _start(emulator, shop, version, "QUERY", query=text, group_objects=group_objects)


def run_mutation(emulator, shop, version, text, staged_upload_path, client_identifier=None):
    schema = emulator.schema(version)
    with shop.lock:
        _check_concurrency(shop, version, "MUTATION")
        if staged_upload_path not in shop.staged_uploads:
            raise BulkError(
                "The staged upload path is invalid or the file was not uploaded.",
                "NO_SUCH_FILE",
                ("stagedUploadPath",),
            )
        try:
            document = graphql.parse(text)
        except graphql.GraphQLError as error:
            raise BulkError(
                f"Invalid mutation: {error.message}", "INVALID_MUTATION", ("mutation",)
            ) from error
        operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
        errors = graphql.validate(schema, document)
        if errors or len(operations) != 1 or operations[0].operation != graphql.OperationType.MUTATION:
            message = errors[0].message if errors else "the document must hold exactly one mutation"
            raise BulkError(f"Invalid mutation: {message}", "INVALID_MUTATION", ("mutation",))
        refuse_not_emulated(schema, document)
        if len(operations[0].selection_set.selections) != 1:
            raise BulkError(
                "Bulk mutations must contain exactly one mutation field.", "INVALID_MUTATION", ("mutation",)
            )
        return _start(
            emulator,
            shop,
            version,
            "MUTATION",
            query=text,
            staged_upload_path=staged_upload_path,
            client_identifier=client_identifier,
        )


def _start(emulator, shop, version, kind, **values):
    now = shop.now()
    operation = BulkOperation(
        id=shop.next_id(),
        created_at=now,
        updated_at=now,
        type=kind,
        version=version,
        due_at=emulator.clock.time() + float(shop.bulk_delay),
        **values,
    )
    shop.bulk_operations[operation.id] = operation
    emulator.bulk.watch()
    return operation


def cancel(shop, operation):
    with shop.lock:
        if operation.status not in RUNNING:
            return [
                {
                    "field": ["id"],
                    "message": f"A bulk operation cannot be canceled when it is {operation.status.lower()}.",
                }
            ]
        operation.status = "CANCELED"
        operation.completed_at = shop.now()
        shop.emit("bulk_operations/finish", operation)
        return []


# -- completing ----------------------------------------------------------------------------------------
def complete_due(emulator, shop):
    """Finish every operation whose time has come (idempotent; called on reads and by the runner)."""
    with shop.lock:
        now = emulator.clock.time()
        for operation in list(shop.bulk_operations.values()):
            if operation.status == "CREATED":
                operation.status = "RUNNING"
            if operation.status == "RUNNING" and now >= operation.due_at:
                _complete(emulator, shop, operation)


def _complete(emulator, shop, operation):
    try:
        if operation.type == "QUERY":
            lines, roots = _query_lines(emulator, shop, operation)
        else:
            lines, roots = _mutation_lines(emulator, shop, operation)
    except Exception:
        _logger.exception("bulk operation %s failed", operation.gid)
        operation.status, operation.error_code = "FAILED", "INTERNAL_SERVER_ERROR"
    else:
        data = "".join(json.dumps(line) + "\n" for line in lines).encode()
        key = f"{operation.id}.jsonl"
        shop.bulk_files[key] = data
        operation.status = "COMPLETED"
        operation.object_count, operation.root_object_count = len(lines), roots
        operation.file_size = len(data)
        operation.url = f"{emulator.url}/_bulk/{shop.domain}/{key}" if data else None
    operation.completed_at = operation.updated_at = shop.now()
    shop.emit("bulk_operations/finish", operation)


def _execute(emulator, shop, operation, document, variables=None):
    from . import executor  # the executor imports every resolver, this module included

    return graphql.execute(
        emulator.schema(operation.version),
        document,
        context_value=executor.RequestContext(shop=shop, version=operation.version, emulator=emulator),
        variable_values=variables or {},
        field_resolver=executor.field_resolver,
        type_resolver=executor.type_resolver,
    )


def _unlimited(schema, document):
    """The document with every connection asked for all its objects (`first: UNLIMITED`, no cursors)."""
    type_info = TypeInfo(schema)

    class Unpage(Visitor):
        def enter_field(self, node, *_args):
            field_type = graphql.get_named_type(type_info.get_type())
            if field_type is None or not field_type.name.endswith("Connection"):
                return None
            arguments = [
                a for a in node.arguments or () if a.name.value not in ("first", "last", "after", "before")
            ]
            arguments.append(
                graphql.ArgumentNode(
                    name=graphql.NameNode(value="first"), value=graphql.IntValueNode(value=str(UNLIMITED))
                )
            )
            return graphql.FieldNode(
                alias=node.alias,
                name=node.name,
                arguments=tuple(arguments),
                directives=node.directives,
                selection_set=node.selection_set,
            )

    return visit(document, TypeInfoVisitor(type_info, Unpage()))


def _query_lines(emulator, shop, operation):
    schema = emulator.schema(operation.version)
    document = _unlimited(schema, graphql.parse(operation.query))
    result = _execute(emulator, shop, operation, document)
    if result.errors:
        raise RuntimeError(result.errors[0].message)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, graphql.FragmentDefinitionNode)
    }
    query_op = next(d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode))
    lines = []
    roots = _flatten(schema, fragments, query_op.selection_set, schema.query_type, result.data, ROOT, lines)
    return lines, roots


def _fields(selection_set, fragments):
    for selection in selection_set.selections:
        if isinstance(selection, graphql.FieldNode):
            yield selection
        elif isinstance(selection, graphql.InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, graphql.FragmentSpreadNode):
            yield from _fields(fragments[selection.name.value].selection_set, fragments)


def _field_type(parent_type, name):
    parent = graphql.get_named_type(parent_type)
    if name == "__typename" or not hasattr(parent, "fields") or name not in parent.fields:
        return None
    return graphql.get_named_type(parent.fields[name].type)


ROOT = object()  # the parent of top-level connection nodes (they carry no `__parentId`)


def _flatten(schema, fragments, selection_set, parent_type, data, parent_id, lines):
    """Walk `data` along the selection: every node of a connection becomes its own line (with `__parentId`
    below the top level) and leaves its parent's line. Returns how many top-level nodes there were."""
    roots = 0
    for node in _fields(selection_set, fragments):
        key = node.alias.value if node.alias else node.name.value
        field_type = _field_type(parent_type, node.name.value)
        value = data.get(key) if isinstance(data, dict) else None
        if field_type is None or value is None:
            continue
        if field_type.name.endswith("Connection"):
            data.pop(key)
            node_selection, node_type = _node_selection(node, field_type, fragments)
            for item in _connection_nodes(value):
                if item is None:
                    continue
                line = dict(item)
                if parent_id is ROOT:
                    roots += 1
                else:
                    line["__parentId"] = parent_id
                lines.append(line)  # before its children, which the next call appends
                _flatten(schema, fragments, node_selection, node_type, line, line.get("id"), lines)
        elif isinstance(value, dict) and node.selection_set:
            roots += _flatten(schema, fragments, node.selection_set, field_type, value, parent_id, lines)
    return roots


def _node_selection(connection_node, connection_type, fragments):
    for sub in _fields(connection_node.selection_set, fragments):
        if sub.name.value == "nodes":
            return sub.selection_set, _field_type(connection_type, "nodes")
        if sub.name.value == "edges":
            edge_type = _field_type(connection_type, "edges")
            for edge_field in _fields(sub.selection_set, fragments):
                if edge_field.name.value == "node":
                    return edge_field.selection_set, _field_type(edge_type, "node")
    return graphql.SelectionSetNode(selections=()), None


def _connection_nodes(value):
    if value.get("nodes") is not None:
        return value["nodes"]
    return [edge.get("node") for edge in value.get("edges") or []]


def _mutation_lines(emulator, shop, operation):
    document = graphql.parse(operation.query)
    lines = []
    for number, raw in enumerate(shop.staged_uploads[operation.staged_upload_path].decode().splitlines()):
        if not raw.strip():
            continue
        try:
            variables = json.loads(raw)
        except ValueError as error:
            lines.append(
                {"errors": [{"message": f"Invalid JSON on this line: {error}"}], "__lineNumber": number}
            )
            continue
        result = _execute(emulator, shop, operation, document, variables)
        line = {"data": result.data}
        if result.errors:
            line["errors"] = [{"message": e.message, "path": e.path} for e in result.errors]
        line["__lineNumber"] = number
        lines.append(line)
    return lines, len(lines)


class BulkRunner:
    """Completes due operations in the background (so `bulk_operations/finish` goes out unasked)."""

    TICK = 0.05  # seconds of real time between checks while something runs

    def __init__(self, emulator):
        self.emulator = emulator
        self._wake = threading.Event()
        self._thread = None
        self._stopping = False
        self._lock = threading.Lock()

    def watch(self):
        with self._lock:
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="shopify-emulator-bulk", daemon=True)
                self._thread.start()

    def _run(self):
        while not self._stopping:
            self._wake.clear()
            busy = False
            for shop in list(self.emulator.shops.values()):
                complete_due(self.emulator, shop)
                busy = busy or any(op.status in RUNNING for op in shop.bulk_operations.values())
            if not busy:
                with self._lock:
                    # Checked under the lock `watch` sets it with: a new operation is never missed.
                    if not self._wake.is_set():
                        self._thread = None
                        return
                continue
            self._wake.wait(self.TICK)

    def stop(self):
        self._stopping = True
        self._wake.set()


# -- files over HTTP -----------------------------------------------------------------------------------
def serve_file(emulator, path):
    """GET /_bulk/<domain>/<key>: (status, bytes, content type)."""
    _prefix, _bulk, domain, key = path.split("/", 3)
    shop = emulator.shop(domain)
    data = shop.bulk_files.get(key) if shop else None
    if data is None:
        return 404, b"Not Found", "text/plain"
    return 200, data, "application/jsonl"


def serve_media_file(emulator, path):
    """GET /_files/<domain>/<media id>/<name>: an image's bytes (counted as `file_downloads`)."""
    parts = path.split("/")
    shop = emulator.shop(parts[2]) if len(parts) > 3 else None
    data = shop.files.get(int(parts[3])) if shop and parts[3].isdigit() else None
    if data is None:
        return 404, b"Not Found", "text/plain"
    shop.count("file_downloads")
    shop.count("file_bytes_downloaded", len(data))
    media = shop.media.get(int(parts[3]))
    return 200, data, (media.mime_type if media else None) or "application/octet-stream"


def receive_upload(emulator, path, content_type, raw):
    """POST /_uploads/<domain> (multipart form: the staged target's parameters, then `file`)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    shop = emulator.shop(path.split("/")[2])
    if shop is None or "multipart/form-data" not in (content_type or ""):
        return 400, b"<Error><Code>InvalidArgument</Code></Error>", "application/xml"
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    fields = {}
    for part in message.iter_parts():
        fields[part.get_param("name", header="content-disposition")] = part.get_payload(decode=True)
    key = (fields.get("key") or b"").decode()
    if not key or "file" not in fields:
        return 400, b"<Error><Code>InvalidArgument</Code></Error>", "application/xml"
    with shop.lock:
        shop.staged_uploads[key] = fields["file"]
        shop.counters["uploads"] += 1
        shop.counters["upload_bytes"] += len(fields["file"])
    body = f"<PostResponse><Key>{key}</Key></PostResponse>".encode()
    return 201, body, "application/xml"
