"""Measurements in gfbook.measure against numpy.linalg, closed forms and synthetic data."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

import gfbook


@pytest.mark.parametrize("point", [(-1.2, 1.0), (0.0, 1.0), (1.0, 1.0), (0.5, -0.3)])
def test_extreme_eigenvalues_on_rosenbrock(rosen, point):
    x = jnp.array(point)
    lo, hi = gfbook.hessian_extreme_eigenvalues(rosen.loss, x)
    eig = np.linalg.eigvalsh(np.asarray(jax.hessian(rosen.loss)(x)))
    np.testing.assert_allclose([lo, hi], [eig.min(), eig.max()], rtol=1e-9, atol=1e-9)
    assert float(gfbook.sharpness(rosen.loss, x)) == pytest.approx(eig.max(), rel=1e-9)


def test_extreme_eigenvalues_of_indefinite_quadratic():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    eigenvalues = np.array([-5.0, -1.0, -0.5, 0.0, 0.3, 1.0, 2.0, 3.0])  # dominant is negative
    A = jnp.asarray(Q @ np.diag(eigenvalues) @ Q.T)
    lo, hi = gfbook.hessian_extreme_eigenvalues(lambda x: 0.5 * x @ A @ x, jnp.ones(8))
    np.testing.assert_allclose([lo, hi], [-5.0, 3.0], rtol=1e-8)


def test_sharpness_on_pytree_network():
    key1, key2, key3 = jax.random.split(jax.random.key(0), 3)
    params = {"w1": jax.random.normal(key1, (3, 4)), "w2": jax.random.normal(key2, (4,))}
    data = jax.random.normal(key3, (10, 3))
    targets = jnp.sin(data[:, 0])

    def loss(p):
        return jnp.mean((jnp.tanh(data @ p["w1"]) @ p["w2"] - targets) ** 2)

    flat, unravel = ravel_pytree(params)
    eig = np.linalg.eigvalsh(np.asarray(jax.hessian(lambda v: loss(unravel(v)))(flat)))
    lo, hi = gfbook.hessian_extreme_eigenvalues(loss, params, num_iters=500)
    np.testing.assert_allclose([lo, hi], [eig.min(), eig.max()], rtol=1e-6, atol=1e-8)


def test_hvp_is_hessian_times_vector(logreg):
    v = jnp.arange(4.0)
    np.testing.assert_allclose(
        gfbook.hvp(logreg.loss, logreg.x_star, v), jax.hessian(logreg.loss)(logreg.x_star) @ v, rtol=1e-12
    )


def test_trajectory_distance():
    a = np.random.default_rng(0).standard_normal((5, 3))
    b = np.random.default_rng(1).standard_normal((5, 3))
    np.testing.assert_allclose(gfbook.trajectory_distance(a, b), np.linalg.norm(a - b, axis=1), rtol=1e-14)
    tree_a, tree_b = {"u": a[:, :2], "v": a[:, 2]}, {"u": b[:, :2], "v": b[:, 2]}
    np.testing.assert_allclose(gfbook.trajectory_distance(tree_a, tree_b), np.linalg.norm(a - b, axis=1), rtol=1e-14)


def test_flow_distance_on_a_quadratic_matches_closed_forms(rotated_quadratic):
    p = rotated_quadratic
    lr, n = 0.5 / p.smoothness, 30
    measured = gfbook.flow_distance(p.loss, p.x0, lr, n)
    gd = gfbook.quadratic_gd(p.hessian, p.x0, lr, n)
    flow = gfbook.quadratic_flow(p.hessian, p.x0, lr * jnp.arange(n + 1))
    np.testing.assert_allclose(measured, np.linalg.norm(gd - flow, axis=1), rtol=0, atol=1e-9)
    assert measured[0] == 0.0 and measured[-1] > 0


def test_fit_power_law_exact_and_noisy():
    x = np.geomspace(1e-3, 1.0, 12)
    slope, constant = gfbook.fit_power_law(x, 3.0 * x**1.5)
    assert slope == pytest.approx(1.5, abs=1e-12) and constant == pytest.approx(3.0, rel=1e-12)
    noisy = 3.0 * x**1.5 * np.exp(0.05 * np.random.default_rng(0).standard_normal(12))
    slope, _ = gfbook.fit_power_law(x, noisy)
    assert abs(slope - 1.5) < 0.05


def test_divergence_index():
    path = np.ones((10, 2))
    assert gfbook.divergence_index(path) is None and not gfbook.diverged(path)
    with_nan = path.copy()
    with_nan[6, 1] = np.nan
    assert gfbook.divergence_index(with_nan) == 6
    with_inf = path.copy()
    with_inf[3:, 0] = np.inf
    assert gfbook.divergence_index(with_inf) == 3
    huge = path.copy()
    huge[8] = 1e120
    assert gfbook.divergence_index(huge) == 8
    assert gfbook.divergence_index(huge, threshold=1e200) is None
    tree = {"a": with_nan, "b": path}
    assert gfbook.divergence_index(tree) == 6
