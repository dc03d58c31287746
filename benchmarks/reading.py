"""How a built website reads, chapter by chapter: what overflows, what is clipped, how small figure text gets.

Run by hand on a built site (a measurement, not a test)::

    .venv/bin/python benchmarks/reading.py [SITE] [--dpi DPI] [--min-font PT]

``SITE`` defaults to ``_build/html``. For each chapter, at a 1280 px window, it counts the code
cells and printed outputs wider than their box (they scroll sideways), tables wider than their
box, and display equations wider than their box (clipped, or left to scroll); at a 390 px
window (a phone), the display equations and tables wider than their box that are clipped or
scroll without a scroll cue; and it gives the smallest text of the chapter's figures in CSS
pixels, at 1280 px, as ``rendered width / natural width * MIN_FONT * DPI / 72``: a figure's
smallest text is ``MIN_FONT`` points in a PNG of ``DPI`` dots per inch, shown scaled. ``--dpi``
and ``--min-font`` default to ``gfbook.plotting.DPI`` and ``MIN_FONT_PT``; a site built before
that convention needs its own (the figures of the first edition were 100 dpi, with legends set
as small as 7 pt: ``--dpi 100 --min-font 7``).

The measurements are those of ``tests/test_site.py`` (its ``READING_REPORT``), which fails
where this script counts anything but the figure sizes, or finds a figure under 12 px.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from test_site import CHAPTERS, READING_REPORT, WIDTHS, chromium  # noqa: E402 -- the tests' own measurements


def measure(site: Path) -> dict[str, dict]:
    """``{chapter: {"desktop": report, "phone": report}}`` for every chapter page of ``site``."""
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    reports = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True, args=["--no-sandbox"])
        for name in CHAPTERS:
            if not (site / name).exists():
                print(f"{name}: not in {site}", file=sys.stderr)
                continue
            page = browser.new_page(viewport=WIDTHS["desktop"])
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
            page.goto(urljoin(base, name), wait_until="load")
            page.wait_for_load_state("networkidle")
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            reports[name] = {}
            for width, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                reports[name][width] = page.evaluate(READING_REPORT)
            page.close()
        browser.close()
    server.shutdown()
    return reports


def summary(reports: dict[str, dict], dpi: float, min_font: float) -> list[dict]:
    rows = []
    for name, report in reports.items():
        desktop, phone = report["desktop"], report["phone"]
        fonts = [f["rendered"] / f["natural"] * min_font * dpi / 72 for f in desktop["figures"] if f["natural"]]
        phone_wide = phone["display"] + phone["tables"]
        rows.append({
            "chapter": Path(name).stem,
            "code": f"{sum(item['kind'] == 'code' for item in desktop['overflow'])}/{desktop['code_count']}",
            "outputs": f"{sum(item['kind'] == 'output' for item in desktop['overflow'])}/{desktop['output_count']}",
            "tables": str(len(desktop["tables"])),
            "eq wide": f"{len(desktop['display'])}/{desktop['equation_count']}",
            "eq clipped": str(sum(item["clipped"] for item in desktop["display"])),
            "390 clipped": str(sum(item["clipped"] or not item["scrolls"] for item in phone_wide)),
            "390 no cue": str(sum(item["scrolls"] and not item["cue"] for item in phone_wide)),
            "390 wide": str(len(phone_wide)),
            "min font px": f"{min(fonts):.1f}" if fonts else "-",
            "figs < 12 px": f"{sum(font < 12 - 1e-9 for font in fonts)}/{len(fonts)}",
        })
    return rows


def main(argv: list[str] | None = None) -> None:
    from gfbook.plotting import DPI, MIN_FONT_PT

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--dpi", type=float, default=DPI, help=f"dots per inch of the figures (default {DPI})")
    parser.add_argument("--min-font", type=float, default=MIN_FONT_PT,
                        help=f"points: the smallest text in the figures (default {MIN_FONT_PT})")
    args = parser.parse_args(argv)
    if chromium() is None:
        sys.exit("no Chromium found (set GFBOOK_CHROMIUM)")
    rows = summary(measure(args.site), args.dpi, args.min_font)
    if not rows:
        sys.exit(f"no chapter pages in {args.site}")
    print(f"{args.site} at {WIDTHS['desktop']['width']} px (and {WIDTHS['phone']['width']} px where marked 390); "
          f"figure text: {args.min_font:g} pt at {args.dpi:g} dpi")
    print("code, outputs: cells wider than their box / cells; tables: wider than their box; eq wide: display equations "
          "wider than their box / equations; eq clipped: of those, clipped rather than scrolling")
    keys = list(rows[0])
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in keys}
    print("  ".join(key.ljust(widths[key]) for key in keys))
    for row in rows:
        print("  ".join(row[key].ljust(widths[key]) for key in keys))


if __name__ == "__main__":
    main()
