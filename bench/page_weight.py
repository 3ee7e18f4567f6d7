"""First-load transfer of the pages an innovator uses on a phone: the HTML and every stylesheet, script, font
and image it loads, as the server sends them compressed (whitenoise's gzip files, the page gzipped by nginx).

Target (issue 15): the indicator page, the one an innovator fills row by row, at most 250 KB on first load.

    .venv/bin/python bench/page_weight.py
"""

import gzip
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import demo_cycle, start_django

TARGET_BYTES = 250 * 1000
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/static/[^"]+)"')
CSS_URL = re.compile(r"url\(['\"]?([^'\")]+)['\"]?\)")


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def static_bytes(path: str) -> bytes:
    from django.contrib.staticfiles import finders

    found = finders.find(path.removeprefix("/static/").split("?")[0].split("#")[0])
    return Path(found).read_bytes() if found else b""


def assets_of(html: str) -> list[str]:
    """Every static file the page loads, with what its stylesheets load in turn (fonts, images)."""
    seen: list[str] = []
    queue = ASSET.findall(html)
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.append(path)
        if path.endswith(".css"):
            for reference in CSS_URL.findall(static_bytes(path).decode("utf-8", "replace")):
                if not reference.startswith(("data:", "http:", "https:")):
                    queue.append(urljoin(path, reference).split("?")[0].split("#")[0])
    return seen


def weigh(client, url: str) -> tuple[int, int, list[tuple[str, int]]]:
    response = client.get(url)
    if response.status_code != 200:  # a redirect or an error page would weigh next to nothing
        raise SystemExit(f"{url} answered {response.status_code}, not the page")
    html = response.content
    files = [(path, compressed(static_bytes(path))) for path in assets_of(html.decode())]
    return compressed(html), sum(size for _path, size in files), files


def main() -> int:
    start_django()
    from django.test import Client

    from agencies.models import User
    from registry.entries import start_entry

    cycle, _admin = demo_cycle()
    innovator = User.objects.get(email="inovator.dinkes@parepare.demo")
    entry = start_entry(agency=innovator.agencies.first(), cycle=cycle, by=innovator, name="Posyandu Digital")
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(innovator)
    pages = [
        ("indicator page (SID-16)", f"/entries/{entry.pk}/indicators/SID-16/"),
        ("profile", f"/entries/{entry.pk}/profile/"),
        ("entry overview", f"/entries/{entry.pk}/"),
        ("home", "/"),
    ]
    print("| page | HTML (gzip) | assets (gzip) | first load | target |")
    print("|---|---|---|---|---|")
    met = True
    for name, url in pages:
        html, assets, files = weigh(client, url)
        total = html + assets
        target = ""
        if name.startswith("indicator"):
            met = total <= TARGET_BYTES
            target = f"≤ {TARGET_BYTES / 1000:.0f} KB: {'met' if met else 'NOT met'}"
            heaviest = sorted(files, key=lambda item: -item[1])[:5]
        print(
            f"| {name} | {html / 1000:.1f} KB | {assets / 1000:.1f} KB | {total / 1000:.1f} KB | {target} |"
        )
    print("\nHeaviest assets of the indicator page (gzip):")
    for path, size in heaviest:
        print(f"  {size / 1000:7.1f} KB  {path}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
