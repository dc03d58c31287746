"""Build the student edition of the website: the same book with every solution removed.

Usage (from the repository root)::

    .venv/bin/python -m teaching.build_student_site [--out _build/student]

The book's pages are staged in ``<out>/src`` with each chapter replaced by its student
version (:func:`teaching.student_notebooks.student_version`: solutions' prose and code removed,
answer cells left per exercise, the MyST kept for the website to render), without the page for
instructors (references to it become plain text) and without links to the full notebooks (no
repository, launch or issue buttons: :func:`student_config`; the download button gives the
plain-Markdown student notebook: :func:`plain_downloads`), and built there with
``jupyter-book build -W -n`` (warnings are errors, as for the full edition). The site lands
in ``<out>/src/_build/html``. The chapters are executed for this edition (their code differs
from the full edition's, so the cache does not apply): a few minutes on a laptop.

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

from teaching.notebooks import ROOT, chapters, exercise_labels, load, save, source
from teaching.plain_markdown import plain_notebook
from teaching.student_notebooks import student_version

TOC_PAGES = re.findall(r"(?:root|file):\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
PAGES = ["_toc.yml", "references.bib"] + [f"{page}.md" for page in TOC_PAGES if (ROOT / f"{page}.md").exists()]
FOLDERS = ["_ext", "_static"]  # the site's local Sphinx extension and its static files


HIDDEN_PAGES = ["instructors"]  # pages of the full edition that the student edition leaves out
REMOVED_SETTINGS = ["repository", "launch_buttons"]  # they link to, and launch, the full notebooks
BUTTONS_OFF = ["use_repository_button", "use_issues_button", "use_edit_page_button"]


def student_config(text: str) -> str:
    """The book's ``_config.yml`` for the student edition: its title marked, no link to the full notebooks.

    The repository and launch-button settings go (the Colab and Binder buttons would open the
    chapters with their solutions, the repository and issue buttons lead to them). The download
    button stays: it serves the staged student notebook, which :func:`plain_downloads` replaces
    by its plain-Markdown version after the build.
    """
    config = yaml.safe_load(text)
    config["title"] = f"{config.get('title', 'Book')} (student edition)"
    for name in REMOVED_SETTINGS:
        config.pop(name, None)
    html = config.setdefault("html", {})
    for name in BUTTONS_OFF:
        html[name] = False
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def without_hidden_pages(text: str, pages: list[str] = HIDDEN_PAGES) -> str:
    """Markdown with every reference to ``pages`` (``{doc}`` or ``{ref}`` to the page or its labels) made plain text."""
    for page in pages:
        path = ROOT / f"{page}.md"
        content = path.read_text(encoding="utf-8") if path.exists() else ""
        heading = re.search(r"^#\s+(.+)$", content, re.M)
        title = heading.group(1).strip() if heading else page
        labels = [page, *re.findall(r"^\((\S+)\)=\s*$", content, re.M)]
        names = "|".join(re.escape(name) for name in dict.fromkeys(labels))
        pattern = re.compile(r"\{(?:doc|ref|any)\}`(?:([^`<]*?)\s*<)?(?:\.\./|/)?(?:" + names + r")>?`")
        text = pattern.sub(lambda m, title=title: m.group(1) or f"*{title}* (a page of the instructors' edition)", text)
    return text


def stage(out: Path) -> Path:
    """Write the student edition's sources to ``out / "src"`` and return that folder."""
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "chapters").mkdir(parents=True)
    (src / "_config.yml").write_text(student_config((ROOT / "_config.yml").read_text(encoding="utf-8")),
                                     encoding="utf-8")
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for page in HIDDEN_PAGES:
        toc = re.sub(rf"^[ \t]*- file: {re.escape(page)}[ \t]*\n", "", toc, flags=re.M)
    (src / "_toc.yml").write_text(toc, encoding="utf-8")
    for name in PAGES:
        if name == "_toc.yml" or Path(name).stem in HIDDEN_PAGES:
            continue
        if name.endswith(".md"):
            (src / name).write_text(without_hidden_pages((ROOT / name).read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copy(ROOT / name, src / name)
    for name in FOLDERS:
        shutil.copytree(ROOT / name, src / name)
    for path in chapters():
        notebook = student_version(load(path))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "markdown":
                cell["source"] = without_hidden_pages(source(cell))
        save(notebook, src / "chapters" / path.name)
    return src


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student", help="output folder")
    args = parser.parse_args(argv)
    src = stage(args.out)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(jupyter_book), "build", str(src), "-W", "-n", "--keep-going"], check=True)
    site = src / "_build" / "html"
    plain_downloads(site)
    print(f"student edition written to {site}")
    return site


def plain_downloads(site: Path) -> list[Path]:
    """Make each chapter's download button give the plain-Markdown student notebook (for plain Jupyter and Colab).

    The button serves ``_sources/chapters/<name>.ipynb``, the staged student version with its
    MyST markup; it is replaced by the notebook :mod:`teaching.student_notebooks` writes.
    """
    written = []
    for number, path in enumerate(chapters(), start=1):
        target = site / "_sources" / "chapters" / path.name
        if target.parent.is_dir():
            notebook = plain_notebook(student_version(load(path)), chapter=number)
            notebook.setdefault("metadata", {})["gfbook"] = {"exercises": exercise_labels(load(path))}
            save(notebook, target)
            written.append(target)
    return written


if __name__ == "__main__":
    main()
