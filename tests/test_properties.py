"""Property-based tests (hypothesis) of the core methods, on randomly drawn problems.

Each property is checked against a reference computed here with NumPy: the closed-form GD
iterates of a quadratic, the exact BDF steps (linear solves), and the loss along the flow.
Shapes are drawn from a small set so that JAX compiles each method a few times only; the
runs are derandomized, so CI sees the same examples every time.
"""

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.tree_util import Partial

import gfbook

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
spectra = st.integers(2, 5).flatmap(
    lambda dim: st.lists(st.floats(0.01, 10.0), min_size=dim, max_size=dim)
)


def rotation(dim, seed):
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((dim, dim)))
    return q


@SETTINGS
@given(eigenvalues=spectra, fraction=st.floats(0.05, 1.95), seed=st.integers(0, 2**16))
def test_gd_on_a_random_quadratic_matches_the_closed_form(eigenvalues, fraction, seed):
    x0 = np.random.default_rng(seed + 1).standard_normal(len(eigenvalues))
    problem = gfbook.quadratic(eigenvalues, x0=x0, rotation_seed=seed)
    A = np.asarray(problem.hessian)
    lam, q = np.linalg.eigh(A)  # the problem's own rotation; the spectrum is the drawn one
    np.testing.assert_allclose(lam, np.sort(eigenvalues), rtol=1e-12)
    h, steps = fraction / lam.max(), 30
    path = np.asarray(gfbook.gradient_descent(problem.loss, problem.x0, h, steps))
    modes = (1 - h * lam)[None, :] ** np.arange(steps + 1)[:, None]  # x_k = V (I - hΛ)^k V^T x0
    expected = (modes * (q.T @ x0)) @ q.T
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-11 * np.abs(x0).max())


def exact_bdf_path(A, x0, lr, num_steps, order):
    """Exact BDF-k on the flow of x^T A x / 2 (minimiser 0), started with BDF1, BDF2, ..."""
    xs, eye = [np.asarray(x0, dtype=float)], np.eye(len(x0))
    for n in range(num_steps):
        k = min(order, n + 1)
        alpha, beta = gfbook.bdf_coefficients(k)
        rhs = -sum(alpha[j] * xs[n + 1 - j] for j in range(1, k + 1))
        xs.append(np.linalg.solve(alpha[0] * eye + lr * beta * A, rhs))
    return np.stack(xs)


@SETTINGS
@given(
    eigenvalues=st.lists(st.floats(0.1, 3.0), min_size=3, max_size=3),
    order=st.integers(1, 3),
    lr=st.floats(0.05, 2.0),
    seed=st.integers(0, 2**16),
)
def test_approximate_bdf_with_many_inner_steps_is_exact_bdf(eigenvalues, order, lr, seed):
    problem = gfbook.quadratic(eigenvalues, rotation_seed=seed)
    A = np.asarray(problem.hessian)
    inner_lr = 1.0 / (1 + lr * max(eigenvalues))  # the proximal step: the inner GD converges
    path = gfbook.approx_bdf(problem.loss, problem.x0, lr, 6, order=order, inner_steps=400, inner_lr=inner_lr)
    np.testing.assert_allclose(np.asarray(path), exact_bdf_path(A, np.asarray(problem.x0), lr, 6, order),
                               rtol=0, atol=1e-9)


def quartic(A, c, x):
    """A convex quadratic plus a quartic term; bound with Partial, the data are traced (one compile)."""
    return 0.5 * x @ A @ x + c * jnp.sum(x**4)


@SETTINGS
@given(
    eigenvalues=st.lists(st.floats(0.0, 5.0), min_size=4, max_size=4),
    c=st.floats(0.0, 2.0),
    seed=st.integers(0, 2**16),
)
def test_the_flow_decreases_the_loss(eigenvalues, c, seed):
    q = rotation(4, seed)
    loss = Partial(quartic, jnp.asarray(q @ np.diag(eigenvalues) @ q.T), jnp.asarray(c))
    x0 = jnp.asarray(np.random.default_rng(seed).uniform(-2, 2, 4))
    path = gfbook.gradient_flow(loss, x0, jnp.linspace(0.0, 3.0, 31))
    values = np.asarray(jax.vmap(loss)(path))
    assert np.all(np.diff(values) <= 1e-10 * max(1.0, values[0])), values
    if float(jnp.sum(jax.grad(loss)(x0) ** 2)) > 1e-8:
        assert values[-1] < values[0], "a flow that starts away from a stationary point strictly decreases the loss"
