"""The facts each problem records (x*, f*, L, mu) against autodiff and numpy.linalg."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook


def test_quadratic_facts():
    p = gfbook.quadratic([0.5, 2.0, 7.0], rotation_seed=1, x_star=[1.0, -1.0, 2.0])
    hessian = np.asarray(jax.hessian(p.loss)(jnp.zeros(3)))
    np.testing.assert_allclose(hessian, p.hessian, atol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [0.5, 2.0, 7.0], atol=1e-12)
    assert (p.smoothness, p.strong_convexity, p.condition_number) == (7.0, 0.5, 14.0)
    assert float(p.loss(p.x_star)) == p.f_star == 0.0
    np.testing.assert_allclose(jax.grad(p.loss)(p.x_star), 0.0, atol=1e-15)


def test_quadratic_with_condition_spectrum():
    p = gfbook.quadratic_with_condition(8, 1e3, smoothness=4.0)
    eig = np.linalg.eigvalsh(np.asarray(p.hessian))
    np.testing.assert_allclose([eig.min(), eig.max()], [4e-3, 4.0], rtol=1e-10)
    assert p.condition_number == pytest.approx(1e3)


def test_rosenbrock_facts():
    p = gfbook.rosenbrock(a=2.0, b=10.0)
    np.testing.assert_allclose(p.x_star, [2.0, 4.0])
    assert float(p.loss(p.x_star)) == p.f_star == 0.0
    np.testing.assert_allclose(jax.grad(p.loss)(p.x_star), 0.0, atol=1e-14)
    assert p.smoothness is None and p.strong_convexity is None and p.condition_number is None


def test_logistic_regression_facts(logreg):
    p = logreg
    assert float(jnp.linalg.norm(jax.grad(p.loss)(p.x_star))) < 1e-8
    assert float(p.loss(p.x_star)) == pytest.approx(p.f_star, abs=1e-15)
    rng = np.random.default_rng(0)
    for x in [p.x_star, p.x0, *rng.standard_normal((5, 4)) * 3]:
        eig = np.linalg.eigvalsh(np.asarray(jax.hessian(p.loss)(jnp.asarray(x))))
        assert eig.max() <= p.smoothness * (1 + 1e-12)
        assert eig.min() >= p.strong_convexity * (1 - 1e-12)
    # a random point never beats the recorded optimum
    assert all(float(p.loss(jnp.asarray(x))) >= p.f_star for x in rng.standard_normal((20, 4)))


def test_logistic_regression_is_deterministic():
    a = gfbook.logistic_regression(30, 3, seed=4)
    b = gfbook.logistic_regression(30, 3, seed=4)
    c = gfbook.logistic_regression(30, 3, seed=5)
    np.testing.assert_array_equal(a.x_star, b.x_star)
    assert not np.allclose(a.x_star, c.x_star)


def test_feature_scales_change_the_conditioning():
    flat = gfbook.logistic_regression(200, 3, seed=0)
    skewed = gfbook.logistic_regression(200, 3, feature_scales=[1.0, 1.0, 10.0], seed=0)
    assert skewed.smoothness > 10 * flat.smoothness
