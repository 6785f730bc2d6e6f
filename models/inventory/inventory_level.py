"""What we know of one variant's stock at one Shopify location: last pushed, last read, to push.

One row per (variant binding, Shopify location). `needs_push` rows are the only ones a push looks at;
`quantity_remote` (+ `remote_known`) is the last value Shopify told us, the compare-and-swap base. A
level held by a change left to count (see shopify.inventory.change) is skipped by pushes and
reconciliations until released.
"""

import logging
from collections import defaultdict

from odoo import _, api, fields, models

from ...services import inventory as inventory_service
from ...services import timestamps

_logger = logging.getLogger(__name__)


class ShopifyInventoryLevel(models.Model):
    _name = "shopify.inventory.level"
    _description = "Shopify Inventory Level"
    _order = "shop_id, location_id, id"
    _rec_name = "variant_binding_id"

    variant_binding_id = fields.Many2one(
        "shopify.variant.binding", required=True, ondelete="cascade", index=True, readonly=True
    )
    location_id = fields.Many2one(
        "shopify.location",
        string="Shopify Location",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    shop_id = fields.Many2one(
        related="location_id.shop_id", store=True, index=True, readonly=True, string="Shop"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    product_id = fields.Many2one(related="variant_binding_id.product_id", store=True, index=True)
    inventory_item_gid = fields.Char(related="variant_binding_id.inventory_item_gid")

    quantity_target = fields.Integer(
        string="Odoo Quantity", readonly=True, help="Quantity Odoo computed at the last push or check."
    )
    clamped = fields.Boolean(
        string="Negative in Odoo",
        readonly=True,
        help="Odoo's quantity was negative: Shopify was sent 0 instead.",
    )
    quantity_pushed = fields.Integer(string="Last Pushed", readonly=True)
    pushed_at = fields.Datetime(readonly=True, string="Last Pushed At")
    quantity_remote = fields.Integer(string="Last Read On Shopify", readonly=True)
    remote_known = fields.Boolean(
        readonly=True, help="Whether Last Read On Shopify holds a value yet.", string="Shopify Quantity Known"
    )
    remote_read_at = fields.Datetime(readonly=True, string="Last Read At")
    needs_push = fields.Boolean(
        readonly=True, help="Odoo stock changed since the last push.", string="Needs Push"
    )
    waiting_since = fields.Datetime(
        string="Waiting Since",
        readonly=True,
        help="The first change not yet on Shopify (flagged or in flight); empty once Shopify has it.",
    )
    push_id = fields.Many2one(
        "shopify.inventory.push",
        string="Push In Flight",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    last_error = fields.Text(readonly=True, string="Last Error")
    reconcile_drift_id = fields.Many2one(
        "shopify.inventory.drift",
        string="Last Reconciliation",
        readonly=True,
        ondelete="set null",
        help="The reconciliation that last compared this level (a bulk one tells seen from unseen by it).",
    )

    _sql_constraints = [
        (
            "binding_location_unique",
            "unique(variant_binding_id, location_id)",
            "This variant already has a level at this Shopify location.",
        ),
    ]

    def init(self):
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS shopify_inventory_level_needs_push_idx
                ON shopify_inventory_level (shop_id) WHERE needs_push
            """
        )
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS shopify_inventory_level_waiting_idx
                ON shopify_inventory_level (shop_id, waiting_since) WHERE waiting_since IS NOT NULL
            """
        )

    def _flag_for_push(self, values=None):
        """Flag these levels for the next push (with `values`); those not waiting yet wait from now."""
        self.write({**(values or {}), "needs_push": True})
        self.filtered(lambda level: not level.waiting_since).write({"waiting_since": fields.Datetime.now()})

    @api.model
    def _oldest_waiting(self, shop_ids):
        """{shop id: when its oldest stock change not yet on Shopify was made}: flagged or in-flight
        levels (not those held for a count) and recorded changes not yet turned into levels."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT shop_id, min(waiting_since) FROM shopify_inventory_level
             WHERE shop_id = ANY(%s) AND waiting_since IS NOT NULL AND hold_change_id IS NULL
          GROUP BY shop_id
            """,
            [list(shop_ids)],
        )
        oldest = dict(self.env.cr.fetchall())
        for shop_id, at in self.env["shopify.inventory.pending"]._oldest_by_shop(shop_ids).items():
            oldest[shop_id] = min(oldest.get(shop_id, at), at)
        return oldest

    # ------------------------------------------------------------------------------------------------
    # Change detection
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _collect_pending(self):
        """Turn the pending (variant, Odoo location) pairs into flagged levels of every shop.

        An Odoo location counts for a Shopify location when it is its mapped location or below it.
        Returns how many levels were flagged.
        """
        pairs = self.env["shopify.inventory.pending"]._consume()
        if not pairs:
            return 0
        self.env.flush_all()
        product_ids, location_ids, marked_ats = zip(*pairs, strict=True)
        self.env.cr.execute(
            """
            SELECT binding.id, shop_location.id, min(changed.marked_at)
              FROM unnest(%s::int[], %s::int[], %s::timestamp[])
                   AS changed(product_id, location_id, marked_at)
              JOIN stock_location quant_location ON quant_location.id = changed.location_id
              JOIN shopify_location shop_location ON shop_location.is_mapped AND shop_location.active
              JOIN stock_location mapped ON mapped.id = shop_location.stock_location_id
              JOIN shopify_variant_binding binding
                ON binding.product_id = changed.product_id
               AND binding.shop_id = shop_location.shop_id
               AND binding.active
             WHERE quant_location.parent_path LIKE mapped.parent_path || '%%'
          GROUP BY binding.id, shop_location.id
            """,
            [list(product_ids), list(location_ids), list(marked_ats)],
        )
        return self._flag(self.env.cr.fetchall())

    @api.model
    def _flag(self, binding_location_pairs):
        """Set needs_push on the levels of these (binding id, location id[, changed at]) pairs, creating
        missing ones. `waiting_since` keeps the first unpushed change (default: now)."""
        now = fields.Datetime.now()
        since = {}
        for binding_id, location_id, *changed_at in binding_location_pairs:
            at = (changed_at and changed_at[0]) or now
            key = (binding_id, location_id)
            since[key] = min(since.get(key, at), at)
        if not since:
            return 0
        pairs = sorted(since)
        binding_ids, location_ids = zip(*pairs, strict=True)
        self.env.cr.execute(
            """
            UPDATE shopify_inventory_level level
               SET needs_push = true, waiting_since = LEAST(level.waiting_since, pair.changed_at)
              FROM unnest(%s::int[], %s::int[], %s::timestamp[]) AS pair(binding_id, location_id, changed_at)
             WHERE level.variant_binding_id = pair.binding_id AND level.location_id = pair.location_id
         RETURNING level.variant_binding_id, level.location_id
            """,
            [list(binding_ids), list(location_ids), [since[pair] for pair in pairs]],
        )
        existing = set(self.env.cr.fetchall())
        self.invalidate_model(["needs_push", "waiting_since"])
        missing = set(pairs) - existing
        if missing:
            self.sudo().create(
                [
                    {
                        "variant_binding_id": binding_id,
                        "location_id": location_id,
                        "needs_push": True,
                        "waiting_since": since[binding_id, location_id],
                    }
                    for binding_id, location_id in sorted(missing)
                ]
            )
        return len(pairs)

    @api.model
    def _mark_locations_for_push(self, locations):
        """Flag every bound variant at these Shopify locations (after a mapping change, a fix, …)."""
        if not locations:
            return 0
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT binding.id, location.id
              FROM shopify_location location
              JOIN shopify_variant_binding binding ON binding.shop_id = location.shop_id AND binding.active
             WHERE location.id IN %s AND binding.inventory_item_gid IS NOT NULL
            """,
            [tuple(locations.ids)],
        )
        return self._flag(self.env.cr.fetchall())

    # ------------------------------------------------------------------------------------------------
    # Odoo quantities
    # ------------------------------------------------------------------------------------------------
    def _odoo_quantities(self):
        """{level id: (quantity to show on Shopify, clamped)} per the shop's quantity source.

        One grouped quant query per Shopify location, over the mapped location and its children.
        """
        result = {}
        Quant = self.env["stock.quant"].sudo()
        for location, levels in self.grouped("location_id").items():
            stock_location = location.stock_location_id
            totals = {}
            if stock_location:
                groups = Quant._read_group(
                    [
                        ("product_id", "in", levels.product_id.ids),
                        ("location_id", "child_of", stock_location.id),
                        ("location_id.usage", "=", "internal"),
                    ],
                    ["product_id"],
                    ["quantity:sum", "reserved_quantity:sum"],
                )
                totals = {product.id: (quantity, reserved) for product, quantity, reserved in groups}
            source = location.shop_id.inventory_quantity_source
            for level in levels:
                on_hand, reserved = totals.get(level.product_id.id, (0.0, 0.0))
                result[level.id] = inventory_service.target_quantity(on_hand, reserved, source)
        return result

    def _changed_rows(self, cas):
        """Mutation rows for the levels whose Odoo quantity differs from Shopify's; records the targets.

        `cas`: send the last quantity read from Shopify as changeFromQuantity (else null: Odoo wins).
        Returns (rows, clamped levels).
        """
        targets = self._odoo_quantities()
        rows = []
        by_target = defaultdict(list)
        for level in self:
            quantity, clamped = targets[level.id]
            by_target[quantity, clamped].append(level.id)
            if level.remote_known and level.quantity_remote == quantity:
                continue
            rows.append(
                {
                    "level_id": level.id,
                    "inventory_item_gid": level.inventory_item_gid,
                    "location_gid": level.location_id.shopify_gid,
                    "quantity": quantity,
                    "change_from": level.quantity_remote if cas and level.remote_known else None,
                }
            )
        for (quantity, clamped), level_ids in by_target.items():
            self.browse(level_ids).write(
                {"quantity_target": quantity, "clamped": clamped, "needs_push": False}
            )
        # Shopify already shows what Odoo has: nothing waits there any more.
        (self - self.browse([row["level_id"] for row in rows])).write({"waiting_since": False})
        return rows, self.filtered("clamped")

    # ------------------------------------------------------------------------------------------------
    # Reading Shopify
    # ------------------------------------------------------------------------------------------------
    def _read_remote(self, client):
        """Re-read these levels' quantities (configured name) and tracking from Shopify."""
        read = defaultdict(list)  # quantity or None -> level ids
        tracked_by_binding = {}
        for location, levels in self.grouped("location_id").items():
            name = location.shop_id.inventory_quantity_name
            by_item = {level.inventory_item_gid: level for level in levels if level.inventory_item_gid}
            for chunk in inventory_service.chunked(sorted(by_item), inventory_service.MAX_ITEMS_PER_READ):
                data = client.execute(
                    "inventory_items_levels",
                    {"ids": chunk, "locationId": location.shopify_gid, "names": [name]},
                )
                found = inventory_service.levels_from_item_nodes(data.get("nodes"), name)
                for item_gid in chunk:
                    level = by_item[item_gid]
                    tracked, quantity = found.get(item_gid, (None, None))
                    read[quantity].append(level.id)
                    if tracked is not None:
                        tracked_by_binding[level.variant_binding_id] = tracked
        now = fields.Datetime.now()
        for quantity, level_ids in read.items():
            self.browse(level_ids).write(
                {
                    "quantity_remote": quantity or 0,
                    "remote_known": quantity is not None,
                    "remote_read_at": now,
                }
            )
        for binding, tracked in tracked_by_binding.items():
            if binding.inventory_tracked != tracked:
                binding.inventory_tracked = tracked

    # ------------------------------------------------------------------------------------------------
    # Changes made on Shopify (inventory_levels/update webhooks)
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _handle_remote_update(self, shop, payload):
        """Apply one `inventory_levels/update` body; returns (outcome, reason) for the queue.

        Echoes of our own pushes and bodies older than our last push change nothing. A genuine change
        is recorded and, per the shop's policy, pushed over by Odoo or applied to Odoo's stock.
        """
        # A body that is not a level update raises PayloadError naming the field (final).
        update = inventory_service.parse_level_update(payload)
        location = (
            self.env["shopify.location"]
            .sudo()
            .search([("shop_id", "=", shop.id), ("shopify_gid", "=", update["location_gid"])], limit=1)
        )
        if not location.is_mapped:
            return "skipped", _("Shopify location %s is not mapped to Odoo stock.", update["location_gid"])
        binding = (
            self.env["shopify.variant.binding"]
            .sudo()
            .search(
                [("shop_id", "=", shop.id), ("inventory_item_gid", "=", update["inventory_item_gid"])],
                limit=1,
            )
        )
        if not binding:
            return "skipped", _(
                "Inventory item %s is not bound to an Odoo variant.", update["inventory_item_gid"]
            )
        level = self.sudo().search(
            [("variant_binding_id", "=", binding.id), ("location_id", "=", location.id)]
        )
        if not level:
            level = self.sudo().create({"variant_binding_id": binding.id, "location_id": location.id})
        updated_at = timestamps.parse(update["updated_at"])
        if updated_at and level.pushed_at and updated_at < level.pushed_at:
            return "skipped", _("Older than our last push to this level.")
        before_known, before = level.remote_known, level.quantity_remote
        if shop.inventory_quantity_name == "available":
            quantity = update["available"]
        else:
            # The body only carries `available`: read the on-hand quantity we manage.
            level._read_remote(shop._shopify_client())
            quantity = level.quantity_remote if level.remote_known else None
        if quantity is None:
            return "skipped", _("No quantity in the webhook.")
        if (before_known and quantity == before) or (
            not before_known and level.pushed_at and quantity == level.quantity_pushed
        ):
            level.write(
                {"quantity_remote": quantity, "remote_known": True, "remote_read_at": fields.Datetime.now()}
            )
            return "skipped", _("Echo of our own push: nothing changed.")
        base = before if before_known else level.quantity_pushed
        level.write(
            {"quantity_remote": quantity, "remote_known": True, "remote_read_at": fields.Datetime.now()}
        )
        change_values = {
            "level_id": level.id,
            "quantity_before": base,
            "quantity_after": quantity,
            "shopify_updated_at": update["updated_at"],
        }
        if shop.inventory_remote_policy == "apply":
            outcome, move, note = level._apply_delta_to_odoo(quantity - base)
            change_values.update(outcome=outcome, stock_move_id=move.id, note=note)
        else:
            level._flag_for_push()
            shop._enqueue_inventory_sync()
            change_values["outcome"] = "overwritten"
        self.env["shopify.inventory.change"].sudo().create(change_values)
        return "done", None

    def _apply_delta_to_odoo(self, delta):
        """Adjust Odoo's stock at the mapped location by `delta` with an inventory adjustment.

        Returns (outcome for shopify.inventory.change, move or empty, note). A pair held for a count
        applies nothing (`_held_delta_outcome`).
        """
        self.ensure_one()
        if self.hold_change_id:
            return self._held_delta_outcome(delta)
        Move = self.env["stock.move"].sudo()
        product = self.product_id
        location = self.location_id.location_id or self.location_id.warehouse_id.lot_stock_id
        if not delta:
            return "applied", Move, _("No difference to apply.")
        if product.tracking != "none":
            return self._apply_delta_to_lots(product, location, delta)
        Quant = self.env["stock.quant"].sudo()
        quant = Quant._gather(product, location, strict=True).filtered(
            lambda q: not (q.lot_id or q.package_id or q.owner_id)
        )[:1]
        if not quant:
            quant = Quant.create({"product_id": product.id, "location_id": location.id})
        move = quant._shopify_adjust(quant.quantity + delta)
        return (
            "applied",
            move,
            _("Applied %(delta)+d at %(location)s.", delta=delta, location=location.display_name),
        )

    def _apply_delta_to_lots(self, product, location, delta):
        """A change of a lot/serial-tracked product: Shopify does not say which lot or serial number.

        A decrease is applied when only one lot (or serial number) is in stock there: there is no choice
        to make. Anything else (an increase: which new number? several lots: which one left?) would guess
        and corrupt traceability, so the product's quants there are marked to count (Inventory › Physical
        Inventory, filter "To Count") and the change is left for a person, with what to do.
        """
        Quant = self.env["stock.quant"].sudo()
        Move = self.env["stock.move"].sudo()
        quants = Quant.search(
            [
                ("product_id", "=", product.id),
                ("location_id", "child_of", location.id),
                ("location_id.usage", "=", "internal"),
                ("quantity", ">", 0),
            ]
        )
        if delta < 0 and len(quants) == 1 and quants.lot_id and quants.quantity >= -delta:
            move = quants._shopify_adjust(quants.quantity + delta)
            return (
                "applied",
                move,
                _(
                    "Applied %(delta)+d to %(lot)s, the only lot/serial number in stock at %(location)s.",
                    delta=delta,
                    lot=quants.lot_id.display_name,
                    location=location.display_name,
                ),
            )
        quants.write({"inventory_date": fields.Date.context_today(self)})
        _logger.info(
            "Shopify inventory change of %+d on product %s (tracked by %s) left to count",
            delta,
            product.id,
            product.tracking,
        )
        kind = _("serial number") if product.tracking == "serial" else _("lot")
        return (
            "manual",
            Move,
            _(
                "Shopify changed %(product)s by %(delta)+d at %(location)s, but it is tracked by "
                "%(kind)s and Shopify does not say which. Count it in Inventory › Physical Inventory "
                "(filter “To Count”; its quants there are marked) and apply the count. Until then "
                "Odoo's quantity is not pushed there (it would undo Shopify's change); dismiss this "
                "change instead to push Odoo's quantity.",
                product=product.display_name,
                delta=delta,
                location=location.display_name,
                kind=kind,
            ),
        )

    # ------------------------------------------------------------------------------------------------
    # Holds: a held level keeps Odoo's uncounted number off Shopify; the count or a dismissal releases it
    # ------------------------------------------------------------------------------------------------
    hold_change_id = fields.Many2one(
        "shopify.inventory.change",
        string="Held By",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="A Shopify-side change still to count in Odoo: Odoo's quantity is not pushed here until the "
        "count is applied in Odoo (Inventory › Physical Inventory) or the change is dismissed.",
    )
    hold_change_ids = fields.One2many("shopify.inventory.change", "level_id", string="Shopify Changes")

    def _hold_advice(self):
        """What to do about a held level, for reports."""
        self.ensure_one()
        change = self.hold_change_id
        return _(
            "held since Shopify changed it from %(before)s to %(after)s: count it in Odoo (Inventory › "
            "Physical Inventory, filter “To Count”) and apply the count, or dismiss the change (Shopify › "
            "Inventory › Changes Made On Shopify) to push Odoo's quantity.",
            before=change.quantity_before,
            after=change.quantity_after,
        )

    def _held_delta_outcome(self, delta):
        """A further change on a pair still to count is counted with it: applying it now would adjust
        stock that nobody has checked yet. The outcome for `_apply_delta_to_odoo`."""
        return (
            "manual",
            self.env["stock.move"],
            _(
                "Shopify changed %(product)s by %(delta)+d while an earlier change there is still to "
                "count in Odoo: count it (Inventory › Physical Inventory, filter “To Count”) and apply "
                "the count.",
                product=self.product_id.display_name,
                delta=delta,
            ),
        )

    def _release_hold(self, outcome="dismissed"):
        """End the holds of these levels and push Odoo's quantity to them."""
        if not self:
            return
        open_changes = self.hold_change_ids.filtered(lambda change: change.hold_state == "held")
        open_changes.write({"hold_state": outcome, "released_at": fields.Datetime.now()})
        self._flag_for_push({"hold_change_id": False})
        _logger.info("Shopify inventory: %d held level(s) released (%s)", len(self), outcome)
        for shop in self.shop_id:
            shop._enqueue_inventory_sync()

    @api.model
    def _release_counted(self, product_location_pairs):
        """Release the held levels whose product was counted at (or below) their mapped Odoo location."""
        pairs = set(product_location_pairs)
        if not pairs:
            return
        held = self.sudo().search(
            [("hold_change_id", "!=", False), ("product_id", "in", list({p for p, _loc in pairs}))]
        )
        paths = {
            location.id: location.parent_path or ""
            for location in self.env["stock.location"].sudo().browse({loc for _p, loc in pairs})
        }

        def counted_there(level):
            mapped = level.location_id.stock_location_id
            return mapped and any(
                product_id == level.product_id.id and paths[location_id].startswith(mapped.parent_path)
                for product_id, location_id in pairs
            )

        counted = held.filtered(counted_there)
        counted._release_hold("counted")
