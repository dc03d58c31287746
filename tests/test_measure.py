"""gfbook.measure against numpy.linalg (eigvalsh of jax.hessian, norm), closed forms and synthetic data."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree
from jax.tree_util import Partial

import gfbook

# The reference Hessian, compiled once per loss function and shape (Partial losses are pytrees).
jit_hessian = jax.jit(lambda loss, x: jax.hessian(loss)(x))


def reference_extremes(loss, x):
    eig = np.linalg.eigvalsh(
        np.asarray(jit_hessian(Partial(loss) if not isinstance(loss, Partial) else loss, x))
    )
    return eig.min(), eig.max()


@pytest.fixture(scope="module")
def rosen():
    return gfbook.rosenbrock()


# --- extreme Hessian eigenvalues and sharpness -------------------------------------------------


@pytest.mark.parametrize("point", [(-1.2, 1.0), (0.0, 1.0), (1.0, 1.0), (0.5, -0.3), (-0.8, 2.0)])
def test_extremes_on_rosenbrock(rosen, point):
    x = jnp.array(point)
    lo_ref, hi_ref = reference_extremes(rosen.loss, x)
    lo, hi = gfbook.hessian_extreme_eigenvalues(rosen.loss, x)
    np.testing.assert_allclose([float(lo), float(hi)], [lo_ref, hi_ref], rtol=1e-9, atol=1e-9)
    assert float(gfbook.sharpness(rosen.loss, x)) == pytest.approx(hi_ref, rel=1e-9)


def test_rosenbrock_at_0_1_has_a_negative_eigenvalue(rosen):
    # By hand: the Hessian at (0, 1) is diag(2 - 400, 200); the dominant eigenvalue is the negative one.
    lo, hi = gfbook.hessian_extreme_eigenvalues(rosen.loss, jnp.array([0.0, 1.0]))
    assert float(lo) == pytest.approx(-398.0, rel=1e-12)
    assert float(hi) == pytest.approx(200.0, rel=1e-12)


def quadratic_form(A, x):
    return 0.5 * x @ (A @ x)


def random_symmetric(dim, seed):
    m = np.random.default_rng(seed).standard_normal((dim, dim))
    return (m + m.T) / 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_extremes_of_a_random_indefinite_quadratic(seed):
    A = random_symmetric(12, seed)
    eig = np.linalg.eigvalsh(A)
    assert eig.min() < 0 < eig.max()
    loss = Partial(quadratic_form, jnp.asarray(A))
    x = jnp.asarray(np.random.default_rng(seed + 10).standard_normal(12))  # the point does not matter
    lo, hi = gfbook.hessian_extreme_eigenvalues(loss, x, num_iters=400)
    np.testing.assert_allclose([float(lo), float(hi)], [eig.min(), eig.max()], rtol=1e-9, atol=1e-9)
    assert float(gfbook.sharpness(loss, x, num_iters=400)) == pytest.approx(eig.max(), rel=1e-9)


def test_extremes_with_a_plain_lambda_loss():
    A = jnp.asarray(np.diag([-3.0, -1.0, 0.5, 2.0]))
    lo, hi = gfbook.hessian_extreme_eigenvalues(lambda x: 0.5 * x @ A @ x, jnp.ones(4))
    np.testing.assert_allclose([float(lo), float(hi)], [-3.0, 2.0], rtol=1e-10)


_RNG = np.random.default_rng(0)
NET_PARAMS = {
    "w1": jnp.asarray(_RNG.standard_normal((2, 3))),
    "b1": jnp.asarray(_RNG.standard_normal(3)),
    "w2": jnp.asarray(_RNG.standard_normal(3)),
}
NET_DATA = jnp.asarray(_RNG.standard_normal((8, 2)))
NET_TARGETS = jnp.sin(NET_DATA[:, 0])


def net_loss(params):
    """Mean squared error of a tiny 2-layer tanh network with parameters in a dict."""
    hidden = jnp.tanh(NET_DATA @ params["w1"] + params["b1"])
    return jnp.mean((hidden @ params["w2"] - NET_TARGETS) ** 2)


@pytest.fixture(scope="module")
def net_hessian():
    """The network loss's Hessian in the flattened parameters (ravel_pytree), and the unflattening map."""
    flat, unravel = ravel_pytree(NET_PARAMS)
    return np.asarray(jax.jit(jax.hessian(lambda v: net_loss(unravel(v))))(flat)), unravel


def test_extremes_of_a_pytree_network_loss(net_hessian):
    eig = np.linalg.eigvalsh(net_hessian[0])
    assert eig.min() < 0 < eig.max()
    # The spectrum's lower end is poorly separated (-2.08 next to -1.87): power iteration needs more steps.
    lo, hi = gfbook.hessian_extreme_eigenvalues(net_loss, NET_PARAMS, num_iters=600)
    np.testing.assert_allclose([float(lo), float(hi)], [eig.min(), eig.max()], rtol=1e-9, atol=1e-9)


def test_hvp_is_hessian_times_vector(rosen):
    x = jnp.array([0.3, -0.4])
    for v in (jnp.array([1.0, 0.0]), jnp.array([0.2, -3.0])):
        expected = np.asarray(jit_hessian(rosen.loss, x)) @ np.asarray(v)
        np.testing.assert_allclose(np.asarray(gfbook.hvp(rosen.loss, x, v)), expected, rtol=1e-13)


def test_hvp_on_a_pytree(net_hessian):
    H, unravel = net_hessian
    v_flat = jnp.asarray(np.random.default_rng(3).standard_normal(H.shape[0]))
    product = gfbook.hvp(net_loss, NET_PARAMS, unravel(v_flat))
    assert set(product) == set(NET_PARAMS)
    np.testing.assert_allclose(
        np.asarray(ravel_pytree(product)[0]), H @ np.asarray(v_flat), rtol=1e-12, atol=1e-13
    )


# --- distances ---------------------------------------------------------------------------------


def test_trajectory_distance_is_the_per_step_norm():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    np.testing.assert_allclose(
        np.asarray(gfbook.trajectory_distance(a, b)), np.linalg.norm(a - b, axis=1), rtol=1e-14
    )
    np.testing.assert_array_equal(np.asarray(gfbook.trajectory_distance(a, a)), np.zeros(6))
    # Matrix-shaped points: the Frobenius norm of each step's difference.
    c, d = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 3))
    np.testing.assert_allclose(
        np.asarray(gfbook.trajectory_distance(c, d)),
        np.linalg.norm((c - d).reshape(5, 6), axis=1),
        rtol=1e-14,
    )


def test_trajectory_distance_on_pytrees():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((5, 7)), rng.standard_normal((5, 7))
    tree_a = {"u": a[:, :3].reshape(5, 3, 1), "v": a[:, 3:]}
    tree_b = {"u": b[:, :3].reshape(5, 3, 1), "v": b[:, 3:]}
    np.testing.assert_allclose(
        np.asarray(gfbook.trajectory_distance(tree_a, tree_b)), np.linalg.norm(a - b, axis=1), rtol=1e-14
    )


def test_flow_distance_on_a_quadratic_matches_the_closed_forms():
    p = gfbook.quadratic(np.geomspace(0.05, 3.0, 10), rotation_seed=2, x0=np.linspace(1.0, -2.0, 10))
    lr, n = 0.4 / p.smoothness, 10
    measured = gfbook.flow_distance(p.loss, p.x0, lr, n)
    gd = np.asarray(gfbook.quadratic_gd(p.hessian, p.x0, lr, n))
    flow = np.asarray(gfbook.quadratic_flow(p.hessian, p.x0, lr * np.arange(n + 1)))
    expected = np.linalg.norm(gd - flow, axis=1)
    assert measured.shape == (n + 1,)
    assert float(measured[0]) == 0.0 and expected[-1] > 1e-3
    np.testing.assert_allclose(np.asarray(measured), expected, rtol=0, atol=1e-9)


# --- fitted rates ------------------------------------------------------------------------------


def test_fit_power_law_recovers_an_exact_law():
    x = np.geomspace(1e-3, 10.0, 15)
    slope, constant = gfbook.fit_power_law(x, 3.0 * x**1.5)
    assert slope == pytest.approx(1.5, abs=1e-12)
    assert constant == pytest.approx(3.0, rel=1e-12)
    slope, constant = gfbook.fit_power_law(list(x), list(0.5 / x**2))  # lists, decreasing law
    assert slope == pytest.approx(-2.0, abs=1e-12) and constant == pytest.approx(0.5, rel=1e-12)


def test_fit_power_law_with_noise():
    x = np.geomspace(1e-2, 1.0, 40)
    noise = np.exp(0.05 * np.random.default_rng(0).standard_normal(x.size))
    slope, constant = gfbook.fit_power_law(x, 3.0 * x**1.5 * noise)
    # The least-squares slope's standard error here is 0.05 / (std(log x) sqrt(40)) = 0.006.
    assert abs(slope - 1.5) < 0.04
    assert constant == pytest.approx(3.0, rel=0.15)
    # Agrees with numpy's own least-squares fit in log-log coordinates.
    ref_slope, ref_intercept = np.polynomial.polynomial.polyfit(np.log(x), np.log(3.0 * x**1.5 * noise), 1)[
        ::-1
    ]
    assert slope == pytest.approx(ref_slope, rel=1e-10)
    assert constant == pytest.approx(np.exp(ref_intercept), rel=1e-10)


# --- divergence --------------------------------------------------------------------------------


def test_divergence_index_finds_nan_inf_and_huge_norms():
    path = np.ones((10, 3))
    assert gfbook.divergence_index(path) is None
    assert gfbook.diverged(path) is False

    with_nan = path.copy()
    with_nan[6, 1] = np.nan
    assert gfbook.divergence_index(with_nan) == 6 and gfbook.diverged(with_nan) is True

    with_inf = path.copy()
    with_inf[4:, 0] = np.inf
    assert gfbook.divergence_index(with_inf) == 4

    with_neg_inf = path.copy()
    with_neg_inf[2, 2] = -np.inf
    assert gfbook.divergence_index(with_neg_inf) == 2

    huge = path.copy()
    huge[7:] = 1e120  # finite, norm 1.7e120 > the default threshold 1e100
    assert np.isfinite(huge).all()
    assert gfbook.divergence_index(huge) == 7
    assert gfbook.divergence_index(huge, threshold=1e130) is None
    assert gfbook.divergence_index(path * 5.0, threshold=1.0) == 0  # norm sqrt(75) > 1 from the start


def test_divergence_index_on_jax_arrays_and_pytrees():
    path = jnp.ones((8, 2))
    assert gfbook.divergence_index(path) is None
    tree = {"a": np.ones((8, 2)), "b": np.ones((8, 3, 2))}
    tree["b"][5, 2, 1] = np.nan
    assert gfbook.divergence_index(tree) == 5
    tree["a"][3, 0] = np.inf
    assert gfbook.divergence_index(tree) == 3


def test_divergence_threshold_is_compared_with_the_norm():
    # Entries of 1e180 have norm ~1.7e180, below threshold 1e200: not diverged. (Squaring them overflows
    # float64, so a norm computed as sqrt(sum of squares) without scaling reads inf.)
    path = np.ones((5, 3))
    path[3:] = 1e180
    assert gfbook.divergence_index(path, threshold=1e200) is None


def test_curvature_along_a_trajectory_matches_eigvalsh(rosen):
    path = gfbook.gradient_descent(rosen.loss, rosen.x0, 1e-3, 30)
    lam_min, lam_max = gfbook.curvature_along(rosen.loss, path, num_iters=300)
    assert lam_min.shape == lam_max.shape == (31,)
    exact = np.array([np.linalg.eigvalsh(np.asarray(jax.hessian(rosen.loss)(x))) for x in path])
    np.testing.assert_allclose(np.asarray(lam_min), exact[:, 0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(np.asarray(lam_max), exact[:, -1], rtol=1e-6)


def test_curvature_along_a_pytree_trajectory(net_hessian):
    eig = np.linalg.eigvalsh(net_hessian[0])
    trajectory = jax.tree.map(lambda leaf: jnp.stack([leaf, leaf]), NET_PARAMS)
    lam_min, lam_max = gfbook.curvature_along(net_loss, trajectory, num_iters=600)
    np.testing.assert_allclose(np.asarray(lam_max), [eig.max()] * 2, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.asarray(lam_min), [eig.min()] * 2, rtol=1e-9, atol=1e-9)


def test_curvature_along_bad_input(rosen):
    with pytest.raises(ValueError, match="^trajectory"):
        gfbook.curvature_along(rosen.loss, {"a": jnp.ones((3, 2)), "b": jnp.ones((4, 2))})
    with pytest.raises(ValueError, match="^trajectory"):
        gfbook.curvature_along(rosen.loss, jnp.ones(()))
    with pytest.raises((ValueError, TypeError), match="^num_iters"):
        gfbook.curvature_along(rosen.loss, jnp.ones((3, 2)), num_iters=0)


def test_distance_estimate_by_hand():
    est = gfbook.gd_flow_distance_estimate(0.1, [-1.0, -2.0, 0.5], [2.0, 4.0, 1.0])
    # e1 = 0.005 * 2 = 0.01; e2 = (1 + 0.1 * 2) * 0.01 + 0.005 * 4 = 0.032
    np.testing.assert_allclose(est, [0.0, 0.01, 0.032], rtol=1e-14)
    with pytest.raises(ValueError, match="^hg_norm"):
        gfbook.gd_flow_distance_estimate(0.1, [1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="^lr"):
        gfbook.gd_flow_distance_estimate(0.0, [1.0], [1.0])


def test_distance_estimate_bounds_gd_on_a_convex_quadratic():
    quad = gfbook.quadratic([0.1, 0.5, 2.0, 4.0], rotation_seed=0)
    A = np.asarray(quad.hessian)
    for lr in (0.05, 0.2, 0.45):  # lr * lambda_max < 2
        n = int(10 / lr)
        gd = np.asarray(gfbook.quadratic_gd(quad.hessian, quad.x0, lr, n))
        flow = np.asarray(gfbook.quadratic_flow(quad.hessian, quad.x0, lr * jnp.arange(n + 1)))
        measured = np.linalg.norm(gd - flow, axis=1)
        lam_min = np.full(n + 1, 0.1)
        hg = np.linalg.norm(flow @ (A @ A).T, axis=1)
        estimate = gfbook.gd_flow_distance_estimate(lr, lam_min, hg)
        assert np.all(measured <= estimate * (1 + 1e-12) + 1e-15)
        assert measured.max() > 0.3 * estimate.max()  # and not absurdly loose


def test_step_refinement_distance_matches_two_gd_runs():
    q = gfbook.quadratic([0.5, 2.0], rotation_seed=1)
    coarse = np.asarray(gfbook.gradient_descent(q.loss, q.x0, 0.3, 6))
    fine = np.asarray(gfbook.gradient_descent(q.loss, q.x0, 0.1, 18))[::3]
    gap, moved = gfbook.step_refinement_distance(q.loss, q.x0, 0.3, 6, 3)
    np.testing.assert_allclose(gap, np.linalg.norm(coarse - fine, axis=1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(moved, np.linalg.norm(coarse - coarse[0], axis=1), rtol=1e-12, atol=1e-15)
    # ratio 1 compares a run with itself; the ratio is traced, so a vmap over it compiles once
    same, _ = gfbook.step_refinement_distance(q.loss, q.x0, 0.3, 6, 1)
    assert np.all(np.asarray(same) == 0)
    gaps = jax.vmap(lambda r: gfbook.step_refinement_distance(q.loss, q.x0, 0.3, 6, r)[0])(jnp.array([1, 3]))
    np.testing.assert_allclose(gaps[1], gap, rtol=1e-12)
    with pytest.raises(ValueError, match="ratio"):
        gfbook.step_refinement_distance(q.loss, q.x0, 0.3, 6, 0)
