"""Benchmark: 10,000 GD steps on a quadratic, gfbook vs a numpy loop vs optax SGD in lax.scan.

Run from the repository root:  .venv/bin/python benchmarks/gd_speed.py [--steps N] [--reps R]

All three compute the same iterates x_{k+1} = x_k - lr * A x_k (checked), in float64 (the
book's precision) and again in float32 (enough for GD's iterates, and half the memory traffic
of the matrix-vector product that bounds every method at d >= 100).
The three run interleaved, R times; times and ratios are medians over the R rounds, after
one warm-up call; the warm-up (which includes
JAX's compilation) is reported separately. gfbook and optax return the whole trajectory;
the numpy loop, as the baseline to beat, only updates x in place.
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax

import gfbook


def interleaved_times(fns, reps):
    """Time each function ``reps`` times, interleaved in a random order each round, so that
    machine noise and cache effects (a slow numpy loop evicting the caches) hit all alike."""
    times = {name: [] for name in fns}
    rng = np.random.default_rng(0)
    for _ in range(reps):
        for name in rng.permutation(list(fns)):
            fn = fns[name]
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def numpy_loop(A, x0, lr, num_steps):
    x = x0.copy()
    for _ in range(num_steps):
        x -= lr * (A @ x)
    return x


@partial(jax.jit, static_argnames="num_steps")
def optax_scan(loss, x0, lr, num_steps):
    """optax SGD in one lax.scan, with the loss (a Partial) and lr as traced arguments, as in gfbook."""
    opt = optax.sgd(lr)

    def step(carry, _):
        x, state = carry
        updates, state = opt.update(jax.grad(loss)(x), state, x)
        x = optax.apply_updates(x, updates)
        return (x, state), x

    _, xs = jax.lax.scan(step, (x0, opt.init(x0)), length=num_steps)
    return jnp.concatenate([x0[None], xs])


def bench(dim, num_steps, reps, dtype=np.float64):
    dtype = np.dtype(dtype)
    problem = gfbook.quadratic_with_condition(dim, 100.0, rotation_seed=0)
    A, x0 = np.asarray(problem.hessian, dtype), np.asarray(problem.x0, dtype)
    lr = dtype.type(1.0 / problem.smoothness)
    # The same loss with its data (the leaves of the Partial) in the chosen precision.
    loss = jax.tree.map(lambda leaf: jnp.asarray(leaf, dtype), problem.loss)
    start_point = jnp.asarray(x0)

    def run_gfbook():
        return gfbook.gradient_descent(loss, start_point, lr, num_steps).block_until_ready()

    def run_optax():
        return optax_scan(loss, start_point, lr, num_steps).block_until_ready()

    start = time.perf_counter()
    ours = run_gfbook()
    compile_gfbook = time.perf_counter() - start
    start = time.perf_counter()
    theirs = run_optax()
    compile_optax = time.perf_counter() - start
    reference = numpy_loop(A, x0, lr, num_steps)
    assert ours.dtype == theirs.dtype == reference.dtype == dtype, (ours.dtype, theirs.dtype, reference.dtype)
    # GD contracts, so the three differ by rounding (summation order) of the size of a few ulps of x0.
    tol = 100 * np.finfo(dtype).eps * np.abs(x0).max()
    assert np.abs(ours[-1] - reference).max() <= tol
    assert np.abs(theirs - ours).max() <= tol

    times = interleaved_times(
        {"gfbook": run_gfbook, "optax": run_optax, "numpy": lambda: numpy_loop(A, x0, lr, num_steps)}, reps
    )
    ours, optax_t, numpy_t = (np.array(times[k]) for k in ("gfbook", "optax", "numpy"))
    return {
        "dim": dim,
        "dtype": dtype.name,
        "gfbook_s": float(np.median(ours)),
        "optax_scan_s": float(np.median(optax_t)),
        "numpy_loop_s": float(np.median(numpy_t)),
        "gfbook_first_call_s": compile_gfbook,
        "optax_first_call_s": compile_optax,
        "speedup_vs_numpy": float(np.median(numpy_t / ours)),
        "gfbook_over_optax": float(np.median(ours / optax_t)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=21)
    parser.add_argument("--dims", type=int, nargs="+", default=[10, 1000])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()
    platform = jax.devices()[0].platform
    print(f"{args.steps} GD steps in {args.dtype}, median of {args.reps}; jax {jax.__version__} on {platform}")
    header = (
        f"{'d':>6} {'gfbook':>10} {'optax scan':>11} {'numpy loop':>11} "
        f"{'numpy/gfbook':>13} {'gfbook/optax':>13} {'1st call':>9}"
    )
    print(header)
    for dim in args.dims:
        r = bench(dim, args.steps, args.reps, args.dtype)
        print(
            f"{r['dim']:>6} {r['gfbook_s']:>9.4f}s {r['optax_scan_s']:>10.4f}s {r['numpy_loop_s']:>10.4f}s "
            f"{r['speedup_vs_numpy']:>12.2f}x {r['gfbook_over_optax']:>12.3f}x {r['gfbook_first_call_s']:>8.2f}s"
        )


if __name__ == "__main__":
    main()
