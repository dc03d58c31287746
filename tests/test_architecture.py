"""The package's layout follows the data flow of the design: a test keeps it so.

problem -> method -> trajectory -> measurement -> figure + assert: each gfbook module belongs to a
layer and imports only from lower layers (README, *Architecture*); no module is named like a
public function, so `gfbook.NAME` is never ambiguous.
"""

import ast
from pathlib import Path

import pytest

import gfbook

PACKAGE = Path(gfbook.__file__).parent
# The layers, lowest first: a module may import gfbook modules of lower layers only.
LAYERS = {
    "_checks": 0, "_trees": 0,
    "problems": 1, "networks": 1, "data": 1, "exact": 1, "modified": 1, "bdf": 1,
    "methods": 2,
    "measure": 3, "rates": 3,
    "plotting": 4,
    "exercises": 5,
}  # fmt: skip
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def gfbook_imports(path: Path) -> set[str]:
    """The top-level gfbook modules that ``path`` imports (``gfbook.methods.flow`` counts as ``methods``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gfbook"):
            parts = node.module.split(".")
            found |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("gfbook.")}
    return found


def test_every_module_has_a_layer():
    assert {layer_of(p) for p in MODULES} == set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_import_downwards_only(path):
    own = layer_of(path)
    upward = {name for name in gfbook_imports(path) - {own} if LAYERS[name] >= LAYERS[own]}
    assert not upward, f"{path.name} ({own}) imports {upward} from its own layer or above"


def test_every_public_method_lives_in_methods():
    # A public function that returns a trajectory from (loss, start, step size, steps) is a method.
    methods = {
        "gradient_descent", "gradient_flow", "integrate", "approx_bdf", "clr_descent", "clr_sgd",
        "heavy_ball", "nesterov", "momentum_flow", "sgd", "sgd_sde",
    }  # fmt: skip
    for name in methods:
        assert getattr(gfbook, name).__module__.startswith("gfbook.methods."), name
    assert set(gfbook.methods.__all__) >= methods


def test_no_module_is_named_like_a_public_function():
    names = {p.stem for p in PACKAGE.rglob("*.py")}
    assert names.isdisjoint(gfbook.__all__)


def test_public_functions_are_defined_in_gfbook_and_listed_once():
    assert len(gfbook.__all__) == len(set(gfbook.__all__))
    for name in gfbook.__all__:
        assert getattr(gfbook, name).__module__.startswith("gfbook."), name
