"""The built website, loaded page by page in headless Chromium from a local server.

Checks every page for console errors, failed or remote requests (the site must work
offline), unrendered mathematics, images that did not load, accessibility violations of
serious or critical impact (axe-core), and the search page; checks every internal link and
anchor; and writes a screenshot of each chapter at desktop and phone widths to
``_build/screenshots/`` for review.

Needs Chromium (Debian/Ubuntu: ``apt-get install chromium``, which the README's test command
does where it can); without one the tests are skipped with a message saying so. The site is
the README's build, ``_build/html``; if it is missing or older than the book's sources it is
built first. The pages to check are those of the table of contents (``_toc.yml``) and the
pages Sphinx generates; the build must hold exactly these, so that a page missing from the
build fails its tests and a page the tests do not know of fails the check of the page list.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
SOURCES = ["_config.yml", "_toc.yml", "references.bib", "*.md", "chapters/*.ipynb", "gfbook/**/*.py"]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def chromium() -> str | None:
    for candidate in (os.environ.get("GFBOOK_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


# Pages Sphinx and its extensions write beside the book's own: the redirect to the first page,
# the indices (general, Python modules, proofs) and the search page.
GENERATED = ["index.html", "genindex.html", "py-modindex.html", "prf-prf.html", "search.html"]


def toc_pages() -> list[str]:
    """The book's pages, as the table of contents lists them: its root, then every file entry."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            files.extend([node["file"]] if "file" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [re.sub(r"\.(md|ipynb)$", "", file) + ".html" for file in files]


PAGES = toc_pages() + GENERATED
CHAPTERS = [name for name in PAGES if name.startswith("chapters/")]


def pages() -> list[Path]:
    return sorted(p for p in SITE.rglob("*.html") if not {"_static", "_sources", "_images"} & set(p.relative_to(SITE).parts))


def ensure_built() -> None:
    newest = max(p.stat().st_mtime for pattern in SOURCES for p in ROOT.glob(pattern) if p.name != "README.md")
    index = SITE / "index.html"
    if not index.exists() or index.stat().st_mtime < newest:
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"], check=True)
        index.touch()


# --- static checks: the build has the pages, and every internal link and anchor resolves ------------


def test_the_build_has_every_page_of_the_table_of_contents_and_no_unchecked_page():
    ensure_built()
    entries = re.findall(r"^\s*(?:- )?(?:root|file):", (ROOT / "_toc.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert len(set(toc_pages())) == len(entries) > 1, "the pages read from _toc.yml are not its entries, line by line"
    built = {path.relative_to(SITE).as_posix() for path in pages()}
    missing, unchecked = sorted(set(PAGES) - built), sorted(built - set(PAGES))
    assert not missing, f"pages of the table of contents missing from the build in {SITE}: {missing}"
    assert not unchecked, f"pages the browser tests do not check (add them to GENERATED): {unchecked}"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag in ("a", "img", "link", "script"):
                self.hrefs.append(attrs[key])


@functools.cache
def parsed(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_resolves():
    ensure_built()
    broken = []
    for page in pages():
        for href in parsed(page).hrefs:
            url = urlparse(href)
            if url.scheme or href.startswith(("//", "mailto:", "javascript:")):
                continue  # external: not loaded by the site itself (see the request checks below)
            target = page if not url.path else (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(SITE)}: {href} (no such file)")
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in parsed(target).ids:
                broken.append(f"{page.relative_to(SITE)}: {href} (no such anchor)")
    assert not broken, "\n".join(broken[:40])


# --- the browser ------------------------------------------------------------------------------------

PAGE_REPORT = r"""
() => {
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    if (/\\\(|\\\[|\$\$|\$[^\s$][^$]*[^\s$]\$|\\[a-zA-Z]{2,}|[_^]\{/.test(text)) raw.push(text.trim().slice(0, 80));
  }
  const images = [...document.images].filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src);
  return {
    math: document.querySelectorAll(".math").length,
    unrendered: document.querySelectorAll(".math:not(:has(mjx-container))").length,
    errors: [...document.querySelectorAll("mjx-merror")].map(e => e.textContent.slice(0, 80)),
    raw: raw.slice(0, 10),
    images: images,
    image_count: document.images.length,
  };
}
"""


class _Server(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def browser_report():
    executable = chromium()
    if executable is None:
        pytest.skip("no Chromium found (Debian/Ubuntu: apt-get install chromium; or set GFBOOK_CHROMIUM): "
                    "browser tests skipped")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    ensure_built()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Server, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    SHOTS.mkdir(parents=True, exist_ok=True)
    report = {}
    axe = Axe()
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        for path in pages():
            name = path.relative_to(SITE).as_posix()
            entry = report[name] = {"console": [], "failed": [], "remote": []}
            context = browser.new_context(viewport=WIDTHS["desktop"])

            def route(request_route, entry=entry):
                url = request_route.request.url
                if url.startswith(base) or url.startswith(("data:", "blob:")):
                    request_route.continue_()
                else:  # the site must work offline: any remote request is a failure
                    entry["remote"].append(url)
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda msg, entry=entry: entry["console"].append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda error, entry=entry: entry["console"].append(str(error)))
            page.on("requestfailed", lambda request, entry=entry: entry["failed"].append(request.url))
            page.on("response", lambda response, entry=entry: entry["failed"].append(f"{response.status} {response.url}")
                    if response.status >= 400 else None)
            redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', path.read_text(encoding="utf-8"))
            if redirect:  # index.html only forwards to the first page, which is checked on its own
                entry.update(redirect=redirect.group(1), math=0, unrendered=0, errors=[], raw=[], images=[], axe=[],
                             axe_details=[])
                assert (path.parent / redirect.group(1)).exists(), f"{name} redirects to a missing page"
                context.close()
                continue
            page.goto(urljoin(base, name), wait_until="load")
            page.wait_for_load_state("networkidle")
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            entry.update(page.evaluate(PAGE_REPORT))
            console, failed = list(entry["console"]), list(entry["failed"])
            violations = axe.run(page).response["violations"]
            entry["console"], entry["failed"] = console, failed  # axe's own requests (it refetches stylesheets) not counted
            entry["axe_details"] = [node["any"][0]["message"] for v in violations if v["impact"] in ("serious", "critical")
                                    for node in v["nodes"] if node.get("any")]
            entry["axe"] = [f"{v['id']} ({v['impact']}): {v['help']} -- {len(v['nodes'])} nodes, "
                            f"e.g. {v['nodes'][0]['target']}" for v in violations if v["impact"] in ("serious", "critical")]
            if name.startswith("chapters/"):
                for width, viewport in WIDTHS.items():
                    page.set_viewport_size(viewport)
                    page.screenshot(path=SHOTS / f"{Path(name).stem}-{width}.png")
            context.close()
        context = browser.new_context()
        page = context.new_page()
        page.goto(urljoin(base, "search.html?q=gradient+flow"), wait_until="load")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0", timeout=20_000)
        report["search: gradient flow"] = page.locator("#search-results li").count()
        browser.close()
    server.shutdown()
    return report


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_without_errors(browser_report, name):
    entry = browser_report[name]
    assert not entry["remote"], f"remote requests (the site must be self-contained): {entry['remote']}"
    assert not entry["failed"], f"failed requests: {entry['failed']}"
    assert not entry["console"], f"console errors: {entry['console']}"


@pytest.mark.parametrize("name", PAGES)
def test_mathematics_is_rendered(browser_report, name):
    entry = browser_report[name]
    assert entry["unrendered"] == 0, f"{entry['unrendered']} of {entry['math']} formulas not rendered by MathJax"
    assert not entry["errors"], f"TeX errors: {entry['errors']}"
    assert not entry["raw"], f"raw TeX left in the text: {entry['raw']}"


@pytest.mark.parametrize("name", PAGES)
def test_images_load(browser_report, name):
    assert not browser_report[name]["images"], f"images that did not load: {browser_report[name]['images']}"


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(browser_report, name):
    assert not browser_report[name]["axe"], "\n".join(browser_report[name]["axe"] + browser_report[name]["axe_details"][:5])


def test_chapters_have_mathematics_and_figures(browser_report):
    for name in CHAPTERS:
        assert browser_report[name]["math"] > 50 and browser_report[name]["image_count"] >= 3, name


def test_search_finds_gradient_flow(browser_report):
    assert browser_report["search: gradient flow"] > 0


def test_screenshots_are_written(browser_report):
    for name in CHAPTERS:
        for width in WIDTHS:
            assert (SHOTS / f"{Path(name).stem}-{width}.png").stat().st_size > 10_000


def test_the_api_page_has_an_entry_for_every_public_name():
    # the names come from the package's __all__ (the build warns, an error under -W, if one is left
    # off); here the built page is read: every entry exists under the name a reader uses
    import gfbook
    import gfbook.exercises
    import gfbook.plotting

    ensure_built()
    ids = parsed(SITE / "api.html").ids
    modules = (gfbook, gfbook.plotting, gfbook.exercises)
    names = [f"{module.__name__}.{name}" for module in modules for name in module.__all__]
    assert not [name for name in names if name not in ids], "public names without an entry on the API page"


def test_mathjax_is_served_from_the_build():
    ensure_built()
    assert (SITE / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert re.search(r'src="[^"]*_static/mathjax/tex-chtml\.js', (SITE / "intro.html").read_text(encoding="utf-8"))
