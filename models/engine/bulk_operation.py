"""Bulk operations of a shop: started with `bulkOperationRunQuery`, finished by the
`bulk_operations/finish` webhook or the polling cron, their JSONL result streamed in batches.

A feature using bulk queries starts one with `_start_query(shop, kind, document)` (a bulk mutation with
`_start_mutation`); the kind must be in BULK_KINDS of the work registry, which names the methods of this
model (self = the operation) that process its result and the optional hooks of the kind (start, skipped,
done, processing, refreshed, and result/error for mutations: see `work_registry.BulkKind`).

Processing is resumable. Each batch runs in a savepoint and, when the poll cron processes (top level,
`auto_commit_enabled()` as for the queue), is committed together with `resume_position` (root objects, or
lines for flat results and mutation results, already handled). An interrupted processing (worker
restart, timeout, or a retryable error: network, throttling, database conflict) is taken up by the next
poll after the last committed batch, so every row is handled once. The operation row is locked (`FOR NO
KEY UPDATE SKIP LOCKED`, taken again after each commit) so two workers never process it at once. In
production the finish webhook and the Refresh buttons only wake the poll cron for that reason; in tests
(one transaction, no commits) they process at once.

Errors that retrying will not fix do not stop the file: a broken JSON line (skipped), or a handler
exception on one batch (its rows recorded as failed, one line error each, the batch rolled back), is
recorded as a line error with a log entry and the other batches are processed; `error_message` says so.

Progress: `processed_lines` (result lines of the processed batches) against Shopify's `object_count`.
"""

import logging

import psycopg2.errors
from psycopg2 import IntegrityError

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ...services import bulk, documents, timestamps
from ...services.errors import ShopifyError
from ..core.access import MANAGER, MANAGER_GROUP, check_shopify_access
from . import registry as work_registry
from .queue_job import RETRYABLE_DB_ERRORS, auto_commit_enabled, is_retryable

_logger = logging.getLogger(__name__)


STATUSES = [
    ("created", "Created"),
    ("running", "Running"),
    ("completed", "Completed"),
    ("failed", "Failed"),
    ("canceling", "Canceling"),
    ("canceled", "Canceled"),
    ("expired", "Expired"),
]


ACTIVE_STATUSES = ("created", "running", "canceling")
ENDED_WITHOUT_RESULT = ("failed", "canceled", "expired")  # over, and Shopify wrote no result file
BATCH_SIZE_PARAM = "shopify_sync.bulk_batch_size"
POLL_CRON = "shopify_sync.ir_cron_shopify_poll_bulk_operations"


def concurrency_limit(api_version):
    """Five bulk operations at a time per shop from API 2026-01, one before."""
    return 5 if api_version >= "2026-01" else 1


def _naive(timestamp):
    """Shopify's `2026-11-25T10:00:00Z` as a naive UTC datetime (what Odoo stores)."""
    return timestamps.parse(timestamp) or False


class ShopifyBulkOperation(models.Model):
    _name = "shopify.bulk.operation"
    _description = "Shopify Bulk Operation"
    _order = "id desc"
    _rec_name = "operation_gid"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True, string="Shop")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    operation_gid = fields.Char(string="Operation ID", readonly=True, index=True)
    kind = fields.Char(
        required=True,
        readonly=True,
        help="What the result feeds (BULK_KINDS of the work registry).",
        string="Purpose",
    )
    operation_type = fields.Selection(
        [("query", "Query"), ("mutation", "Mutation")], default="query", string="Operation Type"
    )
    status = fields.Selection(
        STATUSES, default="created", required=True, index=True, readonly=True, string="Status on Shopify"
    )
    error_code = fields.Char(readonly=True, string="Error Code")
    error_message = fields.Text(readonly=True, string="Error Message")
    object_count = fields.Integer(readonly=True, string="Objects Returned")
    root_object_count = fields.Integer(readonly=True, string="Root Objects Returned")
    # A signed link to the whole result file (raw Shopify rows, orders included): managers only.
    url = fields.Char(string="Result URL", readonly=True, groups=MANAGER_GROUP)
    processed = fields.Boolean(readonly=True, index=True, string="Result Processed")
    processed_count = fields.Integer(
        readonly=True, help="Rows the handlers reported as handled.", string="Rows Handled"
    )
    processed_lines = fields.Integer(
        readonly=True,
        help="Result lines of the batches processed (and committed) so far: the progress.",
        string="Lines Processed",
    )
    processing_interrupted = fields.Boolean(
        readonly=True,
        help="The last processing run stopped early; the next poll resumes it.",
        string="Processing Interrupted",
    )
    resume_position = fields.Integer(
        readonly=True,
        help="Root objects (lines, for flat and mutation results) already processed and committed: an "
        "interrupted processing resumes after them.",
        string="Resume From",
    )
    completed_at = fields.Datetime(readonly=True, string="Completed At")
    # Bulk mutations: the record each variables line was sent for ([model, id] by line number).
    line_refs = fields.Json(readonly=True)
    line_error_ids = fields.One2many("shopify.bulk.line.error", "operation_id", string="Line Errors")
    line_error_count = fields.Integer(readonly=True, string="Line Error Count")

    _sql_constraints = [
        (
            "operation_gid_unique",
            "unique(shop_id, operation_gid)",
            "This bulk operation is already recorded.",
        ),
    ]

    # ------------------------------------------------------------------------------------------------
    # Start
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _check_kind(self, kind, mutation=False):
        """A kind missing from the work registry is a programming error: refused before Shopify is asked."""
        entry = work_registry.bulk_kind(kind)
        if entry is None or not (mutation or entry.process):
            what = "mutation" if mutation else "query"
            raise ValueError(f"Bulk {what} kind {kind!r} has no handler in the work registry (BULK_KINDS)")
        return entry

    @api.model
    def _check_concurrency(self, shop):
        limit = concurrency_limit(shop.api_version)
        running = self.search_count([("shop_id", "=", shop.id), ("status", "in", ACTIVE_STATUSES)])
        if running >= limit:
            raise UserError(
                _(
                    "%(shop)s already runs %(running)s bulk operation(s), the most Shopify allows at once "
                    "(%(limit)s): try again when one has finished.",
                    shop=shop.name,
                    running=running,
                    limit=limit,
                )
            )

    @api.model
    def _start_query(self, shop, kind, document, query_text=None):
        """Start the bulk query in `services/documents/<document>.graphql`; the recorded operation.

        `query_text`: that document with values written in (a bulk query takes no variables)."""
        self._check_kind(kind)
        self._check_concurrency(shop)
        query = query_text or documents.text(document)
        data = shop._shopify_client(for_write=True).execute("bulk_operation_run_query", {"query": query})
        operation = data["bulkOperationRunQuery"]["bulkOperation"]
        return self.create(
            {
                "shop_id": shop.id,
                "kind": kind,
                "operation_gid": operation["id"],
                "status": operation["status"].lower(),
            }
        )

    @api.model
    def _start_mutation(self, shop, kind, document, rows):
        """Run the mutation `document` once per `(record, variables)` of `rows` as one bulk mutation:
        variables staged as JSONL, uploaded, then `bulkOperationRunMutation`. Results are matched back to
        the records by line number when the operation completes."""
        self._check_kind(kind, mutation=True)
        self._check_concurrency(shop)
        client = shop._shopify_client(for_write=True)
        staged = client.execute(
            "staged_uploads_create",
            {
                "input": [
                    {
                        "resource": "BULK_MUTATION_VARIABLES",
                        "filename": f"{kind}.jsonl",
                        "mimeType": "text/jsonl",
                        "httpMethod": "POST",
                    }
                ]
            },
        )
        target = staged["stagedUploadsCreate"]["stagedTargets"][0]
        content = bulk.jsonl_bytes(variables for _record, variables in rows)
        path = bulk.upload_staged(target, f"{kind}.jsonl", content, timeout=client.timeout)
        data = client.execute(
            "bulk_operation_run_mutation",
            {"mutation": documents.text(document), "stagedUploadPath": path},
        )
        operation = data["bulkOperationRunMutation"]["bulkOperation"]
        return self.create(
            {
                "shop_id": shop.id,
                "kind": kind,
                "operation_type": "mutation",
                "operation_gid": operation["id"],
                "status": operation["status"].lower(),
                "line_refs": [[record._name, record.id] if record else None for record, _variables in rows],
            }
        )

    # ------------------------------------------------------------------------------------------------
    # Completion: webhook, poll, then processing
    # ------------------------------------------------------------------------------------------------
    def _refresh(self):
        """Read the operation's state from Shopify; process the result once it completed."""
        for operation in self:
            node = operation.shop_id._shopify_client().execute(
                "bulk_operation_by_id", {"id": operation.operation_gid}
            )["bulkOperation"]
            if not node:
                operation.write({"status": "expired", "error_message": _("Shopify no longer knows it.")})
                continue
            operation.write(
                {
                    "status": node["status"].lower(),
                    "error_code": node.get("errorCode"),
                    "object_count": int(node.get("objectCount") or 0),
                    "root_object_count": int(node.get("rootObjectCount") or 0),
                    "url": node.get("url") or node.get("partialDataUrl"),
                    "completed_at": _naive(node.get("completedAt")),
                }
            )
        self.filtered(lambda op: op.status == "completed" and not op.processed)._process_completed()
        for operation in self:
            hook = operation._bulk_hook("refreshed")
            if hook:
                hook()

    def _bulk_hook(self, name):
        """The bound hook `name` of this operation's kind (work registry), or None when it has none."""
        entry = work_registry.bulk_kind(self.kind)
        method = getattr(entry, name) if entry else None
        return getattr(self, method) if method else None

    def _process_completed(self):
        """Process completed results now, or leave them to the poll cron.

        Committed batches need the top level of a transaction, which a webhook job or a button is not: in
        production (the queue's auto-commit switch) they wake the poll cron instead, when it is active.
        The cron itself (context `shopify_bulk_deferred`) processes after its refresh."""
        if not self or self.env.context.get("shopify_bulk_deferred"):
            return
        # A Shopify manager may refresh an operation without any right on scheduled actions.
        cron = self.env(su=True).ref(POLL_CRON, raise_if_not_found=False)
        if cron and cron.active and self._bulk_in_background():
            cron._trigger()
            return
        for operation in self:
            operation._process()

    @api.model
    def _bulk_in_background(self):
        return auto_commit_enabled()

    def _bulk_batch_size(self):
        return int(
            self.env["ir.config_parameter"].sudo().get_param(BATCH_SIZE_PARAM, bulk.DEFAULT_BATCH_SIZE)
        )

    def _process(self):
        """Stream the result and hand it to the kind's `process` hook batch by batch (committed, resumable,
        locked: see the module docstring), inside the kind's `processing` context if it has one. Returns
        the rows handled by this run, or None when another worker is processing the operation."""
        self.ensure_one()
        if self.operation_type == "mutation":
            return self._process_mutation_results()
        entry = work_registry.bulk_kind(self.kind)
        if entry is None or not entry.process:
            raise UserError(_("No processing is defined for bulk operations of kind “%s”.", self.kind))
        handler = getattr(self, entry.process)
        if not entry.processing:
            return self._process_batches(handler, flat=entry.flat)
        with getattr(self, entry.processing)():
            return self._process_batches(handler, flat=entry.flat)

    def _process_mutation_results(self):
        """Each result line back to its record by `__lineNumber`; its errors recorded against it. A kind's
        `result(record, result)` hook uses the data of successful lines (in a savepoint: what it raises
        becomes that line's error), its `error(record, messages)` hook shows a failed line on its record."""
        return self._process_batches(self._handle_mutation_results, flat=True)

    def _handle_mutation_results(self, batch):
        on_result = self._bulk_hook("result")
        on_error = self._bulk_hook("error")
        errors = []
        for result in batch:
            number = result.get("__lineNumber")
            ref = self._line_ref(number)
            record = self.env[ref[0]].browse(ref[1]).exists() if ref else None
            messages = bulk.line_errors(result)
            if not messages and on_result is not None and record:
                try:
                    with self.env.cr.savepoint():
                        on_result(record, result)
                except (
                    ShopifyError,
                    UserError,
                    ValidationError,
                    ValueError,
                    KeyError,
                    IntegrityError,
                ) as error:
                    _logger.warning(
                        "Shopify bulk operation %s: line %s not applied (%s)",
                        self.id,
                        number,
                        type(error).__name__,
                    )
                    messages = [str(error)]
            if messages:
                errors.append(
                    {
                        "line_number": number if isinstance(number, int) else -1,
                        "res_model": ref[0] if ref else False,
                        "res_id": ref[1] if ref else False,
                        "message": "\n".join(messages),
                    }
                )
                if on_error is not None and record:
                    on_error(record, messages)
        self._record_line_errors(errors)
        return len(batch)

    def _line_ref(self, number):
        """[model, id] of the record a mutation's variables line `number` was sent for, or None."""
        refs = self.line_refs or []
        return refs[number] if isinstance(number, int) and 0 <= number < len(refs) else None

    # ------------------------------------------------------------------------------------------------
    # The batch runner: savepoint per batch, commit and resume position, lock
    # ------------------------------------------------------------------------------------------------
    def _process_batches(self, handler, flat=False):
        self.ensure_one()
        if not self._bulk_claim():
            _logger.info("Shopify bulk operation %s: processed by another worker, or done", self.id)
            return None
        rows = 0
        start = self._bulk_hook("start")
        if not self.resume_position and start is not None:
            start()
        try:
            for batch in self._result_batches(self.resume_position, flat):
                handled = self._process_batch(handler, batch)
                rows += handled
                self.write(
                    {
                        "resume_position": self.resume_position + len(batch),
                        "processed_lines": self.processed_lines + sum(map(bulk.object_count, batch)),
                        "processed_count": self.processed_count + handled,
                    }
                )
                if not self._bulk_commit(reclaim=True):
                    _logger.info(
                        "Shopify bulk operation %s: another worker took the processing over", self.id
                    )
                    return rows
        except Exception as error:
            # Reading the file failed, Shopify throttled, a database conflict: the next poll resumes.
            if not is_retryable(error):
                raise
            self._record_interruption(error)
            return rows
        if not self._finish_processing():
            return rows
        self._bulk_commit()
        return rows

    def _result_batches(self, skip, flat=False):
        """The result's batches after the first `skip` roots (lines when `flat`); broken lines recorded."""
        if not self.url:  # an operation that matched nothing has no file
            return iter(())
        known = set(
            self.line_error_ids.filtered(lambda error: error.error_type == "unreadable").mapped("line_number")
        )

        def on_unreadable(number, message):
            if number in known:  # recorded by an earlier, interrupted run
                return
            known.add(number)
            _logger.warning(
                "Shopify bulk operation %s: result line %s is not JSON (skipped)", self.id, number
            )
            self._record_line_errors(
                [{"line_number": number, "message": message, "error_type": "unreadable"}]
            )

        objects = bulk.parse_lines(bulk.stream_lines(self.url), on_error=on_unreadable)
        size = self._bulk_batch_size()
        batches = bulk.flat_batches(objects, size) if flat else bulk.joined_batches(objects, size)
        return bulk.skip_roots(batches, skip, self._bulk_hook("skipped"))

    def _process_batch(self, handler, batch):
        """One batch in a savepoint; an error retrying will not fix marks its rows failed (the rest goes
        on), an interruption is raised to stop this run."""
        try:
            with self.env.cr.savepoint():
                return handler(batch) or 0
        except Exception as error:
            if is_retryable(error):
                raise
            _logger.warning(
                "Shopify bulk operation %s: a batch of %s rows failed (%s)", self.id, len(batch), error
            )
            self._record_failed_batch(batch, error)
            return 0

    def _record_failed_batch(self, batch, error):
        reason = f"{type(error).__name__}: {error}"
        errors = []
        for obj in batch:
            number = obj.get("__lineNumber")
            ref = self._line_ref(number) if self.operation_type == "mutation" else None
            errors.append(
                {
                    "line_number": number if isinstance(number, int) else -1,
                    "res_model": ref[0] if ref else False,
                    "res_id": ref[1] if ref else False,
                    "error_type": "batch",
                    "message": _(
                        "%(row)s not processed: %(reason)s", row=obj.get("id") or "-", reason=reason
                    ),
                }
            )
        self._record_line_errors(errors)
        self.error_message = _(
            "A batch of %(count)s rows failed (%(reason)s): its rows are listed as line errors, the other "
            "batches were processed. Fix the cause, then run the operation again.",
            count=len(batch),
            reason=reason,
        )

    def _record_line_errors(self, values_list):
        if not values_list:
            return
        self.env["shopify.bulk.line.error"].create(
            [dict(values, operation_id=self.id) for values in values_list]
        )
        self.line_error_count += len(values_list)

    def _record_interruption(self, error):
        _logger.warning(
            "Shopify bulk operation %s: processing interrupted after %s lines (%s); the next poll resumes",
            self.id,
            self.processed_lines,
            type(error).__name__,
        )
        self.processing_interrupted = True
        self.error_message = _(
            "Processing interrupted after %(done)s of %(total)s lines (%(error)s): the next poll resumes "
            "after the last processed batch.",
            done=self.processed_lines,
            total=self.object_count,
            error=error,
        )
        self._bulk_commit()

    def _finish_processing(self):
        """The kind's end-of-processing hook, then the operation is processed; False if the hook failed
        (recorded; the next poll runs it again, the batches are not redone)."""
        done_hook = self._bulk_hook("done")
        if done_hook is not None:
            try:
                with self.env.cr.savepoint():
                    done_hook()
            except Exception as error:
                _logger.warning("Shopify bulk operation %s: end of processing failed (%s)", self.id, error)
                self.error_message = _("The end of processing failed (%s): the next poll tries again.", error)
                self._bulk_commit()
                return False
        values = {"processed": True, "processing_interrupted": False}
        if self.processing_interrupted:  # it did resume: the interruption is no longer the news
            failed = self.line_error_ids.filtered(lambda error: error.error_type == "batch")
            values["error_message"] = (
                _("%s rows could not be processed: see Line Errors.", len(failed)) if failed else False
            )
        self.write(values)
        return True

    def _bulk_claim(self, expect_position=None):
        """Lock the operation's row for this transaction (skipped when another worker holds it); False
        when held elsewhere, already processed, or moved on from `expect_position` by another worker."""
        self.ensure_one()
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT processed, resume_position FROM shopify_bulk_operation WHERE id = %s "
                    "FOR NO KEY UPDATE SKIP LOCKED",
                    [self.id],
                )
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            # Another worker committed a change to the row after this transaction's snapshot.
            row = None
        self.invalidate_recordset()
        if row is None or row[0]:
            return False
        return expect_position is None or (row[1] or 0) == expect_position

    def _bulk_commit(self, reclaim=False):
        """Commit the work done so far when processing at the top level of a cron run (never in tests),
        then take the row lock again (a commit releases it); False when another worker has it now."""
        if not (self.env.context.get("shopify_bulk_commit") and auto_commit_enabled()):
            return True
        position = self.resume_position
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return self._bulk_claim(expect_position=position) if reclaim else True

    @api.model
    def _cron_poll(self):
        """Fallback for a lost `bulk_operations/finish` webhook: poll every unfinished operation, and
        process completed results at the top level (committed batches, resumed after an interruption)."""
        operations = self.search([("status", "in", ACTIVE_STATUSES)]) | self.search(
            [("status", "=", "completed"), ("processed", "=", False)]
        )
        for operation in operations.with_context(shopify_bulk_deferred=True):
            # After an interruption, the state is read again: the file URL may have changed or expired.
            if operation.status in ACTIVE_STATUSES or operation.processing_interrupted:
                try:
                    with self.env.cr.savepoint():
                        operation._refresh()
                except RETRYABLE_DB_ERRORS as error:  # another worker is processing it: next poll
                    _logger.info("Shopify bulk operation %s: busy (%s)", operation.id, type(error).__name__)
                    continue
                except (ShopifyError, UserError, ValueError) as error:
                    _logger.warning(
                        "Shopify bulk operation %s: poll failed (%s)", operation.id, type(error).__name__
                    )
                    operation.error_message = str(error)
                    continue
            if operation.status == "completed" and not operation.processed:
                operation = operation.with_context(shopify_bulk_commit=True)
                try:
                    operation._process()
                except (ShopifyError, UserError, ValueError) as error:
                    _logger.warning(
                        "Shopify bulk operation %s: processing failed (%s)",
                        operation.id,
                        type(error).__name__,
                    )
                    operation.error_message = str(error)
                operation._bulk_commit()

    # ------------------------------------------------------------------------------------------------
    # Screens: processing progress and the manual Refresh (one display for every kind)
    # ------------------------------------------------------------------------------------------------
    processed_progress = fields.Float(
        string="Processed (%)", compute="_compute_processed_progress", help="Result rows processed so far."
    )

    @api.depends("processed", "processed_lines", "object_count")
    def _compute_processed_progress(self):
        # Lines, not handler rows: Shopify's object_count counts every line of the file, known up front.
        for operation in self:
            if operation.processed:
                operation.processed_progress = 100.0
            elif operation.object_count:
                operation.processed_progress = min(
                    100.0, 100.0 * operation.processed_lines / operation.object_count
                )
            else:
                operation.processed_progress = 0.0

    def action_refresh(self):
        """Ask Shopify now (instead of waiting for the webhook or the poll) and process a finished result."""
        check_shopify_access(self, MANAGER)
        waiting = self.filtered(
            lambda operation: (
                operation.status in ACTIVE_STATUSES
                or (operation.status == "completed" and not operation.processed)
            )
        )
        failures = []
        for operation in waiting:
            try:
                with self.env.cr.savepoint():
                    operation._refresh()
            except (ShopifyError, UserError, ValueError) as error:
                _logger.warning(
                    "Shopify bulk operation %s: refresh failed (%s)", operation.id, type(error).__name__
                )
                operation.error_message = str(error)
                failures.append(f"{operation.display_name}: {error}")
        # Not raised: the operations that did refresh (and the errors recorded) must be kept.
        message = _("%s operation(s) asked for their state.", len(waiting))
        if failures:
            message = "\n".join([message, _("Could not refresh:"), *failures])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Bulk operations refreshed"),
                "message": message,
                "type": "warning" if failures else "success",
                "sticky": bool(failures),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
