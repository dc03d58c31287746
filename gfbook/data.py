"""Real data sets that are generated or shipped locally: nothing is downloaded."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from gfbook._checks import check_count


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
