"""Corridors: the corridor ratio (gfbook.measure) against full Hessians and exact corridors; the Corridor Learning
Rate (gfbook.methods.clr) against hand computation and optax's Polyak step; pytrees, edge cases and bad input."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import gfbook

C = jnp.array([1.0, -2.0, 0.5])


def cone(x):
    return jnp.linalg.norm(x - C)


def linear(x):
    return jnp.dot(jnp.array([1.0, 2.0, -2.0]), x) + 10.0


def test_ratio_is_zero_on_exact_corridors():
    for x in (jnp.array([4.0, 2.0, 1.0]), jnp.array([-3.0, 0.0, 7.0])):
        assert float(gfbook.corridor_ratio(cone, x)) < 1e-14
        assert float(gfbook.corridor_ratio(linear, x)) == 0.0


def test_ratio_against_the_full_hessian(rosen, logreg):
    for problem, x in ((rosen, jnp.array([-1.0, 2.0])), (logreg, logreg.x0 + 0.3)):
        H = jax.hessian(problem.loss)(x)
        g = jax.grad(problem.loss)(x)
        expected = jnp.linalg.norm(H @ g) / jnp.linalg.norm(g)
        np.testing.assert_allclose(float(gfbook.corridor_ratio(problem.loss, x)), float(expected), rtol=1e-10)


def test_ratio_on_a_quadratic_eigenvector_is_the_eigenvalue():
    q = gfbook.quadratic([0.5, 3.0])
    assert float(gfbook.corridor_ratio(q.loss, jnp.array([0.0, 2.0]))) == pytest.approx(3.0)
    assert np.isnan(float(gfbook.corridor_ratio(q.loss, jnp.zeros(2))))  # undefined at a stationary point


def test_corridor_lr_by_hand():
    x = jnp.array([3.0, 4.0])
    loss = lambda x: 0.5 * jnp.sum(x**2)  # noqa: E731  L = 12.5, |g|^2 = 25
    assert float(gfbook.corridor_lr(loss, x)) == pytest.approx(0.5)
    assert float(gfbook.corridor_lr(loss, x, fraction=0.5, f_star=2.5)) == pytest.approx(0.5 * 10 / 25)
    assert float(gfbook.corridor_lr(loss, x, max_lr=0.1)) == pytest.approx(0.1)
    assert float(gfbook.corridor_lr(loss, x, f_star=20.0)) == 0.0  # loss below f_star: no step, not an ascent
    assert float(gfbook.corridor_lr(loss, jnp.zeros(2))) == 0.0  # no gradient: no step


def test_one_clr_step_empties_an_exact_corridor():
    x0 = jnp.array([4.0, 2.0, 1.0])
    path, steps = gfbook.clr_descent(cone, x0, 1, return_steps=True)
    assert float(steps[0]) == pytest.approx(float(cone(x0)))
    assert float(cone(path[1])) < 1e-14
    path = gfbook.clr_descent(linear, x0, 1, fraction=0.5)
    assert float(linear(path[1])) == pytest.approx(0.5 * float(linear(x0)))


def test_polyak_halves_every_1d_quadratic():
    for lam in (0.01, 1.0, 250.0):
        q = gfbook.quadratic([lam], x0=[3.0])
        path = np.asarray(gfbook.clr_descent(q.loss, q.x0, 6))[:, 0]
        np.testing.assert_allclose(path, 3.0 * 0.5 ** np.arange(7), rtol=1e-13)


def test_clr_matches_optax_polyak(logreg):
    f_star = logreg.f_star
    path, steps = gfbook.clr_descent(logreg.loss, logreg.x0, 25, f_star=f_star, max_lr=1e6, return_steps=True)
    opt = optax.polyak_sgd(max_learning_rate=1e6, f_min=f_star)  # optax's default cap of 1.0 would clip
    x, state, xs = logreg.x0, opt.init(logreg.x0), [logreg.x0]
    for _ in range(25):
        value, grad = jax.value_and_grad(logreg.loss)(x)
        updates, state = opt.update(grad, state, x, value=value)
        x = optax.apply_updates(x, updates)
        xs.append(x)
    np.testing.assert_allclose(np.stack(xs), np.asarray(path), rtol=1e-8, atol=1e-10)  # rounding grows near x*
    assert float(steps.max()) > 1.0  # the cap of optax's default would have mattered


def test_optax_scaling_divides_the_polyak_step(logreg):
    # optax.polyak_sgd scales the gradient *before* the Polyak step: its step is gap / (s |g|^2)
    x = logreg.x0 + 0.1
    value, grad = jax.value_and_grad(logreg.loss)(x)
    for s in (0.5, 2.0):
        opt = optax.polyak_sgd(max_learning_rate=1e6, scaling=s)
        updates, _ = opt.update(grad, opt.init(x), x, value=value)
        effective = -float(updates[0] / grad[0])
        assert effective == pytest.approx(float(gfbook.corridor_lr(logreg.loss, x)) / s, rel=1e-12)
        assert effective != pytest.approx(float(gfbook.corridor_lr(logreg.loss, x, fraction=s)), rel=1e-3)


def test_pytrees_and_vmap_over_fraction():
    tree_loss = lambda t: 0.5 * jnp.sum(t["a"] ** 2) + jnp.sum(t["b"] ** 2)  # noqa: E731
    x0 = {"a": jnp.array([1.0, -2.0]), "b": jnp.ones((2, 2))}
    flat_loss = lambda v: 0.5 * jnp.sum(v[:2] ** 2) + jnp.sum(v[2:] ** 2)  # noqa: E731
    flat = jnp.concatenate([x0["a"], x0["b"].ravel()])
    tree_path = gfbook.clr_descent(tree_loss, x0, 4)
    flat_path = gfbook.clr_descent(flat_loss, flat, 4)
    assert tree_path["b"].shape == (5, 2, 2)
    np.testing.assert_allclose(np.asarray(tree_path["b"]).reshape(5, 4), np.asarray(flat_path)[:, 2:], rtol=1e-11)
    assert float(gfbook.corridor_ratio(tree_loss, x0)) == pytest.approx(float(gfbook.corridor_ratio(flat_loss, flat)))
    runs = jax.vmap(lambda f: gfbook.clr_descent(flat_loss, flat, 4, fraction=f))(jnp.array([0.5, 1.0]))
    np.testing.assert_allclose(np.asarray(runs[1]), np.asarray(flat_path), rtol=1e-13)


def test_clr_sgd_on_batches_is_sps():
    rng = np.random.default_rng(0)
    A, b = jnp.asarray(rng.normal(size=(12, 3))), jnp.asarray(rng.normal(size=12))
    batch_loss = lambda w, idx: 0.5 * jnp.mean((A[idx] @ w - b[idx]) ** 2)  # noqa: E731
    batches = jnp.asarray(rng.integers(0, 12, size=(6, 4)))
    path, steps = gfbook.clr_sgd(batch_loss, jnp.zeros(3), batches, fraction=0.5, max_lr=3.0, return_steps=True)
    w = jnp.zeros(3)
    for k in range(6):
        value, g = jax.value_and_grad(batch_loss)(w, batches[k])
        h = min(0.5 * float(value) / float(jnp.sum(g**2)), 3.0)
        assert float(steps[k]) == pytest.approx(h, rel=1e-12)
        w = w - h * g
        np.testing.assert_allclose(np.asarray(path[k + 1]), np.asarray(w), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: gfbook.corridor_lr(cone, jnp.ones(3), fraction=0.0), "fraction"),
        (lambda: gfbook.corridor_lr(cone, jnp.ones(3), f_star=float("nan")), "f_star"),
        (lambda: gfbook.corridor_lr(cone, jnp.ones(3), max_lr=-1.0), "max_lr"),
        (lambda: gfbook.corridor_lr(cone, jnp.array([1.0, np.nan, 0.0])), "x"),
        (lambda: gfbook.corridor_ratio(3, jnp.ones(3)), "loss"),
        (lambda: gfbook.clr_descent(cone, jnp.ones(3), -1), "num_steps"),
        (lambda: gfbook.clr_descent(cone, jnp.ones(3), 2, fraction=-1.0), "fraction"),
        (lambda: gfbook.clr_descent(lambda x: x, jnp.ones(3), 2), "loss"),
        (lambda: gfbook.clr_sgd(lambda x, b: jnp.sum(x), jnp.ones(3), {}), "batches"),
        (lambda: gfbook.clr_sgd(lambda x, b: jnp.sum(x), jnp.ones(3), {"a": jnp.ones(3), "b": jnp.ones(4)}), "batches"),
    ],
)
def test_bad_input(call, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name}\b"):
        call()


def test_zero_steps():
    assert gfbook.clr_descent(cone, jnp.ones(3), 0).shape == (1, 3)
