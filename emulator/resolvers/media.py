"""Product and variant media: `Product.media`, `ProductVariant.media`, MediaImage fields, and how the product
mutations' file inputs (productSet `files` and variant `file`, productCreate/Update `media`) become images.

The emulator keeps images only (Shopify also has videos and 3D models): a file of another content type is
refused with NOT_EMULATED before anything changes."""

import mimetypes

from ..records import MediaImage, gid
from .common import ResolverError, connection, parse_gid
from .registry import field, shape

shape("Image", "id", "url", "src", "originalSrc", "transformedSrc", "altText", "width", "height")
shape("MediaPreviewImage", "image", "status")
# FileSetInput.contentType / CreateMediaInput.mediaContentType values the emulator stores.
IMAGE_TYPES = (None, "IMAGE")


# What Shopify accepts as an image, told by its first bytes.
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image(data):
    """The image MIME type of `data`, or None when it is no image Shopify would process."""
    for magic, mime in _IMAGE_MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def store_image(shop, data, filename, alt, now):
    """A new MediaImage holding `data` (kept in `shop.files`, served at its url); a file that is no image
    ends FAILED, as Shopify's processing would leave it."""
    media_id = shop.next_id()
    media = MediaImage(
        id=media_id,
        created_at=now,
        updated_at=now,
        alt=alt,
        original_source=shop.file_url(media_id, filename),
        mime_type=sniff_image(data or b""),
    )
    if media.mime_type is None:
        media.status = "FAILED"
    else:
        media.url = media.original_source
        shop.files[media_id] = data
    shop.media[media_id] = media
    return media


def _staged_key(shop, source):
    prefix = f"{shop.base_url}/_uploads/{shop.domain}/"
    return source[len(prefix) :] if source and shop.base_url and source.startswith(prefix) else None


def _image(media):
    url = media.url or media.original_source
    return {
        "id": gid("ImageSource", media.id),
        "url": url,
        "src": url,
        "originalSrc": url,
        "transformedSrc": url,
        "altText": media.alt,
        "width": None,  # the emulator never downloads the file, so it does not know its size
        "height": None,
    }


@field("MediaImage", "image")
def resolve_media_image(media, _info):
    return _image(media) if media.status == "READY" else None


@field("MediaImage", "preview")
def resolve_media_preview(media, _info):
    return {"image": _image(media), "status": "READY"}


def _media_of(shop, ids):
    return [shop.media[i] for i in ids if i in shop.media]


@field("Product", "media")
def resolve_product_media(product, info, query=None, sortKey=None, **page):
    media = _media_of(info.context.shop, product.media_ids)
    position = {media_id: index for index, media_id in enumerate(product.media_ids)}
    return connection(media, sort_key=lambda m: position[m.id], **page)


@field("ProductVariant", "media")
def resolve_variant_media(variant, info, **page):
    media = _media_of(info.context.shop, variant.media_ids)
    position = {media_id: index for index, media_id in enumerate(variant.media_ids)}
    return connection(media, sort_key=lambda m: position[m.id], **page)


# -- inputs --------------------------------------------------------------------------------------------
def check_files(files, content_key):
    """Refuse (before any change) a file the emulator cannot store."""
    for entry in files or ():
        if entry.get(content_key) not in IMAGE_TYPES:
            raise ResolverError(
                f"The emulator stores images only: {content_key} {entry.get(content_key)} is not emulated.",
                code="NOT_EMULATED",
            )


def media_for(shop, product, entry, now):
    """The product's MediaImage for one FileSetInput/CreateMediaInput: the same file id or source reuses
    the existing image (its alt text updated), else a new image."""
    existing = _media_of(shop, product.media_ids)
    wanted_id = parse_gid(entry.get("id"), "MediaImage")
    source = entry.get("originalSource")
    match = next(
        (
            m
            for m in existing
            if (wanted_id and m.id == wanted_id) or (source and m.original_source == source)
        ),
        None,
    )
    staged = _staged_key(shop, source)
    if match is None and staged is not None:
        # A staged upload: the bytes become the image (a key nothing was uploaded to fails processing).
        filename = entry.get("filename") or staged.rsplit("/", 1)[-1]
        match = store_image(shop, shop.staged_uploads.get(staged, b""), filename, entry.get("alt"), now)
        match.original_source = source
    elif match is None:
        match = MediaImage(
            id=shop.next_id(),
            created_at=now,
            updated_at=now,
            alt=entry.get("alt"),
            original_source=source or "",
            mime_type=mimetypes.guess_type(entry.get("filename") or source or "")[0],
        )
        shop.media[match.id] = match
    elif "alt" in entry and entry["alt"] != match.alt:
        match.alt = entry["alt"]
        match.updated_at = now
    return match


def set_product_files(shop, product, files, now):
    """productSet `files`: the product's media become exactly these (others are removed)."""
    kept = [media_for(shop, product, entry, now).id for entry in files]
    for media_id in product.media_ids:
        if media_id not in kept:
            shop.media.pop(media_id, None)
            shop.files.pop(media_id, None)
    # A deleted image leaves the variants that showed it.
    for variant_id in product.variant_ids:
        variant = shop.variants.get(variant_id)
        if variant is not None:
            variant.media_ids = [media_id for media_id in variant.media_ids if media_id in kept]
    product.media_ids = list(dict.fromkeys(kept))


def add_product_media(shop, product, entries, now):
    """productCreate/productUpdate `media`: images appended to the product's."""
    for entry in entries:
        media = media_for(shop, product, entry, now)
        if media.id not in product.media_ids:
            product.media_ids.append(media.id)


def set_variant_file(shop, product, variant, entry, now):
    """A variant's `file`: one of its product's images (added to the product when new)."""
    media = media_for(shop, product, entry, now)
    if media.id not in product.media_ids:
        product.media_ids.append(media.id)
    variant.media_ids = [media.id]


def forget_product_media(shop, product):
    for media_id in product.media_ids:
        shop.media.pop(media_id, None)
        shop.files.pop(media_id, None)
