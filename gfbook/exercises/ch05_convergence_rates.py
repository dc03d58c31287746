"""Checks for the exercises of Chapter 5, *Convergence rates*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

from gfbook.exercises._framework import Parameter, Wrong, array, boolean, close, exercise, mapping, number, part
from gfbook.methods import gradient_descent
from gfbook.problems import huber_worst_case


def _gd_gaps(problem, lr, num_steps):
    """L(x_k) - f* along GD, k = 0..num_steps (the reference run)."""
    path = gradient_descent(problem.loss, problem.x0, lr, num_steps)
    return np.asarray(jax.vmap(problem.loss)(path)) - (problem.f_star or 0.0), path


@exercise(
    "ex-rates-nonconvex-proof",
    answers={
        "running": "running[k - 1] = min over i < k of ||grad L(x_i)||^2, k = 1..num_steps, GD at h = nonconvex_factor/L_∇",
        "textbook_holds": "True if running <= 2 (L(x_0) - f*) / (h k) at every k on this run",
    },
    context=("cauchy", "num_steps"),
    parameters={"nonconvex_factor": Parameter(1.5, (1.3, 1.4, 1.6, 1.7, 1.8), "the step is h = nonconvex_factor / L_∇")},
    weights={"running": 2},
)
def _nonconvex(running, textbook_holds, cauchy, num_steps, nonconvex_factor):
    h = float(nonconvex_factor) / cauchy.smoothness
    _, path = _gd_gaps(cauchy, h, num_steps)
    g2 = np.asarray(jax.vmap(lambda x: jnp.sum(jax.grad(cauchy.loss)(x) ** 2))(path))
    reference = np.minimum.accumulate(g2)[:-1]
    k = np.arange(1, num_steps + 1)
    holds = bool(np.all(reference <= 2 * float(cauchy.loss(cauchy.x0)) / (h * k)))
    with part("running"):
        close("running", array("running", running, reference.shape), reference, rtol=1e-9,
              hint="GD at h = nonconvex_factor / L_∇; the minimum for k runs over the gradients at x_0, ..., x_{k-1}")
    with part("textbook_holds"):
        if boolean("textbook_holds", textbook_holds) != holds:
            raise Wrong("`textbook_holds` does not match this run: compare the running minimum with "
                        "2 (L(x_0) - f*)/(h k), f* = 0, at every k")


def _pl_loss(x, weight):
    return x**2 + weight * np.sin(x) ** 2


def _pl_ratio(x, weight):
    return (2 * x + weight * np.sin(2 * x)) ** 2 / (2 * _pl_loss(x, weight))


@exercise(
    "ex-rates-pl",
    answers={
        "smoothness": "the smoothness constant L_∇ of L(x) = x^2 + pl_weight sin^2 x",
        "mu_pl": "your estimate of the PL constant on [-6, 6]",
        "values": "L(x_k) for k = 0..200, GD at h = 1/L_∇ from x_0 = pl_start",
    },
    parameters={
        "pl_weight": Parameter(3.0, (1.5, 2.0, 2.5, 3.5), "c in L(x) = x^2 + c sin^2 x"),
        "pl_start": Parameter(3.0, (2.0, 2.5, 3.5, 4.0, 5.0), "the starting point x_0"),
    },
    weights={"values": 2},
)
def _pl(smoothness, mu_pl, values, pl_weight, pl_start):
    c = float(pl_weight)
    reference_smoothness = np.max(np.abs(2 + 2 * c * np.cos(2 * np.linspace(-np.pi, np.pi, 100_001))))  # max |L''|
    grid = np.linspace(-6, 6, 120_001)
    grid = grid[np.abs(grid) > 1e-4]
    start = grid[np.argmin(_pl_ratio(grid, c))]
    refined = scipy.optimize.minimize_scalar(_pl_ratio, bounds=(start - 1e-3, start + 1e-3), args=(c,),
                                             method="bounded", options={"xatol": 1e-12})
    points, x = [], float(pl_start)
    for _ in range(201):
        points.append(_pl_loss(x, c))
        x = x - (2 * x + c * np.sin(2 * x)) / reference_smoothness
    with part("smoothness"):
        close("smoothness", number("smoothness", smoothness), reference_smoothness, rtol=1e-9,
              hint="L_∇ is the largest value of |L''(x)|")
    with part("mu_pl"):
        close("mu_pl", number("mu_pl", mu_pl), refined.fun, rtol=1e-3,
              hint="take the smallest value of |L'(x)|^2 / (2 L(x)) over a fine grid of [-6, 6], leaving out x = 0")
    with part("values"):
        close("values", array("values", values, (201,)), points, rtol=1e-9, atol=1e-12 * points[0],
              hint="values[k] = L(x_k) for the GD iterates at h = 1/L_∇, x_0 = pl_start included")


def _exact_step_reference(mu):
    """h* = 2/(mu + 1) and its factor ((1 - mu)/(1 + mu))^2 (L_∇ = 1)."""
    best_step = 2 / (mu + 1)
    factor = ((1 - mu) / (1 + mu)) ** 2
    return best_step, factor


def _first_below(gaps, target):
    hit = np.asarray(gaps) <= target
    return int(np.argmax(hit)) if hit.any() else None


@exercise(
    "ex-rates-exact-step",
    answers={
        "best_step": "the step h minimising max((1 - h mu)^2, (1 - h L_∇)^2), with L_∇ = 1 and mu = exact_mu",
        "best_factor": "that minimum: the gap's factor per step at the best step",
        "predicted_steps": "your prediction: the number of GD steps at the best step after which the gap of "
                           "quadratic([exact_mu, 1.0]) from (1, 1) is first <= exact_reduction times the initial gap",
        "measured_steps": "the same number, measured on a run",
    },
    parameters={
        "exact_mu": Parameter(0.05, (0.02, 0.04, 0.1, 0.2), "mu, the smaller eigenvalue (L_∇ = 1)"),
        "exact_reduction": Parameter(1e-8, (1e-6, 1e-7, 1e-9, 1e-10), "the reduction of the gap asked for"),
    },
    weights={"predicted_steps": 2},
)
def _exact_step(best_step, best_factor, predicted_steps, measured_steps, exact_mu, exact_reduction):
    mu, reduction = float(exact_mu), float(exact_reduction)
    step, factor = _exact_step_reference(mu)
    # at h*, |1 - h* mu| = |1 - h*| = q: both modes, hence the gap, shrink by q^2 per step
    count = int(np.ceil(np.log(reduction) / np.log(factor)))
    x = np.array([1.0, 1.0])
    gaps = [0.5 * (mu + 1.0)]
    for _ in range(count + 5):
        x = x - step * np.array([mu, 1.0]) * x
        gaps.append(0.5 * (mu * x[0] ** 2 + x[1] ** 2))
    measured = _first_below(gaps, reduction * gaps[0])
    with part("best_step"):
        close("best_step", number("best_step", best_step), step, rtol=1e-9,
              hint="the maximum of the two factors is smallest where they are equal")
    with part("best_factor"):
        close("best_factor", number("best_factor", best_factor), factor, rtol=1e-9,
              hint="evaluate (1 - h mu)^2 at the best step")
    with part("predicted_steps"):
        close("predicted_steps", number("predicted_steps", predicted_steps), count, atol=0.5,
              hint="the gap after k steps is exactly best_factor^k times the initial gap: solve for k, "
                   "rounding up")
    with part("measured_steps"):
        close("measured_steps", number("measured_steps", measured_steps), measured, atol=0.5,
              hint="run GD at the best step and find the first k with gap <= exact_reduction * gap_0")


def _long_step_reference(theta, count):
    """GD's final gaps on the Huber worst case and on x^2/2 (L_∇ = R = 1) after count steps of theta."""
    huber = huber_worst_case(count, relative_step=theta)
    huber_end = float(huber.loss(gradient_descent(huber.loss, huber.x0, theta, count)[-1]))
    quadratic_end = 0.5 * (1 - theta) ** (2 * count)
    return huber_end, quadratic_end


@exercise(
    "ex-rates-long-step",
    answers={
        "worst": "dict {theta: ...} for theta in long_steps: the larger final gap of the two functions",
        "worse_function": "dict {theta: 'huber' or 'quadratic'}: which of the two gives it",
    },
    parameters={
        "long_steps": Parameter((0.5, 1.5, 1.9), ((0.8, 1.4, 1.95), (0.3, 1.2, 1.85), (0.6, 1.6, 1.9),
                                                  (0.9, 1.7, 1.92)), "the steps h L_∇, in (0, 2)"),
        "long_count": Parameter(10, (5, 8, 12, 20), "the number of steps N"),
    },
)
def _long_step(worst, worse_function, long_steps, long_count):
    thetas, count = [float(t) for t in long_steps], int(long_count)
    references = {t: _long_step_reference(t, count) for t in thetas}
    with part("worst"):
        worst = mapping("worst", worst, thetas)
        for t in thetas:
            close(f"worst[{t}]", number(f"worst[{t}]", worst[t]), max(references[t]), rtol=1e-9,
                  hint="compare 1/(4 N theta + 2) with (1 - theta)^(2N) / 2 and take the larger")
    with part("worse_function"):
        worse_function = mapping("worse_function", worse_function, thetas)
        for t in thetas:
            expected = "huber" if references[t][0] >= references[t][1] else "quadratic"
            if str(worse_function[t]).strip().lower() != expected:
                raise Wrong(f"`worse_function[{t}]` is not the function with the larger final gap: "
                            "compare the two closed forms at this step")
