"""Images of a bound product as Shopify holds them: one row per Shopify media image, with the content hash
of the image as Odoo holds it.

An image's value in the product snapshots is its content hash (SHA-1: the checksum Odoo's attachments
already store, so an Odoo image is compared without reading it). The rows translate Shopify's side into the
same hashes: a media whose id and URL are known has the hash of its row and is never downloaded; only a new
or replaced one is. On export, an image whose hash has a row is sent by its media id (no upload); only a new
hash is uploaded (staged upload, then the productSet file points at it); when no image changed, productSet
carries no file at all. Which side wins (and so whether a deletion on one side deletes on the other) is the
`images` line of the field mapping, merged three-way like every field.

Odoo holds the template's image and each variant's own image; with eCommerce (website_sale, optional) also
the template's extra images. Without it, Shopify product images after the first are left as they are:
kept (by id) on export, never downloaded.
"""

import base64
import logging
import re

from odoo import _, api, fields, models

from ...services import images
from ...services.mapping import products as mapping

_logger = logging.getLogger(__name__)

# Shopify takes at most 250 targets per stagedUploadsCreate.
STAGED_BATCH = 250

# The upload's file name is the image's hash: the productSet answer is matched back through it.
_HASH_IN_SOURCE = re.compile(r"/([0-9a-f]{40})\.[a-z]+$")


class ShopifyImageBinding(models.Model):
    _name = "shopify.image.binding"
    _description = "Shopify Product Image"
    _order = "product_binding_id, sequence, id"
    _rec_name = "media_gid"

    product_binding_id = fields.Many2one(
        "shopify.product.binding", required=True, ondelete="cascade", index=True
    )
    shop_id = fields.Many2one(related="product_binding_id.shop_id", store=True, index=True, readonly=True)
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    sequence = fields.Integer(help="Position among the product's media on Shopify.", string="Position")
    media_gid = fields.Char(string="Shopify Media GID", required=True, index=True)
    url = fields.Char(string="Shopify URL", help="Where Shopify serves the file; a new URL is a new file.")
    checksum = fields.Char(
        string="Content Hash",
        help="SHA-1 of the image as Odoo holds it. Empty: an image Odoo does not manage (kept as it is).",
    )
    alt = fields.Char(string="Alt Text")
    error = fields.Text(readonly=True, string="Image Error")

    # --------------------------------------------------------------------------------------------
    # Odoo's images
    # --------------------------------------------------------------------------------------------
    @api.model
    def _extra_images_supported(self):
        """Extra template images exist only with eCommerce (website_sale), which is never required."""
        return "product_template_image_ids" in self.env["product.template"]._fields

    @api.model
    def _checksums(self, records, field_name):
        """{record id: content hash} of a stored image field, read from the attachments (no bytes read)."""
        if not records:
            return {}
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search_read(
                [
                    ("res_model", "=", records._name),
                    ("res_field", "=", field_name),
                    ("res_id", "in", records.ids),
                ],
                ["res_id", "checksum"],
            )
        )
        return {row["res_id"]: row["checksum"] for row in attachments if row["checksum"]}

    @api.model
    def _odoo_images(self, template, variants):
        """`(product hashes in order, {variant id: hash or None}, {hash: alt text})` of Odoo's images.

        A variant's image belongs to the variant only: it is not repeated among the product's images."""
        alts = {}
        variant_hashes = self._checksums(variants, "image_variant_1920")
        for variant in variants:
            if variant.id in variant_hashes:
                alts.setdefault(variant_hashes[variant.id], variant.display_name)
        own = []
        main = self._checksums(template, "image_1920").get(template.id)
        if main:
            own.append(main)
            alts.setdefault(main, template.name)
        if self._extra_images_supported():
            extras = template.product_template_image_ids.sorted(lambda image: (image.sequence, image.id))
            extra_hashes = self._checksums(extras, "image_1920")
            for extra in extras:
                if extra.id in extra_hashes:
                    own.append(extra_hashes[extra.id])
                    alts.setdefault(extra_hashes[extra.id], extra.name or template.name)
        taken = set(variant_hashes.values())
        own = [value for value in dict.fromkeys(own) if value not in taken]
        return own, {variant.id: variant_hashes.get(variant.id) for variant in variants}, alts

    @api.model
    def _image_bytes(self, checksum, downloaded=None):
        """The bytes of an image by its hash: downloaded just now, or an Odoo attachment holding it."""
        if downloaded and checksum in downloaded:
            return downloaded[checksum]
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("checksum", "=", checksum),
                    ("res_field", "in", ["image_1920", "image_variant_1920"]),
                ],
                limit=1,
            )
        )
        return attachment.raw if attachment else None

    # --------------------------------------------------------------------------------------------
    # Shopify's images → hashes (import, and the read before an export)
    # --------------------------------------------------------------------------------------------
    @api.model
    def _resolve_remote(self, binding, product):
        """Give a canonical Shopify product its image hashes (`fields["images"]`, each variant's
        `fields["images"]`), downloading only the media no row knows (new or replaced files).

        Sets `product["image_data"]` ({hash: bytes} downloaded), `product["image_links"]` (what the rows
        become: [{gid, url, alt, checksum, error}]) and `product["image_errors"]`. A product read without
        its media (a REST webhook body) is left alone. An image that cannot be downloaded fails alone: its
        scope (the product's list, or that variant) is left out of this merge, so nothing is deleted in
        Odoo because of it."""
        media = product.get("media")
        if media is None:
            return product
        rows = {row.media_gid: row for row in binding.image_binding_ids}
        by_gid = {item["gid"]: item for item in media}
        variant_gids = {
            variant.get("media_gid") for variant in product["variants"] if variant.get("media_gid")
        }
        capacity = None if self._extra_images_supported() else 1
        data, links, errors = {}, {}, []

        def resolve(item, label):
            row = rows.get(item["gid"])
            link = {
                "gid": item["gid"],
                "url": item["url"],
                "alt": item["alt"],
                "checksum": False,
                "error": False,
            }
            links[item["gid"]] = link
            if row and row.checksum and (not row.url or not item["url"] or row.url == item["url"]):
                link["checksum"] = row.checksum
                link["url"] = item["url"] or row.url
                return row.checksum
            try:
                raw = images.download(item["url"])
            except images.ImageError as error:
                link["error"] = _("%(image)s was not imported: %(error)s", image=label, error=error)
                errors.append(link["error"])
                return None
            link["checksum"] = images.checksum(raw)
            data[link["checksum"]] = raw
            return link["checksum"]

        own = [item for item in media if item["gid"] not in variant_gids]
        hashes, failed = [], False
        for position, item in enumerate(own, start=1):
            if capacity is not None and position > capacity:
                links[item["gid"]] = dict(item, checksum=False, error=False)  # kept as it is, not managed
                continue
            value = resolve(item, _("Image %s", position))
            failed = failed or value is None
            hashes.append(value)
        if not failed:
            product["fields"][mapping.IMAGES] = hashes
        for variant in product["variants"]:
            if "media_gid" not in variant:
                continue
            gid = variant["media_gid"]
            label = _("The image of variant %s", mapping.variant_key(variant["option_values"]))
            if not gid:
                variant["fields"][mapping.IMAGES] = None
            elif gid in by_gid:
                value = resolve(by_gid[gid], label) if gid not in links else links[gid]["checksum"] or None
                if value is not None:
                    variant["fields"][mapping.IMAGES] = value
            elif gid in rows and rows[gid].checksum:
                variant["fields"][mapping.IMAGES] = rows[gid].checksum
        product["image_data"] = data
        product["image_links"] = [links[gid] for gid in by_gid if gid in links]
        product["image_errors"] = errors
        return product

    @api.model
    def _store_links(self, binding, links, renamed=None):
        """The rows become Shopify's media as read (`links` from `_resolve_remote`); `renamed` maps a
        downloaded hash to the hash Odoo stored (Odoo shrinks images above 1920 px)."""
        renamed = renamed or {}
        existing = {row.media_gid: row for row in binding.image_binding_ids}
        kept = self.browse()
        for position, link in enumerate(links):
            values = {
                "sequence": position,
                "url": link["url"] or False,
                "alt": link["alt"] or False,
                "error": link.get("error") or False,
            }
            checksum = link.get("checksum")
            if checksum or not link.get("error"):
                values["checksum"] = renamed.get(checksum, checksum) or False
            row = existing.get(link["gid"])
            if row:
                row.write(values)
            else:
                row = self.sudo().create(
                    {"product_binding_id": binding.id, "media_gid": link["gid"], **values}
                )
            kept |= row
        (binding.image_binding_ids - kept).unlink()

    # --------------------------------------------------------------------------------------------
    # Shopify's images → Odoo
    # --------------------------------------------------------------------------------------------
    @api.model
    def _apply(self, binding, flat, downloaded=None):
        """Write the images of `flat` ({(scope, "images"): value}) on the Odoo product; returns {hash
        written: hash Odoo stored} where they differ. An image whose bytes are not at hand fails alone."""
        template = binding.product_tmpl_id.sudo().with_context(shopify_import=True)
        products_by_key = binding._shopify_odoo_id_by_key()
        renamed, problems = {}, []

        def encoded(checksum):
            raw = self._image_bytes(checksum, downloaded)
            if raw is None:
                problems.append(_("An image (%s) is not available any more.", checksum[:12]))
            return base64.b64encode(raw) if raw else None

        for (scope, _name), value in flat.items():
            if scope == "product":
                wanted = list(value or ())
                main = encoded(wanted[0]) if wanted else False
                if main is not None:
                    template.image_1920 = main
                    if wanted:
                        stored = self._checksums(template, "image_1920").get(template.id)
                        if stored and stored != wanted[0]:
                            renamed[wanted[0]] = stored
                if self._extra_images_supported():
                    commands = [fields.Command.clear()]
                    for checksum in wanted[1:]:
                        extra = encoded(checksum)
                        if extra:
                            commands.append(
                                fields.Command.create({"name": template.name, "image_1920": extra})
                            )
                    template.product_template_image_ids = commands
            elif scope in products_by_key:
                variant = self.env["product.product"].browse(products_by_key[scope]).sudo()
                image = encoded(value) if value else False
                if image is not None:
                    variant.with_context(shopify_import=True).image_variant_1920 = image
                    if value:
                        stored = self._checksums(variant, "image_variant_1920").get(variant.id)
                        if stored and stored != value:
                            renamed[value] = stored
        if problems:
            binding.image_warning = "\n".join(problems)
        return renamed

    # --------------------------------------------------------------------------------------------
    # Odoo's images → productSet files
    # --------------------------------------------------------------------------------------------
    @api.model
    def _export_needed(self, binding, odoo_product):
        """Whether this export must carry files: an image, its order or an alt text differs from what
        Shopify was last given, or an image has no Shopify media yet. Nothing changed: no file, no call."""
        if not odoo_product["fields"].get(mapping.IMAGES) and not any(
            variant["fields"].get(mapping.IMAGES) for variant in odoo_product["variants"]
        ):
            return bool(binding.image_binding_ids.filtered("checksum"))
        current = mapping.snapshot(odoo_product)
        synced = binding.synced_values or {}
        if (synced.get("product") or {}).get(mapping.IMAGES) != current["product"][mapping.IMAGES]:
            return True
        for key, values in current["variants"].items():
            if ((synced.get("variants") or {}).get(key) or {}).get(mapping.IMAGES) != values.get(
                mapping.IMAGES
            ):
                return True
        rows = {row.checksum: row for row in binding.image_binding_ids if row.checksum}
        _own, _variants, alts = self._plan(binding, odoo_product)
        return any(
            checksum not in rows or (rows[checksum].alt or "") != alt for checksum, alt in alts.items()
        )

    @api.model
    def _plan(self, binding, odoo_product):
        """`(product hashes, {variant odoo id: hash}, {hash: alt})` to send, in order."""
        template = binding.product_tmpl_id
        variants = self.env["product.product"].browse(
            [variant["odoo_id"] for variant in odoo_product["variants"]]
        )
        return self._odoo_images(template, variants)

    @api.model
    def _uploads_needed(self, binding, odoo_product):
        """{hash: (file name, MIME type, bytes)} of the images this export must upload, and {hash: why
        not} of those that cannot be sent (broken, too large): these fail alone."""
        if not self._export_needed(binding, odoo_product):
            return {}, {}
        known = set(
            binding.image_binding_ids.filtered(lambda row: row.checksum and row.media_gid).mapped("checksum")
        )
        own, variant_hashes, alts = self._plan(binding, odoo_product)
        wanted, failed = {}, {}
        for checksum in dict.fromkeys([*own, *variant_hashes.values()]):
            if not checksum or checksum in known:
                continue
            raw = self._image_bytes(checksum)
            try:
                mime, extension = images.check(raw, _("The image “%s”", alts.get(checksum) or checksum[:12]))
            except images.ImageError as error:
                failed[checksum] = str(error)
                continue
            wanted[checksum] = (f"{checksum}.{extension}", mime, raw)
        return wanted, failed

    @api.model
    def _stage(self, client, wanted):
        """Upload `wanted` ({hash: (file name, MIME, bytes)}) through staged uploads, 250 targets per
        stagedUploadsCreate; `({hash: resource URL}, {hash: why it failed}, calls made)`."""
        staged, failed, calls = {}, {}, 0
        items = list(wanted.items())
        for start in range(0, len(items), STAGED_BATCH):
            batch = items[start : start + STAGED_BATCH]
            answer = client.execute(
                "staged_uploads_create",
                {
                    "input": [
                        {
                            "filename": filename,
                            "mimeType": mime,
                            "resource": "IMAGE",
                            "httpMethod": "POST",
                            "fileSize": str(len(raw)),
                        }
                        for _checksum, (filename, mime, raw) in batch
                    ]
                },
            )
            calls += 1
            targets = (answer.get("stagedUploadsCreate") or {}).get("stagedTargets") or []
            for (checksum, (filename, mime, raw)), target in zip(batch, targets, strict=False):
                try:
                    images.upload(target, filename, raw, mime)
                except images.ImageError as error:
                    failed[checksum] = str(error)
                    continue
                staged[checksum] = target["resourceUrl"]
        return staged, failed, calls

    @api.model
    def _stage_for(self, bindings, client):
        """Stage the images a chunk of bindings is about to send, in as few calls as possible (one hash
        shared by several products is uploaded once); `(staged, failed, calls)`."""
        wanted, failed = {}, {}
        for binding in bindings:
            if mapping.IMAGES not in binding.shop_id._shopify_export_fields():
                continue
            needed, broken = self._uploads_needed(binding, binding._shopify_odoo_product())
            wanted.update(needed)
            failed.update(broken)
        if not wanted:
            return {}, failed, 0
        staged, upload_failed, calls = self._stage(client, wanted)
        failed.update(upload_failed)
        return staged, failed, calls

    @api.model
    def _add_files(self, binding, odoo_product, data, staged=None, failed=None, client=None):
        """Put `files` and the variants' `file` in a ProductSetInput (`data`) when images changed;
        images not staged yet are staged now (with `client`). Returns the number of files sent."""
        if not self._export_needed(binding, odoo_product):
            return 0
        staged, failed = dict(staged or {}), dict(failed or {})
        missing, broken = self._uploads_needed(binding, odoo_product)
        missing = {checksum: item for checksum, item in missing.items() if checksum not in staged}
        failed.update({checksum: why for checksum, why in broken.items() if checksum not in failed})
        if missing and client is not None:
            more, more_failed, _calls = self._stage(client, missing)
            staged.update(more)
            failed.update(more_failed)
        rows = {row.checksum: row for row in binding.image_binding_ids if row.checksum and row.media_gid}
        own, variant_hashes, alts = self._plan(binding, odoo_product)
        entries = {}
        for checksum in dict.fromkeys([*own, *variant_hashes.values()]):
            if not checksum:
                continue
            alt = alts.get(checksum) or ""
            if checksum in rows:
                entries[checksum] = {"id": rows[checksum].media_gid, "alt": alt}
            elif checksum in staged:
                entries[checksum] = {"originalSource": staged[checksum], "alt": alt, "contentType": "IMAGE"}
        files = list(entries.values())
        # Images Odoo does not manage (beyond what it can hold, or failed to import) stay as they are.
        files += [{"id": row.media_gid} for row in binding.image_binding_ids if not row.checksum]
        data["files"] = files
        for variant_input, variant in zip(data["variants"], odoo_product["variants"], strict=True):
            checksum = variant_hashes.get(variant["odoo_id"])
            if checksum in entries:
                variant_input["file"] = entries[checksum]
        problems = [
            _("%(image)s was not sent: %(why)s", image=alts.get(checksum) or checksum[:12], why=why)
            for checksum, why in failed.items()
            if checksum in alts
        ]
        binding.sudo().image_warning = "\n".join(problems) or False
        for problem in problems:
            _logger.warning("Shopify shop %s: %s", binding.shop_id.id, problem)
        return len(files)

    @api.model
    def _record_answer(self, binding, files, remote):
        """After productSet: the rows become the files sent, matched in order with the media Shopify
        returned (a file sent by id keeps its row's hash; an uploaded one carries its hash in its name)."""
        if files is None:
            return
        rows = {row.media_gid: row for row in binding.image_binding_ids}
        nodes = mapping.media_from_graphql((remote or {}).get("media"))
        links = []
        for entry, node in zip(files, nodes, strict=False):
            if entry.get("id"):
                checksum = rows[entry["id"]].checksum if entry["id"] in rows else False
            else:
                found = _HASH_IN_SOURCE.search(entry.get("originalSource") or "")
                checksum = found.group(1) if found else False
            links.append({"gid": node["gid"], "url": node["url"], "alt": node["alt"], "checksum": checksum})
        self._store_links(binding, links)
        if len(nodes) < len(files):
            _logger.info("Shopify shop %s: some images are still processing", binding.shop_id.id)
