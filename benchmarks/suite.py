"""The benchmark suite: each comparison measured side by side, printed as a table and saved as JSON.

Run from the repository root::

    .venv/bin/python benchmarks/suite.py [--out _build/benchmarks.json] [--reps 11]

Sections (medians over ``--reps`` interleaved rounds; the first call, which includes JAX's
compilation, is reported separately):

1. ``gd``: 10,000 GD steps on a quadratic with kappa = 100 in d = 10, 100, 1000, in float64
   and in float32 -- ``gfbook.gradient_descent`` vs a plain numpy loop vs optax SGD in one
   ``lax.scan`` (from ``gd_speed.py``).
2. ``flows``: ``gfbook.gradient_flow`` vs scipy's ``solve_ivp`` (DOP853; BDF with the exact
   Jacobian) at equal measured accuracy, on a stiff quadratic and on logistic regression
   (from ``flows.py``).
3. ``approx_bdf``: wall time per outer step of approximate BDF2 with m = 1, 2, 4, 8 inner
   steps on a d = 100 quadratic, against m and m + 1 times the time of one GD step (one
   gradient evaluation and an update, measured in the same run).
4. ``sweep``: 16 learning rates as one ``jax.vmap`` call vs 16 separate calls; the loss counts
   how often JAX traces it, to show that neither recompiles per learning rate.
5. ``book``: each chapter executed in a fresh kernel (nbclient, as the book build does), cold,
   then twice with JAX's persistent compilation cache in an empty folder (the run that fills
   it, and a warm run), so the cache's effect is measured, not assumed.

``--only gd,flows`` runs some sections; the book section alone takes about ten minutes.

It is a measurement, not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import flows  # benchmarks/flows.py and gd_speed.py: beside this script, so on its path
import jax
import jax.numpy as jnp
import numpy as np
from gd_speed import bench as gd_bench
from gd_speed import interleaved_times

import gfbook
from teaching.notebooks import cache_environment, chapters, execute, kernel_environment

ROOT = Path(__file__).resolve().parents[1]


def approx_bdf_cost(reps: int, dim: int = 100, outer: int = 2000) -> list[dict]:
    problem = gfbook.quadratic_with_condition(dim, 100.0, rotation_seed=0)
    lr = 1.0 / problem.smoothness
    runs = {"gd": lambda: gfbook.gradient_descent(problem.loss, problem.x0, lr, outer).block_until_ready()}
    for m in (1, 2, 4, 8):
        runs[f"m={m}"] = (lambda m=m: gfbook.approx_bdf(problem.loss, problem.x0, lr, outer, order=2, inner_steps=m,
                                                        inner_lr=0.5).block_until_ready())
    first = {}
    for name, run in runs.items():
        start = time.perf_counter()
        run()
        first[name] = time.perf_counter() - start
    times = {name: np.median(t) / outer for name, t in interleaved_times(runs, reps).items()}
    rows = []
    for m in (1, 2, 4, 8):
        per_step = times[f"m={m}"]
        rows.append({"inner_steps": m, "outer_step_us": per_step * 1e6, "gd_step_us": times["gd"] * 1e6,
                     "ratio_to_m_gd_steps": per_step / (m * times["gd"]),
                     "ratio_to_m_plus_1_gd_steps": per_step / ((m + 1) * times["gd"]),
                     "first_call_s": first[f"m={m}"]})
    return rows


def sweep(reps: int, dim: int = 100, steps: int = 2000, count: int = 16) -> dict:
    problem = gfbook.quadratic_with_condition(dim, 100.0, rotation_seed=1)
    traces = {"n": 0}
    A = problem.hessian

    def loss(x):
        traces["n"] += 1  # runs only while JAX traces the function
        return 0.5 * x @ A @ x

    lrs = jnp.linspace(0.1, 1.9, count) / problem.smoothness
    vmapped = jax.jit(jax.vmap(lambda h: gfbook.gradient_descent(loss, problem.x0, h, steps)))
    vmapped(lrs).block_until_ready()
    traces_vmap = traces["n"]
    traces["n"] = 0
    for h in lrs:
        gfbook.gradient_descent(loss, problem.x0, h, steps).block_until_ready()
    traces_separate = traces["n"]
    times = interleaved_times({
        "vmap": lambda: vmapped(lrs).block_until_ready(),
        "separate": lambda: [gfbook.gradient_descent(loss, problem.x0, h, steps).block_until_ready() for h in lrs],
    }, reps)
    return {"learning_rates": count, "traces_vmapped": traces_vmap, "traces_separate_calls": traces_separate,
            "vmap_s": float(np.median(times["vmap"])), "separate_s": float(np.median(times["separate"])),
            "separate_over_vmap": float(np.median(np.array(times["separate"]) / np.array(times["vmap"])))}


def book_times(paths: list[Path]) -> list[dict]:
    """Wall time of each chapter in a fresh kernel: cold, filling the JAX cache, and warm."""
    import os
    import subprocess
    import tempfile

    def seconds(path: Path, env: dict) -> float:
        start = time.perf_counter()
        execute(path, timeout=600, env=env, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    rows = []
    with tempfile.TemporaryDirectory() as cache:
        # As the build and the tests use it (every compile is cached).
        cached = kernel_environment(Path(cache))
        cold = {k: v for k, v in os.environ.items() if k not in cache_environment(Path(cache))}
        for path in paths:
            rows.append({"chapter": path.name, "cold_s": seconds(path, cold), "cache_fill_s": seconds(path, cached),
                         "cache_warm_s": seconds(path, cached)})
            print(f"  {path.name}: cold {rows[-1]['cold_s']:.1f}s", flush=True)
    return rows


SECTIONS = ("gd", "flows", "approx_bdf", "sweep", "book")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "benchmarks.json")
    parser.add_argument("--reps", type=int, default=11)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    if not only <= set(SECTIONS):
        parser.error(f"--only: unknown sections {sorted(only - set(SECTIONS))}; choose from {SECTIONS}")
    results = {"machine": {"jax": jax.__version__, "platform": jax.devices()[0].platform}}
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}; medians of {args.reps} rounds\n")

    if "gd" in only:
        gd_section(results, args.reps)
    if "flows" in only:
        results["flows"] = flows.run_all(max(3, args.reps // 3))
        print("\n2. Reference flows: the fastest run of each method that reached each target accuracy")
        flows.print_table(results["flows"])
    if "approx_bdf" in only:
        approx_section(results, args.reps)
    if "sweep" in only:
        sweep_section(results, args.reps)
    if "book" in only:
        print("\n5. The book: each chapter in a fresh kernel (cold; filling the JAX cache; warm cache)")
        results["book"] = book_times(chapters())
        print(f"{'chapter':34s} {'cold':>7s} {'fill':>7s} {'warm':>7s}")
        for r in results["book"]:
            print(f"{r['chapter']:34s} {r['cold_s']:6.1f}s {r['cache_fill_s']:6.1f}s {r['cache_warm_s']:6.1f}s")
        totals = [sum(r[k] for r in results["book"]) for k in ("cold_s", "cache_fill_s", "cache_warm_s")]
        print(f"{'total':34s} {totals[0]:6.1f}s {totals[1]:6.1f}s {totals[2]:6.1f}s")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return results


def gd_section(results, reps):
    results["gd"] = [gd_bench(dim, 10_000, reps, dtype) for dtype in ("float64", "float32") for dim in (10, 100, 1000)]
    print("1. 10,000 GD steps, kappa = 100")
    print(f"{'d':>6} {'dtype':>8} {'gfbook':>10} {'optax scan':>11} {'numpy loop':>11} "
          f"{'numpy/gfbook':>13} {'gfbook/optax':>13}")
    for r in results["gd"]:
        print(f"{r['dim']:>6} {r['dtype']:>8} {r['gfbook_s']:>9.4f}s {r['optax_scan_s']:>10.4f}s "
              f"{r['numpy_loop_s']:>10.4f}s {r['speedup_vs_numpy']:>12.2f}x {r['gfbook_over_optax']:>12.3f}x")


def approx_section(results, reps):
    results["approx_bdf"] = approx_bdf_cost(reps)
    print("\n3. Approximate BDF2, d = 100: time per outer step against GD steps (one gradient each)")
    print(f"{'m':>3} {'outer step':>11} {'GD step':>9} {'/(m GD)':>8} {'/((m+1) GD)':>12}")
    for r in results["approx_bdf"]:
        print(f"{r['inner_steps']:>3} {r['outer_step_us']:>9.2f}us {r['gd_step_us']:>7.2f}us "
              f"{r['ratio_to_m_gd_steps']:>8.2f} {r['ratio_to_m_plus_1_gd_steps']:>12.2f}")


def sweep_section(results, reps):
    results["sweep"] = sweep(reps)
    s = results["sweep"]
    print(f"\n4. Sweep of {s['learning_rates']} learning rates, d = 100, 2000 steps: one vmapped call "
          f"{s['vmap_s']:.4f}s, separate calls {s['separate_s']:.4f}s ({s['separate_over_vmap']:.1f}x); "
          f"the loss was traced {s['traces_vmapped']} times for the vmapped call and "
          f"{s['traces_separate_calls']} more times for the {s['learning_rates']} separate calls")


if __name__ == "__main__":
    main()
