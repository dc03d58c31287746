"""gfbook.rates: each bound against hand-computed values and against runs; the rate fitters on
sequences with known rates; steps outside a theorem's range refused."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook

# ------------------------------------------------------------------ hand-computed values


def test_bounds_hand_computed():
    # R0 = 2, L = 4, h = 1/8, k = 10: R0^2 / (2 h k) = 4 / 2.5 = 1.6
    assert gfbook.gd_convex_bound(10, lr=0.125, smoothness=4.0, distance0=2.0) == pytest.approx(1.6)
    assert gfbook.flow_convex_bound(2.5, distance0=2.0) == pytest.approx(0.8)
    # Drori-Teboulle, theta = 1: L R^2 / (4k + 2) = 4 * 4 / 42
    assert gfbook.gd_convex_tight_bound(10, smoothness=4.0, distance0=2.0) == pytest.approx(16 / 42)
    assert gfbook.gd_convex_tight_bound(10, smoothness=4.0, distance0=2.0, relative_step=0.5) == pytest.approx(16 / 22)
    # the exact worst case (Kim 2024): L R^2 / 2 max(1/(2 k theta + 1), (1 - theta)^(2k)), L = 4, R = 2
    value = gfbook.gd_convex_worst_case(2, smoothness=4.0, distance0=2.0, relative_step=1.5)
    assert value == pytest.approx(8 * max(1 / 7, 0.5**4))  # the Huber term
    value = gfbook.gd_convex_worst_case(2, smoothness=4.0, distance0=2.0, relative_step=1.9)
    assert value == pytest.approx(8 * 0.9**4)  # the quadratic term: 0.6561 > 1/8.6
    # Nesterov 2.1.14 at k = 0 is the initial gap
    assert gfbook.gd_convex_bound_any_step(0, lr=0.3, smoothness=4.0, distance0=2.0, gap0=5.0) == pytest.approx(5.0)
    # 2 * 5 * 4 / (8 + 3 * 0.3 * (2 - 1.2) * 5) = 40 / 11.6
    assert gfbook.gd_convex_bound_any_step(3, lr=0.3, smoothness=4.0, distance0=2.0, gap0=5.0) == pytest.approx(40 / 11.6)
    linear = gfbook.gd_linear_bound(3, lr=0.25, strong_convexity=1.0, smoothness=4.0, initial=2.0)
    assert linear == pytest.approx(2 * 0.75**3)
    assert gfbook.flow_linear_bound(0.5, strong_convexity=1.0, initial=2.0) == pytest.approx(2 * np.exp(-1.0))
    # (1 - 2 h mu L / (mu + L))^k R^2 with h = 2/5: 1 - 2*0.4*4/5 = 0.36
    value = gfbook.gd_distance_bound_any_step(2, lr=0.4, strong_convexity=1.0, smoothness=4.0, distance0=1.0)
    assert value == pytest.approx(0.36**2)
    assert value == pytest.approx(((4 - 1) / (4 + 1)) ** 4)  # ((kappa - 1)/(kappa + 1))^2 per step at h = 2/(mu + L)
    # nonconvex: delta0 / (k h (1 - L h / 2)) = 3 / (4 * 0.25 * 0.5)
    assert gfbook.gd_nonconvex_bound(4, lr=0.25, smoothness=4.0, gap0=3.0) == pytest.approx(6.0)
    assert gfbook.flow_nonconvex_bound(4.0, gap0=3.0) == pytest.approx(0.75)
    # approximate BDF1 with eta h = 0.1: 2 * 3 / (5 * 0.1) and (1 - 0.5 * 0.1)^2 * 3
    # (inner_lr 0.5 <= 1/(1 + 0.2 * 2) is allowed; eta h = 0.1)
    assert gfbook.approx_bdf1_nonconvex_bound(5, lr=0.2, inner_lr=0.5, smoothness=2.0, gap0=3.0) == pytest.approx(12.0)
    assert gfbook.approx_bdf1_linear_bound(2, lr=0.2, inner_lr=0.5, smoothness=2.0, strong_convexity=0.5, gap0=3.0) == (
        pytest.approx(3 * 0.95**2)
    )
    # a-posteriori convex bound: 1 / (1/d0 + a/2 * sum 1/R_i^2), a = 0.1
    bound = gfbook.approx_bdf1_convex_bound([1.0, 2.0, 4.0], lr=0.2, inner_lr=0.5, smoothness=2.0, gap0=1.0)
    np.testing.assert_allclose(bound, [1.0, 1 / (1 + 0.05), 1 / (1 + 0.05 + 0.05 / 4)])


def test_pl_bound_exact_constant_and_flow_limit():
    # (1 - mu h (2 - L h))^k delta0 with mu = 1, L = 4, h = 0.25: 1 - 0.25 * 1 = 0.75
    value = gfbook.gd_pl_bound(3, lr=0.25, strong_convexity=1.0, smoothness=4.0, gap0=2.0)
    assert value == pytest.approx(2 * 0.75**3)
    # beyond 1/L, up to 2/L: h = 0.4 gives 1 - 0.4 * 0.4 = 0.84
    assert gfbook.gd_pl_bound(1, lr=0.4, strong_convexity=1.0, smoothness=4.0, gap0=1.0) == pytest.approx(0.84)
    # h -> 0 at fixed t = h k: the flow's exp(-2 mu t); the error is O(h) (Taylor of log(1 - 2 mu h + mu L h^2))
    t, mu, L = 2.0, 0.25, 1.0  # mu L - 2 mu^2 != 0: the O(h) term does not vanish
    errors = [abs(gfbook.gd_pl_bound(round(t / h), lr=h, strong_convexity=mu, smoothness=L, gap0=1.0)
                  - np.exp(-2 * mu * t)) for h in (1e-2, 5e-3)]
    assert errors[1] == pytest.approx(errors[0] / 2, rel=0.05)  # first order in h


def test_strongly_convex_contraction_is_attained_on_two_mode_quadratics():
    mu, L = 0.1, 1.0
    steps = np.array([0.3, 0.9, 1.5, 1.9])
    rate = gfbook.gd_strongly_convex_contraction(steps, strong_convexity=mu, smoothness=L)
    np.testing.assert_allclose(rate, np.maximum((1 - steps * mu) ** 2, (1 - steps * L) ** 2))
    problem = gfbook.quadratic([mu, L])
    for h, rho in zip(steps, rate, strict=True):
        worst = 0.0
        for start in (jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0]), jnp.array([1.0, 1.0])):
            path = gfbook.gradient_descent(problem.loss, start, float(h), 5)
            gaps = np.asarray(jax.vmap(problem.loss)(path))
            ratios = gaps[1:] / gaps[:-1]
            assert np.all(ratios <= rho * (1 + 1e-12))
            worst = max(worst, ratios.max())
        assert worst == pytest.approx(rho, rel=1e-12)  # one of the eigenvectors attains it
    with pytest.raises(ValueError, match="lr"):
        gfbook.gd_strongly_convex_contraction(2.0, strong_convexity=mu, smoothness=L)
    with pytest.raises(ValueError, match="strong_convexity"):
        gfbook.gd_strongly_convex_contraction(1.0, strong_convexity=2.0, smoothness=L)


def test_bounds_are_arrays_over_k():
    k = np.arange(1, 6)
    np.testing.assert_allclose(gfbook.gd_convex_bound(k, lr=0.5, smoothness=2.0, distance0=1.0), 1 / k)
    assert gfbook.flow_linear_bound(np.zeros(3), strong_convexity=1.0, initial=2.0).shape == (3,)


# ------------------------------------------------------------------ steps outside a theorem's range are refused


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: gfbook.gd_convex_bound(1, lr=0.6, smoothness=2.0, distance0=1.0), "lr"),
        (lambda: gfbook.gd_linear_bound(1, lr=0.6, strong_convexity=1.0, smoothness=2.0, initial=1.0), "lr"),
        (lambda: gfbook.gd_convex_bound_any_step(1, lr=1.0, smoothness=2.0, distance0=1.0, gap0=1.0), "lr"),
        (lambda: gfbook.gd_nonconvex_bound(1, lr=1.0, smoothness=2.0, gap0=1.0), "lr"),
        (lambda: gfbook.gd_distance_bound_any_step(1, lr=0.7, strong_convexity=1.0, smoothness=2.0, distance0=1.0), "lr"),
        (lambda: gfbook.gd_linear_bound(1, lr=0.1, strong_convexity=3.0, smoothness=2.0, initial=1.0), "strong_convexity"),
        (lambda: gfbook.gd_convex_tight_bound(1, smoothness=1.0, distance0=1.0, relative_step=1.5), "relative_step"),
        (lambda: gfbook.gd_convex_worst_case(1, smoothness=1.0, distance0=1.0, relative_step=2.0),
         "relative_step"),
        (lambda: gfbook.approx_bdf1_nonconvex_bound(1, lr=1.0, inner_lr=0.6, smoothness=1.0, gap0=1.0), "inner_lr"),
        (lambda: gfbook.gd_convex_bound(0, lr=0.1, smoothness=2.0, distance0=1.0), "k"),
        (lambda: gfbook.gd_convex_bound(1, lr=-0.1, smoothness=2.0, distance0=1.0), "lr"),
        (lambda: gfbook.gd_convex_bound(1, lr=0.1, smoothness=2.0, distance0=-1.0), "distance0"),
        (lambda: gfbook.flow_convex_bound(0.0, distance0=1.0), "t"),
        (lambda: gfbook.flow_nonconvex_bound(1.0, gap0=float("nan")), "gap0"),
        (lambda: gfbook.approx_bdf1_convex_bound([1.0, 0.0], lr=0.1, inner_lr=0.5, smoothness=1.0, gap0=1.0), "distances"),
    ],
)
def test_out_of_range_is_refused(call, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}\b"):
        call()


# ------------------------------------------------------------------ bounds against runs


def test_gd_bounds_hold_on_runs():
    logcosh = gfbook.robust_regression(100, 5, kind="logcosh", seed=1)
    L, R0 = logcosh.smoothness, float(jnp.linalg.norm(logcosh.x0 - logcosh.x_star))
    gap0 = float(logcosh.loss(logcosh.x0)) - logcosh.f_star
    k = np.arange(1, 301)
    for lr in (0.5 / L, 1.0 / L):
        path = gfbook.gradient_descent(logcosh.loss, logcosh.x0, lr, 300)
        gaps = np.asarray([logcosh.loss(x) for x in path]) - logcosh.f_star
        assert np.all(gaps[1:] <= gfbook.gd_convex_bound(k, lr=lr, smoothness=L, distance0=R0) + 1e-12)
        assert np.all(gaps[1:] <= gfbook.gd_convex_bound_any_step(k, lr=lr, smoothness=L, distance0=R0, gap0=gap0) + 1e-12)
    lr = 1.8 / L  # beyond 1/L only the any-step bound applies
    path = gfbook.gradient_descent(logcosh.loss, logcosh.x0, lr, 300)
    gaps = np.asarray([logcosh.loss(x) for x in path]) - logcosh.f_star
    assert np.all(gaps[1:] <= gfbook.gd_convex_bound_any_step(k, lr=lr, smoothness=L, distance0=R0, gap0=gap0) + 1e-12)


def test_huber_worst_case_beyond_one_over_L():
    # for 1 < theta < 2, GD still stays on the linear part and ends at L R^2 / (4 N theta + 2)
    for n, theta in ((3, 1.5), (10, 1.9)):
        huber = gfbook.huber_worst_case(n, smoothness=2.0, distance0=3.0, relative_step=theta)
        end = gfbook.gradient_descent(huber.loss, huber.x0, theta / 2.0, n)[-1]
        assert float(huber.loss(end)) == pytest.approx(2.0 * 9.0 / (4 * n * theta + 2), rel=1e-12)


def test_worst_case_is_the_worse_of_huber_and_quadratic_runs():
    # GD on both extremal functions: the larger final gap is the formula, for every theta in (0, 2);
    # for theta <= 1 it is the Drori-Teboulle bound (rounding: ~1e-16 per step, 1e-12 allowed)
    L, R = 2.0, 3.0
    quadratic = gfbook.quadratic([L])
    for n in (1, 4, 15):
        for theta in (0.3, 1.0, 1.4, 1.7, 1.95):
            huber = gfbook.huber_worst_case(n, smoothness=L, distance0=R, relative_step=theta)
            huber_end = float(huber.loss(gfbook.gradient_descent(huber.loss, huber.x0, theta / L, n)[-1]))
            path = gfbook.gradient_descent(quadratic.loss, jnp.array([R]), theta / L, n)
            quadratic_end = float(quadratic.loss(path[-1]))
            bound = gfbook.gd_convex_worst_case(n, smoothness=L, distance0=R, relative_step=theta)
            assert max(huber_end, quadratic_end) == pytest.approx(float(bound), rel=1e-12)
            if theta <= 1:
                tight = gfbook.gd_convex_tight_bound(n, smoothness=L, distance0=R, relative_step=theta)
                assert float(bound) == pytest.approx(float(tight), rel=1e-14)
    # near theta = 2 the quadratic is the worse function
    huber_term = L * R**2 / (4 * 3 * 1.95 + 2)
    assert gfbook.gd_convex_worst_case(3, smoothness=L, distance0=R, relative_step=1.95) > huber_term


def test_huber_worst_case_attains_the_tight_bound():
    for n, theta in [(1, 1.0), (7, 1.0), (40, 1.0), (12, 0.5)]:
        huber = gfbook.huber_worst_case(n, smoothness=3.0, distance0=2.0, relative_step=theta)
        path = gfbook.gradient_descent(huber.loss, huber.x0, theta / 3.0, n)
        final = float(huber.loss(path[-1]))
        tight = float(gfbook.gd_convex_tight_bound(n, smoothness=3.0, distance0=2.0, relative_step=theta))
        assert final == pytest.approx(tight, rel=1e-12)
        assert final < float(gfbook.gd_convex_bound(n, lr=theta / 3.0, smoothness=3.0, distance0=2.0))


def test_distance_bound_is_attained_on_extreme_eigenvectors():
    mu, L = 0.1, 1.0
    quad = gfbook.quadratic([mu, 0.5, L])
    lr = 2 / (mu + L)
    for start in (jnp.array([1.0, 0.0, 0.0]), jnp.array([0.0, 0.0, 1.0])):
        path = np.asarray(gfbook.gradient_descent(quad.loss, start, lr, 30))
        dist_sq = np.sum(path**2, axis=1)
        bound = gfbook.gd_distance_bound_any_step(np.arange(31), lr=lr, strong_convexity=mu, smoothness=L, distance0=1.0)
        np.testing.assert_allclose(dist_sq, bound, rtol=1e-10)


def test_approx_bdf1_bounds_hold_on_runs():
    cauchy = gfbook.robust_regression(100, 5, kind="cauchy", seed=2)
    L = cauchy.smoothness
    gap0 = float(cauchy.loss(cauchy.x0))  # f >= 0
    for h, m in [(1 / L, 1), (10 / L, 3), (100 / L, 2)]:
        eta = 1 / (1 + h * L)
        path = gfbook.approx_bdf(cauchy.loss, cauchy.x0, h, 200, order=1, inner_steps=m, inner_lr=eta)
        g2 = np.asarray(jax.vmap(lambda x: jnp.sum(jax.grad(cauchy.loss)(x) ** 2))(path))
        running_min = np.minimum.accumulate(g2)[:-1]
        bound = gfbook.approx_bdf1_nonconvex_bound(np.arange(1, 201), lr=h, inner_lr=eta, smoothness=L, gap0=gap0)
        assert np.all(running_min <= bound)
        losses = np.asarray(jax.vmap(cauchy.loss)(path))
        assert np.all(np.diff(losses) <= 1e-15)  # the one-step decrease of the proof
        assert losses[0] - losses[1] >= h * eta / 2 * g2[0] * (1 - 1e-12)


# ------------------------------------------------------------------ rate fitters


def test_fit_linear_rate_recovers_a_geometric_sequence():
    values = 3.0 * 0.9 ** np.arange(50)
    values[:3] = [100.0, 50.0, 20.0]  # a transient, excluded by the window
    values[-5:] = 0.0  # a floor, excluded by the window
    rho, constant = gfbook.fit_linear_rate(values, window=(3, 45))
    assert rho == pytest.approx(0.9, rel=1e-12) and constant == pytest.approx(3.0, rel=1e-10)
    with pytest.raises(ValueError, match="^values"):
        gfbook.fit_linear_rate(values, window=(0, 50))
    with pytest.raises(ValueError, match="^window"):
        gfbook.fit_linear_rate(values, window=(10, 11))
    with pytest.raises(TypeError, match="^window"):
        gfbook.fit_linear_rate(values, window=5)


def test_fit_sublinear_rate_recovers_a_power_law():
    k = np.arange(1, 1001, dtype=float)
    values = 7.0 / k + np.where(k < 10, 5.0, 0.0)
    p, constant = gfbook.fit_sublinear_rate(k, values, window=(20, 1000))
    assert p == pytest.approx(-1.0, abs=1e-12) and constant == pytest.approx(7.0, rel=1e-10)
    with pytest.raises(ValueError, match="^values"):
        gfbook.fit_sublinear_rate(k, values[:-1], window=(0, 10))


# ------------------------------------------------------------------ the new problems


def test_robust_regression_facts():
    for kind in ("logcosh", "cauchy"):
        problem = gfbook.robust_regression(60, 4, kind=kind, seed=0)
        # smoothness bound: no Hessian eigenvalue above it, at a few random points
        for seed in range(3):
            w = jax.random.normal(jax.random.key(seed), (4,)) * 3
            eig = np.linalg.eigvalsh(np.asarray(jax.hessian(problem.loss)(w)))
            assert np.abs(eig).max() <= problem.smoothness * (1 + 1e-12)
    logcosh = gfbook.robust_regression(60, 4, kind="logcosh", seed=0)
    assert float(jnp.linalg.norm(jax.grad(logcosh.loss)(logcosh.x_star))) < 1e-10
    cauchy = gfbook.robust_regression(60, 4, kind="cauchy", seed=0)
    assert cauchy.x_star is None and cauchy.f_star is None
    # nonconvex: some point has a negative Hessian eigenvalue
    w = jnp.full(4, 5.0)
    assert np.linalg.eigvalsh(np.asarray(jax.hessian(cauchy.loss)(w))).min() < 0
    with pytest.raises(ValueError, match="^kind"):
        gfbook.robust_regression(kind="huber")
