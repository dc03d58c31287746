"""gfbook: the methods studied in *Gradient Flow and Gradient Descent*.

The package follows the book's data flow::

    problem  ->  method  ->  trajectory  ->  measurement  ->  figure + assert

* :mod:`gfbook.problems` -- losses with what is known about them (x*, f*, L, mu).
* :mod:`gfbook.methods` -- gradient descent, the gradient flow, any ODE flow.
* :mod:`gfbook.exact` -- closed-form flows and iterates of quadratics (ground truth).
* :mod:`gfbook.modified` -- backward error analysis: modified losses and modified flows.
* :mod:`gfbook.bdf` -- linear multistep methods, their stability, and approximate BDF.
* :mod:`gfbook.rates` -- convergence-rate bounds (flow, GD, approximate BDF1) and rate fits.
* :mod:`gfbook.corridors` -- corridors and the Corridor Learning Rate (a Polyak step size).
* :mod:`gfbook.networks`, :mod:`gfbook.data` -- small networks and locally generated data.
* :mod:`gfbook.measure` -- distances between trajectories, sharpness, fitted rates.
* :mod:`gfbook.plotting` -- the book's figures, in one consistent style.

Importing gfbook turns on JAX's 64-bit mode (``jax_enable_x64``). This is the one
place the book does so: order-of-accuracy studies need double precision. Arrays a
reader creates in float32 stay float32; Python floats become float64.
"""

import jax

jax.config.update("jax_enable_x64", True)

from gfbook.bdf import (  # noqa: E402
    adams_bashforth_coefficients,
    adams_moulton_coefficients,
    approx_bdf,
    approx_bdf_amplification,
    approx_bdf_stability_interval,
    bdf_alpha_angle,
    bdf_coefficients,
    proximal_inner_lr,
)
from gfbook.corridors import clr_descent, clr_sgd, corridor_lr, corridor_ratio  # noqa: E402
from gfbook.exact import quadratic_flow, quadratic_gd  # noqa: E402
from gfbook.measure import (  # noqa: E402
    curvature_along,
    diverged,
    divergence_index,
    fit_power_law,
    flow_distance,
    gd_flow_distance_estimate,
    hessian_extreme_eigenvalues,
    hvp,
    sharpness,
    trajectory_distance,
)
from gfbook.methods import gradient_descent, gradient_flow, integrate  # noqa: E402
from gfbook.modified import gradient_regularized_loss, modified_flow, modified_loss  # noqa: E402
from gfbook.problems import (  # noqa: E402
    Problem,
    huber_worst_case,
    logistic_regression,
    quadratic,
    quadratic_with_condition,
    robust_regression,
    rosenbrock,
    scalar_factorization,
)
from gfbook.rates import (  # noqa: E402
    approx_bdf1_convex_bound,
    approx_bdf1_linear_bound,
    approx_bdf1_nonconvex_bound,
    fit_linear_rate,
    fit_sublinear_rate,
    flow_convex_bound,
    flow_linear_bound,
    flow_nonconvex_bound,
    gd_convex_bound,
    gd_convex_bound_any_step,
    gd_convex_tight_bound,
    gd_distance_bound_any_step,
    gd_linear_bound,
    gd_nonconvex_bound,
)

__version__ = "0.1.0"

__all__ = [
    "Problem",
    "adams_bashforth_coefficients",
    "adams_moulton_coefficients",
    "approx_bdf",
    "approx_bdf1_convex_bound",
    "approx_bdf1_linear_bound",
    "approx_bdf1_nonconvex_bound",
    "approx_bdf_amplification",
    "approx_bdf_stability_interval",
    "bdf_alpha_angle",
    "bdf_coefficients",
    "clr_descent",
    "clr_sgd",
    "corridor_lr",
    "corridor_ratio",
    "curvature_along",
    "diverged",
    "divergence_index",
    "fit_linear_rate",
    "fit_power_law",
    "fit_sublinear_rate",
    "flow_convex_bound",
    "flow_distance",
    "flow_linear_bound",
    "flow_nonconvex_bound",
    "gd_convex_bound",
    "gd_convex_bound_any_step",
    "gd_convex_tight_bound",
    "gd_distance_bound_any_step",
    "gd_flow_distance_estimate",
    "gd_linear_bound",
    "gd_nonconvex_bound",
    "gradient_descent",
    "gradient_flow",
    "gradient_regularized_loss",
    "hessian_extreme_eigenvalues",
    "huber_worst_case",
    "hvp",
    "integrate",
    "logistic_regression",
    "modified_flow",
    "modified_loss",
    "proximal_inner_lr",
    "quadratic",
    "quadratic_flow",
    "quadratic_gd",
    "quadratic_with_condition",
    "robust_regression",
    "rosenbrock",
    "scalar_factorization",
    "sharpness",
    "trajectory_distance",
]
