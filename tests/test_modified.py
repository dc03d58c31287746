"""Backward error analysis (gfbook.modified) against finite differences and closed forms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook


def central_difference_gradient(fn, x, eps=1e-6):
    """The gradient of a scalar function by central differences in numpy (an independent reference)."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        out[i] = (float(fn(jnp.asarray(x + e))) - float(fn(jnp.asarray(x - e)))) / (2 * eps)
    return out


def test_modified_loss_against_finite_differences(rosen):
    h = 0.01
    x = jnp.array([-0.7, 0.4])
    grad_fd = central_difference_gradient(rosen.loss, x)
    expected = float(rosen.loss(x)) + h / 4 * float(grad_fd @ grad_fd)
    assert float(gfbook.modified_loss(rosen.loss, h)(x)) == pytest.approx(expected, rel=1e-8)


def test_gradient_regularized_loss_strength():
    loss = lambda x: jnp.sum(x**4)  # noqa: E731
    x = jnp.array([1.0, -2.0])
    g = 4 * x**3
    assert float(gfbook.gradient_regularized_loss(loss, 0.3)(x)) == pytest.approx(17.0 + 0.3 * float(g @ g))


def test_order_one_field_is_minus_gradient_of_modified_loss(logreg):
    points = jax.random.normal(jax.random.key(1), (5, 4))
    for h in [0.01, 0.3]:
        field = jax.vmap(gfbook.modified_flow(logreg.loss, h, 1))(points)
        minus_grad = -jax.vmap(jax.grad(gfbook.modified_loss(logreg.loss, h)))(points)
        np.testing.assert_allclose(field, minus_grad, rtol=1e-12, atol=1e-14)


def test_order_zero_field_is_minus_gradient(rosen):
    x = jnp.array([0.2, 0.3])
    np.testing.assert_allclose(gfbook.modified_flow(rosen.loss, 0.1, 0)(x), -jax.grad(rosen.loss)(x), rtol=1e-14)


def test_fields_on_a_quadratic_are_partial_sums_of_the_log_series():
    eigenvalues = np.array([0.5, 1.0, 2.0])
    problem = gfbook.quadratic(eigenvalues)
    h, x = 0.1, jnp.array([1.0, -1.0, 2.0])
    terms = np.stack([-eigenvalues, -h / 2 * eigenvalues**2, -(h**2) / 3 * eigenvalues**3])
    for order in range(3):
        np.testing.assert_allclose(
            gfbook.modified_flow(problem.loss, h, order)(x), terms[: order + 1].sum(0) * np.asarray(x), rtol=1e-13
        )


@pytest.mark.parametrize("order", [0, 1, 2])
def test_local_error_orders_in_closed_form(order):
    # On a diagonal quadratic the order-p modified flow over time h is exp(c_p h) per mode,
    # and one GD step is (1 - h lambda): both closed forms, no ODE solver involved.
    eigenvalues = np.array([0.7, 1.3])
    problem = gfbook.quadratic(eigenvalues)
    x = jnp.array([1.0, 1.0])
    lrs = np.geomspace(1e-3, 3e-2, 6)
    errors = []
    for h in lrs:
        rates = np.asarray(gfbook.modified_flow(problem.loss, h, order)(x)) / np.asarray(x)
        flow = np.exp(rates * h) * np.asarray(x)
        step = np.asarray(gfbook.gradient_descent(problem.loss, x, h, 1)[1])
        errors.append(np.linalg.norm(step - flow))
    slope, _ = gfbook.fit_power_law(lrs, errors)
    assert abs(slope - (order + 2)) < 0.05


def test_local_error_orders_with_the_ode_solver(rosen):
    loss = gfbook.rosenbrock(b=10.0).loss
    x = jnp.array([0.0, 0.5])
    lrs = np.geomspace(0.002, 0.02, 4)
    for order in range(3):
        errors = [
            float(
                jnp.linalg.norm(
                    gfbook.gradient_descent(loss, x, h, 1)[1]
                    - gfbook.integrate(gfbook.modified_flow(loss, h, order), x, jnp.array([0.0, h]), rtol=1e-14, atol=1e-14)[
                        1
                    ]
                )
            )
            for h in lrs
        ]
        slope, _ = gfbook.fit_power_law(lrs, errors)
        assert abs(slope - (order + 2)) < 0.15


def test_order_two_field_is_not_a_gradient_in_general(rosen):
    J = jax.jacfwd(gfbook.modified_flow(rosen.loss, 0.1, 2))(jnp.array([0.3, 0.7]))
    assert float(jnp.abs(J - J.T).max()) > 1.0
    J1 = jax.jacfwd(gfbook.modified_flow(rosen.loss, 0.1, 1))(jnp.array([0.3, 0.7]))
    np.testing.assert_allclose(J1, J1.T, atol=1e-10)


def test_modified_flow_on_pytrees():
    loss = lambda p: jnp.sum(p["a"] ** 2) + jnp.sum(p["b"] ** 4)  # noqa: E731
    params = {"a": jnp.ones(2), "b": jnp.array([0.5])}
    flat, unravel = jax.flatten_util.ravel_pytree(params)
    tree_field = gfbook.modified_flow(loss, 0.1, 2)(params)
    flat_field = gfbook.modified_flow(lambda v: loss(unravel(v)), 0.1, 2)(flat)
    np.testing.assert_allclose(jax.flatten_util.ravel_pytree(tree_field)[0], flat_field, rtol=1e-13)


def test_scalar_factorization_facts():
    p = gfbook.scalar_factorization(2.0, x0=(1.0, 3.0))
    assert float(p.loss(p.x0)) == pytest.approx(0.5)
    a, b = 1.0, 2.0  # a minimiser: ab = 2; sharpness a^2 + b^2
    assert float(gfbook.sharpness(p.loss, jnp.array([a, b]))) == pytest.approx(a**2 + b**2, rel=1e-9)


def julia_coefficients(count):
    """c_2, c_3, ... of F(y) = sum c_m y^m solving Julia's equation F(y + y^2) = (1 + 2y) F(y).

    F is the modified field of the explicit Euler step y + h y^2 for y' = y^2 at h = 1
    (the flow of F commutes with its own time-1 map); exact rational arithmetic, an
    independent reference for the recursion of gfbook.modified_field_terms.
    """
    from fractions import Fraction
    from math import comb

    c = {2: Fraction(1)}
    for n in range(4, count + 3):  # the coefficient of y^n fixes c_(n-1)
        c[n - 1] = -sum(c[m] * comb(m, n - m) for m in range(2, n - 1)) / (n - 3)
    return [c[m] for m in range(2, count + 2)]


def test_field_terms_of_y_squared_match_julias_equation():
    terms = gfbook.modified_field_terms(lambda y: y**2, 5)(jnp.array([1.0]))
    # f_j(y) = c_(j+1) y^(j+1): 1, -1, 3/2, -8/3, 31/6 (Hairer, Lubich & Wanner, IX.1)
    expected = [float(c) for c in julia_coefficients(5)]
    np.testing.assert_allclose(np.asarray(terms)[:, 0], expected, rtol=1e-13)
    assert expected[:4] == [1.0, -1.0, 1.5, -8 / 3]
    y = 0.7  # homogeneity: f_j(y) = c_(j+1) y^(j+1)
    scaled = gfbook.modified_field_terms(lambda v: v**2, 5)(jnp.array([y]))
    np.testing.assert_allclose(np.asarray(scaled)[:, 0], [e * y ** (j + 2) for j, e in enumerate(expected)], rtol=1e-13)


def test_field_terms_reproduce_the_orders_of_modified_flow(rosen):
    field = jax.tree_util.Partial(lambda loss, x: -jax.grad(loss)(x), rosen.loss)
    x, h = jnp.array([0.3, 0.7]), 0.1
    terms = gfbook.modified_field_terms(field, 3)(x)
    for order in range(3):
        truncated = sum(h**j * terms[j] for j in range(order + 1))
        np.testing.assert_allclose(truncated, gfbook.modified_flow(rosen.loss, h, order)(x), rtol=1e-12)


def test_field_terms_on_a_quadratic_are_the_log_series():
    # f = -A x: the modified field is -(1/h) log(I - hA)... = -sum_j h^(j-1) A^j x / j
    rng = np.random.default_rng(3)
    M = rng.standard_normal((3, 3))
    A = M @ M.T
    x = jnp.asarray(rng.standard_normal(3))
    field = jax.tree_util.Partial(lambda a, v: -a @ v, jnp.asarray(A))
    terms = np.asarray(gfbook.modified_field_terms(field, 4)(x))
    expected = [-np.linalg.matrix_power(A, j) @ np.asarray(x) / j for j in range(1, 5)]
    np.testing.assert_allclose(terms, expected, rtol=1e-11, atol=1e-12 * np.linalg.norm(A, 2) ** 4)


def test_field_terms_compile_once_per_order():
    terms = gfbook.modified_field_terms(lambda y: y**2, 2)
    other = gfbook.modified_field_terms(lambda y: y**3, 2)
    assert terms.func is other.func  # one jitted function per order, the field is data


@pytest.mark.parametrize(
    "call, error, argument",
    [
        (lambda: gfbook.modified_flow(lambda x: jnp.sum(x**2), 0.1, 3), ValueError, "order"),
        (lambda: gfbook.modified_flow(lambda x: jnp.sum(x**2), 0.1, -1), ValueError, "order"),
        (lambda: gfbook.modified_flow(lambda x: jnp.sum(x**2), 0.1, 1.0), TypeError, "order"),
        (lambda: gfbook.modified_flow(lambda x: jnp.sum(x**2), 0.0, 1), ValueError, "lr"),
        (lambda: gfbook.modified_flow(None, 0.1, 1), TypeError, "loss"),
        (lambda: gfbook.modified_loss(lambda x: jnp.sum(x**2), -0.1), ValueError, "lr"),
        (lambda: gfbook.modified_loss("loss", 0.1), TypeError, "loss"),
        (lambda: gfbook.gradient_regularized_loss(lambda x: jnp.sum(x**2), -1.0), ValueError, "strength"),
        (lambda: gfbook.gradient_regularized_loss(lambda x: jnp.sum(x**2), float("nan")), ValueError, "strength"),
        (lambda: gfbook.modified_field_terms(lambda y: y**2, 0), ValueError, "order"),
        (lambda: gfbook.modified_field_terms(lambda y: y**2, 7), ValueError, "order"),
        (lambda: gfbook.modified_field_terms(lambda y: y**2, 2.0), TypeError, "order"),
        (lambda: gfbook.modified_field_terms("f", 2), TypeError, "field"),
        (lambda: gfbook.scalar_factorization(float("inf")), ValueError, "target"),
        (lambda: gfbook.scalar_factorization(x0=(1.0, 2.0, 3.0)), ValueError, "x0"),
    ],
)
def test_bad_input(call, error, argument):
    with pytest.raises(error, match=rf"^{argument}\b"):
        call()
