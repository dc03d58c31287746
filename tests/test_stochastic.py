"""Mini-batch SGD, its modified loss and its SDE model, against NumPy references and closed forms."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

import gfbook

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 3))
Y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 * RNG.standard_normal(8)
DATA = {"x": X, "y": Y}
W0 = np.array([0.5, 0.5, 0.5])


def batch_loss(w, batch):
    return 0.5 * jnp.mean((batch["x"] @ w - batch["y"]) ** 2)


def sgd_numpy(w0, lr, batches):
    """SGD on least squares with the given index batches, in NumPy."""
    path = [np.asarray(w0, float)]
    for idx in batches:
        w = path[-1]
        grad = X[idx].T @ (X[idx] @ w - Y[idx]) / len(idx)
        path.append(w - lr * grad)
    return np.stack(path)


@pytest.mark.parametrize("order", ["shuffle", "with_replacement", "fixed"])
def test_sgd_matches_numpy_with_its_batches(order):
    key = jax.random.key(3)
    path = gfbook.sgd(batch_loss, W0, 0.1, 3, data=DATA, batch_size=2, key=key, order=order)
    batches = np.asarray(gfbook.minibatch_indices(key, 8, 2, 12, order=order))
    np.testing.assert_allclose(path, sgd_numpy(W0, 0.1, batches), rtol=1e-12, atol=1e-14)
    epochs = gfbook.sgd(batch_loss, W0, 0.1, 3, data=DATA, batch_size=2, key=key, order=order, save="epoch")
    np.testing.assert_allclose(epochs, path[::4], rtol=1e-12, atol=1e-14)


def test_batch_orders():
    key = jax.random.key(0)
    fixed = np.asarray(gfbook.minibatch_indices(None, 6, 2, 5, order="fixed"))
    np.testing.assert_array_equal(fixed, [[0, 1], [2, 3], [4, 5], [0, 1], [2, 3]])
    shuffle = np.asarray(gfbook.minibatch_indices(key, 6, 2, 6, order="shuffle"))
    for epoch in (shuffle[:3], shuffle[3:]):
        assert sorted(epoch.ravel()) == list(range(6))  # each epoch is a partition
    assert not np.array_equal(shuffle[:3], shuffle[3:])
    replaced = np.asarray(gfbook.minibatch_indices(key, 4, 3, 2000, order="with_replacement"))
    counts = np.bincount(replaced.ravel(), minlength=4) / replaced.size
    # 6000 uniform draws: each frequency has standard deviation sqrt(3/16/6000) = 0.0056
    assert np.all(np.abs(counts - 0.25) < 5 * 0.0056)
    assert any(len(set(b)) < 3 for b in replaced)  # repeats inside a batch happen


def test_sgd_vmaps_over_keys_and_handles_pytrees():
    keys = jax.random.split(jax.random.key(1), 4)
    paths = jax.vmap(lambda k: gfbook.sgd(batch_loss, W0, 0.1, 2, data=DATA, batch_size=4, key=k))(keys)
    for k, path in zip(keys, paths, strict=True):
        np.testing.assert_allclose(path, gfbook.sgd(batch_loss, W0, 0.1, 2, data=DATA, batch_size=4, key=k), rtol=1e-12)

    def tree_loss(p, batch):
        return batch_loss(jnp.concatenate([p["a"], p["b"]]), batch)

    tree = gfbook.sgd(tree_loss, {"a": W0[:1], "b": W0[1:]}, 0.1, 2, data=DATA, batch_size=4, order="fixed")
    flat = gfbook.sgd(batch_loss, W0, 0.1, 2, data=DATA, batch_size=4, order="fixed")
    np.testing.assert_allclose(np.concatenate([tree["a"], tree["b"]], axis=1), flat, rtol=1e-12)


def test_full_batch_sgd_is_gradient_descent_and_divergence_is_returned():
    full = gfbook.sgd(batch_loss, W0, 0.1, 5, data=DATA, batch_size=8, key=jax.random.key(0))
    gd = gfbook.gradient_descent(lambda w: batch_loss(w, DATA), W0, 0.1, 5)
    np.testing.assert_allclose(full, gd, rtol=1e-12)
    big = gfbook.sgd(batch_loss, W0, 50.0, 30, data=DATA, batch_size=2, key=jax.random.key(0))
    assert gfbook.diverged(big)


def modified_numpy(w, lr, batches):
    """L + (h/4m) sum_k |grad L_k|^2 on least squares, in NumPy."""
    values, norms = [], []
    for idx in batches:
        r = X[idx] @ w - Y[idx]
        values.append(0.5 * np.mean(r**2))
        norms.append(np.sum((X[idx].T @ r / len(idx)) ** 2))
    return np.mean(values) + lr / (4 * len(batches)) * np.sum(norms)


def test_sgd_modified_loss_matches_numpy_and_its_expectation_over_partitions():
    w = np.array([0.3, -0.2, 1.0])
    consecutive = gfbook.sgd_modified_loss(batch_loss, 0.2, DATA, 2)
    assert np.isclose(consecutive(w), modified_numpy(w, 0.2, np.arange(8).reshape(4, 2)), rtol=1e-12)
    # the expectation over all 8! orders of the examples, then consecutive slices
    mean = np.mean([modified_numpy(w, 0.2, np.array(p).reshape(4, 2)) for p in itertools.permutations(range(8))])
    expected = gfbook.sgd_modified_loss(batch_loss, 0.2, DATA, 2, expected=True)
    assert np.isclose(expected(w), mean, rtol=1e-12)
    for flag in (False, True):  # h = 0 gives the loss itself
        assert np.isclose(gfbook.sgd_modified_loss(batch_loss, 0.0, DATA, 2, expected=flag)(w), batch_loss(w, DATA))
    full = gfbook.sgd_modified_loss(batch_loss, 0.2, DATA, 8, expected=True)
    assert np.isclose(full(w), gfbook.modified_loss(lambda v: batch_loss(v, DATA), 0.2)(w), rtol=1e-12)


def test_one_epoch_in_expectation_follows_the_modified_flow_to_third_order():
    """Mean over all 4! orders of 4 batches: the error to the modified flow is O(h^3), to the flow O(h^2)."""
    perms = np.array(list(itertools.permutations(range(4))))
    batched = {k: jnp.asarray(v).reshape(4, 2, *v.shape[1:]) for k, v in DATA.items()}

    def epoch_end(lr, perm):
        data = {k: v[perm].reshape(8, *v.shape[2:]) for k, v in batched.items()}
        return gfbook.sgd(batch_loss, W0, lr, 1, data=data, batch_size=2, order="fixed")[-1]

    lrs = np.array([0.04, 0.02, 0.01])
    to_modified, to_flow = [], []
    for lr in lrs:
        mean = np.mean(jax.vmap(epoch_end, in_axes=(None, 0))(lr, perms), axis=0)
        ts = np.array([0.0, 4 * lr])
        modified = gfbook.gradient_flow(gfbook.sgd_modified_loss(batch_loss, lr, DATA, 2), W0, ts)[-1]
        flow = gfbook.gradient_flow(lambda w: batch_loss(w, DATA), W0, ts)[-1]
        to_modified.append(np.linalg.norm(mean - modified))
        to_flow.append(np.linalg.norm(mean - flow))
    # local orders 3 and 2, to within the O(h) correction of the next term over a factor 4 in h
    assert abs(gfbook.fit_power_law(lrs, to_modified)[0] - 3) < 0.15
    assert abs(gfbook.fit_power_law(lrs, to_flow)[0] - 2) < 0.15


def test_sgd_sde_moments_on_an_ornstein_uhlenbeck_process():
    """dX = -a X dt + sqrt(h) s dW: mean x0 e^{-at}, variance h s^2 (1 - e^{-2at}) / (2a)."""
    a, s2, lr, t = np.array([1.0, 3.0]), np.array([[2.0, 0.5], [0.5, 1.0]]), 0.1, 1.0

    def loss(x):
        return 0.5 * jnp.sum(a * x**2)

    x0, ts = np.array([1.0, -1.0]), np.array([0.0, t])
    keys = jax.random.split(jax.random.key(0), 4000)
    ends = jax.vmap(lambda k: gfbook.sgd_sde(loss, x0, ts, lr=lr, noise_cov=s2, key=k, dt=0.01)[-1])(keys)
    ends = np.asarray(ends)
    # the exact covariance solves A P + P A = h S (1 - ...): integrate the Lyapunov ODE in closed form
    decay = np.exp(-np.add.outer(a, a) * t)
    cov = lr * s2 * (1 - decay) / np.add.outer(a, a)
    mean = x0 * np.exp(-a * t)
    # Euler-Maruyama has weak error O(dt) = 1e-2 relative, Monte Carlo 4000 paths ~ 3e-3 for these values
    assert np.all(np.abs(ends.mean(axis=0) - mean) < 5 * np.sqrt(np.diag(cov) / 4000) + 0.02 * np.abs(mean))
    np.testing.assert_allclose(np.cov(ends.T), cov, atol=0.15 * np.max(np.abs(cov)))
    stationary = scipy.linalg.solve_continuous_lyapunov(-np.diag(a), -lr * s2)
    np.testing.assert_allclose(stationary, lr * s2 / np.add.outer(a, a), rtol=1e-12)


def test_sgd_sde_multiplicative_noise_and_pytrees():
    def loss(p):
        return 0.5 * jnp.sum(p["u"] ** 2) + 0.5 * jnp.sum(p["v"] ** 2)

    x0 = {"u": jnp.ones(1), "v": jnp.ones(1)}

    def zero_at_origin(p):  # the noise vanishes at the minimiser
        flat = jnp.concatenate([p["u"], p["v"]])
        return jnp.eye(2) * jnp.sum(flat**2)

    path = gfbook.sgd_sde(loss, x0, np.linspace(0, 20, 3), lr=0.1, noise_cov=zero_at_origin, key=jax.random.key(0))
    assert path["u"].shape == (3, 1)
    assert abs(float(path["u"][-1, 0])) < 1e-3  # multiplicative noise dies with x
    zero = gfbook.sgd_sde(loss, x0, np.linspace(0, 1, 3), lr=0.1, noise_cov=np.zeros((2, 2)), key=jax.random.key(0))
    flow = gfbook.gradient_flow(loss, x0, np.linspace(0, 1, 3))
    # Euler with dt = 0.1 on x' = -x: relative error about t dt / 2 = 0.05 at t = 1
    np.testing.assert_allclose(zero["u"], flow["u"], rtol=0.06)


def test_sgd_compiles_once_across_steps_keys_and_data_of_one_shape():
    from gfbook.methods import stochastic

    stochastic._sgd_scan.clear_cache()
    other = {"x": X + 1.0, "y": Y}
    for lr, key, data in ((0.1, 0, DATA), (np.float64(0.2), 1, DATA), (0.3, 2, other)):
        gfbook.sgd(batch_loss, W0, lr, 2, data=data, batch_size=2, key=jax.random.key(key))
    assert stochastic._sgd_scan._cache_size() == 1
