"""What gfbook compiles, counted: the speed of the notebooks rests on compiling once per shape.

Each test empties a jitted function's cache, then counts its entries after calls that, by
design, must share a compile (JAX keys a compile on the function, the shapes and dtypes,
and on whether a scalar is "weakly typed").
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import gfbook
from gfbook import measure
from gfbook.methods import approximate_bdf, descent, flow


def new_compiles(jitted, calls) -> int:
    """How many programs ``calls`` compile, from an empty cache (so that the count does not
    depend on what other tests, run before in the same process, compiled)."""
    jitted.clear_cache()
    for call in calls:
        jax.block_until_ready(call())
    return jitted._cache_size()


def test_python_and_numpy_step_sizes_share_one_compile():
    problem = gfbook.quadratic([1.0, 2.0, 5.0])
    calls = [lambda lr=lr: gfbook.gradient_descent(problem.loss, problem.x0, lr, 7)
             for lr in (0.1, np.float64(0.2), jnp.asarray(0.4), 1)]  # (a float32 step is its own compile)
    assert new_compiles(descent._descent_scan, calls) == 1


def test_weak_and_strong_times_and_tolerances_share_one_solver_compile():
    problem = gfbook.quadratic([1.0, 3.0])
    calls = [
        lambda: gfbook.gradient_flow(problem.loss, problem.x0, 0.1 * jnp.arange(4)),  # weakly typed
        lambda: gfbook.gradient_flow(problem.loss, problem.x0, 0.1 * np.arange(4)),
        lambda: gfbook.gradient_flow(problem.loss, problem.x0, [0.0, 0.1, 0.2, 0.3], rtol=np.float64(1e-9)),
    ]
    assert new_compiles(flow._solve, calls) == 1


def test_approx_bdf_step_sizes_and_inner_step_counts_share_one_compile_and_the_order_does_not():
    problem = gfbook.quadratic([1.0, 4.0])

    def run(lr, m, inner_lr, order=2, warm_start="last"):
        return lambda: gfbook.approx_bdf(
            problem.loss, problem.x0, lr, 5, order=order, inner_steps=m, inner_lr=inner_lr, warm_start=warm_start
        )

    data = [run(0.3, m, 0.5) for m in (0, 1, 2, 8)] + [run(0.7, 2, 0.2), run(0.7, 3, 0.1)]  # lr, inner_lr, m: data
    data += [run(0.7, 2, 0.2, warm_start="centre")]  # and the warm start
    assert new_compiles(approximate_bdf._bdf_scan, data) == 1
    order_3 = run(0.7, 3, 0.2, order=3)
    assert new_compiles(approximate_bdf._bdf_scan, [*data, order_3]) == 2  # the order sets the history's shape
    # (that each m still takes m inner steps is tested in test_bdf.py: against numpy loops,
    # GD for m = 1 at order 1, exact BDF for many inner steps, no move for m = 0)


def test_two_quadratics_of_one_shape_share_one_compile():
    # (that each still follows its own closed form is tested in test_descent.py)
    first = gfbook.quadratic(np.linspace(0.5, 2.0, 7), rotation_seed=1)
    second = gfbook.quadratic(np.geomspace(0.01, 4.0, 7), rotation_seed=2, x0=np.arange(7.0))
    calls = [lambda: gfbook.gradient_descent(first.loss, first.x0, 0.3, 13),
             lambda: gfbook.gradient_descent(second.loss, second.x0, 0.4, 13)]
    assert new_compiles(descent._descent_scan, calls) == 1


def test_network_losses_on_different_data_share_one_compile():
    params = gfbook.mlp_init(jax.random.key(0), [3, 2], dtype=jnp.float64)
    calls = [lambda seed=seed: gfbook.gradient_descent(
        gfbook.mlp_loss(jax.random.normal(jax.random.key(seed), (8, 3)), jnp.zeros(8, int)), params, 0.1, 4)
        for seed in range(3)]
    assert new_compiles(descent._descent_scan, calls) == 1


def test_network_activations_share_one_compile():
    x = jax.random.normal(jax.random.key(0), (12, 4))
    y = jnp.arange(12) % 3
    params = gfbook.mlp_init(jax.random.key(1), [4, 5, 3], dtype=jnp.float64)
    calls = [lambda a=a: gfbook.gradient_descent(gfbook.mlp_loss(x, y, activation=a), params, 0.1, 3)
             for a in ("linear", "relu", "tanh")]
    assert new_compiles(descent._descent_scan, calls) == 1


def test_curvature_along_shares_its_compile_with_sharpness_for_any_iteration_count():
    problem = gfbook.rosenbrock()
    path = gfbook.gradient_descent(problem.loss, problem.x0, 1e-3, 9)
    calls = [lambda: gfbook.sharpness(problem.loss, problem.x0, num_iters=50),
             lambda: gfbook.curvature_along(problem.loss, path, num_iters=80),
             lambda: gfbook.curvature_along(problem.loss, path[:4], num_iters=20)]
    assert new_compiles(measure._extremes, calls) == 1
    # and it computes what the vmapped (traced) path computes
    lo, hi = gfbook.curvature_along(problem.loss, path, num_iters=80)
    lo_v, hi_v = jax.jit(lambda p: gfbook.curvature_along(problem.loss, p, num_iters=80))(path)
    np.testing.assert_allclose(np.asarray(hi), np.asarray(hi_v), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(lo), np.asarray(lo_v), rtol=1e-8, atol=1e-8)


def test_measuring_concrete_trajectories_compiles_nothing():
    a, b = np.ones((5, 3)), np.zeros((5, 3))
    gfbook.trajectory_distance(a, b)  # warm any one-off
    before = measure._distance_per_step._cache_size()
    for n in (3, 4, 5):
        gfbook.trajectory_distance(a[:n], b[:n])
    assert measure._distance_per_step._cache_size() == before
