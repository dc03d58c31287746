"""gfbook.plotting: the sweep heatmap shows divergence rather than hiding it."""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gfbook import plotting  # noqa: E402


def test_sweep_heatmap_marks_every_diverged_cell():
    x = np.geomspace(0.01, 100.0, 5)
    values = np.array([[-3.0, -2.0, np.nan, np.inf, np.nan], [-1.0, -1.5, -2.0, -2.5, -3.0]])
    fig, ax = plt.subplots()
    image = plotting.sweep_heatmap(ax, values, x, ["a", "b"], vmin=-3, vmax=0)
    data = image.get_array()
    assert np.ma.getmaskarray(data).sum() == 3  # nan, inf, nan: masked (drawn grey)
    (crosses,) = [line for line in ax.get_lines() if line.get_marker() == "x"]
    np.testing.assert_allclose(crosses.get_xdata(), x[[2, 3, 4]])
    np.testing.assert_allclose(crosses.get_ydata(), [0.5, 0.5, 0.5])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_xscale() == "log"
    plt.close(fig)


def test_sweep_heatmap_checks_the_shape():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="^values"):
        plotting.sweep_heatmap(ax, np.zeros((2, 4)), np.geomspace(1, 10, 5), ["a", "b"])
    plt.close(fig)


@pytest.mark.parametrize("panels, rows", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)])
def test_new_figure_puts_at_most_two_panels_side_by_side_in_the_column(panels, rows):
    fig, axes = plotting.new_figure(panels)
    axes = np.atleast_1d(axes)
    assert len(axes) == len(fig.axes) == panels  # the empty slot of an odd count is removed
    assert fig.get_size_inches()[0] == plotting.FULL_WIDTH
    fig.canvas.draw()
    lefts = sorted({round(ax.get_position().x0, 3) for ax in axes})
    tops = sorted({round(ax.get_position().y1, 3) for ax in axes})
    assert len(lefts) == min(panels, 2) and len(tops) == rows
    plt.close(fig)


def test_the_sizes_keep_figure_text_at_nine_points_or_more_when_scaled_to_the_column():
    # A full-width figure is FULL_WIDTH * DPI pixels, drawn COLUMN_PX wide; its smallest text must
    # then be at least 9 points at 96 pixels per inch (12 px), the legibility floor.
    scale = plotting.COLUMN_PX / (plotting.FULL_WIDTH * plotting.DPI)
    assert scale < 1  # sharper than the screen, never blown up
    assert plotting.MIN_FONT_PT * plotting.DPI / 72 * scale >= 12
    plotting.use_style()
    sizes = [matplotlib.rcParams[key] for key in ("xtick.labelsize", "ytick.labelsize", "legend.fontsize", "font.size",
                                                  "axes.labelsize", "axes.titlesize")]
    sizes = [matplotlib.font_manager.font_scalings.get(s, 1) * matplotlib.rcParams["font.size"] if isinstance(s, str)
             else s for s in sizes]
    assert min(sizes) >= plotting.MIN_FONT_PT


def test_half_width_figures_hold_one_panel():
    fig, ax = plotting.new_figure(width="half")
    assert fig.get_size_inches()[0] == plotting.HALF_WIDTH
    plt.close(fig)
    with pytest.raises(ValueError, match="^panels"):
        plotting.new_figure(2, width="half")
    with pytest.raises(ValueError, match="^width"):
        plotting.new_figure(width="wide")


def test_legend_below_lies_outside_every_axes():
    fig, axes = plotting.new_figure(2)
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="a")
        ax.plot([0, 1], [1, 0], label="b")
    legend = plotting.legend_below(fig)
    assert [t.get_text() for t in legend.get_texts()] == ["a", "b"]  # each label once
    fig.canvas.draw()
    box = legend.get_window_extent()
    assert all(box.y1 <= ax.get_window_extent().y0 for ax in axes)
    single = plotting.legend_below(axes[0])
    fig.canvas.draw()
    assert single.get_window_extent().y1 <= axes[0].get_window_extent().y0
    plt.close(fig)


def test_glue_runs_without_myst_nb_and_names_a_bad_name(monkeypatch):
    """On Colab myst-nb is absent: glue only returns the value, so the chapters still run."""
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # makes `from myst_nb import glue` fail
    assert plotting.glue("a_number", 1.5) == 1.5
    with pytest.raises(ValueError, match="name"):
        plotting.glue("", 1.0)
