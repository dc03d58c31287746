"""Adjustments to the build and the website's theme, kept in one place (a local Sphinx extension)."""

from pathlib import Path

from teaching.notebooks import share_with_kernels


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


def setup(app):
    # The kernels that execute the chapters share JAX's compilation cache (the tests' kernels
    # use it next), so an edited chapter recompiles only what changed.
    share_with_kernels(Path(app.srcdir) / "_build" / "jax-cache")
    app.connect("config-inited", _theme_defaults)
    app.connect("html-page-context", _fix_page, priority=900)  # after the theme's own handlers
    return {"parallel_read_safe": True, "parallel_write_safe": True}
