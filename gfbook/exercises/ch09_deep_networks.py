"""Checks for the exercises of Chapter 9, *Deep networks*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from gfbook.exercises._framework import Parameter, Wrong, _defined, array, close, exercise, mapping, number, part
from gfbook.measure import sharpness
from gfbook.methods import gradient_descent
from gfbook.networks import mlp_init
from gfbook.problems import quadratic
from gfbook.rates import gd_flow_distance_estimate


@exercise(
    "ex-deep-quadratic",
    answers={
        "distances": "||x_n - x(nh)||, n = 0..40: GD (h = quad_step) vs flow on "
                     "quadratic([0.1, 1.0, 3.0], rotation_seed=quad_seed)",
        "estimate": "the bound of the recursion at the same 41 times",
    },
    parameters={
        "quad_step": Parameter(0.5, (0.3, 0.4, 0.6, 0.65), "the GD step h (h * 3 <= 2)"),
        "quad_seed": Parameter(0, (1, 2, 3, 4, 5), "the rotation_seed of the quadratic"),
    },
)
def _quadratic(distances, estimate, quad_step, quad_seed):
    h = float(quad_step)
    q = quadratic([0.1, 1.0, 3.0], rotation_seed=int(quad_seed))
    lam, vectors = np.linalg.eigh(np.asarray(q.hessian))
    coefficients = vectors.T @ np.asarray(q.x0)
    n = np.arange(41)[:, None]
    gd = ((1 - h * lam) ** n * coefficients) @ vectors.T
    flow = (np.exp(-lam * h * n) * coefficients) @ vectors.T
    reference = np.linalg.norm(gd - flow, axis=1)
    hg_norm = np.linalg.norm((np.exp(-lam * h * n) * lam**2 * coefficients) @ vectors.T, axis=1)  # |A^2 x(nh)|
    bound = gd_flow_distance_estimate(h, np.full(41, lam.min()), hg_norm)
    with part("distances"):
        close("distances", array("distances", distances, (41,)), reference, rtol=1e-9, atol=1e-14,
              hint="compare GD's iterate n with the flow at time n h, n = 0 included")
    with part("estimate"):
        close("estimate", array("estimate", estimate, (41,)), bound, rtol=1e-8, atol=1e-14,
              hint="evaluate the recursion with lambda_- = 0 and |H grad L| = |A^2 x(nh)| on the flow")


@exercise(
    "ex-deep-init",
    answers={
        "predicted_map_norm": "||W_3 W_2 W_1||_2 at the start from scale=init_scale, predicted from its value "
                              "at scale 1 (same key)",
        "integral_small": "the integral of lambda_- along the flow from scale=init_scale",
    },
    context=("integral", "deep_linear", "linear_dim", "linear_depth", "sample", "t_sample"),
    parameters={"init_scale": Parameter(0.3, (0.2, 0.25, 0.35, 0.4, 0.5), "the scale of the smaller initialisation")},
)
def _init(predicted_map_norm, integral_small, integral, deep_linear, linear_dim, linear_depth, sample, t_sample, init_scale):
    start = mlp_init(jax.random.key(0), [linear_dim] * (linear_depth + 1), scale=float(init_scale), bias=False,
                     dtype=jnp.float64)
    with part("predicted_map_norm"):
        product = np.linalg.multi_dot([np.asarray(layer["w"]) for layer in start])
        close("predicted_map_norm", number("predicted_map_norm", predicted_map_norm), np.linalg.norm(product, 2),
              rtol=1e-6, hint="every layer is the scale-1 layer times init_scale, and the product has "
                              "linear_depth factors")
    # GD at the chapter's finest step h_fine stands in for the flow (within 1% of it, at half the cost);
    # lambda_min from the whole Hessian, exact, as in the chapter (power iteration is slow to reach it here)
    h_fine = float(t_sample[1] - t_sample[0]) / float(sample[1] - sample[0])
    path = gradient_descent(deep_linear, start, h_fine, int(sample[-1]))
    points = jax.tree.map(lambda leaf: leaf[np.asarray(sample)], path)
    x, y = (np.asarray(a) for a in deep_linear.args[1:])  # the data bound into the square loss
    c, b = x.T @ x / x.shape[0], x.T @ y / x.shape[0]
    unravel = ravel_pytree(start)[1]

    def through_moments(flat):  # (1/2n)|X P - Y|^2 less its constant: the same Hessian, cheaper
        product = jnp.linalg.multi_dot([layer["w"] for layer in unravel(flat)])
        return 0.5 * jnp.sum(product * (c @ product)) - jnp.sum(product * b)

    hessian = jax.jit(jax.vmap(lambda p: jax.hessian(through_moments)(ravel_pytree(p)[0])))
    lo = np.linalg.eigvalsh(np.asarray(hessian(points)))[:, 0]
    reference = float(np.trapezoid(np.maximum(0, -lo), np.asarray(t_sample)))
    if not reference > float(integral):
        raise RuntimeError("the smaller initialisation should meet more negative curvature")  # choices are vetted
    with part("integral_small"):
        close("integral_small", number("integral_small", integral_small), reference, rtol=2e-2,
              hint="repeat the chapter's measurement (same key and times, exact Hessian eigenvalues) from "
                   "mlp_init(..., scale=init_scale), and integrate max(0, -lambda_min) over t_sample")


@exercise(
    "ex-deep-richardson",
    answers={
        "predicted": "d_a / d_b that eq-deep-richardson predicts, (a, b) = richardson_pair",
        "measured": "dict {activation: array over seeds of d_a / d_b at the end of the run} for every "
                    "network of the chapter's `protocol`",
        "breaks": "the activation (a key of `protocol`) whose measured ratios miss the prediction most "
                  "(largest median of |measured / predicted - 1|)",
    },
    context=("protocol", "protocol_ratios"),
    parameters={"richardson_pair": Parameter(
        (2, 20), ((2, 10), (5, 20), (2, 5), (5, 10), (10, 20)), "the ratios (a, b) compared")},
    weights={"predicted": 1, "measured": 1, "breaks": 1},
)
def _richardson(predicted, measured, breaks, protocol, protocol_ratios, richardson_pair):
    a, b = (int(r) for r in richardson_pair)
    missing = [r for r in (a, b) if r not in list(protocol_ratios)]
    if missing:
        raise Wrong(f"`richardson_pair` asks for r = {missing}, which the chapter's `protocol_ratios` lacks")
    law = (1 - 1 / a) / (1 - 1 / b)
    i, j = list(protocol_ratios).index(a), list(protocol_ratios).index(b)
    ratios = {name: np.asarray(result["at_end"], dtype=float)[i] / np.asarray(result["at_end"], dtype=float)[j]
              for name, result in protocol.items()}
    with part("predicted"):
        close("predicted", number("predicted", predicted), law, rtol=1e-9,
              hint="d_r = (1 - 1/r) d_inf: divide the two factors")
    with part("measured"):
        measured = mapping("measured", measured, list(protocol))
        for name, reference in ratios.items():
            close(f"measured[{name!r}]", array(f"measured[{name!r}]", measured[name], reference.shape), reference,
                  rtol=1e-6, hint="divide the protocol's relative distances at the end of the run (`at_end`) "
                                  "for r = a by those for r = b, seed by seed")
    with part("breaks"):
        worst = max(ratios, key=lambda name: float(np.median(np.abs(ratios[name] / law - 1))))
        _defined("breaks", breaks)
        if not isinstance(breaks, str) or breaks not in protocol:
            raise Wrong(f"`breaks` should be one of {sorted(protocol)}")
        if breaks != worst:
            raise Wrong("`breaks` names a network whose ratios follow the prediction better than another's: "
                        "compare the median of |measured / predicted - 1| across networks")


@exercise(
    "ex-deep-threshold",
    answers={
        "final_loss": "dict {h: final loss after 1000 GD steps} for h in threshold_grid",
        "end_sharpness": "dict {h: sharpness at the end point}, nan for runs that did not converge (loss >= 0.01)",
    },
    context=("lam_max", "deep_linear", "theta0"),
    parameters={"threshold_grid": Parameter(
        (0.05, 0.1, 0.2, 0.3, 0.5),
        ((0.04, 0.12, 0.18, 0.25, 0.45), (0.06, 0.15, 0.22, 0.28, 0.4), (0.08, 0.14, 0.24, 0.32, 0.6),
         (0.05, 0.1, 0.16, 0.26, 0.35), (0.07, 0.13, 0.2, 0.3, 0.55)),
        "the GD steps h")},
)
def _threshold(final_loss, end_sharpness, lam_max, deep_linear, theta0, threshold_grid):
    grid = [float(h) for h in threshold_grid]
    ends = jax.vmap(lambda h: jax.tree.map(lambda leaf: leaf[-1], gradient_descent(deep_linear, theta0, h, 1000)))(
        jnp.asarray(grid))
    losses = np.asarray(jax.vmap(deep_linear)(ends))
    converged = np.isfinite(losses) & (losses < 0.01)
    sharp = {h: float(sharpness(deep_linear, jax.tree.map(lambda leaf, i=i: leaf[i], ends), num_iters=200))
             for i, h in enumerate(grid) if converged[i]}
    with part("final_loss"):
        final_loss = mapping("final_loss", final_loss, grid)
        for i, h in enumerate(grid):
            value = float(np.asarray(final_loss[h], dtype=float))
            if converged[i]:
                close(f"final_loss[{h}]", value, losses[i], rtol=1e-3, atol=1e-10,
                      hint=f"run 1000 GD steps with h = {h} on deep_linear from theta0 and take the loss at the end")
            elif np.isfinite(value) and value < 0.01:
                raise Wrong(f"`final_loss[{h}]` says the run with h = {h} converged, but it does not: "
                            "run 1000 GD steps with this h on deep_linear from theta0")
    with part("end_sharpness"):
        end_sharpness = mapping("end_sharpness", end_sharpness, grid)
        for i, h in enumerate(grid):
            if not converged[i]:
                if not np.isnan(float(np.asarray(end_sharpness[h], dtype=float))):
                    raise Wrong(f"`end_sharpness[{h}]` should be nan: the run with h = {h} does not converge")
                continue
            close(f"end_sharpness[{h}]", number(f"end_sharpness[{h}]", end_sharpness[h]), sharp[h], rtol=1e-2,
                  hint=f"measure the sharpness at the last point of the run with h = {h}")
    if not any(converged[i] and h > 2 / float(np.min(lam_max)) for i, h in enumerate(grid)):
        raise RuntimeError("no run of threshold_grid converges beyond 2 / sharpness")  # choices are vetted
