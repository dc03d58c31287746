"""The book's figures, in one consistent style.

Every helper draws on a Matplotlib ``Axes`` that the caller passes in and returns
it, so that a notebook cell reads: make the figure, call a helper, label, ``plt.show()``.
Labels use Matplotlib's mathtext (``r"$\\eta$"``), which needs no LaTeX install.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm

from gfbook._checks import check_choice, check_count

__all__ = ["glue", "legend_below", "loglog_fit", "loss_contours", "new_figure", "plot_path", "sweep_heatmap", "use_style"]

# The figure-size convention. The book's content column is 672 CSS pixels wide on a laptop
# (1280 px window). Figures are PNGs at DPI dots per inch, FULL_WIDTH inches wide: 972 px,
# shown at 672 px, a scale of 0.69, so that text set at MIN_FONT_PT points is drawn at
# MIN_FONT_PT * DPI/72 * 0.69 = 12.4 px, more than 9 points at the browser's 96 px per inch.
# tests/test_site.py measures every figure's rendered width against these numbers.
DPI = 144
"""Dots per inch of the book's figures (twice a screen's 72 points per inch: sharp when scaled)."""
FULL_WIDTH = 6.75
"""Inches: the width of a figure that fills the content column (one panel, or two side by side)."""
HALF_WIDTH = FULL_WIDTH / 2
"""Inches: the width of a single small panel (shown at its own size, about 3/4 of the column)."""
MIN_FONT_PT = 9
"""Points: the smallest text in a figure (tick labels and legends); labels and titles are larger."""
COLUMN_PX = 672
"""CSS pixels: the content column at a 1280 px window, which FULL_WIDTH * DPI pixels are scaled to."""

STYLE = {
    "figure.figsize": (FULL_WIDTH, 3.6),
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "mathtext.fontset": "cm",
    "axes.formatter.use_mathtext": True,
    "axes.prop_cycle": mpl.cycler(
        color=["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    ),
}
"""The book's Matplotlib settings: the sizes above, a colour-blind-safe palette (Okabe--Ito), light grids."""


def glue(name: str, value: Any, *, display: bool = False) -> Any:
    """Attach ``value`` to ``name`` for the prose, where ``{glue:text}`name``` shows it; returns ``value``.

    This is ``myst_nb.glue`` when myst-nb is installed, as it is for the website's build; without it
    (on Colab, say) the number is only computed, and the notebook runs all the same.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # not building the book: nothing to attach the value to
        return value
    myst_glue(name, value, display=display)
    return value


def use_style() -> None:
    """Apply ``STYLE`` to Matplotlib for the rest of the session."""
    mpl.rcParams.update(STYLE)


def loss_contours(
    ax: Axes,
    loss: Callable,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    levels: int = 25,
    num: int = 200,
    log: bool = True,
    offset: float = 1e-3,
) -> Axes:
    """Filled contours of a loss of two variables over ``xlim`` x ``ylim``.

    With ``log=True`` the levels are spaced logarithmically in ``loss + offset``,
    which shows both the valley floor and the walls of losses like Rosenbrock's.
    """
    xs, ys = np.linspace(*xlim, num), np.linspace(*ylim, num)
    X, Y = np.meshgrid(xs, ys)
    points = jnp.stack([X.ravel(), Y.ravel()], axis=1)
    Z = np.asarray(jax.vmap(loss)(points)).reshape(X.shape)
    if log:
        Z = Z - Z.min() + offset
        lv = np.geomspace(Z.min(), Z.max(), levels)
        ax.contourf(X, Y, Z, levels=lv, norm=LogNorm(), cmap="Greys_r", alpha=0.55)
        ax.contour(X, Y, Z, levels=lv, colors="k", linewidths=0.3, alpha=0.5)
    else:
        ax.contourf(X, Y, Z, levels=levels, cmap="Greys_r", alpha=0.55)
        ax.contour(X, Y, Z, levels=levels, colors="k", linewidths=0.3, alpha=0.5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("auto")
    ax.grid(False)
    return ax


def plot_path(ax: Axes, trajectory: Any, *, label: str | None = None, markers: bool = True, **kwargs) -> Axes:
    """Draw a 2-D trajectory (shape ``(n, 2)``) as a line, with a dot at each iterate if ``markers``."""
    path = np.asarray(trajectory)
    if path.ndim != 2 or path.shape[1] != 2:
        raise ValueError(f"trajectory must have shape (n, 2), got {path.shape}")
    style = {"marker": "o", "markersize": 2.5} if markers else {}
    ax.plot(path[:, 0], path[:, 1], label=label, **(style | kwargs))
    return ax


def loglog_fit(
    ax: Axes,
    x: Sequence[float],
    y: Sequence[float],
    slope: float,
    prefactor: float,
    *,
    label: str = "measured",
    fit_label: str | None = None,
    **kwargs,
) -> Axes:
    r"""Plot data on log-log axes with its fitted power law :math:`C x^p` dashed."""
    x, y = np.asarray(x), np.asarray(y)
    line = ax.loglog(x, y, "o", label=label, **kwargs)[0]
    fit_label = fit_label or rf"fit: slope ${slope:.2f}$"
    ax.loglog(x, prefactor * x**slope, "--", color=line.get_color(), alpha=0.7, label=fit_label)
    return ax


def new_figure(panels: int = 1, *, width: str = "full", height: float | None = None, **kwargs):
    """A figure in the book's style with ``panels`` axes, at most two side by side (returns ``fig, axes``).

    ``width="full"`` fills the content column (``FULL_WIDTH``): one panel, or rows of two
    half-width panels; ``width="half"`` is one small panel (``HALF_WIDTH``). ``height`` is the
    height of one row in inches (default: 3.6 for one panel, 3.0 for a row of two). With more
    than one panel, ``axes`` is a flat array in reading order, so ``axes[2]`` is the first panel
    of the second row; a row left with one panel is not drawn. Other keywords go to
    ``plt.subplots`` (``sharey=True``, say).
    """
    panels = check_count("panels", panels, minimum=1)
    check_choice("width", width, ("full", "half"))
    if width == "half" and panels > 1:
        raise ValueError(f"panels must be 1 for a half-width figure, got {panels}")
    use_style()
    cols, rows = min(panels, 2), -(-panels // 2)
    row_height = height or (3.6 if panels == 1 else 3.0)
    fig_width = FULL_WIDTH if width == "full" else HALF_WIDTH
    fig, axes = plt.subplots(rows, cols, figsize=(fig_width, row_height * rows), layout="constrained", squeeze=False,
                             **kwargs)
    axes = axes.ravel()
    for extra in axes[panels:]:
        extra.remove()
    return fig, (axes[0] if panels == 1 else axes[:panels])


def legend_below(target: Any, *, ncols: int = 2, **kwargs):
    """A legend outside the data: under an ``Axes``, or at the bottom of a whole ``Figure``.

    For a figure, the entries are those of all its axes (each label once), so panels that share
    their curves share one legend. Constrained layout makes room for it.
    """
    if isinstance(target, Axes):
        return target.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=ncols, **kwargs)
    handles, labels = [], []
    for ax in target.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    return target.legend(handles, labels, loc="outside lower center", ncols=ncols, **kwargs)


def sweep_heatmap(
    ax: Axes,
    values: Any,
    x: Sequence[float],
    row_labels: Sequence[str],
    *,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str = "viridis",
):
    """A heatmap of a sweep: ``values[i, j]`` for method ``row_labels[i]`` at the setting ``x[j]`` (log axis).

    Cells whose value is not finite -- a diverged run -- are drawn light grey with a cross,
    so that divergence is shown, never hidden. Returns the image, for a colour bar.
    """
    values = np.ma.masked_invalid(np.asarray(values, dtype=float))
    x = np.asarray(x, dtype=float)
    if values.shape != (len(row_labels), x.size):
        raise ValueError(f"values must have shape ({len(row_labels)}, {x.size}), got {values.shape}")
    ratio = np.sqrt(x[1:] / x[:-1])
    edges = np.concatenate([[x[0] / ratio[0]], x[:-1] * ratio, [x[-1] * ratio[-1]]])
    colormap = mpl.colormaps[cmap].with_extremes(bad="#dddddd")
    image = ax.pcolormesh(edges, np.arange(len(row_labels) + 1), values, cmap=colormap, vmin=vmin, vmax=vmax)
    rows, cols = np.nonzero(np.ma.getmaskarray(values))
    ax.plot(x[cols], rows + 0.5, "x", color="#555555", markersize=5, linestyle="none")
    ax.set_xscale("log")
    ax.set_yticks(np.arange(len(row_labels)) + 0.5, row_labels)
    ax.set_ylim(len(row_labels), 0)
    ax.grid(False)
    return image
