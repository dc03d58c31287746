"""gfbook.gradient_descent against the closed form (I - h A)^k x0 and hand computation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook
from gfbook.methods.descent import _descent_scan


@pytest.mark.parametrize("dim, rotation_seed", [(1, None), (20, None), (20, 0)])
@pytest.mark.parametrize("lr_times_lmax", [0.3, 1.0, 1.9])
def test_matches_matrix_power(dim, rotation_seed, lr_times_lmax):
    problem = gfbook.quadratic(np.linspace(0.2, 2.0, dim), rotation_seed=rotation_seed)
    lr = lr_times_lmax / problem.smoothness
    path = gfbook.gradient_descent(problem.loss, problem.x0, lr, 50)
    step = np.eye(dim) - lr * np.asarray(problem.hessian)
    expected = np.stack([np.linalg.matrix_power(step, k) @ np.ones(dim) for k in range(51)])
    assert path.shape == (51, dim)
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-10)


def test_one_step_by_hand(rosen):
    path = gfbook.gradient_descent(rosen.loss, rosen.x0, 1e-3, 1)
    x, y = np.asarray(rosen.x0)
    grad = np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])
    np.testing.assert_allclose(path[1], rosen.x0 - 1e-3 * grad, rtol=1e-14)


def test_zero_steps_returns_start(rotated_quadratic):
    path = gfbook.gradient_descent(rotated_quadratic.loss, rotated_quadratic.x0, 0.1, 0)
    assert path.shape == (1, 20)
    np.testing.assert_array_equal(path[0], rotated_quadratic.x0)


def test_pytree_parameters_match_flat_run():
    A = jnp.diag(jnp.array([1.0, 2.0, 3.0, 4.0, 5.0]))

    def flat_loss(x):
        return 0.5 * x @ A @ x

    def tree_loss(p):
        return flat_loss(jnp.concatenate([p["w"].ravel(), p["b"]]))

    params = {"w": jnp.ones((2, 2)), "b": jnp.array([1.0])}
    tree_path = gfbook.gradient_descent(tree_loss, params, 0.1, 7)
    flat_path = gfbook.gradient_descent(flat_loss, jnp.ones(5), 0.1, 7)
    assert tree_path["w"].shape == (8, 2, 2) and tree_path["b"].shape == (8, 1)
    np.testing.assert_allclose(tree_path["w"].reshape(8, 4), flat_path[:, :4], rtol=1e-14)
    np.testing.assert_allclose(tree_path["b"][:, 0], flat_path[:, 4], rtol=1e-14)


def test_float32_start_stays_float32():
    path = gfbook.gradient_descent(lambda x: jnp.sum(x**2), jnp.ones(3, jnp.float32), 0.1, 5)
    assert path.dtype == jnp.float32


def test_integer_start_becomes_float():
    path = gfbook.gradient_descent(lambda x: jnp.sum(x**2), np.array([1, 2]), 0.25, 2)
    np.testing.assert_allclose(path[-1], [0.25, 0.5])


def test_divergence_is_returned_not_raised(rotated_quadratic):
    lr = 2.5 / rotated_quadratic.smoothness
    path = gfbook.gradient_descent(rotated_quadratic.loss, rotated_quadratic.x0, lr, 2000)
    with np.errstate(over="ignore", invalid="ignore"):
        norms = np.linalg.norm(np.asarray(path), axis=1)
    assert norms[10] > norms[0]  # growing already
    assert not np.all(np.isfinite(norms))  # ... to overflow
    index = gfbook.divergence_index(path)
    assert gfbook.diverged(path) and 0 < index < 2000
    assert np.all(np.isfinite(norms[:index]) & (norms[:index] <= 1e100))


def test_vmap_over_lr_equals_separate_runs(rotated_quadratic):
    p = rotated_quadratic
    lrs = jnp.array([0.1, 0.5, 1.0]) / p.smoothness
    batched = jax.vmap(lambda lr: gfbook.gradient_descent(p.loss, p.x0, lr, 30))(lrs)
    for lr, path in zip(lrs, batched):
        np.testing.assert_allclose(path, gfbook.gradient_descent(p.loss, p.x0, float(lr), 30), rtol=1e-13)


def test_problems_of_one_family_share_a_compile():
    before = _descent_scan._cache_size()
    for seed in range(3):
        problem = gfbook.quadratic_with_condition(7, 10.0 + seed, rotation_seed=seed)
        gfbook.gradient_descent(problem.loss, problem.x0, 0.3, 11)
        gfbook.gradient_descent(problem.loss, problem.x0, 0.2 + 0.1 * seed, 11)
    assert _descent_scan._cache_size() - before <= 1
