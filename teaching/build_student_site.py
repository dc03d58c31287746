"""Build the student edition of the website: the same book with every solution removed.

Usage (from the repository root)::

    .venv/bin/python -m teaching.build_student_site [--out _build/student]

The book's pages are staged in ``<out>/src`` with each chapter replaced by its student
version (:mod:`teaching.student_notebooks`: solutions' prose and code removed, an empty answer cell left
per exercise), and built there with ``jupyter-book build -W -n`` (warnings are errors, as for
the full edition). The site lands in ``<out>/src/_build/html``. The chapters are executed for
this edition (their code differs from the full edition's, so the cache does not apply): a few
minutes on a laptop.

Why not sphinx-exercise's ``hide_solutions`` option? With the book's gated solutions
(``solution-start`` / ``solution-end``) it fails in sphinx-exercise 1.x with "unknown node type:
solution_end_node", and it would hide the prose only, not remove the code from the notebooks
that readers download.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from teaching.notebooks import ROOT, chapters, load, save
from teaching.student_notebooks import student_version

TOC_PAGES = re.findall(r"(?:root|file):\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
PAGES = ["_toc.yml", "references.bib"] + [f"{page}.md" for page in TOC_PAGES if (ROOT / f"{page}.md").exists()]
FOLDERS = ["_ext", "_static"]  # the site's local Sphinx extension and its static files


def stage(out: Path) -> Path:
    """Write the student edition's sources to ``out / "src"`` and return that folder."""
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "chapters").mkdir(parents=True)
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{config.get('title', 'Book')} (student edition)"
    (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    for name in PAGES:
        shutil.copy(ROOT / name, src / name)
    for name in FOLDERS:
        shutil.copytree(ROOT / name, src / name)
    for path in chapters():
        save(student_version(load(path)), src / "chapters" / path.name)
    return src


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student", help="output folder")
    args = parser.parse_args(argv)
    src = stage(args.out)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jupyter_book), "build", str(src), "-W", "-n", "--keep-going"], check=True)
    site = src / "_build" / "html"
    print(f"student edition written to {site}")
    return site


if __name__ == "__main__":
    main()
