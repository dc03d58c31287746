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
# GFBOOK_SITE=DIR checks a site built elsewhere (an older build, say) as it is, without building
SITE = Path(os.environ.get("GFBOOK_SITE") or ROOT / "_build" / "html")
SHOTS = ROOT / "_build" / "screenshots"
SOURCES = ["_config.yml", "_toc.yml", "references.bib", "*.md", "chapters/*.ipynb", "gfbook/**/*.py"]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# Searches whose result summaries are checked for raw TeX ("sharpness" is written in formulas).
SEARCHES = ["gradient flow", "sharpness"]


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
    if os.environ.get("GFBOOK_SITE"):
        return
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

# Raw TeX in the rendered text: delimiters MathJax did not take, commands (\alpha, \text, \_, \,),
# subscripts and superscripts with braces.
RAW_TEX = r"\\\(|\\\[|\$\$|\$[^\s$][^$]*[^\s$]\$|\\[a-zA-Z]+|\\[_{}%&#,;:!|]|[_^]\{"
# Sentences about how the book was made (design notes: "the book speaks of mathematics").
MAKING_OF = r"not available to us|full text of the paper|could not be (?:read|fetched)"

PAGE_REPORT = r"""
([rawTeX, makingOf]) => {
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight";
  const raw = [];
  const rawPattern = new RegExp(rawTeX);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    if (rawPattern.test(text)) raw.push(text.trim().slice(0, 80));
  }
  const images = [...document.images].filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src);
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const text = [...document.body.querySelectorAll(":scope > :not(script):not(style)")].map(el => el.textContent).join(" ");
  const sidebar = [...document.querySelectorAll(".bd-sidebar-primary nav.bd-links a")].filter(visible);
  return {
    math: document.querySelectorAll(".math").length,
    unrendered: document.querySelectorAll(".math:not(:has(mjx-container))").length,
    errors: [...document.querySelectorAll("mjx-merror")].map(e => e.textContent.slice(0, 80)),
    raw: raw.slice(0, 10),
    images: images,
    image_count: document.images.length,
    making_of: [...text.matchAll(new RegExp(`.{0,40}(?:${makingOf}).{0,40}`, "gi"))].map(m => m[0].trim()),
    // characters a browser draws from an emoji font (a box where none is installed)
    emoji: [...new Set(text.match(/\p{Emoji_Presentation}/gu) || [])],
    search_fields: [...document.querySelectorAll(".search-button-field")].filter(visible).length,
    header_search: [...document.querySelectorAll(".bd-header .search-button-field, .bd-header .bd-search")]
      .filter(visible).length,
    sidebar_bottom: sidebar.length ? sidebar[sidebar.length - 1].getBoundingClientRect().bottom : null,
    viewport_height: window.innerHeight,
    toc_paths: [...document.querySelectorAll(".bd-sidebar-secondary .page-toc a")]
      .filter(a => a.querySelector(".xref") || /[\w-]+\/\d\d_[\w-]+|\.(?:md|ipynb)\b/.test(a.textContent))
      .map(a => a.textContent.trim()),
  };
}
"""

# What a reader sees of code, outputs, tables, display mathematics and figures at the current window
# width: what overflows its box (and whether it scrolls, with a scroll cue), and each chapter figure's
# natural and rendered width. benchmarks/reading.py prints the same measurements for a whole site.
READING_REPORT = r"""
() => {
  const text = (el) => (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 70);
  const px = (value) => parseFloat(value) || 0;
  const article = document.querySelector("article.bd-article") || document.body;
  const style = getComputedStyle(article);
  const column = article.clientWidth - px(style.paddingLeft) - px(style.paddingRight);
  const overflows = (el) => el.scrollWidth > el.clientWidth + 1;
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const cue = (el) => {  // a gradient or a shadow on the scrolling box (see _static/gfbook.css)
    const style = getComputedStyle(el);
    return style.backgroundImage.includes("gradient") || style.boxShadow !== "none";
  };
  const overflow = [];
  for (const [kind, selector] of [["code", "div.cell_input pre"], ["output", "div.cell_output pre"]]) {
    for (const el of article.querySelectorAll(selector)) {
      if (overflows(el)) overflow.push({kind, text: text(el), content: el.scrollWidth, box: el.clientWidth});
    }
  }
  const tables = [];
  for (const table of article.querySelectorAll("table")) {
    // a table scrolls itself (display: block) or inside its parent (the theme's scrolling container)
    const box = table.parentElement;
    const width = Math.round(table.getBoundingClientRect().width);
    const self = overflows(table) && scrolls(table);
    if (self || width > box.clientWidth + 1 || width > column + 1) {
      const scroller = self ? table : scrolls(box) ? box : null;
      tables.push({text: text(table), content: self ? table.scrollWidth : width, box: (scroller || box).clientWidth,
                   clipped: !scroller, scrolls: Boolean(scroller), cue: Boolean(scroller && cue(scroller))});
    }
  }
  const tex = (box) => {
    try { return MathJax.startup.document.getMathItemsWithin(box)[0].math.trim().replace(/\s+/g, " ").slice(0, 70); }
    catch (error) { return text(box); }
  };
  const display = [];
  const equations = article.querySelectorAll("div.math");
  for (const box of equations) {
    const jax = box.querySelector("mjx-container");
    if (!jax) continue;
    const clipped = (overflows(box) && !scrolls(box)) || (overflows(jax) && !scrolls(jax));
    const scroller = [jax, box].find(el => overflows(el) && scrolls(el));
    if (clipped || scroller) {
      const measured = scroller || box;
      display.push({tex: tex(box), content: measured.scrollWidth, box: measured.clientWidth, clipped,
                    scrolls: Boolean(scroller), cue: Boolean(scroller && cue(scroller))});
    }
  }
  // inline formulas that stick out of their paragraph (MathJax 3 does not break lines), or scroll
  const inline = [];
  for (const jax of article.querySelectorAll('mjx-container:not([display="true"])')) {
    let block = jax.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
    const blockStyle = getComputedStyle(block);
    const edge = block.getBoundingClientRect().right - px(blockStyle.paddingRight) - px(blockStyle.borderRightWidth);
    const clipped = jax.getBoundingClientRect().right > edge + 1;
    const scroller = overflows(jax) && scrolls(jax) ? jax : null;
    if (clipped || scroller) {
      inline.push({tex: tex(jax), content: jax.scrollWidth, box: jax.clientWidth, clipped,
                   scrolls: Boolean(scroller), cue: Boolean(scroller && cue(scroller))});
    }
  }
  const figures = [...article.querySelectorAll("div.cell_output img")].map(img => ({
    src: img.src.split("/").pop().slice(0, 16), natural: img.naturalWidth,
    rendered: Math.round(img.getBoundingClientRect().width * 10) / 10,
  }));
  return {width: window.innerWidth, column: Math.round(column), overflow, tables, display, inline, figures,
          code_count: article.querySelectorAll("div.cell_input pre").length,
          output_count: article.querySelectorAll("div.cell_output pre").length,
          equation_count: equations.length};
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
                             axe_details=[], making_of=[], emoji=[], toc_paths=[], search_fields=None, reading={})
                assert (path.parent / redirect.group(1)).exists(), f"{name} redirects to a missing page"
                context.close()
                continue
            page.goto(urljoin(base, name), wait_until="load")
            page.wait_for_load_state("networkidle")
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            entry.update(page.evaluate(PAGE_REPORT, [RAW_TEX, MAKING_OF]))
            console, failed = list(entry["console"]), list(entry["failed"])
            violations = axe.run(page).response["violations"]
            entry["console"], entry["failed"] = console, failed  # axe's own requests (it refetches stylesheets) not counted
            entry["axe_details"] = [node["any"][0]["message"] for v in violations if v["impact"] in ("serious", "critical")
                                    for node in v["nodes"] if node.get("any")]
            entry["axe"] = [f"{v['id']} ({v['impact']}): {v['help']} -- {len(v['nodes'])} nodes, "
                            f"e.g. {v['nodes'][0]['target']}" for v in violations if v["impact"] in ("serious", "critical")]
            entry["reading"] = {}
            for width, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                # the window has its new width; then ten frames for the theme's own reaction to it and
                # what the page's scripts do when the column narrows (gfbook-math.js marks long inline
                # formulas: measured here, after four frames)
                page.wait_for_function(f"() => window.innerWidth === {viewport['width']}")
                page.evaluate("() => new Promise(done => { let frames = 10; const next = () => "
                              "(--frames ? requestAnimationFrame(next) : done()); requestAnimationFrame(next); })")
                entry["reading"][width] = page.evaluate(READING_REPORT)
                if name.startswith("chapters/"):
                    page.screenshot(path=SHOTS / f"{Path(name).stem}-{width}.png")
            context.close()
        context = browser.new_context()
        page = context.new_page()
        for query in SEARCHES:
            page.goto(urljoin(base, f"search.html?q={query.replace(' ', '+')}"), wait_until="load")
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0", timeout=20_000)
            page.wait_for_function("() => /Search finished/.test(document.querySelector('#search-results').textContent)",
                                   timeout=20_000)
            page.wait_for_load_state("networkidle")  # the summaries are fetched page by page
            report[f"search: {query}"] = {
                "results": page.locator("#search-results li").count(),
                "summaries": page.eval_on_selector_all("#search-results p.context", "ps => ps.map(p => p.textContent)"),
            }
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


# --- reading: what overflows, what is too small to read, what a reader should not see -----------------


def _reading(browser_report, name, width):
    reading = browser_report[name]["reading"]
    if not reading:
        pytest.skip(f"{name} only redirects to another page")
    return reading[width]


def _listing(items, keys=("text", "tex", "content", "box")):
    return "\n".join("  " + ", ".join(f"{key}={item[key]!r}" for key in keys if key in item) for item in items[:12])


@pytest.mark.parametrize("name", PAGES)
def test_code_outputs_and_tables_fit_the_column_at_desktop_width(browser_report, name):
    """At 1280 px no code cell, printed output or table is wider than its box (nothing to scroll sideways)."""
    reading = _reading(browser_report, name, "desktop")
    wide = reading["overflow"] + [table | {"kind": "table"} for table in reading["tables"]]
    assert not wide, (f"{len(wide)} code cells, outputs or tables wider than their box at {reading['width']} px "
                      f"(content and box widths in px):\n" + _listing(wide, ("kind", "text", "content", "box")))


@pytest.mark.parametrize("name", PAGES)
def test_display_mathematics_fits_at_desktop_width(browser_report, name):
    """At 1280 px no display equation is wider than its box: neither clipped nor left to scroll."""
    reading = _reading(browser_report, name, "desktop")
    assert not reading["display"], (f"{len(reading['display'])} of {reading['equation_count']} display equations wider "
                                    f"than their box at {reading['width']} px:\n" + _listing(reading["display"]))


@pytest.mark.parametrize("name", PAGES)
def test_wide_mathematics_and_tables_scroll_with_a_cue_on_a_phone(browser_report, name):
    """At 390 px a display equation, inline formula or table wider than its box scrolls (never clipped), with a cue."""
    reading = _reading(browser_report, name, "phone")
    wide = reading["display"] + reading["inline"] + reading["tables"]
    clipped = [item for item in wide if item["clipped"] or not item["scrolls"]]
    no_cue = [item for item in wide if item["scrolls"] and not item["cue"]]
    assert not clipped, f"clipped at {reading['width']} px (overflow-x is not auto):\n" + _listing(clipped)
    assert not no_cue, f"scrolling without a scroll cue at {reading['width']} px (_static/gfbook.css):\n" + _listing(no_cue)


@pytest.mark.parametrize("name", CHAPTERS)
def test_figures_are_legible_and_fit_the_column(browser_report, name):
    """Each figure is shown at a scale where its smallest text is at least 12 px (9 pt), and no wider than the column.

    gfbook.plotting draws the smallest text at MIN_FONT_PT points in a PNG of DPI dots per inch, so
    MIN_FONT_PT * DPI / 72 pixels high in the image; shown at rendered / natural width, that text is
    12 px or more when the ratio is at least 12 / (MIN_FONT_PT * DPI / 72).
    """
    from gfbook.plotting import DPI, MIN_FONT_PT

    reading = _reading(browser_report, name, "desktop")
    figures = [figure for figure in reading["figures"] if figure["natural"]]
    assert figures, f"no figures measured on {name}"
    minimum = 12 / (MIN_FONT_PT * DPI / 72)
    small = [f"{f['src']}: {f['natural']} px shown at {f['rendered']} px, smallest text "
             f"{f['rendered'] / f['natural'] * MIN_FONT_PT * DPI / 72:.1f} px" for f in figures
             if f["rendered"] / f["natural"] < minimum - 1e-9]
    wide = [f"{f['src']}: {f['rendered']} px" for f in figures if f["rendered"] > reading["column"] + 1]
    assert not small, f"figures whose smallest text is under 12 px at {reading['width']} px:\n" + "\n".join(small)
    assert not wide, f"figures wider than the {reading['column']} px column:\n" + "\n".join(wide)


@pytest.mark.parametrize("name", PAGES)
def test_no_sentence_about_how_the_book_was_made(browser_report, name):
    assert not browser_report[name]["making_of"], browser_report[name]["making_of"]


@pytest.mark.parametrize("name", PAGES)
def test_no_character_that_needs_an_emoji_font(browser_report, name):
    # without an emoji font installed (common on Linux) these show as an empty box
    assert not browser_report[name]["emoji"], browser_report[name]["emoji"]


@pytest.mark.parametrize("name", PAGES)
def test_right_hand_contents_lists_titles_not_paths(browser_report, name):
    # a cross-reference in a heading shows its raw target in the page's contents
    assert not browser_report[name]["toc_paths"], browser_report[name]["toc_paths"]


@pytest.mark.parametrize("name", [page for page in PAGES if page not in ("index.html", "search.html")])
def test_one_search_box_and_the_whole_sidebar_above_the_fold(browser_report, name):
    entry = browser_report[name]
    assert entry["header_search"] == 0, "a search box in the header bar (html_theme_options: navbar_persistent: [])"
    assert entry["search_fields"] == 1, f"{entry['search_fields']} search boxes"
    assert entry["sidebar_bottom"] <= entry["viewport_height"], (
        f"the sidebar's last entry ends at {entry['sidebar_bottom']:.0f} px, below the {entry['viewport_height']} px window")


def test_chapters_have_mathematics_and_figures(browser_report):
    for name in CHAPTERS:
        assert browser_report[name]["math"] > 50 and browser_report[name]["image_count"] >= 3, name


def test_search_finds_gradient_flow(browser_report):
    assert browser_report["search: gradient flow"]["results"] > 0


def test_search_summaries_show_no_raw_tex(browser_report):
    # Sphinx makes a result's summary from the page's HTML, where formulas are TeX source;
    # _static/gfbook-search.js turns them into plain text first
    for query in SEARCHES:
        summaries = browser_report[f"search: {query}"]["summaries"]
        assert summaries, f"no result summaries for {query!r}"
        raw = [summary[:120] for summary in summaries if re.search(RAW_TEX, summary)]
        assert not raw, f"raw TeX in the summaries of a search for {query!r}: {raw}"


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


def test_the_execution_page_names_the_machine_its_times_were_measured_on():
    ensure_built()
    page = re.sub(r"<[^>]+>", " ", (SITE / "execution.html").read_text(encoding="utf-8"))
    page = " ".join(page.split())
    measured = re.search(r"Measured on (one machine: .+?, \d+ cores available to the build|more than one machine)", page)
    assert measured or "are not shown" in page, "the execution page shows times without their machine (_ext/gfbook_site.py)"
    for chapter in CHAPTERS:
        assert f'href="{chapter}"' in (SITE / "execution.html").read_text(encoding="utf-8"), chapter


def test_mathjax_is_served_from_the_build():
    ensure_built()
    assert (SITE / "_static" / "mathjax" / "tex-chtml.js").exists()
    assert re.search(r'src="[^"]*_static/mathjax/tex-chtml\.js', (SITE / "intro.html").read_text(encoding="utf-8"))
