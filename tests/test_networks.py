"""Small networks and the locally generated data set, against hand-written references."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook


def test_init_shapes_scale_and_dtype():
    params = gfbook.mlp_init(jax.random.key(0), [400, 300, 2], scale=2.0)
    assert [p["w"].shape for p in params] == [(400, 300), (300, 2)]
    assert params[0]["w"].dtype == jnp.float32 and not params[0]["b"].any()
    assert float(jnp.std(params[0]["w"])) == pytest.approx(2.0 / np.sqrt(400), rel=0.02)
    assert "b" not in gfbook.mlp_init(jax.random.key(0), [3, 2], bias=False)[0]


def test_forward_pass_by_hand():
    params = gfbook.mlp_init(jax.random.key(1), [3, 4, 2], dtype=jnp.float64)
    x = jax.random.normal(jax.random.key(2), (5, 3))
    W1, b1, W2, b2 = (np.asarray(params[0]["w"]), np.asarray(params[0]["b"]),
                      np.asarray(params[1]["w"]), np.asarray(params[1]["b"]))
    for activation, fn in [("relu", lambda z: np.maximum(z, 0)), ("tanh", np.tanh), ("linear", lambda z: z)]:
        expected = fn(np.asarray(x) @ W1 + b1) @ W2 + b2
        np.testing.assert_allclose(gfbook.mlp_apply(params, x, activation), expected, rtol=1e-12)


def test_cross_entropy_and_gradient_by_hand():
    params = gfbook.mlp_init(jax.random.key(3), [3, 4], dtype=jnp.float64)  # one layer: logits = x W + b
    x = jax.random.normal(jax.random.key(4), (6, 3))
    y = jnp.array([0, 1, 2, 3, 0, 1])
    logits = np.asarray(x) @ np.asarray(params[0]["w"])
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    expected = -np.mean(np.log(probs[np.arange(6), np.asarray(y)]))
    loss = gfbook.mlp_loss(x, y, activation="linear")
    assert float(loss(params)) == pytest.approx(expected, rel=1e-12)
    onehot = np.eye(4)[np.asarray(y)]
    grad_w = np.asarray(x).T @ (probs - onehot) / 6
    np.testing.assert_allclose(jax.grad(loss)(params)[0]["w"], grad_w, rtol=1e-10)


def test_square_loss_by_hand():
    params = gfbook.mlp_init(jax.random.key(5), [2, 3, 1], dtype=jnp.float64)
    x = jnp.array([[1.0, 2.0], [0.5, -1.0]])
    y = jnp.array([[1.0], [0.0]])
    out = gfbook.mlp_apply(params, x, "relu")
    expected = 0.5 * np.mean(np.sum((np.asarray(out) - np.asarray(y)) ** 2, axis=1))
    assert float(gfbook.mlp_loss(x, y, kind="square")(params)) == pytest.approx(expected, rel=1e-12)


def test_accuracy():
    params = [{"w": jnp.eye(2), "b": jnp.zeros(2)}]
    x = jnp.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
    assert gfbook.accuracy(params, x, jnp.array([0, 1, 1]), "linear") == pytest.approx(2 / 3)


def test_mnist1d_is_generated_locally_and_deterministically():
    np.random.seed(123)
    a = gfbook.mnist1d(200)
    state_after = np.random.get_state()[1][:5].copy()
    np.random.seed(123)
    expected_state = np.random.get_state()[1][:5]
    np.testing.assert_array_equal(state_after, expected_state)  # the caller's random state is untouched
    b = gfbook.mnist1d(200)
    assert a["x"].shape == (160, 40) and a["x_test"].shape == (40, 40)
    assert set(np.unique(np.asarray(a["y"]))) <= set(range(10))
    np.testing.assert_array_equal(a["x"], b["x"])


# Bad input to the networks' functions: rows in tests/test_bad_input.py.


def test_deep_linear_square_loss_gradient_by_hand():
    params = gfbook.mlp_init(jax.random.key(6), [3, 4, 4, 2], bias=False, dtype=jnp.float64)
    x = jax.random.normal(jax.random.key(7), (5, 3))
    y = jax.random.normal(jax.random.key(8), (5, 2))
    W1, W2, W3 = (np.asarray(p["w"]) for p in params)
    X, Y = np.asarray(x), np.asarray(y)
    R = X @ W1 @ W2 @ W3 - Y  # residuals, one row per example
    loss = gfbook.mlp_loss(x, y, activation="linear", kind="square")
    assert float(loss(params)) == pytest.approx(0.5 * np.mean(np.sum(R**2, axis=1)), rel=1e-12)
    grads = jax.grad(loss)(params)
    np.testing.assert_allclose(grads[0]["w"], X.T @ R @ W3.T @ W2.T / 5, rtol=1e-10)
    np.testing.assert_allclose(grads[1]["w"], (X @ W1).T @ R @ W3.T / 5, rtol=1e-10)
    np.testing.assert_allclose(grads[2]["w"], (X @ W1 @ W2).T @ R / 5, rtol=1e-10)


def test_xavier_uniform_init_has_glorots_bound():
    params = gfbook.mlp_init(jax.random.key(2), [300, 100], distribution="xavier_uniform", scale=1.0, bias=False)
    w = np.asarray(params[0]["w"])
    bound = np.sqrt(6 / (300 + 100))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound  # uniform on [-a, a]
    assert float(np.std(w)) == pytest.approx(bound / np.sqrt(3), rel=0.02)  # 30000 samples: 1% noise
    with pytest.raises(ValueError, match="distribution"):
        gfbook.mlp_init(jax.random.key(2), [3, 2], distribution="xavier")
