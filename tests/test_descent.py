"""gfbook.gradient_descent against the closed form x_k = (I - h A)^k x_0 (numpy.linalg.matrix_power)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook


def matrix_power_path(A, x0, lr, num_steps):
    """The reference: x_k = (I - lr A)^k x0 for k = 0..num_steps, each power computed by numpy."""
    A, x0 = np.asarray(A, dtype=float), np.asarray(x0, dtype=float)
    step = np.eye(A.shape[0]) - lr * A
    return np.stack([np.linalg.matrix_power(step, k) @ x0 for k in range(num_steps + 1)])


SPECTRA = {
    "d1": np.array([0.7]),
    "d20": np.geomspace(0.05, 3.0, 20),
}


@pytest.fixture(scope="module")
def problems():
    """Diagonal and rotated quadratics of dimension 1 and 20, with a start point that excites every mode."""
    out = {}
    for label, spectrum in SPECTRA.items():
        x0 = np.linspace(1.0, -2.0, spectrum.size) if spectrum.size > 1 else np.array([1.5])
        out[label, "diagonal"] = gfbook.quadratic(spectrum, x0=x0)
        out[label, "rotated"] = gfbook.quadratic(spectrum, x0=x0, rotation_seed=11)
    return out


@pytest.mark.parametrize("lr_times_lmax", [0.1, 1.0, 1.5, 1.99])
@pytest.mark.parametrize("rotation", ["diagonal", "rotated"])
@pytest.mark.parametrize("dim", ["d1", "d20"])
def test_matches_matrix_power(problems, dim, rotation, lr_times_lmax):
    p = problems[dim, rotation]
    lr = lr_times_lmax / p.smoothness
    num_steps = 40
    path = gfbook.gradient_descent(p.loss, p.x0, lr, num_steps)
    expected = matrix_power_path(p.hessian, p.x0, lr, num_steps)
    assert path.shape == (num_steps + 1, p.x0.shape[0])
    assert path.dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-10)


def test_rotated_hessian_is_really_rotated(problems):
    # Guards the test above: the "rotated" problems must not be diagonal, or rotation is untested.
    A = np.asarray(problems["d20", "rotated"].hessian)
    assert np.abs(A - np.diag(np.diag(A))).max() > 0.1


@pytest.mark.parametrize("num_steps", [0, 1, 7])
def test_output_shape(problems, num_steps):
    p = problems["d20", "rotated"]
    path = gfbook.gradient_descent(p.loss, p.x0, 0.1, num_steps)
    assert path.shape == (num_steps + 1, 20)
    np.testing.assert_array_equal(np.asarray(path[0]), np.asarray(p.x0))


def test_output_shape_of_a_matrix_parameter():
    # x0 of shape (2, 3): the trajectory is (num_steps + 1, 2, 3), and (I - h A)^k acts entrywise.
    weights = jnp.array([[1.0, 2.0, 3.0], [0.5, 0.25, 4.0]])
    x0 = jnp.arange(6.0).reshape(2, 3) - 2.5
    path = gfbook.gradient_descent(lambda x: 0.5 * jnp.sum(weights * x**2), x0, 0.2, 9)
    assert path.shape == (10, 2, 3)
    expected = matrix_power_path(np.diag(np.asarray(weights).ravel()), np.asarray(x0).ravel(), 0.2, 9)
    np.testing.assert_allclose(np.asarray(path).reshape(10, 6), expected, rtol=0, atol=1e-12)


# A pytree loss: two independent quadratics, one on a (2, 3) matrix leaf and one on a vector leaf.
_RNG = np.random.default_rng(5)
_M = _RNG.standard_normal((6, 6))
A_W = _M @ _M.T / 6 + 0.1 * np.eye(6)
A_B = np.diag([0.3, 1.0, 2.0])


def tree_loss(params):
    w = params["w"].ravel()
    b = params["b"]
    return 0.5 * w @ (jnp.asarray(A_W) @ w) + 0.5 * b @ (jnp.asarray(A_B) @ b)


def test_pytree_start_matches_closed_form_per_leaf():
    x0 = {"w": jnp.asarray(_RNG.standard_normal((2, 3))), "b": jnp.array([1.0, -1.0, 2.0])}
    lr = 1.2 / max(np.linalg.eigvalsh(A_W).max(), 2.0)
    num_steps = 25
    path = gfbook.gradient_descent(tree_loss, x0, lr, num_steps)
    assert set(path) == {"w", "b"}
    assert path["w"].shape == (num_steps + 1, 2, 3)
    assert path["b"].shape == (num_steps + 1, 3)
    expected_w = matrix_power_path(A_W, np.asarray(x0["w"]).ravel(), lr, num_steps)
    expected_b = matrix_power_path(A_B, x0["b"], lr, num_steps)
    np.testing.assert_allclose(
        np.asarray(path["w"]).reshape(num_steps + 1, 6), expected_w, rtol=0, atol=1e-10
    )
    np.testing.assert_allclose(np.asarray(path["b"]), expected_b, rtol=0, atol=1e-10)


def test_float32_start_stays_float32(problems):
    p = problems["d20", "rotated"]
    lr = 1.0 / p.smoothness
    path32 = gfbook.gradient_descent(p.loss, p.x0.astype(jnp.float32), lr, 30)
    assert path32.dtype == jnp.float32
    expected = matrix_power_path(p.hessian, p.x0, lr, 30)
    np.testing.assert_allclose(np.asarray(path32, dtype=float), expected, rtol=0, atol=1e-5)


def test_integer_start_becomes_float64():
    path = gfbook.gradient_descent(lambda x: 0.5 * jnp.sum(x**2), jnp.array([1, 2, 3]), 0.5, 3)
    assert path.dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(path[-1]), 0.5**3 * np.array([1.0, 2.0, 3.0]), rtol=1e-15)


def test_diverging_run_returns_the_blow_up():
    eigenvalues = np.array([0.2, 0.6, 1.0])
    p = gfbook.quadratic(eigenvalues)
    lr = 2.5 / p.smoothness  # the top mode is multiplied by 1 - 2.5 = -1.5 per step
    num_steps = 2000  # 1.5 ** 2000 overflows float64
    path = gfbook.gradient_descent(p.loss, p.x0, lr, num_steps)  # must not raise
    assert path.shape == (num_steps + 1, 3)

    # Before overflow the iterates are the closed form (to relative rounding).
    k = np.arange(60)
    expected = (1.0 - lr * eigenvalues) ** k[:, None]
    np.testing.assert_allclose(np.asarray(path[:60]), expected, rtol=1e-12)

    norms = np.linalg.norm(np.asarray(path[:500]), axis=1)
    assert norms[499] > 1e80  # 1.5 ** 499 = 3e87
    assert not np.isfinite(np.asarray(path[-1])).all()

    # The first step whose norm exceeds the default threshold 1e100, from the closed form.
    with np.errstate(over="ignore"):
        closed_norms = np.sqrt(
            np.sum(np.abs(1.0 - lr * eigenvalues) ** (2 * np.arange(num_steps + 1)[:, None]), axis=1)
        )
    expected_index = int(np.argmax(closed_norms > 1e100))
    assert 560 < expected_index < 575  # log(1e100) / log(1.5) = 567.9
    assert gfbook.diverged(path)
    assert gfbook.divergence_index(path) == expected_index


def test_stable_run_does_not_diverge(problems):
    p = problems["d20", "rotated"]
    path = gfbook.gradient_descent(p.loss, p.x0, 1.9 / p.smoothness, 200)
    assert not gfbook.diverged(path)
    assert gfbook.divergence_index(path) is None


def test_vmap_over_lr_equals_separate_calls(problems):
    p = problems["d20", "rotated"]
    lrs = jnp.array([0.1, 0.5, 1.0, 1.9]) / p.smoothness
    batched = jax.vmap(lambda h: gfbook.gradient_descent(p.loss, p.x0, h, 30))(lrs)
    assert batched.shape == (4, 31, 20)
    for i, lr in enumerate(np.asarray(lrs)):
        separate = gfbook.gradient_descent(p.loss, p.x0, float(lr), 30)
        np.testing.assert_allclose(np.asarray(batched[i]), np.asarray(separate), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(
            np.asarray(batched[i]), matrix_power_path(p.hessian, p.x0, float(lr), 30), rtol=0, atol=1e-10
        )


def test_two_quadratics_of_one_shape_each_follow_their_own_closed_form():
    # They share one compile (test_compiles.py); the shared program still uses each problem's own data.
    first = gfbook.quadratic(np.linspace(0.5, 2.0, 7), rotation_seed=1)
    second = gfbook.quadratic(np.geomspace(0.01, 4.0, 7), rotation_seed=2, x0=np.arange(7.0))
    path1 = gfbook.gradient_descent(first.loss, first.x0, 0.3, 13)
    path2 = gfbook.gradient_descent(second.loss, second.x0, 0.4, 13)
    np.testing.assert_allclose(
        np.asarray(path1), matrix_power_path(first.hessian, first.x0, 0.3, 13), atol=1e-10
    )
    np.testing.assert_allclose(
        np.asarray(path2), matrix_power_path(second.hessian, second.x0, 0.4, 13), atol=1e-10
    )


def test_step_refinement_runs_the_same_gd_step():
    # one GD step function serves gradient_descent and step_refinement_distance: at ratio 1
    # the fine run is the coarse run, and the coarse run is gradient_descent's, bit for bit
    problem = gfbook.logistic_regression(40, 4, l2=1e-3, seed=1)
    path = np.asarray(gfbook.gradient_descent(problem.loss, problem.x0, 0.7, 15))
    gap, moved = gfbook.step_refinement_distance(problem.loss, problem.x0, 0.7, 15, 1)
    assert np.all(np.asarray(gap) == 0.0)
    expected = np.linalg.norm(path - np.asarray(problem.x0), axis=1)
    np.testing.assert_allclose(np.asarray(moved), expected, rtol=1e-14, atol=0)
