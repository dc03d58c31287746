"""Checks for the exercises of Chapter 2, *Backward error analysis*."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

from gfbook.exercises._framework import (
    Parameter,
    Wrong,
    array,
    boolean,
    close,
    exercise,
    function,
    mapping,
    number,
    part,
    probe_rng,
)
from gfbook.measure import fit_power_law, hvp
from gfbook.methods import gradient_descent
from gfbook.methods.flow import integrate
from gfbook.modified import gradient_regularized_loss


@exercise(
    "ex-bea-linear",
    answers={"modified_coefficients": "your function (lam, h) -> [c_0, c_1, c_2], the modified fields' slopes"},
)
def _linear(modified_coefficients):
    rng = probe_rng()
    probes = [(3.0, 0.1), (1.0, 0.2), (0.5, 0.01)]
    probes += [(lam, float(rng.uniform(0.05, 0.9)) / lam) for lam in rng.uniform(0.2, 5.0, size=3)]
    with part("modified_coefficients"):
        function("modified_coefficients", modified_coefficients)
        for lam, h in probes:
            # partial sums of (1/h) ln(1 - h lam) = -sum_j h^(j-1) lam^j / j
            reference = np.cumsum([-(h ** (j - 1)) * lam**j / j for j in (1, 2, 3)])
            close(f"modified_coefficients({lam:.4g}, {h:.4g})",
                  array("modified_coefficients(lam, h)", modified_coefficients(lam, h)), reference, rtol=1e-12,
                  hint="expand ln(1 - u) in powers of u = h * lam and keep the terms of order h^p")


def implicit_orders(loss, x0, lrs) -> tuple[float, float]:
    """The local orders of implicit Euler fitted over ``lrs``, against the flow and the anti-regularised flow.

    References: SciPy's root finder for the implicit step, diffrax (gfbook.integrate) at 1e-14 for the flows.
    """
    grad, hessian = jax.jit(jax.grad(loss)), jax.jit(jax.hessian(loss))
    x0 = np.asarray(x0, dtype=float)

    def field(h, y):
        g = jax.grad(loss)(y)
        return -g + h / 2 * hvp(loss, y, g)

    errors_plain, errors_anti = [], []
    for h in lrs:
        step = scipy.optimize.root(lambda y, h=h: np.asarray(y + h * grad(jnp.asarray(y))) - x0, x0,
                                   jac=lambda y, h=h: np.eye(len(x0)) + h * np.asarray(hessian(jnp.asarray(y))),
                                   tol=1e-14).x
        ts = jnp.array([0.0, h])
        for scale, errors in ((0.0, errors_plain), (1.0, errors_anti)):
            flow = integrate(jax.tree_util.Partial(field, jnp.asarray(scale * h)), jnp.asarray(x0), ts,
                             rtol=1e-14, atol=1e-14)[1]
            errors.append(float(np.linalg.norm(step - np.asarray(flow))))
    return fit_power_law(lrs, errors_plain)[0], fit_power_law(lrs, errors_anti)[0]


@exercise(
    "ex-bea-implicit-euler",
    answers={
        "implicit_euler_step": "your function (x, h) -> y solving y + h grad L(y) = x for L = logreg.loss",
        "order_plain": "the local order of implicit Euler against the gradient flow, fitted over your steps",
        "order_anti": "the local order against the flow of -grad L + (h/2) H grad L, fitted over your steps",
    },
    context=("logreg",),
    parameters={"h_imp": Parameter(0.02, (0.01, 0.015, 0.02, 0.025, 0.03), "the largest step of the fit")},
    weights={"implicit_euler_step": 2},
)
def _implicit_euler(implicit_euler_step, order_plain, order_anti, logreg, h_imp):
    gradient = jax.jit(jax.grad(logreg.loss))
    x0 = np.asarray(logreg.x0, dtype=float)
    with part("implicit_euler_step"):
        function("implicit_euler_step", implicit_euler_step)
        rng = probe_rng()
        probes = [(x0, 0.3), *((x0 + 0.5 * rng.normal(size=x0.shape), float(rng.uniform(0.05, 0.5))) for _ in range(2))]
        for x, h in probes:
            y = array(f"implicit_euler_step(x, {h:.3g})", implicit_euler_step(jnp.asarray(x), h), x.shape)
            residual = np.linalg.norm(y + h * np.asarray(gradient(jnp.asarray(y))) - x)
            if not residual < 1e-10:
                raise Wrong("implicit_euler_step(x, h) does not solve y + h grad L(y) = x to 1e-10: "
                            "tighten the solver's tolerance, and use the x and h it is given")
    # the fits move by < 1e-4 with the solver's and the integrator's tolerances; the nominal orders
    # 2 and 3 are off by > 0.02 for every step range of the choices
    plain, anti = implicit_orders(logreg.loss, x0, np.geomspace(float(h_imp) / 10, float(h_imp), 4))
    with part("order_plain"):
        close("order_plain", number("order_plain", order_plain), plain, atol=2e-3,
              hint="fit log(error of one step against the flow) against log(h) over np.geomspace(h_imp / 10, "
                   "h_imp, 4), and report the fitted slope, not its nominal value")
    with part("order_anti"):
        close("order_anti", number("order_anti", order_anti), anti, atol=2e-3,
              hint="fit against the flow of -grad L + (h/2) H grad L over the same steps: check the sign of "
                   "the correction in the field")


@exercise(
    "ex-bea-balance",
    answers={"converged": "dict {h: ...} for the steps h of lrs_bal: did GD (3000 steps) reach loss < 1e-10?"},
    parameters={"lrs_bal": Parameter((0.2, 0.4, 0.5, 0.6), ((0.3, 0.45, 0.55, 0.65), (0.25, 0.35, 0.63, 0.7),
                                                            (0.15, 0.5, 0.56, 0.66), (0.1, 0.45, 0.64, 0.68),
                                                            (0.35, 0.4, 0.54, 0.63), (0.2, 0.52, 0.65, 0.7)),
                                      "the step sizes to try")},
)
def _balance(converged, lrs_bal):
    steps = [float(h) for h in lrs_bal]
    expected = {}
    with np.errstate(all="ignore"):  # the diverging run overflows, as it should
        for h in steps:
            a, b = 2.5, 0.1  # GD on (1 - ab)^2 / 2, by hand
            for _ in range(3000):
                r = a * b - 1.0
                a, b = a - h * r * b, b - h * r * a
            expected[h] = bool(0.5 * (a * b - 1.0) ** 2 < 1e-10)
    with part("converged"):
        converged = mapping("converged", converged, steps)
        for h, value in converged.items():
            boolean(f"converged[{h}]", value)
        if {h: bool(v) for h, v in converged.items()} != expected:
            raise Wrong("some entries of `converged` do not match the runs: start at (2.5, 0.1) with y = 1, take "
                        "3000 steps, and call a run converged when its final loss is below 1e-10 (a diverged run "
                        "has loss nan)")


@exercise(
    "ex-bea-strength",
    answers={"best_strength": "the strength s of the grid np.linspace(0, 0.25, 26) whose run ends closest to GD "
                              "with h_b"},
    context=("logreg",),
    parameters={"h_big_str": Parameter(0.5, (0.2, 0.3, 0.4, 0.5), "the large step h_b")},
)
def _strength(best_strength, logreg, h_big_str):
    h_b, h_s, horizon = float(h_big_str), 0.05, 6.0
    target = np.asarray(gradient_descent(logreg.loss, logreg.x0, h_b, round(horizon / h_b))[-1])
    strengths = np.linspace(0.0, 0.25, 26)
    gaps = np.array([np.linalg.norm(np.asarray(gradient_descent(gradient_regularized_loss(logreg.loss, s), logreg.x0,
                                                                h_s, round(horizon / h_s))[-1]) - target)
                     for s in strengths])
    # the grid's next best strength is >= 2% worse; rounding moves a gap by ~1e-14
    best = gaps <= gaps.min() * (1 + 1e-6)
    with part("best_strength"):
        value = number("best_strength", best_strength)
        if not np.any(best & np.isclose(strengths, value, rtol=0.0, atol=1e-9)):
            raise Wrong("`best_strength` is not the best strength of the grid np.linspace(0, 0.25, 26): run both "
                        "methods for the same time T = 6 (T/h steps each) and take the strength whose end point "
                        "is closest; the prediction (h_b - h_s)/4 is what it approximates, not what it measures")
