"""`hebblab serve`: the page asks no other host for anything (fonts included), and every
asset it names is served by hebblab itself."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from hebblab.cli.commands import serve

PUBLIC = "http://127.0.0.1:8765"


def page_urls(html: str) -> list[str]:
    found = re.findall(r'(?:src|href)\s*=\s*"([^"]+)"', html) + re.findall(r'url\(\s*["\']?([^"\')]+)', html)
    return [u for u in found if not u.startswith("#")]


def test_served_page_references_no_external_host(tmp_path):
    from aiohttp.test_utils import TestClient, TestServer

    server_class = serve.bound_server_class()
    server = server_class(serve.command_line("lif"), [], host="127.0.0.1", port=8765, title="hebblab",
                          public_url=PUBLIC, templates_path=serve.offline_templates(tmp_path))

    async def fetch():
        client = TestClient(TestServer(await server._make_app()))
        await client.start_server()
        try:
            html = await (await client.get("/")).text()
            urls = page_urls(html)
            statuses = {}
            for url in urls:
                response = await client.get(urlsplit(url).path)
                statuses[url] = response.status
                await response.read()
            return html, urls, statuses
        finally:
            await client.close()

    html, urls, statuses = asyncio.run(fetch())
    assert "fonts.googleapis" not in html and "Roboto Mono" in html
    assert urls, "the page names its assets"
    external = [u for u in urls if urlsplit(u).netloc not in ("", urlsplit(PUBLIC).netloc)]
    assert external == []
    assert any(u.endswith(".ttf") for u in urls)  # the font comes from hebblab's own static files
    assert all(status == 200 for status in statuses.values()), statuses
    # Nothing else that a browser would fetch from elsewhere (an @import, a protocol-relative URL).
    assert not re.search(r'@import|["\'(]//', html)


def test_offline_page_replaces_the_web_font_link():
    page = '<head>\n<link\n  rel="stylesheet"\n  href="https://fonts.googleapis.com/css?family=X"\n/>\n</head>'
    out = serve.offline_page(page)
    assert "googleapis" not in out and "@font-face" in out


def test_low_bandwidth_reaches_each_session():
    assert serve.command_line("lif", low_bandwidth=True).endswith("tui lif --low-bandwidth")
    assert serve.command_line("lif").endswith("tui lif")
