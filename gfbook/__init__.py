"""gfbook: the methods studied in *Gradient Flow and Gradient Descent*.

The package follows the book's data flow::

    problem  ->  method  ->  trajectory  ->  measurement  ->  figure + assert

* :mod:`gfbook.problems` -- losses with what is known about them (x*, f*, L, mu);
  :mod:`gfbook.networks` and :mod:`gfbook.data` -- small networks, locally generated data
  and the orders of mini-batches.
* :mod:`gfbook.methods` -- every method that produces a trajectory, one module per family:
  gradient descent, the gradient flow (and any ODE flow), approximate BDF, the Corridor
  Learning Rate, momentum (heavy ball, Nesterov and their second-order flows), mini-batch
  SGD and its SDE model, the central flow of GD at the edge of stability.
* The theory the methods are checked against: :mod:`gfbook.exact` (closed-form flows and
  iterates of quadratics), :mod:`gfbook.modified` (modified losses and vector fields of
  backward error analysis), :mod:`gfbook.bdf` (multistep methods and their stability).
* :mod:`gfbook.measure` -- measurements of trajectories: distances, curvature, corridors,
  divergence, fitted rates; :mod:`gfbook.rates` -- the bounds and estimates they are
  compared with.
* :mod:`gfbook.plotting` -- the book's figures; :mod:`gfbook.exercises` -- the checks of the
  exercises. These two are used as submodules (``gfbook.plotting.new_figure``,
  ``gfbook.exercises.check``); every other public function is ``gfbook.NAME``, listed in
  ``__all__``.

Importing gfbook turns on JAX's 64-bit mode (``jax_enable_x64``). This is the one
place the book does so: order-of-accuracy studies need double precision. Arrays a
reader creates in float32 stay float32; Python floats become float64.

It also asks XLA for its lighter code optimisation (``--xla_backend_optimization_level=1``
in ``XLA_FLAGS``) unless ``XLA_FLAGS`` already sets that level. The book's programs are
small and compiling them costs more than running them: the lighter level compiles about
a tenth faster on CPU and computes the same IEEE results (no fast-math). It takes effect
only if no JAX computation ran before the import.
"""

import os

import jax

if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} --xla_backend_optimization_level=1".strip()

jax.config.update("jax_enable_x64", True)

from gfbook.bdf import (  # noqa: E402
    adams_bashforth_coefficients,
    adams_moulton_coefficients,
    approx_bdf_amplification,
    approx_bdf_stability_interval,
    bdf_alpha_angle,
    bdf_coefficients,
    boundary_locus,
    is_zero_stable,
    lmm_polynomials,
    proximal_inner_lr,
    stability_region,
)
from gfbook.data import minibatch_indices, mnist1d  # noqa: E402
from gfbook.exact import quadratic_flow, quadratic_gd  # noqa: E402
from gfbook.measure import (  # noqa: E402
    central_flow_loss,
    central_flow_variance,
    corridor_ratio,
    curvature_along,
    diverged,
    divergence_index,
    fit_linear_rate,
    fit_power_law,
    fit_sublinear_rate,
    flow_distance,
    hessian_extreme_eigenvalues,
    hvp,
    oscillation_along_top,
    sharpness,
    step_refinement_distance,
    time_average,
    trajectory_distance,
)
from gfbook.methods import (  # noqa: E402
    approx_bdf,
    central_flow,
    clr_descent,
    clr_sgd,
    corridor_lr,
    gradient_descent,
    gradient_flow,
    heavy_ball,
    heavy_ball_tuning,
    integrate,
    momentum_flow,
    nesterov,
    nesterov_tuning,
    sgd,
    sgd_sde,
)
from gfbook.modified import (  # noqa: E402
    gradient_regularized_loss,
    modified_field_terms,
    modified_flow,
    modified_loss,
    sgd_modified_loss,
)
from gfbook.networks import accuracy, mlp_apply, mlp_init, mlp_loss  # noqa: E402
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
    flow_convex_bound,
    flow_linear_bound,
    flow_nonconvex_bound,
    gd_convex_bound,
    gd_convex_bound_any_step,
    gd_convex_worst_case,
    gd_convex_tight_bound,
    gd_distance_bound_any_step,
    gd_flow_distance_estimate,
    gd_linear_bound,
    gd_nonconvex_bound,
    gd_pl_bound,
    gd_strongly_convex_contraction,
)

__version__ = "0.1.0"

__all__ = [
    "Problem",
    "accuracy",
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
    "boundary_locus",
    "central_flow",
    "central_flow_loss",
    "central_flow_variance",
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
    "gd_convex_worst_case",
    "gd_convex_tight_bound",
    "gd_distance_bound_any_step",
    "gd_flow_distance_estimate",
    "gd_linear_bound",
    "gd_nonconvex_bound",
    "gd_pl_bound",
    "gd_strongly_convex_contraction",
    "gradient_descent",
    "gradient_flow",
    "gradient_regularized_loss",
    "heavy_ball",
    "heavy_ball_tuning",
    "hessian_extreme_eigenvalues",
    "huber_worst_case",
    "hvp",
    "integrate",
    "is_zero_stable",
    "lmm_polynomials",
    "logistic_regression",
    "mlp_apply",
    "mlp_init",
    "minibatch_indices",
    "mlp_loss",
    "mnist1d",
    "modified_field_terms",
    "modified_flow",
    "modified_loss",
    "momentum_flow",
    "nesterov",
    "nesterov_tuning",
    "oscillation_along_top",
    "proximal_inner_lr",
    "quadratic",
    "quadratic_flow",
    "quadratic_gd",
    "quadratic_with_condition",
    "robust_regression",
    "rosenbrock",
    "scalar_factorization",
    "sgd",
    "sgd_modified_loss",
    "sgd_sde",
    "sharpness",
    "step_refinement_distance",
    "time_average",
    "stability_region",
    "trajectory_distance",
]
