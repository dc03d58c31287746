"""gfbook.plotting: the sweep heatmap shows divergence rather than hiding it."""

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
