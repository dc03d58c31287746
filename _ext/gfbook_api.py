"""The API page is driven by ``__all__``: a directive that documents a module's public names.

``.. gfbook-api:: gfbook.measure`` documents, in source order, every name of ``gfbook.__all__``
defined in ``gfbook.measure`` (or, for a package such as ``gfbook.methods``, in its modules),
under the spelling a reader uses (``gfbook.hvp``). With ``:namespace: gfbook.plotting`` the names
come from that submodule's ``__all__`` instead. When the build ends, a public name that no
directive documented is a warning (an error under ``-W``), so a new public function cannot be
left off the page.
"""

from __future__ import annotations

import importlib
import inspect

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)


def public_names(namespace: str, module: str) -> list[str]:
    """The names of ``namespace.__all__`` defined in ``module`` or its submodules, in source order."""
    space = importlib.import_module(namespace)

    def defined_here(name):
        home = getattr(space, name).__module__
        return home == module or home.startswith(module + ".")

    def position(name):
        obj = getattr(space, name)
        return obj.__module__, inspect.getsourcelines(obj)[1]

    return sorted((name for name in space.__all__ if defined_here(name)), key=position)


class GfbookApi(SphinxDirective):
    required_arguments = 1
    option_spec = {"namespace": str}

    def run(self):
        module = self.arguments[0]
        namespace = self.options.get("namespace", "gfbook")
        names = public_names(namespace, module)
        if not names:
            logger.warning(f"gfbook-api: {namespace}.__all__ has no name defined in {module}", location=self.get_location())
        self.env.gfbook_api_documented = _documented(self.env) | {f"{namespace}.{name}" for name in names}
        lines = [f".. automodule:: {module}", "   :no-members:", "", f".. currentmodule:: {namespace}", ""]
        for name in names:
            kind = "autoclass" if inspect.isclass(getattr(importlib.import_module(namespace), name)) else "autofunction"
            lines += [f".. {kind}:: {name}", *(["   :members:"] if kind == "autoclass" else []), ""]
        container = nodes.container()
        nested_parse_with_titles(self.state, StringList(lines, source=f"<gfbook-api {module}>"), container)
        return container.children


def _documented(env) -> set[str]:
    """The public names documented so far (kept on the build environment, across parallel reads)."""
    return getattr(env, "gfbook_api_documented", set())


def _merge(app, env, docnames, other):
    env.gfbook_api_documented = _documented(env) | _documented(other)


def _check_complete(app, env):
    documented = _documented(env)
    for namespace in app.config.gfbook_api_namespaces:
        space = importlib.import_module(namespace)
        missing = sorted(f"{namespace}.{name}" for name in space.__all__ if f"{namespace}.{name}" not in documented)
        if missing:
            logger.warning(f"gfbook-api: public names on no API page: {', '.join(missing)}")


def setup(app):
    app.add_config_value("gfbook_api_namespaces", ["gfbook", "gfbook.plotting", "gfbook.exercises"], "env")
    app.add_directive("gfbook-api", GfbookApi)
    app.connect("env-merge-info", _merge)
    app.connect("env-check-consistency", _check_complete)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
