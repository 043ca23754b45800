"""What a first visit to a page transfers: the page and every file it loads (styles, scripts,
images, the manifest), each asked for compressed the way a browser asks. Prints kilobytes.

Usage: python bench/page_weight.py URL [URL ...]
"""

import gzip
import re
import sys
import urllib.request
from urllib.parse import urljoin

ASSETS = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')
HEADERS = {"Accept-Encoding": "gzip, br", "User-Agent": "page-weight"}


def fetch(url: str) -> tuple[int, str, str]:
    """Bytes on the wire, the text when it is HTML, and the content encoding."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=HEADERS)) as response:  # noqa: S310 (local URLs)
        body = response.read()
        encoding = response.headers.get("Content-Encoding", "")
        text = ""
        if "html" in response.headers.get("Content-Type", ""):
            text = (gzip.decompress(body) if encoding == "gzip" else body).decode()
        return len(body), text, encoding


def first_visit(url: str) -> tuple[int, int, str]:
    size, html, encoding = fetch(url)
    assets = {urljoin(url, href) for href in ASSETS.findall(html)}
    total = size + sum(fetch(asset)[0] for asset in sorted(assets))
    return size, total, encoding


if __name__ == "__main__":
    for url in sys.argv[1:]:
        html, total, encoding = first_visit(url)
        print(f"{url} {html} {total} {encoding or 'none'}")
