"""Checks for the exercises of the chapter *Stochastic gradients*."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from gfbook.exercises._framework import Parameter, Wrong, array, close, exercise, mapping, number, part


def example_gradients(features: np.ndarray, targets: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The gradients of the example losses (x.w - y)^2 / 2 at w, one per row."""
    features, targets = np.asarray(features, float), np.asarray(targets, float)
    return features * (features @ w - targets)[:, None]


def expected_penalty(features: np.ndarray, targets: np.ndarray, w: np.ndarray, batch: int) -> float:
    """E (1/m) sum_k |grad L_k|^2 over random partitions into batches of ``batch``, by brute force on pairs."""
    grads = example_gradients(features, targets, w)
    n = len(grads)
    gram = grads @ grads.T
    same = (batch - 1) / (n - 1) if n > 1 else 0.0  # the chance that two examples share a batch
    off = gram.sum() - np.trace(gram)
    return float((np.trace(gram) + same * off) / batch**2 / (n // batch))


@exercise(
    "ex-sgd-penalty",
    answers={
        "penalties": "dict {B: the expected penalty E (1/m) sum_k |grad L_k(w)|^2 of random "
        "reshuffling at w = penalty_w} for the batch sizes B = 1, 2, 4, 8"
    },
    context=("features", "targets"),
    parameters={
        "penalty_w": Parameter(
            (0.0, 0.0, 0.0), ((1.0, 0.0, 0.0), (0.5, -1.0, 0.5), (1.0, -2.0, 0.0), (-1.0, 1.0, 1.0)), "the point w"
        )
    },
)
def _penalty(penalties, features, targets, penalty_w):
    w = np.asarray(penalty_w, dtype=float)
    penalties = mapping("penalties", penalties, [1, 2, 4, 8])
    values = []
    for batch in (1, 2, 4, 8):
        got = number(f"penalties[{batch}]", penalties[batch])
        close(
            f"penalties[{batch}]",
            got,
            expected_penalty(features, targets, w, batch),
            rtol=1e-9,
            hint="use the per-example gradients, their mean and their spread Gamma",
        )
        values.append(got)
    if not all(np.diff(values) < 0):
        raise Wrong("`penalties` should decrease with the batch size")


@exercise(
    "ex-sgd-stationary",
    answers={
        "threshold": "the largest step h for which SGD on a x^2 / 2 with additive noise has a stationary law",
        "ratios": "dict {h: S / P} of the stationary variances of SGD and of its SDE, for h = 0.1, 0.3, 0.5",
    },
    parameters={"stat_curvature": Parameter(2.0, (1.0, 1.5, 2.5, 3.0), "the curvature a")},
)
def _stationary(threshold, ratios, stat_curvature):
    a = float(stat_curvature)
    with part("threshold"):
        close(
            "threshold",
            number("threshold", threshold),
            2 / a,
            rtol=1e-9,
            hint="when does the recursion of the variance stop contracting?",
        )
    with part("ratios"):
        ratios = mapping("ratios", ratios, [0.1, 0.3, 0.5])
        for h in (0.1, 0.3, 0.5):
            close(
                f"ratios[{h}]",
                number(f"ratios[{h}]", ratios[h]),
                2 / (2 - h * a),
                rtol=1e-9,
                hint="solve the two Lyapunov equations in one dimension and divide",
            )


def fixed_order_errors(features, targets, lrs, batch):
    """Distance after one fixed-order epoch to the flow of the consecutive-slice modified loss (NumPy)."""
    x, y = np.asarray(features, float), np.asarray(targets, float)
    n, dim = x.shape
    m = n // batch
    xb, yb = x.reshape(m, batch, dim), y.reshape(m, batch)
    hess = np.einsum("aki,akj->aij", xb, xb) / batch
    lin = np.einsum("aki,ak->ai", xb, yb) / batch
    errors = []
    for h in lrs:
        w = np.zeros(dim)
        for k in range(m):
            w = w - h * (hess[k] @ w - lin[k])
        q = hess.mean(0) + h / (2 * m) * np.einsum("aij,ajk->ik", hess, hess)
        r = lin.mean(0) + h / (2 * m) * np.einsum("aij,aj->i", hess, lin)
        w_star = np.linalg.solve(q, r)
        flow = w_star + scipy.linalg.expm(-q * m * h) @ (np.zeros(dim) - w_star)
        errors.append(float(np.linalg.norm(w - flow)))
    return np.array(errors)


@exercise(
    "ex-sgd-fixed-order",
    answers={
        "predicted_order": "the local order (an integer) of the distance between one epoch of SGD in the "
        "fixed order and the flow of the modified loss of its partition",
        "fixed_errors": "those distances, from w = 0, one per step of order_lrs, with batches of fixed_batch",
    },
    context=("features", "targets", "order_lrs"),
    parameters={"fixed_batch": Parameter(2, (1, 4), "the batch size B")},
)
def _fixed_order(predicted_order, fixed_errors, features, targets, order_lrs, fixed_batch):
    with part("predicted_order"):
        if number("predicted_order", predicted_order) != 2:
            raise Wrong(
                "`predicted_order` is not right: the second-order term of one epoch depends on the order of "
                "the batches, and a fixed order does not average it"
            )
    with part("fixed_errors"):
        reference = fixed_order_errors(features, targets, order_lrs, int(fixed_batch))
        got = array("fixed_errors", fixed_errors, reference.shape)
        # the flow is solved to ~1e-12 relative; the smallest distance is ~1e-4
        close(
            "fixed_errors",
            got,
            reference,
            rtol=1e-6,
            hint="one epoch of gfbook.sgd with order='fixed', against the flow of "
            "gfbook.sgd_modified_loss (expected=False) over time m h",
        )


@exercise(
    "ex-sgd-scaling-limit",
    answers={
        "largest_factor": "the largest k for which (k h, k B) keeps S / P <= 1 + scaling_tol in every coordinate",
        "ratio_at_double": "S / P in the stiffest coordinate at twice that factor, from SciPy's Lyapunov solvers",
    },
    context=("curvatures", "sigma1", "noise_lr", "noise_batch"),
    parameters={"scaling_tol": Parameter(0.1, (0.05, 0.2, 0.5), "the tolerated relative excess")},
)
def _scaling_limit(largest_factor, ratio_at_double, curvatures, sigma1, noise_lr, noise_batch, scaling_tol):
    a_max, h0, tol = float(np.max(curvatures)), float(noise_lr), float(scaling_tol)
    factor = 2 * tol / ((1 + tol) * h0 * a_max)
    with part("largest_factor"):
        close(
            "largest_factor",
            number("largest_factor", largest_factor),
            factor,
            rtol=1e-9,
            hint="S_ii / P_ii = 2 / (2 - h a_i) is largest for the largest curvature",
        )
    with part("ratio_at_double"):
        h, b = 2 * factor * h0, 2 * factor * float(noise_batch)  # h a_max < 2 for every tolerance offered
        a = np.diag(np.asarray(curvatures, float))
        s = scipy.linalg.solve_discrete_lyapunov(np.eye(len(a)) - h * a, h**2 * np.asarray(sigma1) / b)
        p = scipy.linalg.solve_continuous_lyapunov(-a, -h * np.asarray(sigma1) / b)
        i = int(np.argmax(curvatures))
        close(
            "ratio_at_double",
            number("ratio_at_double", ratio_at_double),
            s[i, i] / p[i, i],
            rtol=1e-9,
            hint="solve both Lyapunov equations at h = 2 k h0 and B = 2 k B0",
        )
