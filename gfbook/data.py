"""Real data sets that are generated or shipped locally: nothing is downloaded."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from gfbook._checks import check_batch_size, check_choice, check_count, check_key


def mnist1d(num_samples: int = 5000, *, seed: int = 42, dtype=jnp.float32) -> dict[str, jnp.ndarray]:
    """The MNIST-1D data set (Greydanus & Kobak), generated locally by the ``mnist1d`` package.

    Ten classes of 40-sample one-dimensional signals, standardised; 80% for training.
    Calls ``mnist1d.data.make_dataset`` (never its download path). Returns a dict with
    ``x``, ``y`` (training inputs and integer labels) and ``x_test``, ``y_test``.
    The generator reseeds numpy's global random state with ``seed``; the caller's
    state is restored afterwards.
    """
    from mnist1d.data import get_dataset_args, make_dataset

    num_samples = check_count("num_samples", num_samples, minimum=10)
    args = get_dataset_args()
    args.num_samples, args.seed = num_samples, seed
    state = np.random.get_state()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(state)
    return {
        "x": jnp.asarray(data["x"], dtype),
        "y": jnp.asarray(data["y"]),
        "x_test": jnp.asarray(data["x_test"], dtype),
        "y_test": jnp.asarray(data["y_test"]),
    }


ORDERS = ("shuffle", "with_replacement", "fixed")


@partial(jax.jit, static_argnums=(1, 2, 3, 4))
def _batch_indices(key: Any, num_examples: int, batch_size: int, num_batches: int, order: str) -> jax.Array:
    """The indices of ``num_batches`` mini-batches, traceable (``key`` may be traced)."""
    if order == "with_replacement":
        return jax.random.randint(key, (num_batches, batch_size), 0, num_examples)
    per_epoch = num_examples // batch_size
    epochs = max(1, -(-num_batches // per_epoch))
    if order == "fixed":
        flat = jnp.tile(jnp.arange(num_examples), epochs)
    else:
        keys = jax.random.split(key, epochs)
        flat = jax.vmap(lambda k: jax.random.permutation(k, num_examples))(keys).reshape(-1)
    return flat[: num_batches * batch_size].reshape(num_batches, batch_size)


def minibatch_indices(
    key: Any, num_examples: int, batch_size: int, num_batches: int, *, order: str = "shuffle"
) -> jax.Array:
    r"""The example indices of ``num_batches`` mini-batches: an int array ``(num_batches, batch_size)``.

    With :math:`N` examples and batch size :math:`B`, an *epoch* is :math:`m = N/B` batches.

    * ``"shuffle"`` (random reshuffling): each epoch is a fresh uniformly random permutation
      of :math:`0, \dots, N-1`, cut into consecutive slices of :math:`B`; :math:`B` must
      divide :math:`N`.
    * ``"with_replacement"``: every index of every batch is drawn independently and
      uniformly from :math:`0, \dots, N-1`, so a batch gradient is the mean of :math:`B`
      independent per-example gradients, with covariance :math:`\Sigma_1/B`.
    * ``"fixed"``: the consecutive slices :math:`\{0..B-1\}, \{B..2B-1\}, \dots` in this order,
      every epoch (``key`` is not used and may be ``None``); :math:`B` must divide :math:`N`.

    The batches of :func:`gfbook.sgd` are these ones (with ``num_batches`` the number of
    steps), so a reader can see, or reuse with another optimiser, the batches it takes.
    """
    order = check_choice("order", order, ORDERS)
    key = check_key("key", key, required=order != "fixed")
    num_examples = check_count("num_examples", num_examples, minimum=1)
    batch_size = check_batch_size(batch_size, num_examples, divides=order != "with_replacement")
    num_batches = check_count("num_batches", num_batches)
    return _batch_indices(key, num_examples, batch_size, num_batches, order)
