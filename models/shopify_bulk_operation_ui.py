"""What the Bulk Operations screens need: progress of the processing and a manual Refresh, and the
operations under way on the shop form (one progress display for every kind of long bulk operation)."""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services.errors import ShopifyError
from .shopify_access import MANAGER, check_shopify_access
from .shopify_bulk_operation import ACTIVE_STATUSES

_logger = logging.getLogger(__name__)


class ShopifyBulkOperation(models.Model):
    _inherit = "shopify.bulk.operation"

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


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"

    bulk_running_ids = fields.One2many(
        "shopify.bulk.operation",
        compute="_compute_bulk_running_ids",
        string="Bulk Operations Under Way",
        help="Shopify building a result, or Odoo processing it (lines done / total).",
    )

    def _compute_bulk_running_ids(self):
        Operation = self.env["shopify.bulk.operation"]
        for shop in self:
            shop.bulk_running_ids = Operation.search(
                [
                    ("shop_id", "=", shop.id),
                    "|",
                    ("status", "in", ACTIVE_STATUSES),
                    "&",
                    ("status", "=", "completed"),
                    ("processed", "=", False),
                ]
            )
