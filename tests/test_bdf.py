"""gfbook.bdf: BDF/Adams coefficients against the classical tables and the order conditions,
stability theory against published A(alpha) angles and closed-form regions, and the
approximate BDF method against exact implicit steps and a numpy re-implementation."""

import importlib
import math
from fractions import Fraction as F

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook
from gfbook import bdf

# ------------------------------------------------------------------ reference tables

# BDF-k, alpha_0 = 1 (Hairer & Wanner, Solving ODEs II, Table V.1.1, normalised; Iserles, ch. 2.3).
BDF_TABLE = {
    1: ([1, -1], F(1)),
    2: ([1, F(-4, 3), F(1, 3)], F(2, 3)),
    3: ([1, F(-18, 11), F(9, 11), F(-2, 11)], F(6, 11)),
    4: ([1, F(-48, 25), F(36, 25), F(-16, 25), F(3, 25)], F(12, 25)),
    5: ([1, F(-300, 137), F(300, 137), F(-200, 137), F(75, 137), F(-12, 137)], F(60, 137)),
    6: ([1, F(-360, 147), F(450, 147), F(-400, 147), F(225, 147), F(-72, 147), F(10, 147)], F(60, 147)),
}
# Adams-Bashforth b_1..b_k and Adams-Moulton b_0..b_k (Hairer, Norsett & Wanner I, Tables III.1.1, III.1.2).
AB_TABLE = {
    1: [1],
    2: [F(3, 2), F(-1, 2)],
    3: [F(23, 12), F(-16, 12), F(5, 12)],
    4: [F(55, 24), F(-59, 24), F(37, 24), F(-9, 24)],
}
AM_TABLE = {
    1: [F(1, 2), F(1, 2)],
    2: [F(5, 12), F(8, 12), F(-1, 12)],
    3: [F(9, 24), F(19, 24), F(-5, 24), F(1, 24)],
    4: [F(251, 720), F(646, 720), F(-264, 720), F(106, 720), F(-19, 720)],
}
# A(alpha) angles of BDF3..6 in degrees (Hairer & Wanner II, Table V.2.3).
ALPHA_ANGLES = {3: 86.03, 4: 73.35, 5: 51.84, 6: 17.84}


def order_defects(alpha, beta, qmax):
    r"""C_q = (sum_j alpha_j (-j)^q - q sum_j beta_j (-j)^{q-1}) / q!, q = 0..qmax, exactly.

    The Taylor coefficients of the residual sum alpha_j x(t_{n+1-j}) - h sum beta_j x'(t_{n+1-j})
    about t_{n+1}: the residual is sum_q C_q h^q x^(q)(t_{n+1}). The method has order exactly p
    iff C_0 = ... = C_p = 0 and C_{p+1} != 0 (with 0^0 = 1).
    """

    def power(base, e):
        return F(1) if e == 0 else F(base) ** e

    out = []
    for q in range(qmax + 1):
        lhs = sum(F(a) * power(-j, q) for j, a in enumerate(alpha))
        rhs = q * sum(F(b) * power(-j, q - 1) for j, b in enumerate(beta)) if q > 0 else F(0)
        out.append((lhs - rhs) / math.factorial(q))
    return out


# Error constants of BDF1-6. C_{k+1} = -beta/(k + 1) with alpha_0 = 1, and the
# normalised C_{k+1} / sigma(1) = -1 / (k + 1) (Hairer, Norsett & Wanner I, III.2).
BDF_LEADING = [F(-1, 2), F(-2, 9), F(-3, 22), F(-12, 125), F(-10, 137), F(-20, 343)]


@pytest.mark.parametrize("k", range(1, 7))
def test_bdf_error_constants(k):
    alpha, beta = gfbook.bdf_coefficients(k, exact=True)
    leading = order_defects(alpha, [beta] + [0] * k, k + 1)[k + 1]
    assert leading == BDF_LEADING[k - 1]
    assert leading / beta == F(-1, k + 1)


def test_error_constants_of_known_methods():
    # implicit Euler -1/2, trapezoid -1/12, explicit Euler +1/2, AB2 5/12 (HNW I, III.2)
    assert order_defects([1, -1], [1, 0], 2)[2] == F(-1, 2)
    assert order_defects([1, -1], [F(1, 2), F(1, 2)], 3)[3] == F(-1, 12)
    assert order_defects([1, -1], [0, 1], 2)[2] == F(1, 2)
    assert order_defects([1, -1, 0], [0, F(3, 2), F(-1, 2)], 3)[3] == F(5, 12)


# ------------------------------------------------------------------ coefficients


@pytest.mark.parametrize("k", range(1, 7))
def test_bdf_coefficients_match_table(k):
    alpha, beta = gfbook.bdf_coefficients(k, exact=True)
    expected_alpha, expected_beta = BDF_TABLE[k]
    assert all(isinstance(a, F) for a in alpha) and isinstance(beta, F)
    assert alpha == [F(a) for a in expected_alpha]
    assert beta == expected_beta
    alpha_f, beta_f = gfbook.bdf_coefficients(k)
    assert alpha_f.dtype == np.float64 and alpha_f.shape == (k + 1,)
    np.testing.assert_allclose(alpha_f, [float(a) for a in expected_alpha], rtol=1e-15)
    assert float(beta_f) == pytest.approx(float(expected_beta), rel=1e-15)


@pytest.mark.parametrize("k", range(1, 8))
def test_bdf_order_conditions(k):
    alpha, beta = bdf._bdf_exact(k)  # k = 7 too: consistent of order 7, just not zero stable
    defects = order_defects(alpha, [beta] + [0] * k, k + 1)
    assert defects[: k + 1] == [0] * (k + 1)
    assert defects[k + 1] != 0  # order exactly k


@pytest.mark.parametrize("k", range(1, 7))
def test_adams_coefficients(k):
    ab = gfbook.adams_bashforth_coefficients(k, exact=True)
    am = gfbook.adams_moulton_coefficients(k, exact=True)
    assert len(ab) == k and len(am) == k + 1
    if k in AB_TABLE:
        assert ab == [F(b) for b in AB_TABLE[k]]
        assert am == [F(b) for b in AM_TABLE[k]]
    alpha = [1, -1] + [0] * (k - 1)
    d_ab = order_defects(alpha, [0] + ab, k + 1)
    assert d_ab[: k + 1] == [0] * (k + 1) and d_ab[k + 1] != 0  # AB-k: order k
    d_am = order_defects(alpha, am, k + 2)
    assert d_am[: k + 2] == [0] * (k + 2) and d_am[k + 2] != 0  # AM-k: order k + 1
    np.testing.assert_allclose(gfbook.adams_bashforth_coefficients(k), [float(b) for b in ab], rtol=1e-15)
    np.testing.assert_allclose(gfbook.adams_moulton_coefficients(k), [float(b) for b in am], rtol=1e-15)


# ------------------------------------------------------------------ stability theory


@pytest.mark.parametrize("k", [1, 2])
def test_bdf1_bdf2_are_a_stable(k):
    assert gfbook.bdf_alpha_angle(k) == 90.0
    # and directly: the whole left half-plane grid is stable
    rho, sigma = gfbook.lmm_polynomials("bdf", k)
    re, im = np.linspace(-20, -1e-3, 41), np.linspace(-20, 20, 41)
    assert gfbook.stability_region(rho, sigma, re, im).all()


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_bdf_alpha_angles_published(k):
    assert gfbook.bdf_alpha_angle(k) == pytest.approx(ALPHA_ANGLES[k], abs=0.01)


@pytest.mark.parametrize("k", [3, 6])
def test_alpha_angle_is_sharp(k):
    # Rays just inside the sector are stable; just outside, some point on the ray is unstable.
    rho, sigma = gfbook.lmm_polynomials("bdf", k)
    a = np.radians(gfbook.bdf_alpha_angle(k))
    radii = np.geomspace(1e-2, 20, 4000)

    def ray_stable(angle):
        z = -radii * np.exp(1j * angle)
        return bdf._max_root_modulus(rho[None, :] - z[:, None] * sigma[None, :]) <= 1 + 1e-9

    assert ray_stable(a - np.radians(0.05)).all()
    assert not ray_stable(a + np.radians(0.05)).all()


def test_zero_stability():
    for k in range(1, 7):
        assert gfbook.is_zero_stable(gfbook.lmm_polynomials("bdf", k)[0]), k
        assert gfbook.is_zero_stable(gfbook.lmm_polynomials("adams_bashforth", k)[0]), k
        assert gfbook.is_zero_stable(gfbook.lmm_polynomials("adams_moulton", k)[0]), k
    assert gfbook.is_zero_stable(gfbook.lmm_polynomials("euler")[0])
    assert not gfbook.is_zero_stable(gfbook.lmm_polynomials("bdf", 7)[0])
    assert not gfbook.is_zero_stable(gfbook.lmm_polynomials("bdf", 8)[0])
    # a double root on the circle (x_{n+1} - 2 x_n + x_{n-1}) is not zero stable; inside it is
    assert not gfbook.is_zero_stable([1.0, -2.0, 1.0])
    assert gfbook.is_zero_stable([1.0, -1.0, 0.25])


def test_euler_stability_region_is_disc():
    rho, sigma = gfbook.lmm_polynomials("euler")
    re, im = np.linspace(-3, 1, 81), np.linspace(-2, 2, 81)
    region = gfbook.stability_region(rho, sigma, re, im)
    assert region.shape == (81, 81)
    dist = np.abs(1 + re[None, :] + 1j * im[:, None])
    away = np.abs(dist - 1) > 1e-6
    assert away.sum() > 6000
    np.testing.assert_array_equal(region[away], (dist <= 1)[away])


def test_bdf1_stability_region_is_outside_disc():
    rho, sigma = gfbook.lmm_polynomials("bdf", 1)
    re, im = np.linspace(-2, 4, 61), np.linspace(-3, 3, 61)
    region = gfbook.stability_region(rho, sigma, re, im)
    dist = np.abs(re[None, :] + 1j * im[:, None] - 1)  # stable iff |1 - z| >= 1
    away = np.abs(dist - 1) > 1e-6
    np.testing.assert_array_equal(region[away], (dist >= 1)[away])


def test_boundary_locus_of_euler_and_bdf2():
    theta = np.linspace(0, 2 * np.pi, 101)
    z = gfbook.boundary_locus(*gfbook.lmm_polynomials("euler"), num=101)
    np.testing.assert_allclose(z, np.exp(1j * theta) - 1, atol=1e-14)
    # BDF2: z = (3/2) - 2/zeta + (1/2)/zeta^2; on the locus rho - z sigma has a root of modulus 1
    rho, sigma = gfbook.lmm_polynomials("bdf", 2)
    z = gfbook.boundary_locus(rho, sigma, num=57)
    zeta = np.exp(1j * np.linspace(0, 2 * np.pi, 57))
    np.testing.assert_allclose(z, 1.5 - 2 / zeta + 0.5 / zeta**2, atol=1e-13)


# ------------------------------------------------------------------ exact BDF: order of convergence


def exact_bdf_decay(k, num_steps, T=1.0):
    """Exact BDF-k on x' = -x, x(0) = 1 up to T, starting values from the exact solution; returns |x_N - e^{-T}|."""
    h = T / num_steps
    alpha, beta = gfbook.bdf_coefficients(k)
    xs = list(np.exp(-h * np.arange(k)))  # x_0 .. x_{k-1}
    for n in range(k - 1, num_steps):
        c = -sum(alpha[j] * xs[n + 1 - j] for j in range(1, k + 1))
        xs.append(np.linalg.solve([[1 + h * beta]], [c])[0])  # the implicit step, solved exactly
    return abs(xs[num_steps] - np.exp(-T))


@pytest.mark.parametrize("k", range(1, 7))
def test_exact_bdf_converges_with_order_k(k):
    steps = np.array([20, 28, 40, 56, 80])  # asymptotic already; BDF6's smallest error is ~2e-13, above roundoff
    errors = np.array([exact_bdf_decay(k, int(n)) for n in steps])
    slope = np.polyfit(np.log(1.0 / steps), np.log(errors), 1)[0]
    assert slope == pytest.approx(k, abs=0.2)


# ------------------------------------------------------------------ approximate BDF


def rotated_quadratic(dim=5, seed=0, lo=0.1, hi=3.0):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    A = Q @ np.diag(np.geomspace(lo, hi, dim)) @ Q.T
    b = rng.normal(size=dim)
    A_j, b_j = jnp.asarray(A), jnp.asarray(b)
    loss = jax.tree_util.Partial(lambda A, b, x: 0.5 * x @ A @ x - b @ x, A_j, b_j)
    return A, b, loss, np.linspace(1.0, -1.0, dim)


def reference_path(A, b, x0, lr, num_steps, order, inner_steps=None, inner_lr=None, warm_start="last"):
    """numpy: BDF with start-up; the step solved exactly (inner_steps None) or by explicit inner GD loops."""
    xs = [np.asarray(x0, float)]
    eye = np.eye(len(x0))
    for n in range(num_steps):
        m = min(n + 1, order)
        alpha, beta = gfbook.bdf_coefficients(m)
        c = -sum(alpha[j] * xs[n + 1 - j] for j in range(1, m + 1))
        if inner_steps is None:
            xs.append(np.linalg.solve(eye + lr * beta * A, c + lr * beta * b))
        else:
            y = xs[n].copy() if warm_start == "last" else c.copy()
            for _ in range(inner_steps):
                y = y - inner_lr * (lr * beta * (A @ y - b) + y - c)
            xs.append(y)
    return np.stack(xs)


@pytest.mark.parametrize("order", range(1, 7))
def test_many_inner_steps_give_exact_bdf(order):
    A, b, loss, x0 = rotated_quadratic()
    lr, num_steps = 0.5, 12
    beta_max = 1.0  # beta <= 1 for every BDF, so this inner step is safe for all start-up orders
    inner_lr = 1.0 / (1 + lr * beta_max * 3.0)
    path = gfbook.approx_bdf(loss, x0, lr, num_steps, order=order, inner_steps=120, inner_lr=inner_lr)
    assert path.shape == (num_steps + 1, 5) and path.dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(path), reference_path(A, b, x0, lr, num_steps, order), rtol=0, atol=1e-8)


@pytest.mark.parametrize("order", [1, 2, 3, 6])
def test_few_inner_steps_match_numpy_loops(order):
    # Covers the start-up (BDF1, BDF2, ...) and the warm start: every iterate, few inner steps.
    A, b, loss, x0 = rotated_quadratic(seed=1)
    lr, inner_lr, num_steps = 0.7, 0.3, 10
    path = gfbook.approx_bdf(loss, x0, lr, num_steps, order=order, inner_steps=3, inner_lr=inner_lr)
    expected = reference_path(A, b, x0, lr, num_steps, order, inner_steps=3, inner_lr=inner_lr)
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-12)
    # the path is not trivially x0 (a test that cannot fail otherwise)
    assert np.abs(expected[-1] - x0).max() > 0.1


@pytest.mark.parametrize("order", [1, 2, 3, 6])
def test_centre_start_matches_numpy_loops(order):
    A, b, loss, x0 = rotated_quadratic(seed=3)
    lr, inner_lr, num_steps = 0.7, 0.3, 10
    kw = dict(inner_steps=3, inner_lr=inner_lr)
    path = np.asarray(gfbook.approx_bdf(loss, x0, lr, num_steps, order=order, warm_start="centre", **kw))
    expected = reference_path(A, b, x0, lr, num_steps, order, warm_start="centre", **kw)
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-12)
    last = np.asarray(gfbook.approx_bdf(loss, x0, lr, num_steps, order=order, **kw))
    if order == 1:  # c_n = x_n: the two starts are the same method
        np.testing.assert_array_equal(path, last)
    else:  # otherwise they differ (a test that can fail)
        assert np.abs(path - last).max() > 1e-3


def test_centre_start_order2_one_inner_step_is_nesterov(rosen):
    # x_{n+1} = c_n - (2/3) eta h grad L(c_n), c_n = x_n + (x_n - x_{n-1}) / 3, for n >= 1
    h, eta = 0.002, 0.6
    path = np.asarray(
        gfbook.approx_bdf(rosen.loss, rosen.x0, h, 15, order=2, inner_steps=1, inner_lr=eta, warm_start="centre")
    )
    grad = jax.grad(rosen.loss)
    for n in range(1, 15):
        c = path[n] + (path[n] - path[n - 1]) / 3
        expected = c - (2 / 3) * eta * h * np.asarray(grad(jnp.asarray(c)))
        np.testing.assert_allclose(path[n + 1], expected, rtol=1e-12, atol=1e-13)
    assert np.abs(path[-1] - path[0]).max() > 1e-3


def test_centre_start_zero_inner_steps_extrapolate():
    _, _, loss, x0 = rotated_quadratic()
    path = np.asarray(gfbook.approx_bdf(loss, x0, 0.5, 3, order=2, inner_steps=0, inner_lr=0.1, warm_start="centre"))
    np.testing.assert_array_equal(path, np.broadcast_to(x0, path.shape))  # x_1 = c_0 = x_0, then c_n = x_0
    tree = {"a": jnp.asarray(x0)}
    out = gfbook.approx_bdf(lambda t: loss(t["a"]), tree, 0.5, 2, order=2, inner_steps=1, inner_lr=0.1, warm_start="centre")
    assert out["a"].shape == (3, 5)


def test_startup_steps_are_lower_order_bdf():
    A, b, loss, x0 = rotated_quadratic(seed=2)
    kw = dict(inner_steps=4, inner_lr=0.25)
    p3 = np.asarray(gfbook.approx_bdf(loss, x0, 0.4, 3, order=3, **kw))
    p1 = np.asarray(gfbook.approx_bdf(loss, x0, 0.4, 1, order=1, **kw))
    p2 = np.asarray(gfbook.approx_bdf(loss, x0, 0.4, 2, order=2, **kw))
    np.testing.assert_array_equal(p3[1], p1[1])  # first step: approximate BDF1
    np.testing.assert_allclose(p3[2], p2[2], rtol=0, atol=1e-15)  # second: approximate BDF2
    assert np.abs(p3[3] - np.asarray(gfbook.approx_bdf(loss, x0, 0.4, 3, order=2, **kw))[3]).max() > 1e-6


def test_one_inner_step_order1_is_gradient_descent(rosen):
    path = gfbook.approx_bdf(rosen.loss, rosen.x0, 0.01, 20, order=1, inner_steps=1, inner_lr=0.5)
    gd = gfbook.gradient_descent(rosen.loss, rosen.x0, 0.005, 20)
    np.testing.assert_allclose(np.asarray(path), np.asarray(gd), rtol=1e-13, atol=1e-14)


def test_one_inner_step_order2_is_heavy_ball(rosen):
    # x_{n+1} = x_n - (2/3) eta h grad L(x_n) + (eta/3) (x_n - x_{n-1}) for n >= 1
    h, eta = 0.002, 0.6
    path = np.asarray(gfbook.approx_bdf(rosen.loss, rosen.x0, h, 15, order=2, inner_steps=1, inner_lr=eta))
    grad = jax.grad(rosen.loss)
    for n in range(1, 15):
        expected = path[n] - (2 / 3) * eta * h * np.asarray(grad(jnp.asarray(path[n]))) + (eta / 3) * (path[n] - path[n - 1])
        np.testing.assert_allclose(path[n + 1], expected, rtol=1e-12, atol=1e-13)
    assert np.abs(path[-1] - path[0]).max() > 1e-3


def test_zero_inner_steps_stay_put():
    _, _, loss, x0 = rotated_quadratic()
    path = np.asarray(gfbook.approx_bdf(loss, x0, 0.5, 4, order=2, inner_steps=0, inner_lr=0.1))
    np.testing.assert_array_equal(path, np.broadcast_to(x0, path.shape))


def test_num_steps_zero():
    _, _, loss, x0 = rotated_quadratic()
    path = gfbook.approx_bdf(loss, x0, 0.5, 0, order=3, inner_steps=2, inner_lr=0.1)
    np.testing.assert_array_equal(np.asarray(path), x0[None])


def test_divergence_is_returned_not_raised():
    _, _, loss, x0 = rotated_quadratic()
    path = np.asarray(gfbook.approx_bdf(loss, x0, 5.0, 300, order=2, inner_steps=2, inner_lr=1.5))
    assert not np.isfinite(path[-1]).all()
    assert np.isfinite(path[0]).all()


def test_vmap_over_lr_matches_separate_runs():
    _, _, loss, x0 = rotated_quadratic()
    lrs = jnp.array([0.1, 0.5, 2.0])
    run = lambda lr, eta: gfbook.approx_bdf(loss, x0, lr, 8, order=3, inner_steps=5, inner_lr=eta)  # noqa: E731
    batched = jax.vmap(run, in_axes=(0, None))(lrs, 0.2)
    assert batched.shape == (3, 9, 5)
    for i, lr in enumerate(lrs):
        np.testing.assert_allclose(np.asarray(batched[i]), np.asarray(run(float(lr), 0.2)), rtol=1e-13, atol=1e-14)
    etas = jnp.array([0.1, 0.2])
    batched = jax.vmap(run, in_axes=(None, 0))(0.5, etas)
    np.testing.assert_allclose(np.asarray(batched[1]), np.asarray(run(0.5, 0.2)), rtol=1e-13, atol=1e-14)


def test_pytree_x0_matches_flat_array():
    A, b, loss, x0 = rotated_quadratic()
    tree_loss = lambda t: loss(jnp.concatenate([t["a"], t["b"].ravel()]))  # noqa: E731
    x_tree = {"a": jnp.asarray(x0[:1]), "b": jnp.asarray(x0[1:]).reshape(2, 2)}
    out = gfbook.approx_bdf(tree_loss, x_tree, 0.5, 6, order=3, inner_steps=4, inner_lr=0.3)
    flat = np.asarray(gfbook.approx_bdf(loss, x0, 0.5, 6, order=3, inner_steps=4, inner_lr=0.3))
    assert out["a"].shape == (7, 1) and out["b"].shape == (7, 2, 2)
    np.testing.assert_allclose(np.asarray(out["a"]), flat[:, :1], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(np.asarray(out["b"]).reshape(7, 4), flat[:, 1:], rtol=1e-13, atol=1e-14)


# ------------------------------------------------------------------ amplification


@pytest.mark.parametrize(
    ("order", "inner_steps", "inner_lr", "warm_start"),
    [
        (1, 1, 0.5, "last"),
        (2, 1, 0.9, "last"),
        (2, 3, 0.4, "last"),
        (4, 5, 0.3, "last"),
        (2, 1, 0.9, "centre"),
        (3, 2, 0.7, "centre"),
        (5, 3, 0.4, "centre"),
    ],
)
def test_amplification_predicts_simulation(order, inner_steps, inner_lr, warm_start):
    lam = 2.0
    loss = lambda x: 0.5 * lam * jnp.sum(x**2)  # noqa: E731
    lrs = np.geomspace(0.05, 30.0, 40)
    kw = dict(order=order, inner_steps=inner_steps, inner_lr=inner_lr, warm_start=warm_start)
    radius = gfbook.approx_bdf_amplification(lam * lrs, **kw)
    assert radius.shape == lrs.shape
    num_steps = 400
    paths = jax.vmap(lambda lr: gfbook.approx_bdf(loss, jnp.ones(1), lr, num_steps, **kw))(jnp.asarray(lrs))
    final = np.abs(np.asarray(paths)[:, -1, 0])
    clear = np.abs(radius - 1) > 0.03
    assert ((radius < 1) & clear).any() and ((radius > 1) & clear).any(), "the sweep must cross the boundary"
    decays = final < 1e-2
    np.testing.assert_array_equal(decays[clear], (radius < 1)[clear])
    # the rate too, where the run neither underflows nor overflows: growth of the envelope
    # (max over 20-step blocks, so oscillating modes do not fool it) from step 100 to step 400
    tail = np.abs(np.asarray(paths)[:, 100:, 0])
    measurable = clear & np.isfinite(tail).all(axis=1) & (tail > 1e-280).all(axis=1) & (tail < 1e280).all(axis=1)
    first, last = tail[measurable, :20].max(axis=1), tail[measurable, -20:].max(axis=1)
    rate = (last / first) ** (1 / (tail.shape[1] - 20))
    assert measurable.sum() > 10
    np.testing.assert_allclose(rate, radius[measurable], rtol=0.02)


@pytest.mark.parametrize("order", range(1, 7))
def test_amplification_tends_to_exact_bdf(order):
    z = np.array([0.01, 0.3, 1.0, 4.0, 30.0])  # h * lambda on x' = -lambda x, so the BDF test value is -z
    eta = 1.0 / (1 + 30.0)  # converges for every z here (beta <= 1)
    approx = gfbook.approx_bdf_amplification(z, order=order, inner_steps=3000, inner_lr=eta)
    rho, sigma = gfbook.lmm_polynomials("bdf", order)
    exact = bdf._max_root_modulus(rho[None, :] + z[:, None] * sigma[None, :])
    np.testing.assert_allclose(approx, exact, rtol=1e-9)
    # and the exact moduli agree with stability_region: all stable for these z (BDF is stable on the negative axis)
    assert gfbook.stability_region(rho, sigma, -z, [0.0]).all()


@pytest.mark.parametrize("inner_lr", [0.1, 0.5, 0.9])
def test_amplification_edge_is_inner_gd_stability(inner_lr):
    # With eta fixed, the inner iteration y -> q y + eta c contracts iff |q| = |1 - eta (1 + z beta)| < 1,
    # i.e. z < (2 / eta - 1) / beta. Many inner steps give exact BDF (stable) below that edge and blow
    # up (q^m) above it: the approximate method inherits gradient descent's step limit.
    beta = 2 / 3
    edge = (2 / inner_lr - 1) / beta
    z = edge * np.array([0.2, 0.6, 0.9, 0.97, 1.03, 1.1, 2.0])
    r = gfbook.approx_bdf_amplification(z, order=2, inner_steps=200, inner_lr=inner_lr)
    np.testing.assert_array_equal(r < 1, z < edge)
    # with one inner step the method is heavy ball, stable a little beyond that edge
    r1 = gfbook.approx_bdf_amplification(edge * np.array([1.03]), order=2, inner_steps=1, inner_lr=inner_lr)
    assert r1[0] < 1


# ------------------------------------------------------------------ stability interval and the proximal inner step


@pytest.mark.parametrize("eta", [0.1, 0.3, 0.5, 1.0])
def test_stability_interval_closed_forms(eta):
    interval = gfbook.approx_bdf_stability_interval
    # BDF1, one inner step: GD with step eta h
    assert interval(order=1, inner_steps=1, inner_lr=eta) == pytest.approx(2 / eta, rel=1e-9)
    # BDF2, one inner step: heavy ball with step (2/3) eta h and momentum eta / 3: z < 3 / eta + 1
    assert interval(order=2, inner_steps=1, inner_lr=eta) == pytest.approx(3 / eta + 1, rel=1e-9)
    for k in range(1, 7):
        beta = float(gfbook.bdf_coefficients(k)[1])
        for m in (2, 4, 6):  # even m: the inner GD's own limit |1 - eta (1 + z beta)| < 1, exactly
            assert interval(order=k, inner_steps=m, inner_lr=eta) == pytest.approx((2 / eta - 1) / beta, rel=1e-9)


@pytest.mark.parametrize("eta", [0.1, 0.3, 0.5, 1.0, 2.0])
def test_stability_interval_centre_start_closed_forms(eta):
    # centre start, m = 1: x_{n+1} = g(z) c_n with g = 1 - eta beta z, characteristic polynomial
    # zeta^k + g (alpha_1 zeta^{k-1} + ... + alpha_k); for BDF2 the Jury conditions give g > -3/5,
    # z < 12 / (5 eta); for BDF3 the root crosses at -1: 1 + 29 g / 11 = 0, z < 220 / (87 eta)
    interval = gfbook.approx_bdf_stability_interval
    assert interval(order=2, inner_steps=1, inner_lr=eta, warm_start="centre") == pytest.approx(12 / (5 * eta), rel=1e-9)
    assert interval(order=3, inner_steps=1, inner_lr=eta, warm_start="centre") == pytest.approx(220 / (87 * eta), rel=1e-9)
    # BDF1: c_n = x_n, the same method as the last-iterate start
    for m in (1, 2, 3):
        assert interval(order=1, inner_steps=m, inner_lr=eta, warm_start="centre") == interval(
            order=1, inner_steps=m, inner_lr=eta
        )
    if eta < 2:
        for k in range(2, 7):  # even m: the inner GD's own limit caps this start too
            beta = float(gfbook.bdf_coefficients(k)[1])
            assert interval(order=k, inner_steps=2, inner_lr=eta, warm_start="centre") == pytest.approx(
                (2 / eta - 1) / beta, rel=1e-9
            )


@pytest.mark.parametrize(
    ("order", "inner_steps", "inner_lr", "warm_start"),
    [
        (1, 3, 0.4, "last"),
        (3, 3, 0.7, "last"),
        (4, 1, 1.0, "last"),
        (6, 5, 0.5, "last"),
        (2, 1, 1.0, "centre"),
        (3, 1, 1.0, "centre"),
        (4, 3, 0.6, "centre"),
    ],
)
def test_stability_interval_matches_simulation(order, inner_steps, inner_lr, warm_start):
    kw = dict(order=order, inner_steps=inner_steps, inner_lr=inner_lr, warm_start=warm_start)
    edge = gfbook.approx_bdf_stability_interval(**kw)
    loss = lambda x: 0.5 * jnp.sum(x**2)  # noqa: E731  (lambda = 1, so z = h)
    lrs = jnp.array([0.9 * edge, 1.1 * edge])
    paths = jax.vmap(lambda lr: gfbook.approx_bdf(loss, jnp.ones(1), lr, 600, **kw))(lrs)
    final = np.abs(np.asarray(paths)[:, -1, 0])
    assert final[0] < 1e-3, "just inside the interval the run decays"
    assert not final[1] < 1e3, "just outside it the run blows up"


def test_stability_interval_bad_input():
    for changes, name in [
        ({"inner_steps": 0}, "inner_steps"),
        ({"order": 7}, "order"),
        ({"inner_lr": -1.0}, "inner_lr"),
        ({"inner_lr": float("inf")}, "inner_lr"),
    ]:
        with pytest.raises((ValueError, TypeError)) as err:
            gfbook.approx_bdf_stability_interval(**({"order": 2, "inner_steps": 1, "inner_lr": 0.5} | changes))
        _check_message(err, name)


def test_proximal_inner_lr_values_and_tracing():
    h = np.array([0.1, 1.0, 100.0])
    for k in range(1, 7):
        beta = float(gfbook.bdf_coefficients(k)[1])
        eta = gfbook.proximal_inner_lr(h, order=k, smoothness=3.0)
        np.testing.assert_allclose(eta, 1 / (1 + h * beta * 3.0), rtol=1e-15)
    traced = jax.jit(jax.vmap(lambda lr: gfbook.proximal_inner_lr(lr, order=2, smoothness=3.0)))(jnp.asarray(h))
    np.testing.assert_allclose(np.asarray(traced), 1 / (1 + h * 2.0), rtol=1e-15)


def test_proximal_inner_lr_is_stable_on_every_mode():
    # every curvature in (0, ell], every outer step, orders 1..6, several inner counts: spectral radius < 1
    ratios = np.linspace(1e-3, 1.0, 60)
    h_ell = np.geomspace(1e-3, 1e6, 37)[:, None]
    for k in range(1, 7):
        eta = gfbook.proximal_inner_lr(h_ell, order=k, smoothness=1.0)
        for m in (1, 2, 3, 7):
            assert gfbook.approx_bdf_amplification(h_ell * ratios, order=k, inner_steps=m, inner_lr=eta).max() < 1
    # and a fixed inner step is not: it fails once h beta ell > 2 / eta - 1
    assert gfbook.approx_bdf_amplification(np.array([10.0]), order=2, inner_steps=2, inner_lr=0.5)[0] > 1


def test_proximal_inner_lr_bad_input():
    for kwargs, name in [
        ({"lr": 0.0}, "lr"),
        ({"lr": np.array([1.0, -1.0])}, "lr"),
        ({"smoothness": 0.0}, "smoothness"),
        ({"order": 0}, "order"),
    ]:
        args = {"lr": 1.0, "order": 2, "smoothness": 1.0} | kwargs
        with pytest.raises((ValueError, TypeError)) as err:
            gfbook.proximal_inner_lr(args.pop("lr"), **args)
        _check_message(err, name)


def test_amplification_with_an_array_of_inner_steps():
    z = np.geomspace(0.01, 100.0, 7)[:, None] * np.array([1.0, 0.5])
    eta = np.array([[0.2], [0.3], [0.5], [0.7], [0.9], [1.0], [0.05]])
    batched = gfbook.approx_bdf_amplification(z, order=3, inner_steps=2, inner_lr=eta)
    assert batched.shape == (7, 2)
    for i in range(7):
        single = gfbook.approx_bdf_amplification(z[i], order=3, inner_steps=2, inner_lr=float(eta[i, 0]))
        np.testing.assert_array_equal(batched[i], single)
    with pytest.raises(ValueError) as err:
        gfbook.approx_bdf_amplification(np.ones(3), order=2, inner_steps=1, inner_lr=np.ones(4))
    _check_message(err, "inner_lr")
    with pytest.raises(ValueError) as err:
        gfbook.approx_bdf_amplification(np.ones(2), order=2, inner_steps=1, inner_lr=np.array([0.5, -0.5]))
    _check_message(err, "inner_lr")


def test_bdf_polynomials_beyond_six_for_the_lesson():
    for k in range(7, 13):
        rho, sigma = gfbook.lmm_polynomials("bdf", k)
        assert rho.shape == sigma.shape == (k + 1,)
        assert not gfbook.is_zero_stable(rho), k
    with pytest.raises(ValueError) as err:
        gfbook.lmm_polynomials("bdf", 13)
    _check_message(err, "order")
    with pytest.raises(ValueError) as err:
        gfbook.lmm_polynomials("adams_moulton", 7)
    _check_message(err, "order")


# ------------------------------------------------------------------ cross-check with nodepy (an independent implementation)


def _fractions(values):
    return [F(str(v)) for v in values]


@pytest.mark.parametrize("k", range(1, 7))
def test_nodepy_bdf_agrees(k):
    nodepy_lm = importlib.import_module("nodepy.linear_multistep_method")
    method = nodepy_lm.backward_difference_formula(k)
    # nodepy stores alpha_k ... alpha_0 with the new value last; normalise its coefficient to 1
    alpha_np, beta_np = _fractions(method.alpha)[::-1], _fractions(method.beta)[::-1]
    alpha, beta = gfbook.bdf_coefficients(k, exact=True)
    assert [a / alpha_np[0] for a in alpha_np] == alpha
    assert beta_np[0] / alpha_np[0] == beta and all(b == 0 for b in beta_np[1:])
    assert method.order() == k and method.is_zero_stable()
    assert method.A_alpha_stability() == int(np.floor(gfbook.bdf_alpha_angle(k) + 1e-9))  # nodepy reports whole degrees


@pytest.mark.parametrize("k", range(1, 5))
def test_nodepy_adams_agrees(k):
    nodepy_lm = importlib.import_module("nodepy.linear_multistep_method")
    ab, am = nodepy_lm.Adams_Bashforth(k), nodepy_lm.Adams_Moulton(k)
    assert _fractions(ab.beta)[::-1] == [0, *gfbook.adams_bashforth_coefficients(k, exact=True)]
    assert _fractions(am.beta)[::-1] == gfbook.adams_moulton_coefficients(k, exact=True)
    assert ab.order() == k and am.order() == k + 1


def test_nodepy_bdf7_is_not_zero_stable():
    nodepy_lm = importlib.import_module("nodepy.linear_multistep_method")
    assert not nodepy_lm.backward_difference_formula(7).is_zero_stable()
    assert not gfbook.is_zero_stable(gfbook.lmm_polynomials("bdf", 7)[0])


# ------------------------------------------------------------------ bad input


def _check_message(err, name):
    assert str(err.value).startswith(name), str(err.value)


@pytest.mark.parametrize("k", [0, 7, -1, 2.0, True])
def test_bad_k(k):
    for fn in (
        gfbook.bdf_coefficients,
        gfbook.adams_bashforth_coefficients,
        gfbook.adams_moulton_coefficients,
        gfbook.bdf_alpha_angle,
    ):
        with pytest.raises((ValueError, TypeError)) as err:
            fn(k)
        _check_message(err, "order")


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("order", {"order": 0}),
        ("order", {"order": 7}),
        ("order", {"order": 2.0}),
        ("inner_steps", {"inner_steps": -1}),
        ("inner_lr", {"inner_lr": 0.0}),
        ("inner_lr", {"inner_lr": -0.1}),
        ("lr", {"lr": 0.0}),
        ("lr", {"lr": -1.0}),
        ("lr", {"lr": float("nan")}),
        ("num_steps", {"num_steps": -1}),
        ("x0", {"x0": np.array([1.0, np.nan, 0, 0, 0])}),
        ("loss", {"loss": 3}),
    ],
)
def test_bad_input_approx_bdf(name, changes):
    _, _, loss, x0 = rotated_quadratic()
    args = dict(loss=loss, x0=x0, lr=0.5, num_steps=3, order=2, inner_steps=2, inner_lr=0.1) | changes
    with pytest.raises((ValueError, TypeError)) as err:
        gfbook.approx_bdf(args.pop("loss"), args.pop("x0"), args.pop("lr"), args.pop("num_steps"), **args)
    _check_message(err, name)


def test_bad_warm_start_names_the_argument():
    _, _, loss, x0 = rotated_quadratic()
    calls = [
        lambda ws: gfbook.approx_bdf(loss, x0, 0.5, 3, order=2, inner_steps=1, inner_lr=0.1, warm_start=ws),
        lambda ws: gfbook.approx_bdf_amplification([1.0], order=2, inner_steps=1, inner_lr=0.1, warm_start=ws),
        lambda ws: gfbook.approx_bdf_stability_interval(order=2, inner_steps=1, inner_lr=0.1, warm_start=ws),
    ]
    for call in calls:
        for bad in ("center", "first", None, 1, ["last"]):
            with pytest.raises(ValueError) as err:
                call(bad)
            _check_message(err, "warm_start")


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("order", {"order": 7}),
        ("inner_steps", {"inner_steps": -2}),
        ("inner_lr", {"inner_lr": 0}),
        ("lam_h", {"lam_h": [np.inf]}),
    ],
)
def test_bad_input_amplification(name, changes):
    args = dict(lam_h=[1.0], order=2, inner_steps=1, inner_lr=0.1) | changes
    with pytest.raises((ValueError, TypeError)) as err:
        gfbook.approx_bdf_amplification(args.pop("lam_h"), **args)
    _check_message(err, name)


def test_bad_input_stability():
    with pytest.raises(ValueError) as err:
        gfbook.lmm_polynomials("runge_kutta", 2)
    _check_message(err, "method")
    with pytest.raises(ValueError) as err:
        gfbook.stability_region([1.0, -1.0], [1.0], [0.0], [0.0])
    _check_message(err, "sigma")
    with pytest.raises((ValueError, TypeError)) as err:
        gfbook.boundary_locus([1.0, -1.0], [0.0, 1.0], num=1)
    _check_message(err, "num")


@pytest.mark.parametrize("degree", [1, 2, 3])
def test_max_root_modulus_matches_numpy_roots(degree):
    # degrees 1 and 2 use closed forms; 3 the companion matrix: all against np.roots
    rng = np.random.default_rng(degree)
    coeffs = rng.standard_normal((200, degree + 1)) + 1j * rng.standard_normal((200, degree + 1))
    coeffs[:50] = coeffs[:50].real  # real polynomials too, with complex-conjugate pairs
    coeffs[50, 1:] = 0.0  # all roots at 0
    if degree == 2:
        coeffs[51] = [1.0, -2.0, 1.0]  # a double root
        coeffs[52] = [1.0, 1e8, 1.0]  # roots of very different sizes (cancellation-prone)
    expected = np.array([np.abs(np.roots(row)).max() if np.any(row[1:]) else 0.0 for row in coeffs])
    np.testing.assert_allclose(bdf._max_root_modulus(coeffs), expected, rtol=1e-7, atol=1e-12)
