"""Bad input to every public function gets a clear error whose message starts with the argument's name."""

import jax.numpy as jnp
import numpy as np
import pytest

import gfbook


def quadratic_loss(x):
    return 0.5 * jnp.sum(x**2)


X0 = jnp.ones(3)
TS = jnp.array([0.0, 1.0])

CASES = [
    # (description, call, exception type, argument named)
    ("lr zero", lambda: gfbook.gradient_descent(quadratic_loss, X0, 0.0, 5), ValueError, "lr"),
    ("lr negative", lambda: gfbook.gradient_descent(quadratic_loss, X0, -0.1, 5), ValueError, "lr"),
    ("lr nan", lambda: gfbook.gradient_descent(quadratic_loss, X0, float("nan"), 5), ValueError, "lr"),
    ("lr inf", lambda: gfbook.gradient_descent(quadratic_loss, X0, float("inf"), 5), ValueError, "lr"),
    ("lr string", lambda: gfbook.gradient_descent(quadratic_loss, X0, "0.1", 5), TypeError, "lr"),
    ("lr vector", lambda: gfbook.gradient_descent(quadratic_loss, X0, jnp.ones(2), 5), TypeError, "lr"),
    ("num_steps negative", lambda: gfbook.gradient_descent(quadratic_loss, X0, 0.1, -1), ValueError, "num_steps"),
    ("num_steps float", lambda: gfbook.gradient_descent(quadratic_loss, X0, 0.1, 5.0), TypeError, "num_steps"),
    ("num_steps bool", lambda: gfbook.gradient_descent(quadratic_loss, X0, 0.1, True), TypeError, "num_steps"),
    ("x0 nan", lambda: gfbook.gradient_descent(quadratic_loss, jnp.array([1.0, jnp.nan]), 0.1, 5), ValueError, "x0"),
    ("x0 inf", lambda: gfbook.gradient_descent(quadratic_loss, np.array([np.inf]), 0.1, 5), ValueError, "x0"),
    ("x0 empty", lambda: gfbook.gradient_descent(quadratic_loss, jnp.zeros(0), 0.1, 5), ValueError, "x0"),
    ("x0 empty tree", lambda: gfbook.gradient_descent(quadratic_loss, {}, 0.1, 5), ValueError, "x0"),
    ("x0 complex", lambda: gfbook.gradient_descent(quadratic_loss, jnp.ones(2, complex), 0.1, 5), TypeError, "x0"),
    ("x0 string", lambda: gfbook.gradient_descent(quadratic_loss, "abc", 0.1, 5), TypeError, "x0"),
    ("loss not callable", lambda: gfbook.gradient_descent(3.0, X0, 0.1, 5), TypeError, "loss"),
    ("loss returns vector", lambda: gfbook.gradient_descent(lambda x: x, X0, 0.1, 5), TypeError, "loss"),
    ("loss wrong shape", lambda: gfbook.gradient_descent(lambda x: x @ jnp.ones(4), X0, 0.1, 5), TypeError, "loss"),
    ("flow ts decreasing", lambda: gfbook.gradient_flow(quadratic_loss, X0, [1.0, 0.0]), ValueError, "ts"),
    ("flow ts repeated", lambda: gfbook.gradient_flow(quadratic_loss, X0, [0.0, 1.0, 1.0]), ValueError, "ts"),
    ("flow ts 2-D", lambda: gfbook.gradient_flow(quadratic_loss, X0, jnp.ones((2, 2))), ValueError, "ts"),
    ("flow ts empty", lambda: gfbook.gradient_flow(quadratic_loss, X0, []), ValueError, "ts"),
    ("flow ts nan", lambda: gfbook.gradient_flow(quadratic_loss, X0, [0.0, np.nan]), ValueError, "ts"),
    ("flow rtol zero", lambda: gfbook.gradient_flow(quadratic_loss, X0, TS, rtol=0.0), ValueError, "rtol"),
    ("flow atol negative", lambda: gfbook.gradient_flow(quadratic_loss, X0, TS, atol=-1.0), ValueError, "atol"),
    ("flow max_steps zero", lambda: gfbook.gradient_flow(quadratic_loss, X0, TS, max_steps=0), ValueError, "max_steps"),
    ("flow x0 nan", lambda: gfbook.gradient_flow(quadratic_loss, jnp.array([jnp.nan]), TS), ValueError, "x0"),
    ("flow loss not callable", lambda: gfbook.gradient_flow("loss", X0, TS), TypeError, "loss"),
    ("integrate field not callable", lambda: gfbook.integrate(None, X0, TS), TypeError, "vector_field"),
    ("integrate ts decreasing", lambda: gfbook.integrate(lambda x: -x, X0, [2.0, 1.0]), ValueError, "ts"),
    ("quadratic negative eigenvalue", lambda: gfbook.quadratic([1.0, -1.0]), ValueError, "eigenvalues"),
    ("quadratic 2-D eigenvalues", lambda: gfbook.quadratic(np.ones((2, 2))), ValueError, "eigenvalues"),
    ("quadratic empty", lambda: gfbook.quadratic([]), ValueError, "eigenvalues"),
    ("quadratic x0 shape", lambda: gfbook.quadratic([1.0, 2.0], x0=[1.0]), ValueError, "x0"),
    ("quadratic x_star nan", lambda: gfbook.quadratic([1.0], x_star=[np.nan]), ValueError, "x_star"),
    ("condition below one", lambda: gfbook.quadratic_with_condition(3, 0.5), ValueError, "condition_number"),
    ("condition nan", lambda: gfbook.quadratic_with_condition(3, np.nan), ValueError, "condition_number"),
    ("dim zero", lambda: gfbook.quadratic_with_condition(0, 10.0), ValueError, "dim"),
    ("smoothness negative", lambda: gfbook.quadratic_with_condition(3, 10.0, smoothness=-1.0), ValueError, "smoothness"),
    ("rosenbrock b zero", lambda: gfbook.rosenbrock(b=0.0), ValueError, "b"),
    ("rosenbrock x0 shape", lambda: gfbook.rosenbrock(x0=[1.0, 2.0, 3.0]), ValueError, "x0"),
    ("logistic l2 zero", lambda: gfbook.logistic_regression(l2=0.0), ValueError, "l2"),
    ("logistic scales shape", lambda: gfbook.logistic_regression(dim=3, feature_scales=[1.0]), ValueError, "feature_scales"),
    ("logistic scales negative", lambda: gfbook.logistic_regression(dim=2, feature_scales=[1.0, -1.0]), ValueError, "feature_scales"),
    ("logistic num_samples zero", lambda: gfbook.logistic_regression(num_samples=0), ValueError, "num_samples"),
    ("exact hessian not square", lambda: gfbook.quadratic_flow(jnp.ones((2, 3)), jnp.ones(2), TS), ValueError, "hessian"),
    ("exact hessian not symmetric", lambda: gfbook.quadratic_flow(jnp.array([[1.0, 2.0], [0.0, 1.0]]), jnp.ones(2), TS), ValueError, "hessian"),
    ("exact x0 shape", lambda: gfbook.quadratic_gd(jnp.eye(2), jnp.ones(3), 0.1, 3), ValueError, "x0"),
    ("exact x_star shape", lambda: gfbook.quadratic_gd(jnp.eye(2), jnp.ones(2), 0.1, 3, x_star=jnp.ones(3)), ValueError, "x_star"),
    ("exact lr zero", lambda: gfbook.quadratic_gd(jnp.eye(2), jnp.ones(2), 0.0, 3), ValueError, "lr"),
    ("exact ts decreasing", lambda: gfbook.quadratic_flow(jnp.eye(2), jnp.ones(2), [1.0, 0.5]), ValueError, "ts"),
    ("sharpness num_iters zero", lambda: gfbook.sharpness(quadratic_loss, X0, num_iters=0), ValueError, "num_iters"),
    ("sharpness x nan", lambda: gfbook.sharpness(quadratic_loss, jnp.array([np.nan])), ValueError, "x"),
    ("sharpness loss vector", lambda: gfbook.sharpness(lambda x: x, X0), TypeError, "loss"),
    ("extremes loss not callable", lambda: gfbook.hessian_extreme_eigenvalues(1, X0), TypeError, "loss"),
    ("fit unequal lengths", lambda: gfbook.fit_power_law([1.0, 2.0], [1.0]), ValueError, "x and y"),
    ("fit too short", lambda: gfbook.fit_power_law([1.0], [1.0]), ValueError, "x and y"),
    ("fit zero", lambda: gfbook.fit_power_law([1.0, 2.0], [0.0, 1.0]), ValueError, "y"),
    ("fit negative x", lambda: gfbook.fit_power_law([-1.0, 2.0], [1.0, 1.0]), ValueError, "x"),
    ("distance shapes", lambda: gfbook.trajectory_distance(jnp.ones((3, 2)), jnp.ones((4, 2))), ValueError, "a and b"),
    ("distance trees", lambda: gfbook.trajectory_distance({"a": jnp.ones((3, 2))}, jnp.ones((3, 2))), ValueError, "a and b"),
    ("divergence threshold", lambda: gfbook.divergence_index(jnp.ones((3, 2)), threshold=0.0), ValueError, "threshold"),
    ("flow_distance lr", lambda: gfbook.flow_distance(quadratic_loss, X0, -1.0, 3), ValueError, "lr"),
]


@pytest.mark.parametrize("call, error, argument", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_names_the_argument(call, error, argument):
    with pytest.raises(error, match=rf"^{argument}\b"):
        call()
