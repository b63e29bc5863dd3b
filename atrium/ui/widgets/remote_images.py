"""Fetching a post's remote images, only after the person clicked "click to load" (consent).

Bounded: a few images, each a few MiB, only image content types; failures are reported, not raised.
"""

from __future__ import annotations

import re

import httpx
from PySide6.QtGui import QImage

from atrium.app.markdown import render_markdown

MAX_IMAGES = 12
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_IMG_SRC = re.compile(r'<img src="(https?://[^"]+)"')


def remote_image_urls(*markdown_texts: str) -> list[str]:
    """The http(s) images these bodies would show (as rendered with consent), first MAX_IMAGES."""
    urls: list[str] = []
    for text in markdown_texts:
        rendered = render_markdown(text, allow_remote_images=True)
        for url in _IMG_SRC.findall(rendered):
            url = url.replace("&amp;", "&")
            if url not in urls:
                urls.append(url)
    return urls[:MAX_IMAGES]


async def fetch_images(urls: list[str], proxy: str = "") -> tuple[dict[str, QImage], list[str]]:
    """(url -> image for those that loaded, messages for those that did not)."""
    images: dict[str, QImage] = {}
    problems: list[str] = []
    async with httpx.AsyncClient(follow_redirects=True, timeout=15, proxy=proxy or None) as client:
        for url in urls:
            try:
                async with client.stream("GET", url, headers={"Accept": "image/*"}) as response:
                    response.raise_for_status()
                    if not response.headers.get("content-type", "").lower().startswith("image/"):
                        problems.append(f"{url}: not an image")
                        continue
                    data = bytearray()
                    async for chunk in response.aiter_bytes():
                        data.extend(chunk)
                        if len(data) > MAX_IMAGE_BYTES:
                            raise ValueError("image too large")
            except (httpx.HTTPError, ValueError, OSError) as error:
                problems.append(f"{url}: {error}")
                continue
            image = QImage.fromData(bytes(data))
            if image.isNull():
                problems.append(f"{url}: unreadable image")
            else:
                images[url] = image
    return images, problems
