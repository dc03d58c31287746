"""Divergence across every trajectory method: returned, visible, and located.

Each method is run where theory says it must blow up. It must not raise, must return the
whole trajectory with a finite start and a non-finite (or astronomically large) end, and
``gfbook.divergence_index`` must name the first diverged step, computed independently: from
the closed form of the same iteration, stepped in NumPy, or from the exact blow-up time.
"""

from __future__ import annotations

import warnings

import jax.numpy as jnp
import numpy as np
import pytest

import gfbook

LAM = 2.0  # the curvature of the scalar quadratic L(x) = LAM x^2 / 2
SCALAR = gfbook.quadratic([LAM], x0=[1.0])


def first_over(norms: np.ndarray, threshold: float = 1e100) -> int:
    """The first index whose norm is not finite or exceeds the threshold (the definition, in NumPy)."""
    bad = ~np.isfinite(norms) | (norms > threshold)
    assert bad.any(), "the reference itself does not diverge"
    return int(np.argmax(bad))


def geometric(factor: float, num_steps: int) -> np.ndarray:
    """|x_k| = |factor|^k for x_0 = 1, overflowing to inf as float64 does."""
    with np.errstate(over="ignore"):
        return np.abs(factor) ** np.arange(num_steps + 1, dtype=float)


# (name, run, expected norms of the reference): each diverges geometrically by a factor of 1.5 per step.
NUM = 2000  # 1.5 ** 2000 = 1e352 overflows float64
CASES = {
    # GD with h = 2.5 / LAM: x_{k+1} = (1 - 2.5) x_k.
    "gradient_descent": (lambda: gfbook.gradient_descent(SCALAR.loss, SCALAR.x0, 2.5 / LAM, NUM),
                         geometric(1 - 2.5, NUM)),
    # The closed form of the same iteration.
    "quadratic_gd": (lambda: gfbook.quadratic_gd(SCALAR.hessian, SCALAR.x0, 2.5 / LAM, NUM),
                     geometric(1 - 2.5, NUM)),
    # CLR with f* = 0 on the scalar quadratic: h = fraction / (2 LAM), factor 1 - fraction / 2.
    "clr_descent": (lambda: gfbook.clr_descent(SCALAR.loss, SCALAR.x0, NUM, fraction=5.0),
                    geometric(1 - 5.0 / 2, NUM)),
    "clr_sgd": (lambda: gfbook.clr_sgd(lambda x, _batch: SCALAR.loss(x), SCALAR.x0, jnp.zeros(NUM), fraction=5.0),
                geometric(1 - 5.0 / 2, NUM)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_divergence_is_returned_visible_and_located(name):
    run, reference = CASES[name]
    path = run()
    path = path[0] if isinstance(path, tuple) else path
    values = np.asarray(path)
    assert values.shape[0] == NUM + 1, "the whole trajectory comes back"
    assert np.isfinite(values[0]).all()
    assert not np.isfinite(values[-1]).all(), "the blow-up is visible (inf or nan at the end)"
    assert gfbook.diverged(path)
    assert gfbook.divergence_index(path) == first_over(reference)


def test_approx_bdf_divergence_matches_its_recurrence_in_numpy():
    # Approximate BDF2 with m inner GD steps on L = LAM x^2 / 2 is a linear recurrence: before it
    # overflows, it grows at the spectral radius that gfbook.approx_bdf_amplification computes.
    lr, m, inner_lr = 5.0 / LAM, 1, 1.0  # h ell = 5 with eta = 1: spectral radius 1.82
    path = gfbook.approx_bdf(SCALAR.loss, SCALAR.x0, lr, NUM, order=2, inner_steps=m, inner_lr=inner_lr)
    values = np.asarray(path)[:, 0]
    assert np.isfinite(values[0]) and not np.isfinite(values[-1])
    index = gfbook.divergence_index(path)
    assert index is not None and 0 < index < NUM
    # Up to the blow-up the iterates grow geometrically at the spectral radius of the method.
    radius = gfbook.approx_bdf_amplification(np.array([lr * LAM]), order=2, inner_steps=m, inner_lr=inner_lr)[0]
    assert radius > 1
    growth = np.abs(values[index - 1] / values[index - 101]) ** (1 / 100)
    assert growth == pytest.approx(radius, rel=1e-6)


def test_gradient_flow_blow_up_warns_and_marks_unreached_times():
    # L(x) = -x^4 / 4 has the flow x' = x^3, x(t) = x0 / sqrt(1 - 2 x0^2 t): it blows up at t* = 1 / (2 x0^2).
    x0 = 1.0
    t_star = 1 / (2 * x0**2)
    ts = np.linspace(0.0, 1.0, 101)
    with pytest.warns(RuntimeWarning, match="stopped before ts"):
        path = gfbook.gradient_flow(lambda x: -jnp.sum(x**4) / 4, jnp.array([x0]), ts)
    values = np.asarray(path)[:, 0]
    reached = ts < t_star - 0.02  # well before t*, the solution is accurate
    np.testing.assert_allclose(values[reached], x0 / np.sqrt(1 - 2 * x0**2 * ts[reached]), rtol=1e-7)
    assert np.isinf(values[-1])
    # The first reported time at or after t* is where the divergence is located.
    assert gfbook.divergence_index(path) == int(np.searchsorted(ts, t_star - 1e-12))
    # Every time after the blow-up holds inf, none before it is silently nan.
    assert not np.isnan(values).any()
    assert np.isinf(values[ts > t_star]).all()


def test_no_warning_when_the_flow_is_fine():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gfbook.gradient_flow(SCALAR.loss, SCALAR.x0, np.linspace(0.0, 1.0, 5))
