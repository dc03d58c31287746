"""Checks for the exercises of the chapter *At the edge of stability*.

Every reference is a closed form or GD written out in NumPy on a two-parameter model.
"""

from __future__ import annotations

import numpy as np

from gfbook.exercises._framework import Wrong, close, exercise, mapping, number, part


def valley_gd_numpy(c: float, x_star: float, lr: float, x0: float, y0: float, num_steps: int) -> np.ndarray:
    """GD on c/2 (x - x*)^2 + x y^2 / 2 in NumPy: the iterates (x_k, y_k), k = 0..num_steps."""
    path = np.empty((num_steps + 1, 2))
    path[0] = x0, y0
    for k in range(num_steps):
        x, y = path[k]
        path[k + 1] = x - lr * c * (x - x_star) - 0.5 * lr * y**2, (1 - lr * x) * y
    return path


def factorization_gd_numpy(a0: float, b0: float, lr: float, num_steps: int) -> np.ndarray:
    """GD on (ab - 1)^2 / 2 in NumPy: the iterates (a_k, b_k)."""
    path = np.empty((num_steps + 1, 2))
    path[0] = a0, b0
    for k in range(num_steps):
        a, b = path[k]
        r = a * b - 1
        path[k + 1] = a - lr * r * b, b - lr * r * a
    return path


def factorization_sharpness(a: float, b: float) -> float:
    """lambda_max of the Hessian [[b^2, 2ab - 1], [2ab - 1, a^2]]."""
    return float(np.linalg.eigvalsh(np.array([[b * b, 2 * a * b - 1], [2 * a * b - 1, a * a]]))[-1])


@exercise(
    "ex-eos-two-cycle",
    answers={
        "x_cycle": "the sharpness x of GD's 2-cycle on the valley with c = 0.2, x* = 9.5, h = 0.25",
        "y2_cycle": "y^2 on that 2-cycle",
        "y2_measured": "the mean of y_k^2 over steps 2000..2999 of GD from (6, 0.01) on that valley",
    },
)
def _two_cycle(x_cycle, y2_cycle, y2_measured):
    c, x_star, lr = 0.2, 9.5, 0.25
    with part("x_cycle"):
        close(
            "x_cycle",
            number("x_cycle", x_cycle),
            2 / lr,
            rtol=1e-9,
            hint="on a 2-cycle y_{k+1} = -y_k: what must 1 - h x be?",
        )
    with part("y2_cycle"):
        close(
            "y2_cycle",
            number("y2_cycle", y2_cycle),
            2 * c * (x_star - 2 / lr),
            rtol=1e-9,
            hint="on a 2-cycle x_{k+1} = x_k: solve the x-update for y^2",
        )
    with part("y2_measured"):
        path = valley_gd_numpy(c, x_star, lr, 6.0, 0.01, 3000)
        # the same GD in float64: rounding differs by ~1e-12 after settling on the cycle
        close(
            "y2_measured",
            number("y2_measured", y2_measured),
            np.mean(path[2000:3000, 1] ** 2),
            rtol=1e-6,
            hint="run 3000 GD steps on Partial(valley, 0.2, 9.5) from (6, 0.01) with h = 0.25",
        )


@exercise(
    "ex-eos-exponential",
    answers={
        "x_edge": "the point x where the central flow of L = -a x + e^x y^2 / 2 (a = 0.5, h = 0.1) stops on y = 0",
        "sigma2": "the central flow's sigma^2 there",
        "loss_pred": "its prediction L + sigma^2 S / 2 of GD's time-averaged loss there",
    },
)
def _exponential(x_edge, sigma2, loss_pred):
    a, lr = 0.5, 0.1
    edge = np.log(2 / lr)
    with part("x_edge"):
        close(
            "x_edge",
            number("x_edge", x_edge),
            edge,
            rtol=1e-9,
            hint="on y = 0 the sharpness is e^x; where does it equal 2/h?",
        )
    with part("sigma2"):
        close(
            "sigma2",
            number("sigma2", sigma2),
            a * lr,
            rtol=1e-9,
            hint="sigma^2 = 2 <-grad L, grad S> / |grad S|^2 with grad S = (e^x, 0)",
        )
    with part("loss_pred"):
        close(
            "loss_pred",
            number("loss_pred", loss_pred),
            -a * edge + 0.5 * a * lr * 2 / lr,
            rtol=1e-9,
            hint="L(x_edge, 0) + sigma^2 (2/h) / 2",
        )


@exercise(
    "ex-eos-catapult",
    answers={
        "lam0": "lambda_max of the Hessian of (ab - 1)^2 / 2 at (a, b) = (1.8, 0.6)",
        "end_sharpness": "dict {h: lambda_max after 200 GD steps from (1.8, 0.6)} for h = 0.4, 0.6",
    },
)
def _catapult(lam0, end_sharpness):
    a0, b0 = 1.8, 0.6
    with part("lam0"):
        close(
            "lam0",
            number("lam0", lam0),
            factorization_sharpness(a0, b0),
            rtol=1e-9,
            hint="the Hessian is [[b^2, 2ab - 1], [2ab - 1, a^2]]",
        )
    with part("end_sharpness"):
        got = mapping("end_sharpness", end_sharpness, [0.4, 0.6])
        for lr in (0.4, 0.6):
            end = factorization_gd_numpy(a0, b0, lr, 200)[-1]
            close(
                f"end_sharpness[{lr}]",
                number(f"end_sharpness[{lr}]", got[lr]),
                factorization_sharpness(*end),
                rtol=1e-6,
                hint="run gfbook.gradient_descent on gfbook.scalar_factorization(1.0, x0=(1.8, 0.6))",
            )
            if not got[lr] < 2 / lr:
                raise Wrong(f"`end_sharpness[{lr}]` should be below 2/h: GD converged")


@exercise(
    "ex-eos-identity",
    answers={
        "lhs": "the mean of y_k^2, k = 0..2999, of GD on the valley c = 0.1, x* = 10, h = 0.25 from (6, 0.01)",
        "rhs": "2c (x* - mean of x_k) - 2 (x_3000 - x_0) / (3000 h) for that run",
    },
)
def _identity(lhs, rhs):
    c, x_star, lr, count = 0.1, 10.0, 0.25, 3000
    path = valley_gd_numpy(c, x_star, lr, 6.0, 0.01, count)
    reference = np.mean(path[:count, 1] ** 2)
    with part("lhs"):
        # the orbit cycles irregularly, so rounding differences grow; measured between this
        # NumPy loop and gfbook.gradient_descent they stay ~1e-12 over 3000 steps
        close(
            "lhs",
            number("lhs", lhs),
            reference,
            rtol=1e-6,
            hint="average y_k^2 over the first 3000 iterates (not the last one)",
        )
    with part("rhs"):
        rhs = number("rhs", rhs)
        if not np.isclose(rhs, number("lhs", lhs), rtol=1e-9):
            raise Wrong("`rhs` should equal `lhs` to rounding: sum the x-update over the run")
        close("rhs", rhs, reference, rtol=1e-6, hint="use the same run as lhs")
