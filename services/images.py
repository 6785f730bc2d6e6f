"""Product images on the wire: what counts as an image, downloading one from Shopify's CDN, the staged
upload of one. No ORM: the model layer (models/products/image_binding.py) decides what to move.

An image's identity is the SHA-1 of its bytes, the checksum Odoo's attachments already store, so an Odoo
image is compared without reading it."""

import hashlib

import requests

# Shopify refuses images above 20 MB (and 20 megapixels); checked before anything is uploaded.
MAX_IMAGE_BYTES = 20 * 1024 * 1024

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)


class ImageError(Exception):
    """One image that cannot be moved (broken, too large, unreachable): that image alone fails."""


def checksum(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def sniff(data: bytes) -> tuple[str, str] | None:
    """`(MIME type, extension)` of the image formats Shopify accepts, or None."""
    for magic, mime, extension in _MAGIC:
        if data.startswith(magic):
            return mime, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check(data: bytes | None, what: str) -> tuple[str, str]:
    """`(MIME type, extension)` of an image we may send; ImageError saying why not otherwise."""
    if not data:
        raise ImageError(f"{what} is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(
            f"{what} is {len(data) / 1048576:.1f} MB; Shopify accepts images up to "
            f"{MAX_IMAGE_BYTES // 1048576} MB."
        )
    kind = sniff(data)
    if kind is None:
        raise ImageError(f"{what} is not a PNG, JPEG, GIF or WebP image.")
    return kind


def download(url: str, timeout: float = 30.0, session: requests.Session | None = None) -> bytes:
    """The bytes of an image Shopify serves at `url` (a public CDN address: no credentials are sent)."""
    if not url:
        raise ImageError("Shopify gives no address for this image (still processing, or failed).")
    http = session or requests
    try:
        with http.get(url, stream=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise ImageError(f"The image at {url} could not be downloaded (HTTP {response.status_code}).")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data.extend(chunk)
                if len(data) > MAX_IMAGE_BYTES:
                    raise ImageError(f"The image at {url} is larger than {MAX_IMAGE_BYTES // 1048576} MB.")
    except requests.RequestException as error:
        raise ImageError(f"The image at {url} could not be downloaded ({type(error).__name__}).") from error
    data = bytes(data)
    check(data, f"The file at {url}")
    return data


def upload(target: dict, filename: str, data: bytes, mime: str, timeout: float = 120.0) -> None:
    """POST one image to its staged upload target (parameters first, then the file)."""
    parameters = {parameter["name"]: parameter["value"] for parameter in target["parameters"]}
    try:
        response = requests.post(
            target["url"], data=parameters, files={"file": (filename, data, mime)}, timeout=timeout
        )
    except requests.RequestException as error:
        raise ImageError(f"The upload of {filename} failed ({type(error).__name__}).") from error
    if response.status_code >= 400:
        raise ImageError(f"The upload of {filename} was refused (HTTP {response.status_code}).")
