"""Adjustments to the build and the website's theme, kept in one place (a local Sphinx extension).

It also provides the execution page's table, ``.. gfbook-execution-table::``: for each chapter,
whether it ran, how long it took, when, and on what machine. myst-nb's own table
(``nb-exec-table``) reports the time of the last real run with nothing to say where it was
measured, and a time on a busy machine can be several times the time on an idle one; so when a
notebook is executed, this extension records the machine's processor, the number of cores the
build may use and the one-minute load average at the end of the run in
``_build/execution-machines.json``, and the table prints them beside the time. A time taken
from a cache filled before that record existed is shown with its machine "not recorded".
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import datetime
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from teaching.notebooks import share_with_kernels

MACHINES = "execution-machines.json"  # in _build/, beside the execution cache it describes
_BUILD_STARTED = time.time()  # reset by setup(): a notebook whose run ended later was executed by this build


def _theme_defaults(app, config):
    context = dict(config.html_context or {})
    # pydata-sphinx-theme reads its light/dark default from the HTML context; without one it
    # logs "Got invalid theme mode" in the browser console on every page.
    context.setdefault("default_mode", "auto")
    config.html_context = context


def _fix_page(app, pagename, templatename, context, doctree):
    # sphinx-thebe adds its inline configuration twice under Jupyter Book 1, and the second copy
    # fails in the browser ("Identifier 'THEBE_JS_URL' has already been declared").
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", None) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    # docutils marks the bibliography role="list" but its children are not list items (axe: critical)
    if "body" in context:
        context["body"] = context["body"].replace('<div role="list" class="citation-list">', '<div class="citation-list">')


# --- the execution page ------------------------------------------------------------------------------


def machine() -> dict:
    """This machine as the execution page describes it: processor, usable cores, load right now."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    model = " ".join((model or platform.processor() or platform.machine() or "unknown processor").split())
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None
    return {"processor": model, "system": platform.system(), "cores": cores, "load": load}


def _records_path(app) -> Path:
    return Path(app.outdir).parent / MACHINES


def _records(app) -> dict:
    try:
        return json.loads(_records_path(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _record_key(docname: str, data: dict) -> str:
    # a run is known by its notebook and its measured time, which the cache keeps with it
    return f"{docname} {data.get('runtime') or 0:.3f}"


def _exec_data(env, docname: str) -> dict | None:
    from myst_nb.sphinx_ import NbMetadataCollector

    return NbMetadataCollector.get_exec_data(env, docname)


def _note_machine(app, doctree):
    """After a notebook is read: if it was executed by this build (not taken from the cache), record where."""
    data = _exec_data(app.env, app.env.docname)
    if not data or not data.get("runtime") or data.get("mtime", 0) < _BUILD_STARTED:
        return
    records = _records(app)
    records[_record_key(app.env.docname, data)] = machine() | {"executed": data["mtime"]}
    path = _records_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=1, sort_keys=True), encoding="utf-8")


class execution_table(nodes.General, nodes.Element):
    """Where the execution table goes; filled in once every notebook has run."""


class ExecutionTable(SphinxDirective):
    def run(self):
        from myst_nb.sphinx_ import NbMetadataCollector

        # myst-nb rewrites the pages so marked when a notebook's execution data changes
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, "has_exec_table", True)
        return [execution_table()]


def _describe(record: dict) -> str:
    return f"{record['processor']} ({record['system']}), {record['cores']} cores available to the build"


def _table(env, docname: str, records: dict) -> list[nodes.Node]:
    from myst_nb.sphinx_ import NbMetadataCollector

    runs = []
    for name, meta in sorted(NbMetadataCollector.get_doc_data(env).items()):
        data = meta.get("exec_data")
        if data:
            runs.append((name, data, records.get(_record_key(name, data))))
    machines = {_describe(record) for _, _, record in runs if record}
    headers = ["Chapter", "Result", "Time (s)", "Executed", "Load average"] + (["Machine"] if len(machines) > 1 else [])
    table = nodes.table(classes=["colwidths-auto"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in headers)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    head += nodes.row("", *[nodes.entry("", nodes.paragraph(text=text)) for text in headers])
    for name, data, record in runs:
        link = pending_xref(refdoc=docname, reftarget="/" + name, reftype="doc", refdomain="std", refexplicit=False,
                            refwarn=True, classes=["xref", "doc"])
        link += nodes.inline(text=name)
        result = "ran without error" if data.get("succeeded") else f"failed ({data.get('error') or 'error'})"
        when = datetime.fromtimestamp(data["mtime"]).strftime("%Y-%m-%d %H:%M") if data.get("mtime") else ""
        recorded = record and record.get("load") is not None
        # a time is shown only with the machine that measured it
        seconds = f"{data['runtime']:.0f}" if record and data.get("runtime") is not None else "not recorded"
        load = f"{record['load']} on {record['cores']} cores" if recorded else "not recorded"
        cells = [nodes.paragraph("", "", link), nodes.paragraph(text=result), nodes.paragraph(text=seconds),
                 nodes.paragraph(text=when), nodes.paragraph(text=load)]
        if len(machines) > 1:
            cells.append(nodes.paragraph(text=_describe(record) if record else "not recorded"))
        body += nodes.row("", *[nodes.entry("", cell) for cell in cells])
    intro = ""
    if len(machines) == 1:
        intro = f"Measured on one machine: {machines.pop()}. "
    elif machines:
        intro = "Measured on more than one machine (last column). "
    unrecorded = sum(record is None for _, _, record in runs)
    if unrecorded:
        intro += (f"The times of {unrecorded} of the {len(runs)} notebooks are not shown: their outputs come from a "
                  "cache filled before the build recorded the machine a time is measured on (delete "
                  "_build/.jupyter_cache and build again to measure them).")
    return [nodes.paragraph(text=intro.strip()), table]


class ExecutionTableTransform(SphinxPostTransform):
    default_priority = 8  # before the references (the chapter links) are resolved

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(execution_table)):
            node.replace_self(_table(self.env, self.env.docname, _records(self.app)))


def setup(app):
    # The kernels that execute the chapters share JAX's compilation cache (the tests' kernels
    # use it next), so an edited chapter recompiles only what changed.
    share_with_kernels(Path(app.srcdir) / "_build" / "jax-cache")
    global _BUILD_STARTED
    _BUILD_STARTED = time.time()
    app.connect("config-inited", _theme_defaults)
    app.connect("html-page-context", _fix_page, priority=900)  # after the theme's own handlers
    app.connect("doctree-read", _note_machine)
    app.add_node(execution_table)
    app.add_directive("gfbook-execution-table", ExecutionTable)
    app.add_post_transform(ExecutionTableTransform)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
