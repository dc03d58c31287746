"""gfbook.gradient_flow and gfbook.integrate against scipy.linalg.expm, scipy's DOP853 and the closed forms.

Every quadratic flow here has dimension 10 and 11 report times, so they share one compile per solver.
"""

import time
import warnings

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from jax.tree_util import Partial

import gfbook
from gfbook.methods import flow as flow_module

NUM_TIMES = 11


def dop853_reference(loss, x0, ts):
    """The gradient flow by scipy's DOP853 at rtol = atol = 1e-12, the gradient by jax."""
    grad = jax.jit(jax.grad(loss))
    solution = scipy.integrate.solve_ivp(
        lambda t, x: -np.asarray(grad(jnp.asarray(x))),
        (float(ts[0]), float(ts[-1])),
        np.asarray(x0, dtype=float),
        method="DOP853",
        t_eval=np.asarray(ts),
        rtol=1e-12,
        atol=1e-12,
    )
    assert solution.success
    return solution.y.T


@pytest.fixture(scope="module")
def rotated():
    return gfbook.quadratic_with_condition(10, 100.0, rotation_seed=5, x0=np.linspace(-1.0, 2.0, 10))


@pytest.fixture(scope="module")
def rosen():
    return gfbook.rosenbrock()


@pytest.fixture(scope="module")
def logreg():
    return gfbook.logistic_regression(100, 4, seed=1)


@pytest.fixture(scope="module")
def logreg_flow(logreg):
    ts = np.linspace(0.0, 20.0, 41)
    start = jnp.array([1.0, -2.0, 0.5, 3.0])  # away from x* = argmin, so the flow has somewhere to go
    return ts, start, gfbook.gradient_flow(logreg.loss, start, ts)


def test_rotated_quadratic_matches_expm(rotated):
    p = rotated
    ts = np.linspace(0.0, 50.0, NUM_TIMES)
    path = gfbook.gradient_flow(p.loss, p.x0, ts)
    A, x0 = np.asarray(p.hessian), np.asarray(p.x0)
    expected = np.stack([scipy.linalg.expm(-t * A) @ x0 for t in ts])
    assert path.shape == (NUM_TIMES, 10)
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-9)


def test_rosenbrock_matches_dop853(rosen):
    ts = np.linspace(0.0, 0.5, NUM_TIMES)
    path = gfbook.gradient_flow(rosen.loss, rosen.x0, ts)
    expected = dop853_reference(rosen.loss, rosen.x0, ts)
    assert np.linalg.norm(expected[-1] - expected[0]) > 0.1  # the flow really moves over this horizon
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-8)
    # The loss decreases along the flow on this non-convex problem too.
    assert np.all(np.diff(np.asarray(jax.vmap(rosen.loss)(path))) < 0)


def test_logistic_regression_matches_dop853(logreg, logreg_flow):
    ts, start, path = logreg_flow
    expected = dop853_reference(logreg.loss, start, ts)
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-8)


def test_loss_decreases_monotonically_along_the_flow(logreg, logreg_flow):
    ts, start, path = logreg_flow
    losses = np.asarray(jax.vmap(logreg.loss)(path))
    assert np.all(np.diff(losses) < 0)
    assert np.all(losses >= logreg.f_star)
    assert losses[-1] - logreg.f_star < 0.1 * (losses[0] - logreg.f_star)  # it has come most of the way


def test_condition_1e4_over_ten_time_constants():
    p = gfbook.quadratic_with_condition(10, 1e4)
    ts = np.linspace(0.0, 10.0 / p.strong_convexity, NUM_TIMES)
    path = gfbook.gradient_flow(p.loss, p.x0, ts)
    exact = gfbook.quadratic_flow(p.hessian, p.x0, ts)
    assert float(jnp.max(jnp.abs(path - exact))) <= 1e-8


@pytest.fixture(scope="module")
def very_stiff():
    return gfbook.quadratic_with_condition(10, 1e6, smoothness=1e6)


# lambda_max * T = 1e7: far beyond any explicit step budget.
VERY_STIFF_TIMES = np.linspace(0.0, 10.0, NUM_TIMES)


def test_truly_stiff_quadratic_uses_kvaerno5_and_is_fast_and_accurate(very_stiff, monkeypatch):
    p, ts = very_stiff, VERY_STIFF_TIMES
    solvers = []
    real_solve = flow_module._solve

    def spy(field, solver, *args):
        solvers.append(solver)
        return real_solve(field, solver, *args)

    monkeypatch.setattr(flow_module, "_solve", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = gfbook.gradient_flow(p.loss, p.x0, ts)
    assert isinstance(solvers[-1], diffrax.Kvaerno5), f"solved with {[type(s).__name__ for s in solvers]}"
    exact = gfbook.quadratic_flow(p.hessian, p.x0, ts)
    assert float(jnp.max(jnp.abs(path - exact))) <= 1e-8

    start = time.perf_counter()
    again = gfbook.gradient_flow(p.loss, 0.5 * p.x0, ts)  # compiled now: only the solve is timed
    jax.block_until_ready(again)
    assert time.perf_counter() - start < 5.0
    np.testing.assert_allclose(np.asarray(again), 0.5 * np.asarray(exact), rtol=0, atol=1e-8)


def test_truly_stiff_quadratic_from_a_larger_start(very_stiff):
    # The same flow from 2 x0: linear, so the answer is just twice the one above. gfbook's stiff fallback
    # (Kvaerno5 at 1e-2 * rtol = 1e-12, whose root finder inherits that tolerance) must still converge.
    p, ts = very_stiff, VERY_STIFF_TIMES
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = gfbook.gradient_flow(p.loss, 2.0 * p.x0, ts)
    exact = gfbook.quadratic_flow(p.hessian, 2.0 * p.x0, ts)
    assert float(jnp.max(jnp.abs(path - exact))) <= 1e-8


def linear_field(B, x):
    return B @ x


def test_integrate_non_symmetric_linear_field_matches_expm():
    B = np.array([[-0.2, 2.0, 0.0], [-2.0, -0.2, 1.0], [0.5, 0.0, -1.0]])  # rotating, non-normal
    assert not np.allclose(B, B.T)
    x0 = np.array([1.0, 0.0, -1.0])
    ts = np.linspace(0.0, 5.0, NUM_TIMES)
    path = gfbook.integrate(Partial(linear_field, jnp.asarray(B)), x0, ts)
    expected = np.stack([scipy.linalg.expm(t * B) @ x0 for t in ts])
    assert path.shape == (NUM_TIMES, 3)
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("t0", [0.0, 2.5])
def test_single_time_returns_the_start_with_a_leading_axis(rosen, t0):
    path = gfbook.gradient_flow(rosen.loss, rosen.x0, [t0])
    assert path.shape == (1, 2)
    np.testing.assert_array_equal(np.asarray(path[0]), np.asarray(rosen.x0))
    path = gfbook.integrate(Partial(linear_field, jnp.eye(2)), rosen.x0, np.array([t0]))
    assert path.shape == (1, 2)
    np.testing.assert_array_equal(np.asarray(path[0]), np.asarray(rosen.x0))
    tree = gfbook.integrate(lambda p: p, {"a": jnp.ones((2, 3)), "b": jnp.zeros(())}, [t0])
    assert tree["a"].shape == (1, 2, 3) and tree["b"].shape == (1,)


def square(x):
    return x**2


BLOW_UP_TIMES = np.array([0.0, 0.5, 0.9, 2.0])  # x' = x^2, x(0) = 1: x(t) = 1 / (1 - t), blowing up at t = 1


def test_blow_up_warns_and_holds_inf_where_not_reached():
    with pytest.warns(RuntimeWarning, match="stopped before"):
        path = gfbook.integrate(square, jnp.array([1.0]), BLOW_UP_TIMES)
    assert path.shape == (4, 1)
    np.testing.assert_allclose(np.asarray(path[:3, 0]), [1.0, 2.0, 10.0], rtol=1e-8)
    assert np.isinf(np.asarray(path[3, 0]))


def test_blow_up_warning_points_at_the_callers_line():
    # A warning attributed to the caller's line is shown there (and once per line, not once per session).
    # gradient_flow's own fallback path warns through the same helper (_warn_if_failed) as integrate.
    with pytest.warns(RuntimeWarning) as record:
        gfbook.integrate(square, jnp.array([1.0]), BLOW_UP_TIMES)
    assert record[0].filename == __file__, f"warning attributed to {record[0].filename}:{record[0].lineno}"


def test_no_warning_on_success(rotated):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gfbook.gradient_flow(rotated.loss, rotated.x0, np.linspace(0.0, 1.0, NUM_TIMES))
