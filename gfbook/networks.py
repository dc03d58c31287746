r"""Small neural networks as pure functions of a parameter pytree.

A network is a list of layers ``{"w": (fan_in, fan_out), "b": (fan_out,)}``; its
forward pass is :func:`~gfbook.mlp_apply`. Initialisers state their scale: weights are drawn
from :math:`\mathcal N(0, \sigma^2/\text{fan-in})` with :math:`\sigma` = ``scale``
(:math:`\sigma = \sqrt2` is He initialisation for ReLU networks).
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax.tree_util import Partial

from gfbook._checks import check_choice, check_count, check_length, check_ndim, check_positive, check_shape

ACTIVATIONS: dict[str, Callable] = {
    "linear": lambda z: z,
    "relu": jax.nn.relu,
    "tanh": jnp.tanh,
}
"""The activations by name: ``linear`` (deep linear networks), ``relu`` (homogeneous), ``tanh``."""


def mlp_init(
    key: jax.Array,
    sizes: list[int],
    *,
    scale: float = 2**0.5,
    bias: bool = True,
    dtype: jnp.dtype = jnp.float32,
    distribution: str = "normal",
) -> list[dict[str, jax.Array]]:
    r"""Parameters of a fully connected network with layer widths ``sizes``.

    ``distribution="normal"``: weights :math:`W_\ell \sim \mathcal N(0, \text{scale}^2/\text{fan-in})`
    (He's rule at the default ``scale`` :math:`\sqrt2`). ``distribution="xavier_uniform"``: weights
    uniform on :math:`[-a, a]`, :math:`a = \text{scale}\sqrt{6/(\text{fan-in} + \text{fan-out})}`
    (Glorot and Bengio's rule at ``scale=1``). Biases zero (omitted when ``bias=False``).
    ``sizes = [d_in, h_1, ..., d_out]`` needs at least two entries.
    """
    check_length("sizes", sizes, 2)  # an input and an output width at least
    for width in sizes:
        check_count("sizes", width, minimum=1)
    check_positive("scale", scale)
    check_choice("distribution", distribution, ("normal", "xavier_uniform"))
    keys = jax.random.split(key, len(sizes) - 1)
    layers = []
    for k, fan_in, fan_out in zip(keys, sizes[:-1], sizes[1:], strict=True):
        if distribution == "normal":
            w = jax.random.normal(k, (fan_in, fan_out), dtype) * jnp.asarray(scale / fan_in**0.5, dtype)
        else:
            bound = scale * (6 / (fan_in + fan_out)) ** 0.5
            w = jax.random.uniform(k, (fan_in, fan_out), dtype, minval=-bound, maxval=bound)
        layer = {"w": w}
        if bias:
            layer["b"] = jnp.zeros(fan_out, dtype)
        layers.append(layer)
    return layers


_ACTIVATION_NAMES = tuple(ACTIVATIONS)


def _activation_index(activation: str) -> jax.Array:
    """The activation's index in ``ACTIVATIONS``: how the compiled code receives it, as data."""
    check_choice("activation", activation, _ACTIVATION_NAMES)
    return jnp.asarray(_ACTIVATION_NAMES.index(activation), dtype=jnp.int32)


def mlp_apply(params: list[dict[str, jax.Array]], x: jax.Array, activation: str = "relu") -> jax.Array:
    """The forward pass: ``activation`` after every layer but the last."""
    return _forward(params, x, _activation_index(activation))


def _forward(params: list[dict[str, jax.Array]], x: jax.Array, activation: jax.Array) -> jax.Array:
    """The forward pass with the activation as data (its index in ``ACTIVATIONS``): the only one.

    Every activation is computed and the right one selected elementwise: cheap next to the
    matrix products, and, unlike a ``lax.switch``, it fuses with them; the losses and
    :func:`accuracy` then compile once for all activations.
    """
    for i, layer in enumerate(params):
        x = x @ layer["w"] + layer.get("b", 0.0)
        if i < len(params) - 1:
            x = jnp.select([activation == k for k in range(len(_ACTIVATION_NAMES))],
                           [ACTIVATIONS[name](x) for name in _ACTIVATION_NAMES])
    return x


@jax.jit
def _cross_entropy(activation: jax.Array, x: jax.Array, y: jax.Array, params) -> jax.Array:
    logits = _forward(params, x, activation)
    return jnp.mean(jax.nn.logsumexp(logits, axis=1) - jnp.take_along_axis(logits, y[:, None], axis=1)[:, 0])


@jax.jit
def _square_loss(activation: jax.Array, x: jax.Array, y: jax.Array, params) -> jax.Array:
    return 0.5 * jnp.mean(jnp.sum((_forward(params, x, activation) - y) ** 2, axis=-1))


_LOSSES = {"cross_entropy": _cross_entropy, "square": _square_loss}


def mlp_loss(x: jax.Array, y: jax.Array, *, activation: str = "relu", kind: str = "cross_entropy") -> Partial:
    r"""The training loss of an MLP on data ``(x, y)``, as a function of the parameters.

    ``kind="cross_entropy"``: mean softmax cross-entropy, ``y`` integer labels.
    ``kind="square"``: :math:`\frac1{2n}\sum_i \|f(x_i) - y_i\|^2`, ``y`` targets.
    The data, and the activation (as its index in ``ACTIVATIONS``), are bound as traced
    arguments (a ``jax.tree_util.Partial``), so losses on different data of one shape,
    with any activation, share the compiled methods: one compile per network shape.
    """
    index = _activation_index(activation)
    check_choice("kind", kind, tuple(_LOSSES))
    x, y = jnp.asarray(x), jnp.asarray(y)
    check_ndim("x", x, 2, what="examples x features")
    check_shape("y", y, (x.shape[0], *y.shape[1:]), reason="(one label or target per example of x)")
    return Partial(_LOSSES[kind], index, x, y)


def accuracy(params: list[dict[str, jax.Array]], x: jax.Array, labels: jax.Array, activation: str = "relu") -> float:
    """The fraction of examples whose largest logit is the label."""
    return float(_accuracy(params, jnp.asarray(x), jnp.asarray(labels), _activation_index(activation)))


@jax.jit
def _accuracy(params: list[dict[str, jax.Array]], x: jax.Array, labels: jax.Array, activation: jax.Array) -> jax.Array:
    return jnp.mean(jnp.argmax(_forward(params, x, activation), axis=1) == labels)
