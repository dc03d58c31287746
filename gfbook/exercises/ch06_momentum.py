"""Checks for the exercises of Chapter 6, *Momentum and its second-order flows*."""

from __future__ import annotations

import numpy as np

from gfbook.exercises._framework import Parameter, Wrong, array, close, exercise, mapping, number, part
from gfbook.problems import quadratic_with_condition


def heavy_ball_numpy(hessian: np.ndarray, x0: np.ndarray, lr: float, beta: float, num_steps: int) -> np.ndarray:
    """Heavy ball on 0.5 x^T A x, x_{-1} = x_0, in NumPy: the reference of these checks."""
    xs, old = [np.asarray(x0, dtype=float)], np.asarray(x0, dtype=float)
    for _ in range(num_steps):
        x = xs[-1]
        xs.append(x - lr * hessian @ x + beta * (x - old))
        old = x
    return np.stack(xs)


@exercise(
    "ex-mom-threshold",
    answers={
        "h_star": "the largest step for which heavy ball with momentum beta_thr is stable on quad",
        "final": "dict {factor: ||x_500 - x*|| after 500 heavy-ball steps with h = factor * h_star} "
                 "for the factors 0.9 and 1.1",
    },
    context=("quad",),
    parameters={"beta_thr": Parameter(0.5, (0.2, 0.3, 0.4, 0.6, 0.7, 0.8), "the momentum beta")},
)
def _threshold(h_star, final, quad, beta_thr):
    beta, smooth = float(beta_thr), float(quad.smoothness)
    expected = 2 * (1 + beta) / smooth
    with part("h_star"):
        close("h_star", number("h_star", h_star), expected, rtol=1e-9,
              hint="apply the stability theorem to the largest eigenvalue of the Hessian, with this beta")
    with part("final"):
        final = mapping("final", final, [0.9, 1.1])
        hessian, x0 = np.asarray(quad.hessian), np.asarray(quad.x0) - np.asarray(quad.x_star)
        for factor in (0.9, 1.1):
            with np.errstate(over="ignore", invalid="ignore"):
                ref = float(np.linalg.norm(heavy_ball_numpy(hessian, x0, factor * expected, beta, 500)[-1]))
            got = float(np.asarray(final[factor], dtype=float))
            if not np.isfinite(ref):  # the reference blew up: any blown-up run is right
                if np.isfinite(got) and got < 1e10:
                    raise Wrong(f"`final[{factor}]` should come from a run that blows up: check the step")
            else:
                # a diverging run grows by ~1e10 over 500 steps, so rounding gives a relative 1e-12 at most
                close(f"final[{factor}]", got, ref, rtol=1e-6, atol=1e-300,
                      hint="run 500 steps of gfbook.heavy_ball from quad.x0 with h = factor * h_star")
        if not final[0.9] < 1e-3 * np.linalg.norm(np.asarray(quad.x0) - np.asarray(quad.x_star)):
            raise Wrong("`final[0.9]` should show convergence: the step below the threshold is stable")


@exercise(
    "ex-mom-tuned-rate",
    answers={
        "r_predicted": "the contraction factor per step of tuned heavy ball, from kappa_rate alone",
        "r_measured": "the rate fitted with gfbook.fit_linear_rate to ||x_k - x*||, k in the window "
                      "(100, 600), of 600 tuned heavy-ball steps on quadratic_with_condition(dim, kappa_rate)",
    },
    context=("dim",),
    parameters={"kappa_rate": Parameter(400.0, (50.0, 200.0, 300.0, 900.0), "the condition number")},
)
def _tuned_rate(r_predicted, r_measured, dim, kappa_rate):
    kappa = float(kappa_rate)
    root = np.sqrt(kappa)
    expected = (root - 1) / (root + 1)
    with part("r_predicted"):
        close("r_predicted", number("r_predicted", r_predicted), expected, rtol=1e-9,
              hint="the roots of every mode's characteristic polynomial have modulus sqrt(beta)")
    with part("r_measured"):
        problem = quadratic_with_condition(int(dim), kappa)
        mu, smooth = problem.strong_convexity, problem.smoothness
        lr, beta = 4 / (np.sqrt(smooth) + np.sqrt(mu)) ** 2, expected**2
        path = heavy_ball_numpy(np.asarray(problem.hessian), np.asarray(problem.x0), lr, beta, 600)
        errors = np.linalg.norm(path - np.asarray(problem.x_star), axis=1)[100:600]
        slope = np.polyfit(np.arange(100, 600), np.log(errors), 1)[0]
        close("r_measured", number("r_measured", r_measured), float(np.exp(slope)), rtol=1e-6,
              hint="fit log ||x_k - x*|| on the window (100, 600) of a run with heavy_ball_tuning(mu, L_nabla)")


def restarted_nesterov(hessian: np.ndarray, x0: np.ndarray, lr: float, num_steps: int) -> tuple[np.ndarray, int]:
    """Nesterov with beta_k = j/(j+3), j the steps since the last restart; restart when L goes up."""
    def loss(x):
        return 0.5 * x @ hessian @ x

    x, old, j, restarts, values = np.asarray(x0, float), np.asarray(x0, float), 0, 0, []
    values.append(loss(x))
    for _ in range(num_steps):
        y = x + j / (j + 3) * (x - old)
        new = y - lr * hessian @ y
        if loss(new) > loss(x):
            restarts += 1
            j, old = 0, x
            new = x - lr * hessian @ x  # a plain gradient step from x, momentum forgotten
        else:
            j, old = j + 1, x
        x = new
        values.append(loss(x))
    return np.array(values), restarts


@exercise(
    "ex-mom-restart",
    answers={
        "restarted_gaps": "L(x_k) - f* for k = 0..restart_steps of Nesterov with function restart on "
                          "quadratic_with_condition(dim, restart_kappa), h = 1/L_nabla",
        "restarts": "the number of restarts in that run",
    },
    context=("dim",),
    parameters={
        "restart_kappa": Parameter(1e4, (1e3, 3e3, 3e4), "the condition number"),
        "restart_steps": Parameter(1500, (1000, 2000), "the number of steps"),
    },
)
def _restart(restarted_gaps, restarts, dim, restart_kappa, restart_steps):
    problem = quadratic_with_condition(int(dim), float(restart_kappa))
    n = int(restart_steps)
    ref, count = restarted_nesterov(np.asarray(problem.hessian), np.asarray(problem.x0), 1 / problem.smoothness, n)
    with part("restarted_gaps"):
        # the runs differ by rounding only until a restart test is decided differently, which a
        # relative 1e-6 on the values leaves room for
        close("restarted_gaps", array("restarted_gaps", restarted_gaps, (n + 1,)), ref, rtol=1e-6, atol=1e-20,
              hint="restart (j = 0, x_{k-1} = x_k) exactly when the new value L(x_{k+1}) exceeds L(x_k), "
                   "and take a plain gradient step from x_k then")
    with part("restarts"):
        if int(number("restarts", restarts)) != count:
            raise Wrong("`restarts` is not the number of restarts of the run: count each time L went up")


@exercise(
    "ex-mom-optax",
    answers={"optax_path": "the iterates x_0, ..., x_50 of optax.sgd(optax_lr, momentum=optax_beta) on quad"},
    context=("quad",),
    parameters={
        "optax_beta": Parameter(0.9, (0.5, 0.7, 0.8, 0.95), "the momentum"),
        "optax_lr": Parameter(0.5, (0.2, 0.3, 0.4), "the step"),
    },
)
def _optax(optax_path, quad, optax_beta, optax_lr):
    with part("optax_path"):
        ref = heavy_ball_numpy(np.asarray(quad.hessian), np.asarray(quad.x0) - np.asarray(quad.x_star),
                               float(optax_lr), float(optax_beta), 50) + np.asarray(quad.x_star)
        path = array("optax_path", optax_path, ref.shape)
        # both are the same iteration: they differ by rounding, ~1e-15 per step
        close("optax_path", path, ref, rtol=1e-9, atol=1e-12,
              hint="start from quad.x0 with opt.init, apply 50 updates, and keep x_0 as the first row")
