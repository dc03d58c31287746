"""The central flow and the measurements of the edge of stability, against closed forms.

The model: L(x, y) = c/2 (x - x*)^2 + x y^2 / 2, a valley along y = 0 whose curvature across
it is x. On the valley the sharpness is S = x (for x > c) and grad S = (1, 0), so from
(x0, 0) with x0 < 2/h < x* the central flow is the gradient flow
x(t) = x* + (x0 - x*) e^{-ct} until x = 2/h, then stays there with
sigma^2 = 2 c (x* - 2/h).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook

C, X_STAR, H = 0.3, 10.0, 0.25  # the edge is at x = 2/h = 8


def valley(w):
    return 0.5 * C * (w[0] - X_STAR) ** 2 + 0.5 * w[0] * w[1] ** 2


def closed_form(ts, x0):
    x = X_STAR + (x0 - X_STAR) * np.exp(-C * ts)
    return np.stack([np.minimum(x, 2 / H), np.zeros_like(ts)], axis=1)


TS = H * np.arange(0, 41)  # t* = ln(4/2)/0.3 = 2.31 lies inside


def test_central_flow_matches_the_closed_form_through_the_event():
    flow = np.asarray(gfbook.central_flow(valley, jnp.array([6.0, 0.0]), TS, lr=H))
    # the solver's tolerance (1e-8) and the event's Newton tolerance (1e-10) bound the error
    np.testing.assert_allclose(flow, closed_form(TS, 6.0), atol=1e-6)


def test_below_the_edge_it_is_the_gradient_flow():
    ts = TS[:9]  # t <= 2 < t*: below the edge throughout
    flow = gfbook.central_flow(valley, jnp.array([6.0, 0.3]), ts, lr=H)
    reference = gfbook.gradient_flow(valley, jnp.array([6.0, 0.3]), ts, rtol=1e-8, atol=1e-8)
    # the same field and solver at rtol = atol = 1e-8 (their step sequences differ: gradient_flow
    # steps onto every requested time), so they agree to a small multiple of the tolerance
    np.testing.assert_allclose(flow, reference, atol=1e-6)


def test_a_start_above_the_edge_is_pulled_back_to_it():
    # from x0 = 9 > 2/h the restoring term brings S to 2/h at rate 1/h: x - 8 = e^{-t/h}
    flow = np.asarray(gfbook.central_flow(valley, jnp.array([9.0, 0.0]), TS, lr=H))
    np.testing.assert_allclose(flow[:, 0] - 2 / H, np.exp(-TS / H), atol=1e-6)


def test_it_leaves_the_edge_where_sigma2_would_turn_negative():
    # x* = 7 < 2/h: from x0 = 9 the flow starts at the edge, is pulled towards x = 2/h at
    # rate kappa = 1/h (sigma^2 = 2(c(x* - x) + kappa(x - 2/h)), so x' = -kappa(x - 2/h)),
    # and leaves the edge where sigma^2 = 0, at x_l = (2 kappa/h - c x*)/(kappa - c); from
    # there it is the gradient flow x* + (x_l - x*) e^{-c(t - t_l)}
    def low_valley(w):
        return 0.5 * C * (w[0] - 7.0) ** 2 + 0.5 * w[0] * w[1] ** 2

    kappa = 1 / H
    x_leave = (2 * kappa / H - C * 7.0) / (kappa - C)
    t_leave = np.log((9.0 - 2 / H) / (x_leave - 2 / H)) / kappa
    expected = np.where(
        TS < t_leave,
        2 / H + (9.0 - 2 / H) * np.exp(-kappa * TS),
        7.0 + (x_leave - 7.0) * np.exp(-C * (TS - t_leave)),
    )
    flow = np.asarray(gfbook.central_flow(low_valley, jnp.array([9.0, 0.0]), TS, lr=H))
    np.testing.assert_allclose(flow[:, 0], expected, atol=1e-6)  # solver and event tolerances


def test_variance_and_loss_predictions_on_the_valley():
    points = jnp.array([[8.0, 0.0], [7.0, 0.0]])  # at the edge, and below it
    sigma2 = gfbook.central_flow_variance(valley, points, lr=H)
    np.testing.assert_allclose(sigma2, [2 * C * (X_STAR - 2 / H), 0.0], atol=1e-10)
    predicted = gfbook.central_flow_loss(valley, points, lr=H)
    at_edge = 0.5 * C * (8 - X_STAR) ** 2 + 0.5 * sigma2[0] * 8
    np.testing.assert_allclose(predicted, [at_edge, 0.5 * C * 9], atol=1e-10)


def test_gd_settles_on_the_predicted_two_cycle():
    # with c = 0.3, x* = 9 GD converges to the 2-cycle x = 2/h, y^2 = 2c(x* - 2/h) exactly
    def loss(w):
        return 0.5 * C * (w[0] - 9.0) ** 2 + 0.5 * w[0] * w[1] ** 2

    gd = gfbook.gradient_descent(loss, jnp.array([6.0, 0.01]), H, 2000)
    centre = gfbook.time_average(gd, window=2)[-10:]
    np.testing.assert_allclose(centre, np.tile([2 / H, 0.0], (10, 1)), atol=1e-9)
    x = gfbook.oscillation_along_top(loss, gd[-11:-1], centre)
    np.testing.assert_allclose(x**2, 2 * C * (9.0 - 2 / H), rtol=1e-8)


def test_time_average_of_a_period_two_sequence():
    path = {"a": jnp.array([[1.0], [3.0], [1.0], [3.0]]), "b": jnp.arange(4.0)}
    mean = gfbook.time_average(path, window=2)
    np.testing.assert_allclose(mean["a"][:, 0], [2.0, 2.0, 2.0])
    np.testing.assert_allclose(mean["b"], [0.5, 1.5, 2.5])


def test_central_flow_on_a_pytree_matches_the_array_version():
    def tree_valley(p):
        return valley(jnp.stack([p["x"], p["y"]]))

    flow = gfbook.central_flow(tree_valley, {"x": jnp.array(6.0), "y": jnp.array(0.0)}, TS, lr=H)
    np.testing.assert_allclose(flow["x"], closed_form(TS, 6.0)[:, 0], atol=1e-6)


@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan")])
def test_bad_step(bad):
    with pytest.raises(ValueError, match="^lr"):
        gfbook.central_flow(valley, jnp.array([6.0, 0.0]), TS, lr=bad)


def test_traced_start_is_refused():
    with pytest.raises(TypeError, match="^x0"):
        jax.jit(lambda x: gfbook.central_flow(valley, x, TS, lr=H))(jnp.array([6.0, 0.0]))


def test_a_single_time_returns_the_start():
    flow = gfbook.central_flow(valley, jnp.array([6.0, 0.0]), [0.0], lr=H)
    np.testing.assert_array_equal(flow, [[6.0, 0.0]])


def test_traced_step_is_refused():
    with pytest.raises(TypeError, match="^x0, ts and lr"):
        jax.jit(lambda h: gfbook.central_flow(valley, jnp.array([6.0, 0.0]), TS, lr=h))(H)


def test_the_top_eigenvector_of_a_quadratic_is_found():
    # 20 Lanczos steps (the default) on a 30-dimensional quadratic with lambda_max = 20 and
    # the rest in [1, 10]: the Ritz vector converges like (1/2)^20 or faster, below 1e-6
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((30, 30)))
    hessian = q @ np.diag(np.append(np.linspace(1, 10, 29), 20.0)) @ q.T

    def loss(x):
        return 0.5 * x @ jnp.asarray(hessian) @ x

    centre = jnp.asarray(rng.standard_normal(30))
    along = gfbook.oscillation_along_top(loss, (centre + q[:, -1])[None], centre[None])
    np.testing.assert_allclose(np.abs(along), [1.0], atol=1e-6)
