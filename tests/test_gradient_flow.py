"""gfbook.gradient_flow and gfbook.integrate against expm, solve_ivp and the closed forms."""

import warnings

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.linalg

import gfbook


def test_quadratic_flow_matches_matrix_exponential(rotated_quadratic):
    p = rotated_quadratic
    ts = jnp.linspace(0.0, 30.0, 7)
    flow = gfbook.gradient_flow(p.loss, p.x0, ts)
    A = np.asarray(p.hessian)
    expected = np.stack([scipy.linalg.expm(-t * A) @ np.asarray(p.x0) for t in np.asarray(ts)])
    np.testing.assert_allclose(flow, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("name", ["rosen", "logreg"])
def test_flow_matches_scipy_solve_ivp(name, request):
    p = request.getfixturevalue(name)
    ts = np.linspace(0.0, 0.5, 6)
    grad = jax.jit(jax.grad(p.loss))
    reference = scipy.integrate.solve_ivp(
        lambda t, x: -np.asarray(grad(jnp.asarray(x))), (0.0, 0.5), np.asarray(p.x0),
        method="DOP853", t_eval=ts, rtol=1e-12, atol=1e-12,
    )
    flow = gfbook.gradient_flow(p.loss, p.x0, ts)
    np.testing.assert_allclose(flow, reference.y.T, rtol=0, atol=1e-8)


def test_stiff_quadratic_condition_1e4_to_tolerance():
    p = gfbook.quadratic_with_condition(10, 1e4)
    ts = jnp.linspace(0.0, 10 / p.strong_convexity, 11)
    flow = gfbook.gradient_flow(p.loss, p.x0, ts)
    exact = gfbook.quadratic_flow(p.hessian, p.x0, ts)
    assert float(jnp.max(jnp.abs(flow - exact))) < 1e-8


def test_very_stiff_quadratic_switches_to_implicit_solver():
    p = gfbook.quadratic_with_condition(10, 1e6, smoothness=1e6)
    ts = jnp.linspace(0.0, 10.0, 11)  # lambda_max * T = 1e7: far beyond an explicit budget
    flow = gfbook.gradient_flow(p.loss, p.x0, ts)
    exact = gfbook.quadratic_flow(p.hessian, p.x0, ts)
    assert float(jnp.max(jnp.abs(flow - exact))) < 1e-8


def test_integrate_linear_non_symmetric_field():
    B = jnp.array([[-0.5, -2.0], [2.0, -0.5]])
    ts = jnp.linspace(0.0, 3.0, 5)
    path = gfbook.integrate(lambda x: B @ x, jnp.array([1.0, 0.0]), ts)
    expected = np.stack([scipy.linalg.expm(t * np.asarray(B)) @ [1.0, 0.0] for t in np.asarray(ts)])
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-9)


def test_integrate_with_a_chosen_solver():
    path = gfbook.integrate(lambda x: -x, jnp.ones(2), jnp.array([0.0, 1.0]), solver=diffrax.Kvaerno5())
    np.testing.assert_allclose(path[-1], np.exp(-1.0) * np.ones(2), rtol=1e-8)


def test_single_time_returns_start(rosen):
    path = gfbook.gradient_flow(rosen.loss, rosen.x0, [0.0])
    assert path.shape == (1, 2)
    np.testing.assert_array_equal(path[0], rosen.x0)


def test_loss_decreases_along_the_flow(logreg):
    ts = jnp.linspace(0.0, 20.0, 41)
    losses = jax.vmap(logreg.loss)(gfbook.gradient_flow(logreg.loss, logreg.x0, ts))
    assert bool(jnp.all(jnp.diff(losses) < 0))


def test_pytree_flow():
    loss = lambda p: 0.5 * (jnp.sum(p["a"] ** 2) + 3.0 * p["b"] ** 2)
    path = gfbook.gradient_flow(loss, {"a": jnp.ones(2), "b": jnp.array(1.0)}, jnp.array([0.0, 1.0]))
    np.testing.assert_allclose(path["a"][-1], np.exp(-1.0) * np.ones(2), rtol=1e-9)
    np.testing.assert_allclose(path["b"][-1], np.exp(-3.0), rtol=1e-9)


def test_blow_up_warns_and_shows_inf():
    ts = jnp.array([0.0, 0.5, 2.0])  # x' = x^2, x(0) = 1 blows up at t = 1
    with pytest.warns(RuntimeWarning, match="stopped before"):
        path = gfbook.integrate(lambda x: x**2, jnp.array([1.0]), ts)
    np.testing.assert_allclose(path[1], [2.0], rtol=1e-8)
    assert not np.isfinite(np.asarray(path[2])).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gfbook.divergence_index(path) == 2
