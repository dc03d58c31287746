"""The facts recorded on gfbook's problems (x*, f*, L, mu, kappa) against jax.hessian and eigvalsh."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook

# jax.hessian / jax.grad / the loss, compiled once per loss function and shape: the problems' losses are
# jax.tree_util.Partial objects, i.e. pytrees, so their data is a traced argument here.
jit_hessian = jax.jit(lambda loss, x: jax.hessian(loss)(x))
jit_grad = jax.jit(lambda loss, x: jax.grad(loss)(x))
jit_values = jax.jit(lambda loss, xs: jax.vmap(loss)(xs))


def hessian_eigenvalues(loss, x):
    return np.linalg.eigvalsh(np.asarray(jit_hessian(loss, jnp.asarray(x))))


@pytest.fixture(scope="module")
def logreg():
    return gfbook.logistic_regression(150, 4, l2=0.05, seed=3)


@pytest.fixture(scope="module")
def logreg_hessians(logreg):
    """jax.hessian of the logistic loss, compiled once, at w = 0 and at several random points."""
    points = np.concatenate([np.zeros((1, 4)), 2.0 * np.random.default_rng(0).standard_normal((6, 4))])
    hessians = jax.vmap(jit_hessian, in_axes=(None, 0))(logreg.loss, jnp.asarray(points))
    return points, np.asarray(hessians)


# --- quadratics ---------------------------------------------------------------------------------

QUADRATICS = {
    "diagonal": dict(eigenvalues=[0.5, 2.0, 7.0]),
    "rotated": dict(eigenvalues=[0.1, 0.3, 1.0, 2.0, 9.0], rotation_seed=7),
    "shifted": dict(
        eigenvalues=[1.0, 4.0, 0.25], rotation_seed=1, x_star=[1.0, -2.0, 0.5], x0=[0.0, 0.0, 0.0]
    ),
}


@pytest.mark.parametrize("name", list(QUADRATICS))
def test_quadratic_facts(name):
    kwargs = QUADRATICS[name]
    p = gfbook.quadratic(**kwargs)
    lam = np.sort(np.asarray(kwargs["eigenvalues"], dtype=float))
    expected_x_star = np.asarray(kwargs.get("x_star", np.zeros(lam.size)), dtype=float)

    np.testing.assert_array_equal(np.asarray(p.x_star), expected_x_star)
    np.testing.assert_allclose(np.asarray(jit_grad(p.loss, p.x_star)), 0.0, atol=1e-14)
    assert float(p.loss(p.x_star)) == p.f_star == 0.0

    eig = hessian_eigenvalues(p.loss, p.x0)
    np.testing.assert_allclose(eig, lam, rtol=1e-12, atol=1e-14)
    assert p.smoothness == pytest.approx(eig.max(), rel=1e-12)
    assert p.strong_convexity == pytest.approx(eig.min(), rel=1e-12)
    assert p.condition_number == pytest.approx(eig.max() / eig.min(), rel=1e-12)
    # The recorded Hessian is the loss's Hessian (it is used by the closed forms).
    np.testing.assert_allclose(
        np.asarray(p.hessian), np.asarray(jit_hessian(p.loss, p.x0)), rtol=0, atol=1e-13
    )
    np.testing.assert_allclose(np.asarray(p.hessian), np.asarray(p.hessian).T, rtol=0, atol=0)
    # The loss is the quadratic it claims to be, away from x*.
    x = np.linspace(-1.0, 2.0, lam.size)
    r = x - expected_x_star
    assert float(p.loss(jnp.asarray(x))) == pytest.approx(0.5 * r @ np.asarray(p.hessian) @ r, rel=1e-13)


def test_quadratic_defaults_and_rotation():
    p = gfbook.quadratic([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(np.asarray(p.x0), np.ones(3))
    np.testing.assert_array_equal(np.asarray(p.hessian), np.diag([1.0, 2.0, 3.0]))
    rotated = gfbook.quadratic([1.0, 2.0, 3.0], rotation_seed=0)
    assert np.abs(np.asarray(rotated.hessian) - np.diag(np.diag(rotated.hessian))).max() > 0.05
    again = gfbook.quadratic([1.0, 2.0, 3.0], rotation_seed=0)
    np.testing.assert_array_equal(np.asarray(again.hessian), np.asarray(rotated.hessian))


def test_quadratic_with_a_zero_eigenvalue_has_no_condition_number():
    p = gfbook.quadratic([0.0, 1.0, 2.0])
    assert p.strong_convexity == 0.0
    assert p.condition_number is None


@pytest.mark.parametrize("dim, kappa, smoothness", [(10, 1e4, 1.0), (6, 50.0, 3.0), (3, 1.0, 2.0)])
def test_quadratic_with_condition(dim, kappa, smoothness):
    p = gfbook.quadratic_with_condition(dim, kappa, smoothness=smoothness)
    eig = hessian_eigenvalues(p.loss, p.x0)
    np.testing.assert_allclose(eig, np.geomspace(smoothness / kappa, smoothness, dim), rtol=1e-10)
    assert p.smoothness == pytest.approx(eig.max(), rel=1e-12)
    assert p.strong_convexity == pytest.approx(eig.min(), rel=1e-10)
    assert p.condition_number == pytest.approx(kappa, rel=1e-10)
    assert p.condition_number == pytest.approx(eig.max() / eig.min(), rel=1e-10)
    np.testing.assert_allclose(np.asarray(jit_grad(p.loss, p.x_star)), 0.0, atol=1e-14)
    assert float(p.loss(p.x_star)) == p.f_star


@pytest.mark.parametrize("a, b", [(1.0, 100.0), (-0.5, 3.0), (2.0, 10.0)])
def test_rosenbrock_facts(a, b):
    p = gfbook.rosenbrock(a, b)
    np.testing.assert_array_equal(np.asarray(p.x_star), [a, a**2])
    np.testing.assert_allclose(np.asarray(jit_grad(p.loss, p.x_star)), 0.0, atol=1e-14)
    assert float(p.loss(p.x_star)) == p.f_star == 0.0
    assert p.smoothness is None and p.strong_convexity is None and p.condition_number is None
    # x* is a strict local minimum: a positive-definite Hessian, by hand
    # [[2 + 8 b a^2, -4 b a], [-4 b a, 2 b]].
    h = np.asarray(jit_hessian(p.loss, p.x_star))
    np.testing.assert_allclose(h, [[2 + 8 * b * a**2, -4 * b * a], [-4 * b * a, 2 * b]], rtol=1e-13)
    assert np.linalg.eigvalsh(h).min() > 0
    # The loss is the textbook formula at an arbitrary point.
    assert float(p.loss(jnp.array([0.3, -0.7]))) == pytest.approx(
        (a - 0.3) ** 2 + b * (-0.7 - 0.09) ** 2, rel=1e-14
    )
    np.testing.assert_array_equal(np.asarray(p.x0), [-1.2, 1.0])


def test_logistic_minimiser(logreg):
    assert float(jnp.linalg.norm(jit_grad(logreg.loss, logreg.x_star))) < 1e-8
    assert float(logreg.loss(logreg.x_star)) == logreg.f_star
    # The loss is strongly convex, so f* is below the loss everywhere else.
    points = jnp.asarray(logreg.x_star + 0.1 * np.random.default_rng(1).standard_normal((20, 4)))
    assert bool(jnp.all(jit_values(logreg.loss, points) > logreg.f_star))


def test_logistic_smoothness_and_strong_convexity_bound_the_hessian(logreg, logreg_hessians):
    points, hessians = logreg_hessians
    eig = np.linalg.eigvalsh(hessians)
    assert np.all(eig.max(axis=1) <= logreg.smoothness * (1 + 1e-12))
    assert np.all(eig.min(axis=1) >= logreg.strong_convexity * (1 - 1e-12))
    assert logreg.strong_convexity == 0.05
    # At w = 0 every sigmoid' equals 1/4, so the bound L = lambda_max(A^T A)/(4n) + l2 is attained there.
    assert eig[0].max() == pytest.approx(logreg.smoothness, rel=1e-12)
    assert logreg.condition_number == pytest.approx(logreg.smoothness / 0.05, rel=1e-15)


def test_logistic_is_deterministic_in_its_seed(logreg):
    again = gfbook.logistic_regression(150, 4, l2=0.05, seed=3)
    other = gfbook.logistic_regression(150, 4, l2=0.05, seed=4)
    points = jnp.asarray(np.random.default_rng(2).standard_normal((5, 4)))
    reference = np.asarray(jit_values(logreg.loss, points))
    np.testing.assert_array_equal(np.asarray(jit_values(again.loss, points)), reference)
    np.testing.assert_array_equal(np.asarray(again.x_star), np.asarray(logreg.x_star))
    assert again.smoothness == logreg.smoothness and again.f_star == logreg.f_star
    assert not np.allclose(np.asarray(jit_values(other.loss, points)), reference)
    assert not np.allclose(np.asarray(other.x_star), np.asarray(logreg.x_star))


def test_logistic_feature_scales():
    scales = np.array([0.5, 1.0, 4.0])
    n, l2 = 4000, 1e-3
    p = gfbook.logistic_regression(n, 3, l2=l2, feature_scales=scales, seed=0)
    # At w = 0 the Hessian is (1/4n) sum_i a_i a_i^T + l2 I: its diagonal estimates scales^2 / 4
    # (the sample mean of n squared normals: relative standard error sqrt(2/n) = 2%).
    h0 = np.asarray(jit_hessian(p.loss, jnp.zeros(3)))
    np.testing.assert_allclose(np.diag(h0) - l2, scales**2 / 4, rtol=0.1)
    # Independent features: the off-diagonal is small next to the diagonal.
    off = h0 - np.diag(np.diag(h0))
    assert np.abs(off).max() < 0.1 * np.sqrt(np.outer(np.diag(h0), np.diag(h0))).max()
    # The recorded facts still hold, and the scales make the problem ill-conditioned (kappa ~ 16 / (4 l2)).
    assert float(jnp.linalg.norm(jit_grad(p.loss, p.x_star))) < 1e-8
    assert p.smoothness == pytest.approx(np.linalg.eigvalsh(h0).max(), rel=1e-10)
    assert p.condition_number == pytest.approx(scales.max() ** 2 / 4 / l2, rel=0.15)
