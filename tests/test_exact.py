"""gfbook.quadratic_flow against scipy.linalg.expm; gfbook.quadratic_gd against numpy.linalg.matrix_power."""

import numpy as np
import pytest
import scipy.linalg

import gfbook

RNG = np.random.default_rng(2024)


def random_spd(dim, eigenvalues):
    q, _ = np.linalg.qr(RNG.standard_normal((dim, dim)))
    A = (q * eigenvalues) @ q.T
    return (A + A.T) / 2


HESSIANS = {
    "diagonal": np.diag([0.5, 1.0, 2.0, 4.0, 0.25, 3.0]),
    "rotated": random_spd(6, np.array([0.01, 0.1, 0.5, 1.0, 2.0, 3.0])),
    "semidefinite": random_spd(6, np.array([0.0, 0.0, 0.3, 1.0, 2.5, 0.7])),
}
X0 = {name: RNG.standard_normal(A.shape[0]) for name, A in HESSIANS.items()}
X_STAR = {name: RNG.standard_normal(A.shape[0]) for name, A in HESSIANS.items()}


@pytest.mark.parametrize("with_x_star", [False, True])
@pytest.mark.parametrize("name", list(HESSIANS))
def test_quadratic_flow_is_the_matrix_exponential(name, with_x_star):
    A, x0 = HESSIANS[name], X0[name]
    x_star = X_STAR[name] if with_x_star else np.zeros_like(x0)
    ts = np.array([0.0, 0.01, 0.3, 1.0, 2.5, 10.0, 100.0])
    flow = gfbook.quadratic_flow(A, x0, ts, x_star=X_STAR[name] if with_x_star else None)
    expected = np.stack([x_star + scipy.linalg.expm(-t * A) @ (x0 - x_star) for t in ts])
    assert flow.shape == (len(ts), len(x0))
    np.testing.assert_allclose(np.asarray(flow), expected, rtol=0, atol=1e-12)


def test_quadratic_flow_starts_at_x0_and_accepts_a_start_time():
    A, x0 = HESSIANS["rotated"], X0["rotated"]
    ts = np.array([1.0, 2.0])  # the closed form is x(t) = e^{-tA} x0: time is measured from 0
    flow = gfbook.quadratic_flow(A, x0, ts)
    np.testing.assert_allclose(np.asarray(flow[1]), scipy.linalg.expm(-2.0 * A) @ x0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(gfbook.quadratic_flow(A, x0, [0.0])[0]), x0, rtol=1e-14)


# lr * lambda_max: below 1, between 1 and 2 (oscillating but stable), exactly 2, and above 2 (diverging
# with negative bases, where odd powers must keep their sign).
@pytest.mark.parametrize("lr_times_lmax", [0.5, 1.0, 1.7, 2.0, 2.3, 3.0])
@pytest.mark.parametrize("with_x_star", [False, True])
@pytest.mark.parametrize("name", list(HESSIANS))
def test_quadratic_gd_is_the_matrix_power(name, with_x_star, lr_times_lmax):
    A, x0 = HESSIANS[name], X0[name]
    x_star = X_STAR[name] if with_x_star else np.zeros_like(x0)
    lr = lr_times_lmax / np.linalg.eigvalsh(A).max()
    num_steps = 25
    path = gfbook.quadratic_gd(A, x0, lr, num_steps, x_star=X_STAR[name] if with_x_star else None)
    step = np.eye(len(x0)) - lr * A
    expected = np.stack(
        [x_star + np.linalg.matrix_power(step, k) @ (x0 - x_star) for k in range(num_steps + 1)]
    )
    assert path.shape == (num_steps + 1, len(x0))
    # Relative to the size of each iterate: above 2/lambda_max the iterates grow like 2^k.
    scale = np.linalg.norm(expected, axis=1, keepdims=True)
    error = np.abs(np.asarray(path) - expected)
    assert np.all(error <= 1e-11 * scale + 1e-13), (
        f"max relative error {np.max(error / (scale + 1e-300)):.2e}"
    )


def test_quadratic_gd_negative_base_keeps_sign_of_odd_powers():
    # One mode, lr * lambda = 3: x_k = (-2)^k x0, by hand.
    path = gfbook.quadratic_gd([[1.0]], [1.0], 3.0, 5)
    np.testing.assert_array_equal(np.asarray(path[:, 0]), [1.0, -2.0, 4.0, -8.0, 16.0, -32.0])
    # With x* = 1: x_k = 1 + (-2)^k (x0 - 1).
    path = gfbook.quadratic_gd([[1.0]], [3.0], 3.0, 3, x_star=[1.0])
    np.testing.assert_array_equal(np.asarray(path[:, 0]), [3.0, -3.0, 9.0, -15.0])


def test_quadratic_gd_zero_steps_and_lr_hitting_a_mode_exactly():
    A = np.diag([1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(gfbook.quadratic_gd(A, [1.0, 1.0], 0.1, 0)), [[1.0, 1.0]])
    # lr = 1/lambda for the first mode: base 0, so that mode is solved in one step (0^0 = 1 at k = 0).
    path = gfbook.quadratic_gd(A, [1.0, 1.0], 1.0, 3)
    np.testing.assert_array_equal(np.asarray(path), [[1.0, 1.0], [0.0, -1.0], [0.0, 1.0], [0.0, -1.0]])


def test_closed_forms_agree_with_the_methods():
    # The same problem through gfbook.gradient_descent: a second, independent route to the iterates.
    p = gfbook.quadratic(
        [0.1, 0.5, 1.0, 2.0], rotation_seed=4, x0=[1.0, -1.0, 2.0, 0.5], x_star=[0.3, 0.0, -1.0, 2.0]
    )
    lr = 0.9 / p.smoothness
    np.testing.assert_allclose(
        np.asarray(gfbook.quadratic_gd(p.hessian, p.x0, lr, 20, x_star=p.x_star)),
        np.asarray(gfbook.gradient_descent(p.loss, p.x0, lr, 20)),
        rtol=0,
        atol=1e-12,
    )
