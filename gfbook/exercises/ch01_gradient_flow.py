"""Checks for the exercises of Chapter 1, *Gradient flow and its Euler discretization*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from gfbook.exercises._framework import (
    Parameter,
    Wrong,
    array,
    close,
    exercise,
    function,
    mapping,
    number,
    part,
    probe_rng,
)
from gfbook.methods import gradient_descent
from gfbook.problems import quadratic_with_condition


def optimal_step_grid(dim: int, kappa: float, grid_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The step sizes of ex-gf-optimal-step's grid and the contraction factor measured at each.

    100 GD steps from the problem's x0 (x* = 0), the factor read off the last 10 as
    (e_100 / e_90)^(1/10): NumPy, independently of the student's JAX runs.
    """
    problem = quadratic_with_condition(dim, kappa)
    hessian, smooth = np.asarray(problem.hessian), problem.smoothness
    lrs = np.linspace(0.5, 1.95, grid_size) / smooth
    x = np.tile(np.asarray(problem.x0), (grid_size, 1)) - np.asarray(problem.x_star)
    errors = [np.linalg.norm(x, axis=1)]
    for _ in range(100):
        x = x - lrs[:, None] * (x @ hessian)
        errors.append(np.linalg.norm(x, axis=1))
    return lrs, (errors[-1] / errors[-11]) ** (1 / 10)


@exercise(
    "ex-gf-optimal-step",
    answers={
        "best_lr": "the step size of your grid with the smallest measured contraction factor",
        "best_rate": "that smallest contraction factor per step, measured",
    },
    context=("dim",),
    parameters={
        "kappa_opt": Parameter(10.0, (5.0, 8.0, 10.0, 12.0, 20.0), "condition number of the quadratic"),
        "grid_opt": Parameter(59, (41, 47, 53, 66, 73, 80), "number of step sizes in the grid"),
    },
)
def _optimal_step(best_lr, best_rate, dim, kappa_opt, grid_opt):
    lrs, rates = optimal_step_grid(int(dim), float(kappa_opt), int(grid_opt))
    # rounding moves a measured rate by ~1e-15; the grid's next best point is >= 1e-4 worse,
    # and the closed forms 2/(mu + L) and (kappa - 1)/(kappa + 1) miss the grid's best by more
    best = rates <= rates.min() * (1 + 1e-9)
    with part("best_lr"):
        lr = number("best_lr", best_lr)
        if not np.any(best & np.isclose(lrs, lr, rtol=1e-9, atol=0.0)):
            raise Wrong("`best_lr` is not the best step of the grid np.linspace(0.5, 1.95, grid_opt) / L: "
                        "take the grid point whose measured contraction factor is smallest, not a formula")
    with part("best_rate"):
        close("best_rate", number("best_rate", best_rate), rates.min(), rtol=1e-7,
              hint="measure (e_100 / e_90)^(1/10) on each run, e_k = ||x_k - x*||, and take the smallest; "
                   "the formula (kappa - 1)/(kappa + 1) is what it approximates, not what it measures")


@exercise(
    "ex-gf-logistic-threshold",
    answers={
        "local_sharpness": "the largest Hessian eigenvalue of logreg.loss at logreg.x_star",
        "distance": "dict {factor: final distance to x_star of steps_thr GD steps with h = factor * 2 / "
                    "local_sharpness} for the two factors of factors_thr",
    },
    context=("logreg",),
    parameters={
        "factors_thr": Parameter((0.9, 1.1), ((0.8, 1.2), (0.85, 1.15), (0.9, 1.1), (0.95, 1.05), (0.85, 1.3),
                                              (0.8, 1.05)), "step factors below and above 2/sharpness"),
        "steps_thr": Parameter(5000, (150, 200, 250, 300), "GD steps per run"),
    },
    weights={"distance": 2},
)
def _logistic_threshold(local_sharpness, distance, logreg, factors_thr, steps_thr):
    reference = float(np.linalg.eigvalsh(np.asarray(jax.jit(jax.hessian(logreg.loss))(logreg.x_star)))[-1])
    below, above = (float(f) for f in factors_thr)
    start = jnp.asarray(logreg.x_star) + 1e-3
    final = {f: float(np.linalg.norm(np.asarray(gradient_descent(logreg.loss, start, f * 2 / reference,
                                                                  int(steps_thr))[-1] - logreg.x_star)))
             for f in (below, above)}
    with part("local_sharpness"):
        close("local_sharpness", number("local_sharpness", local_sharpness), reference, rtol=1e-6,
              hint="it is the largest eigenvalue of the Hessian at the minimiser x_star, not at the start")
    with part("distance"):
        distance = mapping("distance", distance, [below, above])
        # the run below the threshold contracts: rounding leaves ~1e-15 of absolute error near x_star
        close(f"distance[{below}]", number(f"distance[{below}]", distance[below]), final[below], rtol=1e-5,
              atol=1e-13, hint="start at logreg.x_star + 1e-3 and take steps_thr steps with h = factor * 2 / sharpness")
        far = float(np.asarray(distance[above], dtype=float))
        if not np.isfinite(final[above]):  # the reference run blew up: any blown-up run is right
            if np.isfinite(far) and far < 1e3:
                raise Wrong(f"`distance[{above}]` does not match the run: check the step you used")
        else:  # it settles on an attracting cycle: rounding does not grow along it
            close(f"distance[{above}]", far, final[above], rtol=1e-6,
                  hint="a step above 2/sharpness need not blow up: report the final distance of the same run")


@exercise(
    "ex-gf-gradient-bound",
    answers={
        "running_min": "running_min[i] = the smallest ||grad L||^2 on the flow over the times flow_times[:i + 1]",
        "bound": "bound[i] = (L(x_0) - f_low) / t for the positive times t = flow_times[1:]",
    },
    context=("flow_grad_sq", "flow_loss", "flow_times"),
    parameters={"f_low": Parameter(0.0, (-0.5, -1.0, -2.0, -3.0, -5.0), "a lower bound f* of the loss")},
)
def _gradient_bound(running_min, bound, flow_grad_sq, flow_loss, flow_times, f_low):
    grad_sq = np.asarray(flow_grad_sq, dtype=float)
    times = np.asarray(flow_times, dtype=float)
    with part("running_min"):
        close("running_min", array("running_min", running_min, grad_sq.shape), np.minimum.accumulate(grad_sq),
              rtol=1e-12, hint="entry i is a minimum over all the times up to flow_times[i], including it")
    with part("bound"):
        close("bound", array("bound", bound, (len(times) - 1,)), (float(flow_loss[0]) - float(f_low)) / times[1:],
              rtol=1e-12, hint="divide the initial gap L(x_0) - f_low by each positive time")
    with part("running_min", "bound"):
        if not np.all(np.asarray(running_min)[1:] <= np.asarray(bound)):
            raise Wrong("the bound fails somewhere: compare running_min[1:] with bound")


@exercise("ex-gf-euler", answers={"euler": "your function euler(field, x0, h, n), returning the n + 1 points"})
def _euler(euler):
    with part("euler"):
        function("euler", euler)
        rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
        x0, h, n = np.array([1.0, 0.0]), 0.1, 50
        points = array("euler(field, x0, h, n)", euler(lambda x: jnp.asarray(rotation) @ x, jnp.asarray(x0), h, n))
        if points.shape != (n + 1, 2):
            raise Wrong(f"euler(field, x0, h, n) should return the n + 1 points x_0, ..., x_n: shape ({n + 1}, 2) "
                        f"for n = {n} in 2-D, got shape {points.shape}")
        if not np.array_equal(points[0], x0):
            raise Wrong("the first point returned by euler should be x0 itself")
        expected = np.stack([np.linalg.matrix_power(np.eye(2) + h * rotation, k) @ x0 for k in range(n + 1)])
        close("euler on the rotation field", points, expected, rtol=1e-12, atol=1e-14,
              hint="each step should be x_{k+1} = x_k + h * field(x_k)")
        cubic, x, h = [], np.array([0.5, -1.0, 2.0]), 0.05  # a nonlinear field, stepped by hand
        for _ in range(21):
            cubic.append(x)
            x = x + h * (-(x**3))
        close("euler on the field -x**3", array("euler", euler(lambda y: -(y**3), jnp.array([0.5, -1.0, 2.0]), h, 20)),
              np.stack(cubic), rtol=1e-12, hint="each step should be x_{k+1} = x_k + h * field(x_k)")
        rng = probe_rng()  # a random linear field, start, step and length
        dim, n, h = int(rng.integers(2, 5)), int(rng.integers(5, 30)), float(rng.uniform(0.01, 0.2))
        matrix, x = rng.normal(size=(dim, dim)), rng.normal(size=dim)
        expected = [x]
        for _ in range(n):
            expected.append(expected[-1] + h * matrix @ expected[-1])
        close("euler on a random linear field",
              array("euler", euler(lambda y: jnp.asarray(matrix) @ y, jnp.asarray(x), h, n)), np.stack(expected),
              rtol=1e-10, atol=1e-12, hint="each step should be x_{k+1} = x_k + h * field(x_k), for any field and n")
