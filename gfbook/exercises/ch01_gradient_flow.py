"""Checks for the exercises of Chapter 1, *Gradient flow and its Euler discretization*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from gfbook.exercises._framework import Wrong, array, close, exercise, function, mapping, number
from gfbook.problems import quadratic_with_condition


@exercise(
    "ex-gf-optimal-step",
    answers={
        "best_lr": "the step size of your grid with the smallest measured contraction factor",
        "best_rate": "that smallest contraction factor per step",
    },
)
def _optimal_step(best_lr, best_rate):
    problem = quadratic_with_condition(2, 10.0)  # kappa = 10, L = 1 in any dimension
    mu, smooth = problem.strong_convexity, problem.smoothness
    h_star, kappa = 2 / (mu + smooth), smooth / mu
    close("best_lr", number("best_lr", best_lr), h_star, rtol=0.02,
          hint="scan steps across (0, 2/L) on a fine grid, and read each run's rate from its last steps")
    close("best_rate", number("best_rate", best_rate), (kappa - 1) / (kappa + 1), atol=0.01,
          hint="measure the contraction per step late in the run, where the slowest mode dominates")


@exercise(
    "ex-gf-logistic-threshold",
    answers={
        "local_sharpness": "the largest Hessian eigenvalue of logreg.loss at logreg.x_star",
        "distance": "dict {0.9: ..., 1.1: ...}: final distance to x_star of GD with h = factor * 2 / local_sharpness",
    },
    context=("logreg",),
)
def _logistic_threshold(local_sharpness, distance, logreg):
    reference = np.linalg.eigvalsh(np.asarray(jax.jit(jax.hessian(logreg.loss))(logreg.x_star)))[-1]
    close("local_sharpness", number("local_sharpness", local_sharpness), reference, rtol=1e-6,
          hint="it is the largest eigenvalue of the Hessian at the minimiser x_star, not at the start")
    distance = mapping("distance", distance, [0.9, 1.1])
    if not number("distance[0.9]", distance[0.9]) < 1e-6:
        raise Wrong("`distance[0.9]` should show convergence (below 1e-6): run GD for a few thousand steps")
    far = float(np.asarray(distance[1.1], dtype=float))
    if np.isfinite(far) and far < 1e-3:
        raise Wrong("`distance[1.1]` shows convergence, but a step 10% above 2/sharpness cannot converge to x_star: "
                    "check the step you used")


@exercise(
    "ex-gf-gradient-bound",
    answers={
        "running_min": "running_min[i] = the smallest ||grad L||^2 on the flow over the times flow_times[:i + 1]",
        "bound": "bound[i] = (L(x_0) - f*) / t for the positive times t = flow_times[1:]",
    },
    context=("flow_grad_sq", "flow_loss", "flow_times", "rosen"),
)
def _gradient_bound(running_min, bound, flow_grad_sq, flow_loss, flow_times, rosen):
    grad_sq = np.asarray(flow_grad_sq, dtype=float)
    times = np.asarray(flow_times, dtype=float)
    close("running_min", array("running_min", running_min, grad_sq.shape), np.minimum.accumulate(grad_sq), rtol=1e-12,
          hint="entry i is a minimum over all the times up to flow_times[i], including it")
    close("bound", array("bound", bound, (len(times) - 1,)), (float(flow_loss[0]) - rosen.f_star) / times[1:], rtol=1e-12,
          hint="divide the initial gap L(x_0) - f* by each positive time")
    if not np.all(np.asarray(running_min)[1:] <= np.asarray(bound)):
        raise Wrong("the bound fails somewhere: compare running_min[1:] with bound")


@exercise("ex-gf-euler", answers={"euler": "your function euler(field, x0, h, n), returning the n + 1 points"})
def _euler(euler):
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
