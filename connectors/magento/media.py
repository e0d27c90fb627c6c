"""A product's images on Magento, for publish and sync alike ("Direct Copy").

Each URL is fetched and uploaded (`POST /V1/products/{sku}/media`, base64) labelled with its
URL, so a later write knows which it already sent; an image Magento already serves at that
URL (the import's `<media URL>/<file>`) counts as sent too. With "Override or Delete
Existing Images" false the images are added beside the existing ones and never twice; true
makes the gallery exactly ours (the others are removed).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from typing import Any

import httpx

from .client import MagentoClient

IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif"}


class Refused(Exception):
    """A listing Magento (or a setting) refuses; the message is the operator's line."""


async def remove_images(client: MagentoClient, sku: str) -> None:
    """ "Set to Empty": every gallery entry of the product goes."""
    for entry in await client.media(sku):
        await client.delete_media(sku, int(entry["id"]))


async def copy_images(
    client: MagentoClient,
    fetch: httpx.AsyncClient,
    sku: str,
    urls: Sequence[str],
    *,
    override: bool,
    media_url: str = "",
) -> None:
    """Upload the images of `urls` Magento does not have yet; with `override`, remove the
    ones that are not ours."""
    current = await client.media(sku)
    ours = set(urls)
    base = media_url.rstrip("/")

    def served(entry: dict[str, Any]) -> str:
        return f"{base}/{str(entry.get('file') or '').lstrip('/')}" if base else ""

    if override:
        for entry in current:
            if entry.get("label") not in ours and served(entry) not in ours:
                await client.delete_media(sku, int(entry["id"]))
    sent = {str(e.get("label")) for e in current} | {served(e) for e in current}
    for position, url in enumerate(urls, 1):
        if url in sent:
            continue  # sent by an earlier write, or already there: never twice
        await client.add_media(sku, await image_entry(fetch, url, position))


async def image_entry(fetch: httpx.AsyncClient, url: str, position: int) -> dict[str, Any]:
    """A gallery entry for the image at `url` (fetched now), labelled with its URL."""
    try:
        response = await fetch.get(url)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise Refused(f"image {url} could not be fetched ({type(exc).__name__})") from None
    ext = url.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower()
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    kind = kind if kind in IMAGE_TYPES.values() else IMAGE_TYPES.get(ext, "image/jpeg")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", url.rsplit("/", 1)[-1].split("?")[0]) or "image"
    return {
        "media_type": "image",
        "label": url,
        "position": position,
        "disabled": False,
        "types": ["image", "small_image", "thumbnail"] if position == 1 else [],
        "content": {
            "base64_encoded_data": base64.b64encode(response.content).decode(),
            "type": kind,
            "name": name,
        },
    }
