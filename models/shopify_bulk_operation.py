"""Bulk operations of a shop: started with `bulkOperationRunQuery`, finished by the
`bulk_operations/finish` webhook or the polling cron, their JSONL result streamed in batches.

A feature using bulk queries starts one with `_start_query(shop, kind, document)` and defines
`_bulk_process_<kind>(batch)` on this model (self = the operation; batch = root objects with
`__children`); the method returns how many rows it handled.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services import bulk, documents
from ..services.errors import ShopifyError

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
BATCH_SIZE_PARAM = "shopify_sync.bulk_batch_size"


def concurrency_limit(api_version):
    """Five bulk operations at a time per shop from API 2026-01, one before."""
    return 5 if api_version >= "2026-01" else 1


class ShopifyBulkOperation(models.Model):
    _name = "shopify.bulk.operation"
    _description = "Shopify Bulk Operation"
    _order = "id desc"
    _rec_name = "operation_gid"

    shop_id = fields.Many2one("shopify.shop", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    operation_gid = fields.Char(string="Operation ID", readonly=True, index=True)
    kind = fields.Char(required=True, readonly=True, help="What the result feeds (its _bulk_process_<kind>).")
    operation_type = fields.Selection([("query", "Query"), ("mutation", "Mutation")], default="query")
    status = fields.Selection(STATUSES, default="created", required=True, index=True, readonly=True)
    error_code = fields.Char(readonly=True)
    error_message = fields.Text(readonly=True)
    object_count = fields.Integer(readonly=True)
    root_object_count = fields.Integer(readonly=True)
    url = fields.Char(string="Result URL", readonly=True)
    processed = fields.Boolean(readonly=True, index=True)
    processed_count = fields.Integer(readonly=True, help="Rows handled so far (progress).")
    completed_at = fields.Datetime(readonly=True)
    # Bulk mutations: the record each variables line was sent for ([model, id] by line number).
    line_refs = fields.Json(readonly=True)
    line_error_ids = fields.One2many("shopify.bulk.line.error", "operation_id", string="Line Errors")
    line_error_count = fields.Integer(readonly=True)

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
        self._check_concurrency(shop)
        query = query_text or documents.path_of(document).read_text()
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
            {"mutation": documents.path_of(document).read_text(), "stagedUploadPath": path},
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
            if operation.status == "completed" and not operation.processed:
                operation._process()

    def _process(self):
        """Stream the result and hand it to `_bulk_process_<kind>` batch by batch (progress kept)."""
        self.ensure_one()
        if self.operation_type == "mutation":
            return self._process_mutation_results()
        handler = getattr(self, f"_bulk_process_{self.kind}", None)
        if handler is None:
            raise UserError(_("No processing is defined for bulk operations of kind “%s”.", self.kind))
        size = int(
            self.env["ir.config_parameter"].sudo().get_param(BATCH_SIZE_PARAM, bulk.DEFAULT_BATCH_SIZE)
        )
        done = 0
        if self.url:  # an operation that matched nothing has no file
            objects = bulk.parse_lines(bulk.stream_lines(self.url))
            for batch in bulk.joined_batches(objects, size):
                done += handler(batch) or 0
                self.processed_count = done
        self.write({"processed": True, "processed_count": done})
        return done

    def _process_mutation_results(self):
        """Each result line back to its record by `__lineNumber`; its errors recorded against it. A kind
        may define `_bulk_result_<kind>(record, result)` to use the data of successful lines."""
        refs = self.line_refs or []
        on_result = getattr(self, f"_bulk_result_{self.kind}", None)
        LineError = self.env["shopify.bulk.line.error"]
        done = failed = 0
        lines = bulk.parse_lines(bulk.stream_lines(self.url)) if self.url else ()
        for result in lines:
            number = result.get("__lineNumber")
            ref = refs[number] if isinstance(number, int) and 0 <= number < len(refs) else None
            record = self.env[ref[0]].browse(ref[1]).exists() if ref else None
            messages = bulk.line_errors(result)
            if messages:
                failed += 1
                LineError.create(
                    {
                        "operation_id": self.id,
                        "line_number": number if isinstance(number, int) else -1,
                        "res_model": ref[0] if ref else False,
                        "res_id": ref[1] if ref else False,
                        "message": "\n".join(messages),
                    }
                )
            elif on_result is not None and record is not None:
                on_result(record, result)
            done += 1
            if done % bulk.DEFAULT_BATCH_SIZE == 0:
                self.processed_count = done
        self.write({"processed": True, "processed_count": done, "line_error_count": failed})
        return done

    @api.model
    def _cron_poll(self):
        """Fallback for a lost `bulk_operations/finish` webhook: poll every unfinished operation."""
        for operation in self.search([("status", "in", ACTIVE_STATUSES)]) | self.search(
            [("status", "=", "completed"), ("processed", "=", False)]
        ):
            try:
                with self.env.cr.savepoint():
                    operation._refresh()
            except (ShopifyError, UserError, ValueError) as error:
                _logger.warning(
                    "Shopify bulk operation %s: poll failed (%s)", operation.id, type(error).__name__
                )
                operation.error_message = str(error)


class ShopifyBulkLineError(models.Model):
    _name = "shopify.bulk.line.error"
    _description = "Shopify Bulk Mutation Line Error"
    _order = "operation_id desc, line_number"

    operation_id = fields.Many2one("shopify.bulk.operation", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="operation_id.company_id", store=True, index=True)
    line_number = fields.Integer(required=True)
    res_model = fields.Char(string="Record Model", index=True)
    res_id = fields.Many2oneReference(string="Record", model_field="res_model", index=True)
    message = fields.Text(required=True)


class ShopifyWebhookEvent(models.Model):
    _inherit = "shopify.webhook.event"

    def _shopify_webhook_bulk_operations_finish(self, payload):
        gid = payload.get("admin_graphql_api_id")
        operation = (
            self.env["shopify.bulk.operation"]
            .sudo()
            .search([("shop_id", "=", self.shop_id.id), ("operation_gid", "=", gid)], limit=1)
        )
        if not operation:
            return ("skipped", _("Bulk operation %s was not started by this database.", gid))
        operation._refresh()
        return None


def _naive(timestamp):
    """Shopify's `2026-11-25T10:00:00Z` as a naive UTC datetime (what Odoo stores)."""
    if not timestamp:
        return False
    return fields.Datetime.to_datetime(timestamp.replace("T", " ").rstrip("Z")[:19])
