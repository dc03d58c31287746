"""gfbook asks XLA for its lighter optimisation level, and the results do not change with it."""

import os
import subprocess
import sys

import numpy as np

PROGRAM = """
import os, sys, numpy as np, jax, jax.numpy as jnp, gfbook
q = gfbook.logistic_regression(50, 5, seed=0)
path = gfbook.gradient_descent(q.loss, q.x0, 0.5, 50)
total = jnp.sum(jax.random.normal(jax.random.key(0), (100003,)))
np.save(sys.argv[1], np.concatenate([np.ravel(path), [total]]))
print(os.environ["XLA_FLAGS"])
"""


def run(tmp_path, name, flags=None):
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    if flags is not None:
        env["XLA_FLAGS"] = flags
    out = tmp_path / f"{name}.npy"
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(out)], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip(), np.load(out)


def test_lighter_level_by_default_kept_when_set_and_the_same_results(tmp_path):
    flags, light = run(tmp_path, "light")
    assert flags == "--xla_backend_optimization_level=1"
    flags, full = run(tmp_path, "full", "--xla_backend_optimization_level=2")
    assert flags == "--xla_backend_optimization_level=2", "a level the user set is kept"
    assert np.array_equal(light, full), "the optimisation level must not change a single bit"
