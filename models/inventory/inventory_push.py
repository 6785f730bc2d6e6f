"""One `inventorySetQuantities` call: ≤ 250 quantities, with the idempotency key it is sent under.

The push row, its quantities and its key are created (and committed by the queue) before any call, so
a retry after a timeout re-sends the very same request under the same key and Shopify applies it once.
"""

import logging
import uuid

from odoo import _, api, fields, models

from ...services import inventory as inventory_service
from ...services.errors import NetworkError, UserErrorsError

_logger = logging.getLogger(__name__)

# STALE answers (or refused rows) re-read, recompute and re-send under a new key at most this often.
MAX_RESEND_ROUNDS = 3


class ShopifyInventoryPush(models.Model):
    _name = "shopify.inventory.push"
    _description = "Shopify Inventory Push"
    _order = "id desc"

    shop_id = fields.Many2one(
        "shopify.shop", required=True, ondelete="cascade", index=True, readonly=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    state = fields.Selection(
        [("pending", "To send"), ("done", "Applied"), ("failed", "Failed")],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        string="Status",
    )
    idempotency_key = fields.Char(readonly=True, copy=False, required=True, string="Idempotency Key")
    quantity_name = fields.Selection(
        [("available", "Available"), ("on_hand", "On hand")],
        required=True,
        readonly=True,
        string="Quantity Set",
    )
    rows = fields.Json(
        readonly=True,
        help="The quantities sent: level_id, inventory_item_gid, location_gid, quantity, change_from.",
    )
    quantity_count = fields.Integer(string="Quantities", readonly=True)
    resend_rounds = fields.Integer(
        readonly=True, help="Re-sends after a stale compare-and-swap or refused rows.", string="Re-sends"
    )
    level_ids = fields.One2many("shopify.inventory.level", "push_id", string="Levels In Flight")
    adjustment_group_gid = fields.Char(string="Shopify Adjustment Group", readonly=True)
    sent_at = fields.Datetime(readonly=True, string="Sent At")
    error = fields.Text(readonly=True, string="Error")

    @api.depends("quantity_count", "state")
    def _compute_display_name(self):
        for push in self:
            push.display_name = _("Inventory push #%(id)s (%(count)s)", id=push.id, count=push.quantity_count)

    # ------------------------------------------------------------------------------------------------
    # Preparing
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _prepare_for_shop(self, shop):
        """Turn the shop's flagged levels into pushes of ≤ 250 changed quantities; returns the pushes.

        Untracked items and unmapped locations are dropped, unchanged quantities are not sent, levels
        already in flight wait for their push to finish.
        """
        Level = self.env["shopify.inventory.level"].sudo()
        # A held level (a Shopify change still to count in Odoo) waits: pushing would undo that change.
        levels = Level.search(
            [
                ("shop_id", "=", shop.id),
                ("needs_push", "=", True),
                ("push_id", "=", False),
                ("hold_change_id", "=", False),
            ]
        )
        ignored = levels.filtered(
            lambda level: (
                not (
                    level.location_id.is_mapped
                    and level.location_id.active
                    and level.variant_binding_id.active
                    and level.variant_binding_id.inventory_tracked
                    and level.inventory_item_gid
                )
            )
        )
        ignored.write({"needs_push": False, "waiting_since": False})
        levels -= ignored
        if not levels:
            return self.browse()
        cas = shop.inventory_conflict_mode == "cas"
        unknown = levels.filtered(lambda level: not level.remote_known)
        if cas and unknown:
            # Compare-and-swap needs the value Shopify holds now.
            unknown._read_remote(shop._shopify_client())
            untracked = unknown.filtered(lambda level: not level.variant_binding_id.inventory_tracked)
            untracked.write({"needs_push": False, "waiting_since": False})
            levels -= untracked
        rows, clamped = levels._changed_rows(cas)
        if clamped:
            _logger.warning(
                "Shopify shop %s: %d variant(s) have negative stock in Odoo, sent as 0", shop.id, len(clamped)
            )
        pushes = self.browse()
        for chunk in inventory_service.chunked(rows):
            push = self.sudo().create(
                {
                    "shop_id": shop.id,
                    "idempotency_key": str(uuid.uuid4()),
                    "quantity_name": shop.inventory_quantity_name,
                    "rows": chunk,
                    "quantity_count": len(chunk),
                }
            )
            Level.browse([row["level_id"] for row in chunk]).write({"push_id": push.id})
            pushes |= push
        return pushes

    # ------------------------------------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------------------------------------
    def _send(self):
        """Send this push once; returns "done", "failed" or "resend".

        Retryable errors (network, throttling) propagate unchanged: the row keeps its key and
        quantities, so the queue's retry is an idempotent replay. After a stale compare-and-swap (or
        refused rows) the rows are re-read and recomputed under a new key and "resend" is returned: the
        caller must store that key before sending again (the queue commits it with a new job, which
        sends it), else a lost answer to the re-send could not be replayed under the same key.
        """
        self.ensure_one()
        if self.state != "pending":
            return self.state
        client = self.shop_id._shopify_client(for_write=True)
        user_errors = self._call(client)
        if not user_errors:
            return self._mark_done()
        codes = inventory_service.error_codes(user_errors)
        if codes & inventory_service.RETRY_LATER_CODES:
            raise NetworkError(_("Shopify is still processing this inventory push: retry later."))
        if self.resend_rounds >= MAX_RESEND_ROUNDS:
            return self._mark_failed(user_errors)
        self._recover(client, user_errors)
        if not self.rows:
            return self._mark_done()
        return "resend"

    def _call(self, client):
        """One call under the stored key; returns the userErrors (empty on success)."""
        variables = {
            "input": inventory_service.set_quantities_input(
                self.quantity_name, self.rows, inventory_service.reference_uri(self.id)
            ),
        }
        self.sent_at = fields.Datetime.now()
        try:
            data = client.execute("inventory_set_quantities", variables, idempotency_key=self.idempotency_key)
        except UserErrorsError as error:
            return error.user_errors
        payload = data.get("inventorySetQuantities") or {}
        if not payload.get("userErrors"):
            self.adjustment_group_gid = (payload.get("inventoryAdjustmentGroup") or {}).get("id")
        return payload.get("userErrors") or []

    def _recover(self, client, user_errors):
        """Drop refused rows, re-read the rest from Shopify, recompute, and take a new key."""
        refused = {}
        for error in user_errors:
            index = inventory_service.quantity_index(error.get("field"))
            if index is not None and error.get("code") not in inventory_service.NEW_KEY_CODES:
                refused[index] = error.get("message") or error.get("code")
        if not refused and not inventory_service.error_codes(user_errors) & inventory_service.NEW_KEY_CODES:
            # Refusals we cannot pin on a row: every row is refused.
            message = "; ".join(error.get("message") or "" for error in user_errors)
            refused = dict.fromkeys(range(len(self.rows)), message)
        Level = self.env["shopify.inventory.level"].sudo()
        for index, message in refused.items():
            level = Level.browse(self.rows[index]["level_id"])
            level.write(
                {"push_id": False, "needs_push": False, "waiting_since": False, "last_error": message}
            )
        kept = [row for index, row in enumerate(self.rows) if index not in refused]
        levels = Level.browse([row["level_id"] for row in kept]).exists()
        # Held meanwhile (a Shopify change still to count in Odoo): not sent over, kept flagged for later.
        held = levels.filtered("hold_change_id")
        held.write({"push_id": False, "needs_push": True})
        levels -= held
        if levels:
            levels._read_remote(client)
        rows, _clamped = levels._changed_rows(self.shop_id.inventory_conflict_mode == "cas")
        unchanged = levels - Level.browse([row["level_id"] for row in rows])
        unchanged.write({"push_id": False})  # _changed_rows ended their wait
        self.write(
            {
                "rows": rows,
                "quantity_count": len(rows),
                "idempotency_key": str(uuid.uuid4()),
                "resend_rounds": self.resend_rounds + 1,
            }
        )

    def _mark_done(self):
        now = fields.Datetime.now()
        Level = self.env["shopify.inventory.level"].sudo()
        by_quantity = {}
        for row in self.rows or ():  # no rows left after a re-read: an empty Json reads as False
            by_quantity.setdefault(row["quantity"], []).append(row["level_id"])
        for quantity, level_ids in by_quantity.items():
            Level.browse(level_ids).write(
                {
                    "quantity_pushed": quantity,
                    "quantity_remote": quantity,
                    "remote_known": True,
                    "remote_read_at": now,
                    "pushed_at": now,
                    "push_id": False,
                    "last_error": False,
                }
            )
        # Changed again while in flight: still waiting (for the next push), since before this one.
        done = Level.browse([row["level_id"] for row in self.rows or ()])
        done.filtered(lambda level: not level.needs_push).write({"waiting_since": False})
        self.write({"state": "done", "error": False})
        return "done"

    def _mark_failed(self, user_errors):
        message = "; ".join(
            f"{error.get('code') or ''} {error.get('message') or ''}".strip() for error in user_errors
        )
        # The levels stay flagged: the next sync recomputes and tries again with fresh values.
        self.level_ids.write({"push_id": False, "needs_push": True, "last_error": message})
        self.write({"state": "failed", "error": message})
        _logger.warning("Shopify shop %s: inventory push %s failed: %s", self.shop_id.id, self.id, message)
        return "failed"
