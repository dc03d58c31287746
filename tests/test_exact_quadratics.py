"""The closed forms of gfbook.exact against scipy's matrix exponential and numpy's matrix power."""

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import gfbook

RNG = np.random.default_rng(7)
M = RNG.standard_normal((6, 6))
A = M @ M.T / 6 + 0.1 * np.eye(6)
X0 = RNG.standard_normal(6)
X_STAR = RNG.standard_normal(6)


def test_flow_is_matrix_exponential():
    ts = np.array([0.0, 0.3, 2.0, 11.0])
    flow = gfbook.quadratic_flow(A, X0, ts, x_star=X_STAR)
    expected = np.stack([X_STAR + scipy.linalg.expm(-t * A) @ (X0 - X_STAR) for t in ts])
    np.testing.assert_allclose(flow, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("lr_times_lmax", [0.5, 1.5, 2.3])  # 2.3: negative bases, odd powers, growth
def test_gd_is_matrix_power(lr_times_lmax):
    lr = lr_times_lmax / np.linalg.eigvalsh(A).max()
    iterates = gfbook.quadratic_gd(A, X0, lr, 9, x_star=X_STAR)
    step = np.eye(6) - lr * A
    expected = np.stack([X_STAR + np.linalg.matrix_power(step, k) @ (X0 - X_STAR) for k in range(10)])
    np.testing.assert_allclose(iterates, expected, rtol=1e-10, atol=1e-10)


def test_gd_closed_form_agrees_with_gradient_descent():
    problem = gfbook.quadratic(np.linalg.eigvalsh(A), rotation_seed=5, x_star=X_STAR)
    run = gfbook.gradient_descent(problem.loss, problem.x0, 0.7, 25)
    np.testing.assert_allclose(run, gfbook.quadratic_gd(problem.hessian, problem.x0, 0.7, 25, x_star=X_STAR), atol=1e-12)


def test_default_minimiser_is_origin():
    np.testing.assert_allclose(gfbook.quadratic_flow(A, X0, [500.0])[0], np.zeros(6), atol=1e-12)
    assert jnp.shape(gfbook.quadratic_gd(A, X0, 0.1, 0)) == (1, 6)
