"""Checks for the exercises of Chapter 2, *Backward error analysis*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from gfbook.exercises._framework import Wrong, array, boolean, close, exercise, function, mapping, number


@exercise(
    "ex-bea-linear",
    answers={"modified_coefficients": "your function (lam, h) -> [c_0, c_1, c_2], the modified fields' slopes"},
)
def _linear(modified_coefficients):
    function("modified_coefficients", modified_coefficients)
    for lam, h in [(3.0, 0.1), (1.0, 0.2), (0.5, 0.01)]:
        # partial sums of (1/h) ln(1 - h lam) = -sum_j h^(j-1) lam^j / j
        reference = np.cumsum([-(h ** (j - 1)) * lam**j / j for j in (1, 2, 3)])
        close(f"modified_coefficients({lam}, {h})", array("modified_coefficients(lam, h)", modified_coefficients(lam, h)),
              reference, rtol=1e-12, hint="expand ln(1 - u) in powers of u = h * lam and keep the terms of order h^p")


@exercise(
    "ex-bea-implicit-euler",
    answers={
        "implicit_euler_step": "your function (x, h) -> y solving y + h grad L(y) = x for L = logreg.loss",
        "order_plain": "the fitted local order of implicit Euler against the gradient flow",
        "order_anti": "the fitted local order against the flow of -grad L + (h/2) H grad L",
    },
    context=("logreg",),
)
def _implicit_euler(implicit_euler_step, order_plain, order_anti, logreg):
    function("implicit_euler_step", implicit_euler_step)
    x, h = np.asarray(logreg.x0), 0.3
    y = array("implicit_euler_step(logreg.x0, 0.3)", implicit_euler_step(jnp.asarray(x), h), x.shape)
    residual = np.linalg.norm(y + h * np.asarray(jax.jit(jax.grad(logreg.loss))(jnp.asarray(y))) - x)
    if not residual < 1e-10:
        raise Wrong("implicit_euler_step(x, h) does not solve y + h grad L(y) = x to 1e-10: tighten the solver's tolerance")
    if abs(number("order_plain", order_plain) - 2) >= 0.15:
        raise Wrong("`order_plain` is not the local order of a first-order method: fit log(error) against log(h) "
                    "for the error of one step")
    if abs(number("order_anti", order_anti) - 3) >= 0.15:
        raise Wrong("`order_anti` is not one more than `order_plain`: check the sign of the correction in the field")


@exercise(
    "ex-bea-balance",
    answers={"converged": "dict {0.2: ..., 0.4: ..., 0.5: ..., 0.6: ...}: did GD (3000 steps) reach loss < 1e-10?"},
)
def _balance(converged):
    converged = mapping("converged", converged, [0.2, 0.4, 0.5, 0.6])
    for h, value in converged.items():
        boolean(f"converged[{h}]", value)
    expected = {}
    with np.errstate(all="ignore"):  # the diverging run overflows, as it should
        for h in converged:
            a, b = 2.5, 0.1  # GD on (1 - ab)^2 / 2, by hand
            for _ in range(3000):
                r = a * b - 1.0
                a, b = a - h * r * b, b - h * r * a
            expected[h] = bool(0.5 * (a * b - 1.0) ** 2 < 1e-10)
    if {h: bool(v) for h, v in converged.items()} != expected:
        raise Wrong("some entries of `converged` do not match the runs: start at (2.5, 0.1) with y = 1, take 3000 "
                    "steps, and call a run converged when its final loss is below 1e-10 (a diverged run has loss nan)")


@exercise(
    "ex-bea-strength",
    answers={"best_strength": "the strength s on your grid whose run ends closest to GD with h_b = 0.5"},
)
def _strength(best_strength):
    if abs(number("best_strength", best_strength) - (0.5 - 0.05) / 4) > 0.02:
        raise Wrong("`best_strength` is far from the prediction (h_b - h_s)/4: run both methods for the same time "
                    "T = 5 (T/h steps each) and scan s from 0 to 0.25 in steps of 0.01")
