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

__all__ = ["loglog_fit", "loss_contours", "new_figure", "plot_path", "sweep_heatmap", "use_style"]

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "mathtext.fontset": "cm",
    "axes.prop_cycle": mpl.cycler(
        color=["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    ),
}
"""The book's Matplotlib settings: a colour-blind-safe palette (Okabe--Ito) and light grids."""


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


def new_figure(ncols: int = 1, *, width: float | None = None, height: float = 4.0, **kwargs):
    """A figure with ``ncols`` side-by-side axes in the book's style (returns ``fig, axes``)."""
    use_style()
    width = width or (6.4 if ncols == 1 else 4.8 * ncols)
    return plt.subplots(1, ncols, figsize=(width, height), layout="constrained", **kwargs)


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
