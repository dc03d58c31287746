"""The methods the book studies: each maps a loss and a start point to a trajectory.

One module per family, named for it: :mod:`~gfbook.methods.descent` (gradient descent),
:mod:`~gfbook.methods.flow` (the gradient flow and any ODE flow, by diffrax),
:mod:`~gfbook.methods.approximate_bdf` (BDF steps solved by inner gradient descent) and
:mod:`~gfbook.methods.clr` (gradient descent with the Corridor Learning Rate),
:mod:`~gfbook.methods.momentum` (heavy ball, Nesterov's method and their second-order flows),
:mod:`~gfbook.methods.stochastic` (mini-batch SGD and its SDE model) and
:mod:`~gfbook.methods.edge_of_stability` (the central flow of GD at the edge of stability). Every method
is a pure JAX function, jitted at the trajectory level, looping with ``jax.lax.scan``, with
its hyperparameters traced; all are exported as ``gfbook.NAME``.
"""

from gfbook.methods.approximate_bdf import approx_bdf
from gfbook.methods.clr import clr_descent, clr_sgd, corridor_lr
from gfbook.methods.descent import gradient_descent
from gfbook.methods.edge_of_stability import central_flow
from gfbook.methods.flow import gradient_flow, integrate
from gfbook.methods.momentum import heavy_ball, heavy_ball_tuning, momentum_flow, nesterov, nesterov_tuning
from gfbook.methods.stochastic import sgd, sgd_sde

__all__ = [
    "approx_bdf",
    "central_flow",
    "clr_descent",
    "clr_sgd",
    "corridor_lr",
    "gradient_descent",
    "gradient_flow",
    "heavy_ball",
    "heavy_ball_tuning",
    "integrate",
    "momentum_flow",
    "nesterov",
    "nesterov_tuning",
    "sgd",
    "sgd_sde",
]
