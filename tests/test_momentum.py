"""gfbook.heavy_ball, nesterov, momentum_flow and the tunings against NumPy loops, optax, scipy and closed forms."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import scipy.integrate

import gfbook

SPECTRUM = np.geomspace(0.05, 2.0, 6)


@pytest.fixture(scope="module")
def quad():
    return gfbook.quadratic(SPECTRUM, x0=np.linspace(1.0, -2.0, 6), rotation_seed=3)


def numpy_heavy_ball(A, x0, h, beta, n, x_prev=None):
    xs = [np.array(x0, float)]
    old = xs[0] if x_prev is None else np.asarray(x_prev, float)
    for _ in range(n):
        x = xs[-1]
        xs.append(x - h * A @ x + beta * (x - old))
        old = x
    return np.stack(xs)


def numpy_nesterov(A, x0, h, n, beta=None):
    xs, old = [np.array(x0, float)], np.array(x0, float)
    for k in range(n):
        x = xs[-1]
        b = k / (k + 3) if beta is None else beta
        y = x + b * (x - old)
        xs.append(y - h * A @ y)
        old = x
    return np.stack(xs)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, -0.3])
def test_heavy_ball_matches_numpy_loop(quad, beta):
    path = gfbook.heavy_ball(quad.loss, quad.x0, 0.7, beta, 30)
    expected = numpy_heavy_ball(np.asarray(quad.hessian), quad.x0, 0.7, beta, 30)
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-12)


def test_heavy_ball_with_x_prev_matches_numpy_loop(quad):
    x_prev = np.asarray(quad.x0) + 0.3
    path = gfbook.heavy_ball(quad.loss, quad.x0, 0.4, 0.6, 20, x_prev=x_prev)
    expected = numpy_heavy_ball(np.asarray(quad.hessian), quad.x0, 0.4, 0.6, 20, x_prev)
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-12)


def test_heavy_ball_by_hand():
    # L(x) = x^2/2, h = 1/2, beta = 1/2, x0 = 1: x1 = 1/2, x2 = 1/2 - 1/4 - 1/4 = 0, x3 = -1/4.
    path = gfbook.heavy_ball(lambda x: 0.5 * jnp.sum(x**2), jnp.array([1.0]), 0.5, 0.5, 3)
    np.testing.assert_allclose(np.asarray(path[:, 0]), [1.0, 0.5, 0.0, -0.25], atol=1e-15)


@pytest.mark.parametrize("beta", [0.0, 0.6, 0.95])
def test_heavy_ball_is_optax_sgd_with_momentum(quad, beta):
    # optax: m_{k+1} = g_k + beta m_k, x_{k+1} = x_k - h m_{k+1}; so x_k - x_{k-1} = -h m_k.
    h, n = 0.3, 40
    opt = optax.sgd(h, momentum=beta)
    x, state, xs = quad.x0, opt.init(quad.x0), [quad.x0]
    for _ in range(n):
        updates, state = opt.update(jax.grad(quad.loss)(x), state)
        x = optax.apply_updates(x, updates)
        xs.append(x)
    path = gfbook.heavy_ball(quad.loss, quad.x0, h, beta, n)
    np.testing.assert_allclose(np.asarray(path), np.stack(xs), rtol=0, atol=1e-12)


def test_approx_bdf2_with_one_inner_step_is_heavy_ball(quad):
    # One inner step of BDF2: x_{n+1} = x_n - (2/3) eta h grad + (eta/3)(x_n - x_{n-1}).
    # approx_bdf's first step is BDF1, so heavy ball starts from its (x_0, x_1).
    h, eta, n = 0.8, 0.9, 40
    bdf = gfbook.approx_bdf(quad.loss, quad.x0, h, n, order=2, inner_steps=1, inner_lr=eta)
    hb = gfbook.heavy_ball(quad.loss, bdf[1], 2 * eta * h / 3, eta / 3, n - 1, x_prev=bdf[0])
    np.testing.assert_allclose(np.asarray(hb), np.asarray(bdf[1:]), rtol=0, atol=1e-12)


def companion_path(lam, z0, h, beta, n):
    """Heavy ball on one mode: (z_{k+1}, z_k) = M^k (z_0, z_0), M = [[1 + beta - h lam, -beta], [1, 0]]."""
    M = np.array([[1 + beta - h * lam, -beta], [1.0, 0.0]])
    return np.array([(np.linalg.matrix_power(M, k) @ np.array([z0, z0]))[1] for k in range(1, n + 2)])


def test_heavy_ball_modes_follow_their_companion_matrices():
    lam = np.array([0.1, 1.0, 3.0])
    p = gfbook.quadratic(lam, x0=np.array([1.0, -1.0, 0.5]))
    path = np.asarray(gfbook.heavy_ball(p.loss, p.x0, 0.5, 0.7, 25))
    for i in range(3):
        np.testing.assert_allclose(path[:, i], companion_path(lam[i], float(p.x0[i]), 0.5, 0.7, 25), atol=1e-12)


def test_optimal_tuning_gives_rate_sqrt_beta():
    mu, L = 0.01, 1.0
    h, beta = gfbook.heavy_ball_tuning(mu, L)
    assert h == pytest.approx(4 / (1 + 0.1) ** 2) and beta == pytest.approx((9 / 11) ** 2)
    for lam in np.linspace(mu, L, 7):
        M = np.array([[1 + beta - h * lam, -beta], [1.0, 0.0]])
        # Every mode's eigenvalues have modulus sqrt(beta) (complex pair) up to rounding.
        assert np.max(np.abs(np.linalg.eigvals(M))) == pytest.approx(math.sqrt(beta), rel=1e-6)
    h2, beta2 = gfbook.nesterov_tuning(mu, L)
    assert h2 == 1.0 and beta2 == pytest.approx(9 / 11)


@pytest.mark.parametrize("beta", [None, 0.8])
def test_nesterov_matches_numpy_loop(quad, beta):
    path = gfbook.nesterov(quad.loss, quad.x0, 0.45, 50, momentum=beta)
    expected = numpy_nesterov(np.asarray(quad.hessian), quad.x0, 0.45, 50, beta)
    np.testing.assert_allclose(np.asarray(path), expected, rtol=0, atol=1e-12)


def test_nesterov_by_hand():
    # L = x^2/2, h = 1/2, schedule: x1 = 1/2; y1 = 1/2 + (1/4)(-1/2) = 3/8, x2 = 3/16.
    path = gfbook.nesterov(lambda x: 0.5 * jnp.sum(x**2), jnp.array([1.0]), 0.5, 2)
    np.testing.assert_allclose(np.asarray(path[:, 0]), [1.0, 0.5, 3 / 16], atol=1e-15)


def test_methods_take_pytrees(quad):
    def loss(tree):
        return quad.loss(jnp.concatenate([tree["a"], tree["b"]]))

    tree = {"a": quad.x0[:2], "b": quad.x0[2:]}
    for method, flat in [
        (lambda f, x: gfbook.heavy_ball(f, x, 0.3, 0.5, 10), gfbook.heavy_ball(quad.loss, quad.x0, 0.3, 0.5, 10)),
        (lambda f, x: gfbook.nesterov(f, x, 0.3, 10), gfbook.nesterov(quad.loss, quad.x0, 0.3, 10)),
    ]:
        out = method(loss, tree)
        np.testing.assert_allclose(np.asarray(jnp.concatenate([out["a"], out["b"]], axis=1)), np.asarray(flat), atol=1e-13)


def test_sweep_compiles_once(quad):
    lrs, betas = jnp.array([0.1, 0.2, 0.3]), jnp.array([0.2, 0.5, 0.8])
    swept = jax.vmap(lambda h, b: gfbook.heavy_ball(quad.loss, quad.x0, h, b, 15))(lrs, betas)
    for i in range(3):
        np.testing.assert_allclose(
            np.asarray(swept[i]), np.asarray(gfbook.heavy_ball(quad.loss, quad.x0, lrs[i], betas[i], 15)), atol=1e-13
        )


def test_divergence_is_returned(quad):
    # Outside the stability region (h lam > 2(1 + beta) for the top mode): returned, not raised.
    path = gfbook.heavy_ball(quad.loss, quad.x0, 3.0 / quad.smoothness * 1.5, 0.2, 3000)
    assert gfbook.diverged(path)


def test_momentum_flow_constant_damping_matches_closed_form():
    # x'' + a x' + lam x = 0, x(0) = 1, x'(0) = 0, underdamped: x = e^{-at/2}(cos wt + a/(2w) sin wt).
    lam, a = 2.0, 0.5
    ts = np.linspace(0.0, 10.0, 21)
    x = gfbook.momentum_flow(lambda x: 0.5 * lam * jnp.sum(x**2), jnp.array([1.0]), ts, damping=a)
    w = math.sqrt(lam - a**2 / 4)
    exact = np.exp(-a * ts / 2) * (np.cos(w * ts) + a / (2 * w) * np.sin(w * ts))
    np.testing.assert_allclose(np.asarray(x[:, 0]), exact, atol=1e-8)


def test_momentum_flow_time_dependent_damping_matches_scipy(quad):
    A = np.asarray(quad.hessian)
    t0, ts = 0.5, np.linspace(0.5, 6.0, 12)
    v0 = -0.1 * np.asarray(quad.x0)
    x = gfbook.momentum_flow(quad.loss, quad.x0, ts, damping=lambda t: 3.0 / t, v0=v0)

    def rhs(t, s):
        return np.concatenate([s[6:], -3.0 / t * s[6:] - A @ s[:6]])

    ref = scipy.integrate.solve_ivp(rhs, (t0, 6.0), np.concatenate([quad.x0, v0]), t_eval=ts, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(x), ref.y[:6].T, atol=1e-8)


def test_momentum_flow_pytree():
    tree = {"a": jnp.array([1.0]), "b": jnp.array([2.0, -1.0])}

    def loss(t):
        return 0.5 * jnp.sum(t["a"] ** 2) + jnp.sum(t["b"] ** 2)

    out = gfbook.momentum_flow(loss, tree, jnp.linspace(0.0, 1.0, 4), damping=1.0)
    assert out["a"].shape == (4, 1) and out["b"].shape == (4, 2)


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda p: gfbook.heavy_ball(p.loss, p.x0, -0.1, 0.5, 5), ValueError, "lr"),
        (lambda p: gfbook.heavy_ball(p.loss, p.x0, 0.1, float("nan"), 5), ValueError, "momentum"),
        (lambda p: gfbook.heavy_ball(p.loss, p.x0, 0.1, 0.5, -1), ValueError, "num_steps"),
        (lambda p: gfbook.heavy_ball(p.loss, p.x0, 0.1, 0.5, 5, x_prev=np.ones(2)), ValueError, "x_prev"),
        (lambda p: gfbook.heavy_ball(p.loss, np.array([np.inf] * 6), 0.1, 0.5, 5), ValueError, "x0"),
        (lambda p: gfbook.nesterov(p.loss, p.x0, 0.0, 5), ValueError, "lr"),
        (lambda p: gfbook.nesterov(p.loss, p.x0, 0.1, 5, momentum="a"), TypeError, "momentum"),
        (lambda p: gfbook.momentum_flow(p.loss, p.x0, [0.0, 1.0], damping=lambda t: 3 / t), ValueError, "ts"),
        (lambda p: gfbook.momentum_flow(p.loss, p.x0, [0.0, 1.0], damping=float("inf")), ValueError, "damping"),
        (lambda p: gfbook.momentum_flow(p.loss, p.x0, [1.0, 0.0], damping=1.0), ValueError, "ts"),
        (lambda p: gfbook.momentum_flow(p.loss, p.x0, [0.0, 1.0], damping=1.0, v0=np.ones(3)), ValueError, "v0"),
        (lambda p: gfbook.heavy_ball_tuning(2.0, 1.0), ValueError, "mu"),
        (lambda p: gfbook.nesterov_tuning(1.0, -1.0), ValueError, "L"),
    ],
)
def test_bad_input(quad, call, error, name):
    with pytest.raises(error, match=f"^{name}"):
        call(quad)
