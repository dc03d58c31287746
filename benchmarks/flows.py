"""Benchmark: reference gradient flows, gfbook (diffrax) vs scipy's solve_ivp, at equal accuracy.

Run from the repository root:  .venv/bin/python benchmarks/flows.py [--reps R]

Two flows, each solved by every method at a ladder of tolerances:

* a stiff quadratic, d = 20, spectrum log-spaced in [1e-4, 1] (kappa = 1e4), over
  t in [0, 1e4] (so lambda_max T = 1e4 and lambda_min T = 1), checked against the exact
  flow ``gfbook.quadratic_flow`` (an eigendecomposition);
* a non-quadratic loss, L2-regularised logistic regression with feature scales from 1 down
  to 1e-2 (d = 10), over t in [0, 200], checked against scipy's Radau at rtol = 1e-13,
  which agrees with gfbook's flow at 1e-13 to the printed ``reference_spread``.

Methods: ``gfbook.gradient_flow`` (default: Dopri8, falling back to Kvaerno5 when the
flow is too stiff), ``gfbook.gradient_flow(solver=Kvaerno5)``, ``solve_ivp`` DOP853, and
``solve_ivp`` BDF with the exact Jacobian (the Hessian, in closed form). scipy gets
vector fields written in numpy, so it pays no JAX dispatch. The error of a run is
max over the 101 output times of |x(t) - x_ref(t)| / |x_0 - x_ref(T)|. At each target
accuracy the table reports, per method, the fastest run that reached it, and its time
relative to gfbook's (medians of R runs; gfbook's compile time is reported separately:
tolerances are traced arguments, so one compile serves the whole ladder).

gfbook steps exactly onto every requested time (it never reports the interpolant), so on a
smooth flow its 100 forced steps already meet both targets at any tolerance; scipy reports
``t_eval`` from its dense output and may take fewer steps.
"""

from __future__ import annotations

import argparse
import time
import warnings

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

import gfbook

TOLERANCES = (1e-4, 1e-6, 1e-8, 1e-10, 1e-12)
TARGETS = (1e-5, 1e-8)


def stiff_quadratic():
    problem = gfbook.quadratic_with_condition(20, 1e4, rotation_seed=0, x0=np.ones(20))
    A = np.asarray(problem.hessian)
    ts = np.linspace(0.0, 1e4, 101)
    reference = np.asarray(gfbook.quadratic_flow(A, problem.x0, ts))
    return {"name": "stiff quadratic (d = 20, kappa = 1e4, T = 1e4)", "loss": problem.loss,
            "x0": np.asarray(problem.x0), "ts": ts, "field": lambda t, x: -(A @ x), "jacobian": lambda t, x: -A,
            "reference": reference, "reference_spread": lambda: 0.0}


def logistic():
    problem = gfbook.logistic_regression(200, 10, feature_scales=np.geomspace(1, 1e-2, 10), seed=0)
    A, l2 = (np.asarray(a) for a in problem.loss.args)
    n = A.shape[0]

    def field(t, w):
        s = 1 / (1 + np.exp(A @ w))  # sigmoid(-margin)
        return A.T @ s / n - l2 * w

    def jacobian(t, w):
        s = 1 / (1 + np.exp(A @ w))
        return -(A.T * (s * (1 - s))) @ A / n - l2 * np.eye(A.shape[1])

    x0 = np.asarray(problem.x0, dtype=float) + 1.0
    ts = np.linspace(0.0, 200.0, 101)
    np.testing.assert_allclose(field(0, x0), -np.asarray(jax.grad(problem.loss)(x0)), rtol=1e-12)
    np.testing.assert_allclose(jacobian(0, x0), -np.asarray(jax.hessian(problem.loss)(x0)), rtol=1e-10, atol=1e-14)
    reference = solve_ivp(field, (ts[0], ts[-1]), x0, method="Radau", t_eval=ts, jac=jacobian,
                          rtol=1e-13, atol=1e-13).y.T

    def spread():  # called after the timed runs, so that their first call is the one that compiles
        ours = np.asarray(gfbook.gradient_flow(problem.loss, x0, ts, rtol=1e-13, atol=1e-13))
        return relative_error(ours, reference, x0)

    return {"name": "logistic regression (d = 10, feature scales 1 .. 1e-2, T = 200)", "loss": problem.loss,
            "x0": x0, "ts": ts, "field": field, "jacobian": jacobian, "reference": reference,
            "reference_spread": spread}


def relative_error(path, reference, x0):
    return float(np.max(np.linalg.norm(path - reference, axis=1)) / np.linalg.norm(x0 - reference[-1]))


def methods(case):
    ts = jnp.asarray(case["ts"])
    x0 = jnp.asarray(case["x0"])

    def gfbook_run(tol, solver=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a failed solve shows as inf error
            return np.asarray(gfbook.gradient_flow(case["loss"], x0, ts, rtol=tol, atol=tol, solver=solver,
                                                   max_steps=1_000_000))

    def scipy_run(tol, method):
        jac = {"jac": case["jacobian"]} if method == "BDF" else {}
        sol = solve_ivp(case["field"], (case["ts"][0], case["ts"][-1]), case["x0"], method=method,
                        t_eval=case["ts"], rtol=tol, atol=tol, **jac)
        return sol.y.T if sol.success else np.full((len(case["ts"]), len(case["x0"])), np.inf)

    return {
        "gfbook": gfbook_run,
        "gfbook Kvaerno5": lambda tol: gfbook_run(tol, diffrax.Kvaerno5()),
        "scipy DOP853": lambda tol: scipy_run(tol, "DOP853"),
        "scipy BDF+jac": lambda tol: scipy_run(tol, "BDF"),
    }


def timed(fn, reps):
    times, out = [], None
    for _ in range(reps):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, float(np.median(times))


def bench(case, reps):
    rows, compile_s = [], {}
    for name, run in methods(case).items():
        if name.startswith("gfbook"):  # the first call compiles (tolerances are data: no recompiling)
            start = time.perf_counter()
            run(TOLERANCES[0])
            compile_s[name] = time.perf_counter() - start
        for tol in TOLERANCES:
            path, seconds = timed(lambda run=run, tol=tol: run(tol), reps)
            rows.append({"method": name, "tol": tol, "seconds": seconds,
                         "error": relative_error(path, case["reference"], case["x0"])})
    best = []
    for target in TARGETS:
        for name in methods(case):
            reached = [r for r in rows if r["method"] == name and r["error"] <= target]
            fastest = min(reached, key=lambda r: r["seconds"]) if reached else None
            best.append({"target": target, "method": name, **({} if fastest is None else {
                "tol": fastest["tol"], "seconds": fastest["seconds"], "error": fastest["error"]})})
        ours = next(b for b in best if b["target"] == target and b["method"] == "gfbook")
        for b in best:
            if b["target"] == target and "seconds" in b and "seconds" in ours:
                b["over_gfbook"] = b["seconds"] / ours["seconds"]
    return {"case": case["name"], "reference_spread": case["reference_spread"](), "compile_s": compile_s,
            "runs": rows, "at_target": best}


def run_all(reps):
    return [bench(make(), reps) for make in (stiff_quadratic, logistic)]


def print_table(results):
    for r in results:
        compiled = ", ".join(f"{k} {v:.1f}s" for k, v in r["compile_s"].items())
        print(f"{r['case']}; reference spread {r['reference_spread']:.1e}; first call (compile) {compiled}")
        print(f"  {'target':>7} {'method':>16} {'tol':>7} {'error':>8} {'time':>9} {'/gfbook':>8}")
        for b in r["at_target"]:
            if "seconds" not in b:
                print(f"  {b['target']:>7.0e} {b['method']:>16}  not reached at any tolerance")
                continue
            ratio = f"{b['over_gfbook']:>7.2f}x" if "over_gfbook" in b else ""
            print(f"  {b['target']:>7.0e} {b['method']:>16} {b['tol']:>7.0e} {b['error']:>8.1e} "
                  f"{b['seconds']:>8.4f}s {ratio}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print_table(run_all(args.reps))


if __name__ == "__main__":
    main()
