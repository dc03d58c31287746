"""Bad input to every public function: a ValueError or TypeError whose message starts with the argument.

gfbook's promise (gfbook/_checks.py): "Each check raises a ValueError or TypeError whose message starts
with the argument's name, so a reader who mistypes a call sees at once what to fix."
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook


def loss(x):
    return 0.5 * jnp.sum(x**2)


def vector_loss(x):
    return x  # not a scalar


def field(x):
    return -x


X0 = jnp.ones(3)
TS = jnp.array([0.0, 0.5, 1.0])
A = jnp.diag(jnp.array([1.0, 2.0, 3.0]))
NON_SYMMETRIC = jnp.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
NAN = float("nan")
INF = float("inf")

BAD_X0 = {
    "nan": jnp.array([1.0, NAN, 0.0]),
    "inf": np.array([1.0, 2.0, INF]),
    "-inf": np.array([-INF, 2.0, 3.0]),
    "empty": jnp.zeros(0),
    "complex": jnp.ones(3, dtype=complex),
}
BAD_X0_ERROR = {
    "nan": ValueError,
    "inf": ValueError,
    "-inf": ValueError,
    "empty": ValueError,
    "complex": TypeError,
}

BAD_LR = {
    "zero": (0.0, ValueError),
    "negative": (-0.1, ValueError),
    "nan": (NAN, ValueError),
    "inf": (INF, ValueError),
    "string": ("0.1", TypeError),
    "none": (None, TypeError),
    "complex": (0.1 + 0j, TypeError),
    "vector": (jnp.ones(2), TypeError),
}
BAD_NUM_STEPS = {
    "negative": (-1, ValueError),
    "float": (5.0, TypeError),
    "bool": (True, TypeError),
    "string": ("5", TypeError),
}
BAD_TS = {
    "decreasing": ([1.0, 0.5], ValueError),
    "repeated": ([0.0, 1.0, 1.0], ValueError),
    "2-D": (jnp.ones((2, 2)), ValueError),
    "empty": ([], ValueError),
    "nan": ([0.0, NAN], ValueError),
    "inf": ([0.0, INF], ValueError),
}
BAD_TOL = {
    "zero": (0.0, ValueError),
    "negative": (-1e-8, ValueError),
    "nan": (NAN, ValueError),
    "string": ("1e-8", TypeError),
}

CASES = []


def case(label, error, argument, call):
    CASES.append(pytest.param(call, error, argument, id=label))


# --- the methods: gradient_descent, gradient_flow, integrate -----------------------------------

for name, (value, error) in BAD_LR.items():
    case(f"gradient_descent lr {name}", error, "lr", lambda v=value: gfbook.gradient_descent(loss, X0, v, 5))
for name, (value, error) in BAD_NUM_STEPS.items():
    case(
        f"gradient_descent num_steps {name}",
        error,
        "num_steps",
        lambda v=value: gfbook.gradient_descent(loss, X0, 0.1, v),
    )
for name, x0 in BAD_X0.items():
    case(
        f"gradient_descent x0 {name}",
        BAD_X0_ERROR[name],
        "x0",
        lambda x=x0: gfbook.gradient_descent(loss, x, 0.1, 5),
    )
    case(f"gradient_flow x0 {name}", BAD_X0_ERROR[name], "x0", lambda x=x0: gfbook.gradient_flow(loss, x, TS))
    case(f"integrate x0 {name}", BAD_X0_ERROR[name], "x0", lambda x=x0: gfbook.integrate(field, x, TS))
    case(
        f"flow_distance x0 {name}",
        BAD_X0_ERROR[name],
        "x0",
        lambda x=x0: gfbook.flow_distance(loss, x, 0.1, 3),
    )
case("gradient_descent x0 empty pytree", ValueError, "x0", lambda: gfbook.gradient_descent(loss, {}, 0.1, 5))
case(
    "gradient_descent x0 pytree with a nan leaf",
    ValueError,
    "x0",
    lambda: gfbook.gradient_descent(loss, {"a": jnp.ones(2), "b": jnp.array([NAN])}, 0.1, 5),
)
case("gradient_descent x0 string", TypeError, "x0", lambda: gfbook.gradient_descent(loss, "abc", 0.1, 5))
case(
    "gradient_descent loss not callable", TypeError, "loss", lambda: gfbook.gradient_descent(3.0, X0, 0.1, 5)
)
case(
    "gradient_descent loss returns a vector",
    TypeError,
    "loss",
    lambda: gfbook.gradient_descent(vector_loss, X0, 0.1, 5),
)
case(
    "gradient_descent loss fails on x0",
    TypeError,
    "loss",
    lambda: gfbook.gradient_descent(lambda x: x @ jnp.ones(4), X0, 0.1, 5),
)

for name, (value, error) in BAD_TS.items():
    case(f"gradient_flow ts {name}", error, "ts", lambda v=value: gfbook.gradient_flow(loss, X0, v))
    case(f"integrate ts {name}", error, "ts", lambda v=value: gfbook.integrate(field, X0, v))
    case(f"quadratic_flow ts {name}", error, "ts", lambda v=value: gfbook.quadratic_flow(A, X0, v))
for tol in ("rtol", "atol"):
    for name, (value, error) in BAD_TOL.items():
        case(
            f"gradient_flow {tol} {name}",
            error,
            tol,
            lambda t=tol, v=value: gfbook.gradient_flow(loss, X0, TS, **{t: v}),
        )
        case(
            f"integrate {tol} {name}",
            error,
            tol,
            lambda t=tol, v=value: gfbook.integrate(field, X0, TS, **{t: v}),
        )
    case(
        f"flow_distance {tol} zero",
        ValueError,
        tol,
        lambda t=tol: gfbook.flow_distance(loss, X0, 0.1, 3, **{t: 0.0}),
    )
case(
    "gradient_flow max_steps zero",
    ValueError,
    "max_steps",
    lambda: gfbook.gradient_flow(loss, X0, TS, max_steps=0),
)
case(
    "gradient_flow max_steps float",
    TypeError,
    "max_steps",
    lambda: gfbook.gradient_flow(loss, X0, TS, max_steps=1e3),
)
case(
    "integrate max_steps negative",
    ValueError,
    "max_steps",
    lambda: gfbook.integrate(field, X0, TS, max_steps=-5),
)
case("gradient_flow loss not callable", TypeError, "loss", lambda: gfbook.gradient_flow("loss", X0, TS))
case(
    "gradient_flow loss returns a vector",
    TypeError,
    "loss",
    lambda: gfbook.gradient_flow(vector_loss, X0, TS),
)
case("integrate vector_field not callable", TypeError, "vector_field", lambda: gfbook.integrate(None, X0, TS))

# --- problems ----------------------------------------------------------------------------------

case("quadratic eigenvalues negative", ValueError, "eigenvalues", lambda: gfbook.quadratic([1.0, -0.5]))
case("quadratic eigenvalues 2-D", ValueError, "eigenvalues", lambda: gfbook.quadratic(np.eye(2)))
case("quadratic eigenvalues empty", ValueError, "eigenvalues", lambda: gfbook.quadratic([]))
case("quadratic eigenvalues nan", ValueError, "eigenvalues", lambda: gfbook.quadratic([1.0, NAN]))
case("quadratic eigenvalues inf", ValueError, "eigenvalues", lambda: gfbook.quadratic([INF, 1.0]))
case("quadratic x0 wrong shape", ValueError, "x0", lambda: gfbook.quadratic([1.0, 2.0], x0=[1.0]))
case("quadratic x0 nan", ValueError, "x0", lambda: gfbook.quadratic([1.0, 2.0], x0=[1.0, NAN]))
case(
    "quadratic x_star wrong shape",
    ValueError,
    "x_star",
    lambda: gfbook.quadratic([1.0, 2.0], x_star=[0.0, 0.0, 0.0]),
)
case("quadratic x_star nan", ValueError, "x_star", lambda: gfbook.quadratic([1.0], x_star=[NAN]))

for name, value, error in [
    ("below one", 0.5, ValueError),
    ("zero", 0.0, ValueError),
    ("negative", -10.0, ValueError),
    ("nan", NAN, ValueError),
    ("inf", INF, ValueError),
    ("string", "10", TypeError),
]:
    case(
        f"quadratic_with_condition condition_number {name}",
        error,
        "condition_number",
        lambda v=value: gfbook.quadratic_with_condition(3, v),
    )
case("quadratic_with_condition dim zero", ValueError, "dim", lambda: gfbook.quadratic_with_condition(0, 10.0))
case(
    "quadratic_with_condition dim float", TypeError, "dim", lambda: gfbook.quadratic_with_condition(3.0, 10.0)
)
case(
    "quadratic_with_condition smoothness zero",
    ValueError,
    "smoothness",
    lambda: gfbook.quadratic_with_condition(3, 10.0, smoothness=0.0),
)

case("rosenbrock b zero", ValueError, "b", lambda: gfbook.rosenbrock(b=0.0))
case("rosenbrock b negative", ValueError, "b", lambda: gfbook.rosenbrock(b=-1.0))
case("rosenbrock a nan", ValueError, "a", lambda: gfbook.rosenbrock(a=NAN))
case("rosenbrock x0 wrong shape", ValueError, "x0", lambda: gfbook.rosenbrock(x0=[1.0, 2.0, 3.0]))

for name, value, error in [
    ("zero", 0.0, ValueError),
    ("negative", -1e-3, ValueError),
    ("nan", NAN, ValueError),
    ("inf", INF, ValueError),
    ("string", "0.1", TypeError),
]:
    case(f"logistic_regression l2 {name}", error, "l2", lambda v=value: gfbook.logistic_regression(l2=v))
for name, value in [
    ("too short", [1.0]),
    ("too long", [1.0, 1.0, 1.0]),
    ("negative", [1.0, -1.0]),
    ("zero", [0.0, 1.0]),
    ("nan", [1.0, NAN]),
    ("inf", [INF, 1.0]),
    ("2-D", [[1.0, 1.0]]),
]:
    case(
        f"logistic_regression feature_scales {name}",
        ValueError,
        "feature_scales",
        lambda v=value: gfbook.logistic_regression(dim=2, feature_scales=v),
    )
case("logistic_regression num_samples zero", ValueError, "num_samples", lambda: gfbook.logistic_regression(0))
case("logistic_regression dim zero", ValueError, "dim", lambda: gfbook.logistic_regression(dim=0))

# --- exact solutions ---------------------------------------------------------------------------

case(
    "quadratic_flow hessian not symmetric",
    ValueError,
    "hessian",
    lambda: gfbook.quadratic_flow(NON_SYMMETRIC, X0, TS),
)
case(
    "quadratic_flow hessian not square",
    ValueError,
    "hessian",
    lambda: gfbook.quadratic_flow(jnp.ones((3, 2)), X0, TS),
)
case("quadratic_flow hessian 1-D", ValueError, "hessian", lambda: gfbook.quadratic_flow(jnp.ones(3), X0, TS))
case(
    "quadratic_flow hessian nan",
    ValueError,
    "hessian",
    lambda: gfbook.quadratic_flow(A.at[0, 0].set(NAN), X0, TS),
)
case("quadratic_flow x0 wrong shape", ValueError, "x0", lambda: gfbook.quadratic_flow(A, jnp.ones(2), TS))
case("quadratic_flow x0 2-D", ValueError, "x0", lambda: gfbook.quadratic_flow(A, jnp.ones((3, 1)), TS))
case("quadratic_flow x0 complex", TypeError, "x0", lambda: gfbook.quadratic_flow(A, BAD_X0["complex"], TS))
case(
    "quadratic_flow x_star wrong shape",
    ValueError,
    "x_star",
    lambda: gfbook.quadratic_flow(A, X0, TS, x_star=jnp.ones(2)),
)
case(
    "quadratic_gd hessian not symmetric",
    ValueError,
    "hessian",
    lambda: gfbook.quadratic_gd(NON_SYMMETRIC, X0, 0.1, 3),
)
case("quadratic_gd x0 wrong shape", ValueError, "x0", lambda: gfbook.quadratic_gd(A, jnp.ones(4), 0.1, 3))
case("quadratic_gd x0 nan", ValueError, "x0", lambda: gfbook.quadratic_gd(A, BAD_X0["nan"], 0.1, 3))
for name, (value, error) in BAD_LR.items():
    case(f"quadratic_gd lr {name}", error, "lr", lambda v=value: gfbook.quadratic_gd(A, X0, v, 3))
    case(f"flow_distance lr {name}", error, "lr", lambda v=value: gfbook.flow_distance(loss, X0, v, 3))
for name, (value, error) in BAD_NUM_STEPS.items():
    case(
        f"quadratic_gd num_steps {name}",
        error,
        "num_steps",
        lambda v=value: gfbook.quadratic_gd(A, X0, 0.1, v),
    )
    case(
        f"flow_distance num_steps {name}",
        error,
        "num_steps",
        lambda v=value: gfbook.flow_distance(loss, X0, 0.1, v),
    )

# --- measurements ------------------------------------------------------------------------------

for fn in ("hessian_extreme_eigenvalues", "sharpness"):
    call = getattr(gfbook, fn)
    case(f"{fn} num_iters zero", ValueError, "num_iters", lambda c=call: c(loss, X0, num_iters=0))
    case(f"{fn} num_iters float", TypeError, "num_iters", lambda c=call: c(loss, X0, num_iters=10.0))
    case(f"{fn} loss not callable", TypeError, "loss", lambda c=call: c(1, X0))
    case(f"{fn} loss returns a vector", TypeError, "loss", lambda c=call: c(vector_loss, X0))
    for name, x0 in BAD_X0.items():
        case(f"{fn} x {name}", BAD_X0_ERROR[name], "x", lambda c=call, x=x0: c(loss, x))
case("flow_distance loss not callable", TypeError, "loss", lambda: gfbook.flow_distance(None, X0, 0.1, 3))
case("step_refinement_distance lr zero", ValueError, "lr",
     lambda: gfbook.step_refinement_distance(loss, X0, 0.0, 3, 2))
case("step_refinement_distance ratio zero", ValueError, "ratio",
     lambda: gfbook.step_refinement_distance(loss, X0, 0.1, 3, 0))
case("step_refinement_distance num_steps float", TypeError, "num_steps",
     lambda: gfbook.step_refinement_distance(loss, X0, 0.1, 3.0, 2))
case("step_refinement_distance loss not callable", TypeError, "loss",
     lambda: gfbook.step_refinement_distance(None, X0, 0.1, 3, 2))

case(
    "trajectory_distance shapes differ",
    ValueError,
    "a and b",
    lambda: gfbook.trajectory_distance(jnp.ones((3, 2)), jnp.ones((4, 2))),
)
case(
    "trajectory_distance inner shapes differ",
    ValueError,
    "a and b",
    lambda: gfbook.trajectory_distance(np.ones((3, 2)), np.ones((3, 3))),
)
case(
    "trajectory_distance structures differ",
    ValueError,
    "a and b",
    lambda: gfbook.trajectory_distance({"u": jnp.ones((3, 2))}, jnp.ones((3, 2))),
)
case(
    "trajectory_distance pytree leaf shapes differ",
    ValueError,
    "a and b",
    lambda: gfbook.trajectory_distance({"u": jnp.ones((3, 2))}, {"u": jnp.ones((3, 1))}),
)

case("fit_power_law unequal lengths", ValueError, "y", lambda: gfbook.fit_power_law([1.0, 2.0, 3.0], [1.0, 2.0]))
case("fit_power_law too short", ValueError, "x", lambda: gfbook.fit_power_law([1.0], [1.0]))
case("fit_power_law 2-D", ValueError, "x", lambda: gfbook.fit_power_law(np.ones((2, 2)), np.ones((2, 2))))
case("fit_power_law x zero", ValueError, "x", lambda: gfbook.fit_power_law([0.0, 2.0], [1.0, 2.0]))
case("fit_power_law x negative", ValueError, "x", lambda: gfbook.fit_power_law([-1.0, 2.0], [1.0, 2.0]))
case("fit_power_law y zero", ValueError, "y", lambda: gfbook.fit_power_law([1.0, 2.0], [0.0, 2.0]))
case("fit_power_law y negative", ValueError, "y", lambda: gfbook.fit_power_law([1.0, 2.0], [1.0, -2.0]))
case("fit_power_law y nan", ValueError, "y", lambda: gfbook.fit_power_law([1.0, 2.0], [1.0, NAN]))
case("fit_power_law x inf", ValueError, "x", lambda: gfbook.fit_power_law([1.0, INF], [1.0, 2.0]))

case(
    "divergence_index threshold zero",
    ValueError,
    "threshold",
    lambda: gfbook.divergence_index(np.ones((3, 2)), threshold=0.0),
)
case(
    "divergence_index threshold nan",
    ValueError,
    "threshold",
    lambda: gfbook.divergence_index(np.ones((3, 2)), threshold=NAN),
)
case(
    "diverged threshold negative",
    ValueError,
    "threshold",
    lambda: gfbook.diverged(np.ones((3, 2)), threshold=-1.0),
)
case("divergence_index trajectory empty", ValueError, "trajectory", lambda: gfbook.divergence_index({}))

# --- non-numeric and out-of-range arguments ---------------------------------------------------

case("gradient_flow ts string", (TypeError, ValueError), "ts", lambda: gfbook.gradient_flow(loss, X0, "ab"))
case("integrate ts None", (TypeError, ValueError), "ts", lambda: gfbook.integrate(field, X0, None))
case("quadratic eigenvalues string", (TypeError, ValueError), "eigenvalues", lambda: gfbook.quadratic("abc"))
case(
    "quadratic eigenvalues complex array",
    TypeError,
    "eigenvalues",
    lambda: gfbook.quadratic(np.array([1.0 + 2.0j, 3.0])),
)
case(
    "quadratic rotation_seed float",
    (TypeError, ValueError),
    "rotation_seed",
    lambda: gfbook.quadratic([1.0, 2.0], rotation_seed=1.5),
)
case(
    "logistic_regression seed negative",
    (TypeError, ValueError),
    "seed",
    lambda: gfbook.logistic_regression(seed=-1),
)
case(
    "logistic_regression feature_scales string",
    (TypeError, ValueError),
    "feature_scales",
    lambda: gfbook.logistic_regression(dim=2, feature_scales="ab"),
)
case("fit_power_law x string", (TypeError, ValueError), "x", lambda: gfbook.fit_power_law("ab", [1.0, 2.0]))
case("hvp v wrong shape", (TypeError, ValueError), "v", lambda: gfbook.hvp(loss, X0, jnp.ones(2)))
case(
    "divergence_index trajectory 0-D",
    (TypeError, ValueError),
    "trajectory",
    lambda: gfbook.divergence_index(jnp.ones(())),
)


# --- multistep methods and approximate BDF ----------------------------------------------------------

BDF_KW = {"order": 2, "inner_steps": 2, "inner_lr": 0.5}


def run_bdf(x0=X0, lr=0.1, num_steps=3, fn=loss, **changes):
    return gfbook.approx_bdf(fn, x0, lr, num_steps, **(BDF_KW | changes))


def amplification(lam_h=(1.0,), **changes):
    return gfbook.approx_bdf_amplification(lam_h, **(BDF_KW | changes))


def interval(**changes):
    return gfbook.approx_bdf_stability_interval(**(BDF_KW | changes))


for k_bad, err in [(0, ValueError), (7, ValueError), (2.0, TypeError), (True, TypeError)]:
    case(f"bdf_coefficients order={k_bad!r}", err, "order", lambda k=k_bad: gfbook.bdf_coefficients(k))
    case(f"bdf_alpha_angle order={k_bad!r}", err, "order", lambda k=k_bad: gfbook.bdf_alpha_angle(k))
    for adams in (gfbook.adams_bashforth_coefficients, gfbook.adams_moulton_coefficients):
        case(f"{adams.__name__} order={k_bad!r}", err, "order", lambda k=k_bad, f=adams: f(k))
    case(f"approx_bdf order={k_bad!r}", err, "order", lambda k=k_bad: run_bdf(order=k))
for name, (value, err) in BAD_LR.items():
    case(f"approx_bdf lr {name}", err, "lr", lambda v=value: run_bdf(lr=v))
    case(f"approx_bdf inner_lr {name}", err, "inner_lr", lambda v=value: run_bdf(inner_lr=v))
for name, bad in BAD_X0.items():
    case(f"approx_bdf x0 {name}", BAD_X0_ERROR[name], "x0", lambda b=bad: run_bdf(x0=b))
case("approx_bdf inner_steps negative", ValueError, "inner_steps", lambda: run_bdf(inner_steps=-1))
case("approx_bdf num_steps float", TypeError, "num_steps", lambda: run_bdf(num_steps=3.0))
case("approx_bdf loss not callable", TypeError, "loss", lambda: run_bdf(fn=3))
case("approx_bdf_amplification lam_h nan", ValueError, "lam_h", lambda: amplification([NAN]))
case("approx_bdf_amplification inner_lr zero", ValueError, "inner_lr", lambda: amplification(inner_lr=0.0))
case("approx_bdf_amplification order 7", ValueError, "order", lambda: amplification(order=7))
case("approx_bdf_stability_interval inner_steps 0", ValueError, "inner_steps", lambda: interval(inner_steps=0))
case("approx_bdf_stability_interval inner_lr negative", ValueError, "inner_lr", lambda: interval(inner_lr=-1.0))
case("approx_bdf warm_start unknown", ValueError, "warm_start", lambda: run_bdf(warm_start="center"))
case("approx_bdf_amplification warm_start None", ValueError, "warm_start", lambda: amplification(warm_start=None))
case("approx_bdf_stability_interval warm_start 1", ValueError, "warm_start", lambda: interval(warm_start=1))
case("proximal_inner_lr lr zero", ValueError, "lr", lambda: gfbook.proximal_inner_lr(0.0, order=2, smoothness=1.0))
case("proximal_inner_lr smoothness nan", ValueError, "smoothness", lambda: gfbook.proximal_inner_lr(1.0, order=2, smoothness=NAN))  # noqa: E501
case("proximal_inner_lr order 0", ValueError, "order", lambda: gfbook.proximal_inner_lr(1.0, order=0, smoothness=1.0))

case("lmm_polynomials method unknown", ValueError, "method", lambda: gfbook.lmm_polynomials("runge_kutta", 2))
case("lmm_polynomials order 13", ValueError, "order", lambda: gfbook.lmm_polynomials("bdf", 13))
case("lmm_polynomials order float", TypeError, "order", lambda: gfbook.lmm_polynomials("bdf", 2.0))
EULER = ([1.0, -1.0], [0.0, 1.0])  # rho and sigma of explicit Euler
case("stability_region sigma shorter", ValueError, "sigma", lambda: gfbook.stability_region(EULER[0], [1.0], [0.0], [0.0]))
case("stability_region rho leading zero", ValueError, "rho", lambda: gfbook.stability_region([0, 1], EULER[1], [0.0], [0.0]))
case("stability_region re nan", ValueError, "re", lambda: gfbook.stability_region(*EULER, [NAN], [0.0]))
case("stability_region im 2-D", ValueError, "im", lambda: gfbook.stability_region(*EULER, [0.0], [[0.0]]))
case("boundary_locus num 1", ValueError, "num", lambda: gfbook.boundary_locus([1.0, -1.0], [0.0, 1.0], num=1))
case("boundary_locus rho string", TypeError, "rho", lambda: gfbook.boundary_locus("ab", [0.0, 1.0]))
case("is_zero_stable rho 2-D", ValueError, "rho", lambda: gfbook.is_zero_stable([[1.0, -1.0]]))
case("is_zero_stable rho inf", ValueError, "rho", lambda: gfbook.is_zero_stable([1.0, INF]))

# --- networks and data -------------------------------------------------------------------------------

XS, LABELS = jnp.ones((4, 3)), jnp.zeros(4, int)
case("mlp_init sizes one width", ValueError, "sizes", lambda: gfbook.mlp_init(jax.random.key(0), [3]))
case("mlp_init sizes zero width", ValueError, "sizes", lambda: gfbook.mlp_init(jax.random.key(0), [3, 0]))
case("mlp_init scale zero", ValueError, "scale", lambda: gfbook.mlp_init(jax.random.key(0), [3, 2], scale=0.0))
case("mlp_loss activation unknown", ValueError, "activation", lambda: gfbook.mlp_loss(XS, LABELS, activation="sigmoid"))
case("mlp_loss kind unknown", ValueError, "kind", lambda: gfbook.mlp_loss(XS, LABELS, kind="hinge"))
case("mlp_loss y one label too many", ValueError, "y", lambda: gfbook.mlp_loss(XS, jnp.zeros(5, int)))
case("mlp_loss x 1-D", ValueError, "x", lambda: gfbook.mlp_loss(jnp.ones(4), LABELS))
PARAMS = [{"w": jnp.ones((3, 2)), "b": jnp.zeros(2)}]
case("mlp_apply activation unknown", ValueError, "activation", lambda: gfbook.mlp_apply(PARAMS, XS, "sigmoid"))
case("accuracy activation unknown", ValueError, "activation", lambda: gfbook.accuracy(PARAMS, XS, LABELS, "softplus"))
case("mnist1d num_samples too few", ValueError, "num_samples", lambda: gfbook.mnist1d(5))
case("mnist1d num_samples float", TypeError, "num_samples", lambda: gfbook.mnist1d(100.0))

# --- rate bounds and the problems of Chapter 4 ------------------------------------------------------

RATE_CALLS = {
    "flow_convex_bound": lambda **kw: gfbook.flow_convex_bound(kw.get("t", 1.0), distance0=kw.get("distance0", 1.0)),
    "gd_convex_bound": lambda **kw: gfbook.gd_convex_bound(
        kw.get("k", 1), lr=kw.get("lr", 0.5), smoothness=kw.get("smoothness", 1.0), distance0=kw.get("distance0", 1.0)),
    "gd_convex_bound_any_step": lambda **kw: gfbook.gd_convex_bound_any_step(
        kw.get("k", 1), lr=kw.get("lr", 1.5), smoothness=kw.get("smoothness", 1.0), distance0=1.0, gap0=kw.get("gap0", 1.0)),
    "gd_convex_tight_bound": lambda **kw: gfbook.gd_convex_tight_bound(
        kw.get("k", 1), smoothness=kw.get("smoothness", 1.0), distance0=1.0, relative_step=kw.get("relative_step", 1.0)),
    "gd_convex_worst_case": lambda **kw: gfbook.gd_convex_worst_case(
        kw.get("k", 1), smoothness=kw.get("smoothness", 1.0), distance0=kw.get("distance0", 1.0),
        relative_step=kw.get("relative_step", 1.5)),
    "flow_linear_bound": lambda **kw: gfbook.flow_linear_bound(
        kw.get("t", 1.0), strong_convexity=kw.get("strong_convexity", 0.1), initial=kw.get("initial", 1.0)),
    "gd_linear_bound": lambda **kw: gfbook.gd_linear_bound(
        kw.get("k", 1), lr=kw.get("lr", 0.5), strong_convexity=kw.get("strong_convexity", 0.1), smoothness=1.0, initial=1.0),
    "gd_pl_bound": lambda **kw: gfbook.gd_pl_bound(
        kw.get("k", 1), lr=kw.get("lr", 1.5), strong_convexity=kw.get("strong_convexity", 0.1), smoothness=1.0,
        gap0=kw.get("gap0", 1.0)),
    "gd_strongly_convex_contraction": lambda **kw: gfbook.gd_strongly_convex_contraction(
        kw.get("lr", 1.5), strong_convexity=kw.get("strong_convexity", 0.1), smoothness=kw.get("smoothness", 1.0)),
    "gd_distance_bound_any_step": lambda **kw: gfbook.gd_distance_bound_any_step(
        kw.get("k", 1), lr=kw.get("lr", 0.5), strong_convexity=kw.get("strong_convexity", 0.1), smoothness=1.0,
        distance0=1.0),
    "flow_nonconvex_bound": lambda **kw: gfbook.flow_nonconvex_bound(kw.get("t", 1.0), gap0=kw.get("gap0", 1.0)),
    "gd_nonconvex_bound": lambda **kw: gfbook.gd_nonconvex_bound(
        kw.get("k", 1), lr=kw.get("lr", 0.5), smoothness=kw.get("smoothness", 1.0), gap0=kw.get("gap0", 1.0)),
    "approx_bdf1_nonconvex_bound": lambda **kw: gfbook.approx_bdf1_nonconvex_bound(
        kw.get("k", 1), lr=kw.get("lr", 1.0), inner_lr=kw.get("inner_lr", 0.5), smoothness=1.0, gap0=1.0),
    "approx_bdf1_linear_bound": lambda **kw: gfbook.approx_bdf1_linear_bound(
        kw.get("k", 1), lr=kw.get("lr", 1.0), inner_lr=kw.get("inner_lr", 0.5), smoothness=1.0,
        strong_convexity=kw.get("strong_convexity", 0.1), gap0=1.0),
    "approx_bdf1_convex_bound": lambda **kw: gfbook.approx_bdf1_convex_bound(
        kw.get("distances", [1.0, 0.5]), lr=1.0, inner_lr=kw.get("inner_lr", 0.5), smoothness=1.0, gap0=1.0),
}
RATE_BAD = {
    "flow_convex_bound": [("t", 0.0), ("t", "ab"), ("distance0", -1.0)],
    "gd_convex_bound": [("lr", 1.5), ("lr", 0.0), ("k", 0), ("smoothness", NAN), ("distance0", INF)],
    "gd_convex_bound_any_step": [("lr", 2.0), ("gap0", -1.0), ("k", -1)],
    "gd_convex_tight_bound": [("relative_step", 1.5), ("relative_step", 0.0), ("smoothness", -1.0)],
    "gd_convex_worst_case": [("relative_step", 2.0), ("relative_step", 0.0), ("k", -1),
                                        ("smoothness", NAN), ("distance0", -1.0)],
    "flow_linear_bound": [("strong_convexity", 0.0), ("t", -1.0), ("initial", NAN)],
    "gd_linear_bound": [("lr", 1.01), ("strong_convexity", 2.0), ("k", -1)],
    "gd_pl_bound": [("lr", 2.0), ("strong_convexity", 2.0), ("gap0", -1.0), ("k", -1)],
    "gd_strongly_convex_contraction": [("lr", 2.0), ("lr", [0.5, 0.0]), ("strong_convexity", 2.0), ("smoothness", NAN)],
    "gd_distance_bound_any_step": [("lr", 1.9), ("strong_convexity", -0.1)],
    "flow_nonconvex_bound": [("t", 0.0), ("gap0", -1.0)],
    "gd_nonconvex_bound": [("lr", 2.0), ("k", 0), ("gap0", NAN)],
    "approx_bdf1_nonconvex_bound": [("inner_lr", 0.6), ("lr", -1.0), ("k", 0)],
    "approx_bdf1_linear_bound": [("inner_lr", 0.9), ("strong_convexity", 5.0), ("k", -1)],
    "approx_bdf1_convex_bound": [("distances", [1.0, 0.0]), ("distances", [[1.0]]), ("inner_lr", 1.0)],
}
for fn_name, bad_args in RATE_BAD.items():
    for arg, value in bad_args:
        call = lambda f=fn_name, a=arg, v=value: RATE_CALLS[f](**{a: v})  # noqa: E731
        case(f"{fn_name} {arg}={value!r}", (ValueError, TypeError), arg, call)
case("fit_linear_rate window too short", ValueError, "window", lambda: gfbook.fit_linear_rate(np.ones(5), window=(0, 1)))
case("fit_linear_rate values zero", ValueError, "values", lambda: gfbook.fit_linear_rate(np.zeros(5), window=(0, 5)))
case("fit_linear_rate values 2-D", ValueError, "values", lambda: gfbook.fit_linear_rate(np.ones((2, 3)), window=(0, 2)))
ONES4 = np.ones(4)
case("fit_sublinear_rate steps 0", ValueError, "steps", lambda: gfbook.fit_sublinear_rate(0 * ONES4, ONES4, window=(0, 4)))
case("fit_sublinear_rate window not a pair", TypeError, "window", lambda: gfbook.fit_sublinear_rate(ONES4, ONES4, window=3))
case("robust_regression kind", ValueError, "kind", lambda: gfbook.robust_regression(kind="l1"))
case("robust_regression scales", ValueError, "feature_scales", lambda: gfbook.robust_regression(2, 2, feature_scales=[1, 0]))
case("robust_regression num_samples", ValueError, "num_samples", lambda: gfbook.robust_regression(num_samples=0))
case("huber_worst_case num_steps", (ValueError, TypeError), "num_steps", lambda: gfbook.huber_worst_case(-1))
case("huber_worst_case relative_step", ValueError, "relative_step", lambda: gfbook.huber_worst_case(3, relative_step=2.0))
case("huber_worst_case distance0", ValueError, "distance0", lambda: gfbook.huber_worst_case(3, distance0=0.0))

# --- corridors ----------------------------------------------------------------------------------------

case("corridor_ratio loss not callable", TypeError, "loss", lambda: gfbook.corridor_ratio(3, X0))
case("corridor_ratio x nan", ValueError, "x", lambda: gfbook.corridor_ratio(loss, jnp.array([1.0, NAN, 0.0])))
case("corridor_lr fraction zero", ValueError, "fraction", lambda: gfbook.corridor_lr(loss, X0, fraction=0.0))
case("corridor_lr f_star inf", ValueError, "f_star", lambda: gfbook.corridor_lr(loss, X0, f_star=INF))
case("corridor_lr max_lr negative", ValueError, "max_lr", lambda: gfbook.corridor_lr(loss, X0, max_lr=-1.0))
case("clr_descent num_steps float", TypeError, "num_steps", lambda: gfbook.clr_descent(loss, X0, 2.0))
case("clr_descent x0 empty", ValueError, "x0", lambda: gfbook.clr_descent(loss, jnp.zeros(0), 2))
case("clr_descent loss vector", TypeError, "loss", lambda: gfbook.clr_descent(vector_loss, X0, 2))
case("clr_sgd batches empty", ValueError, "batches", lambda: gfbook.clr_sgd(lambda x, b: loss(x), X0, {}))
case("curvature_along trajectory 0-D", ValueError, "trajectory", lambda: gfbook.curvature_along(loss, jnp.ones(())))
case("curvature_along trajectory nan", ValueError, "trajectory", lambda: gfbook.curvature_along(loss, jnp.full((2, 3), NAN)))
TWO_POINTS = jnp.ones((2, 3))
case("curvature_along seed < 0", (ValueError, TypeError), "seed", lambda: gfbook.curvature_along(loss, TWO_POINTS, seed=-1))
case("gd_flow_distance_estimate lr", ValueError, "lr", lambda: gfbook.gd_flow_distance_estimate(-0.1, [1.0], [1.0]))
case("gd_flow_distance_estimate shapes", ValueError, "hg_norm", lambda: gfbook.gd_flow_distance_estimate(0.1, [1.0], [1, 2]))
case("gd_flow_distance_estimate nan", ValueError, "lam_min", lambda: gfbook.gd_flow_distance_estimate(0.1, [NAN], [1.0]))

# --- modified equations, and the factorisation problem ----------------------------------------------

case("modified_loss lr zero", ValueError, "lr", lambda: gfbook.modified_loss(loss, 0.0))
case("modified_loss lr nan", ValueError, "lr", lambda: gfbook.modified_loss(loss, NAN))
case("modified_loss loss not callable", TypeError, "loss", lambda: gfbook.modified_loss("L", 0.1))
case("modified_flow order out of range", ValueError, "order", lambda: gfbook.modified_flow(loss, 0.1, 3))
case("modified_flow order negative", ValueError, "order", lambda: gfbook.modified_flow(loss, 0.1, -1))
case("modified_flow order float", TypeError, "order", lambda: gfbook.modified_flow(loss, 0.1, 1.0))
case("modified_flow lr negative", ValueError, "lr", lambda: gfbook.modified_flow(loss, -0.1, 1))
case("modified_flow loss not callable", TypeError, "loss", lambda: gfbook.modified_flow(None, 0.1, 1))
case("modified_field_terms order zero", ValueError, "order", lambda: gfbook.modified_field_terms(lambda y: y**2, 0))
case("modified_field_terms order too high", ValueError, "order", lambda: gfbook.modified_field_terms(lambda y: y**2, 7))
case("modified_field_terms order float", TypeError, "order", lambda: gfbook.modified_field_terms(lambda y: y**2, 2.0))
case("modified_field_terms field not callable", TypeError, "field", lambda: gfbook.modified_field_terms("f", 2))
case("gradient_regularized_loss strength negative", ValueError, "strength",
     lambda: gfbook.gradient_regularized_loss(loss, -1.0))
case("gradient_regularized_loss strength inf", ValueError, "strength", lambda: gfbook.gradient_regularized_loss(loss, INF))
case("gradient_regularized_loss strength string", TypeError, "strength",
     lambda: gfbook.gradient_regularized_loss(loss, "0.1"))
case("gradient_regularized_loss loss not callable", TypeError, "loss", lambda: gfbook.gradient_regularized_loss(1, 0.1))
case("scalar_factorization target nan", ValueError, "target", lambda: gfbook.scalar_factorization(NAN))
case("scalar_factorization target string", TypeError, "target", lambda: gfbook.scalar_factorization("1"))
case("scalar_factorization x0 wrong shape", ValueError, "x0", lambda: gfbook.scalar_factorization(x0=[1.0, 2.0, 3.0]))
case("scalar_factorization x0 inf", ValueError, "x0", lambda: gfbook.scalar_factorization(x0=[1.0, INF]))

# --- mismatched pytrees: a start point the loss cannot take is named as the loss's failure -----------

PAIR = {"w": jnp.ones(3), "b": jnp.ones(2)}


def pair_loss(p):
    return jnp.sum(p["w"] ** 2) + jnp.sum(p["b"] ** 2)


for method, call in {
    "gradient_descent": lambda x: gfbook.gradient_descent(pair_loss, x, 0.1, 3),
    "gradient_flow": lambda x: gfbook.gradient_flow(pair_loss, x, TS),
    "approx_bdf": lambda x: gfbook.approx_bdf(pair_loss, x, 0.1, 3, **BDF_KW),
    "clr_descent": lambda x: gfbook.clr_descent(pair_loss, x, 3),
    "corridor_ratio": lambda x: gfbook.corridor_ratio(pair_loss, x),
    "sharpness": lambda x: gfbook.sharpness(pair_loss, x),
}.items():
    case(f"{method} x0 pytree missing a leaf", TypeError, "loss", lambda c=call: c({"w": jnp.ones(3)}))
    case(f"{method} x0 an array for a pytree loss", TypeError, "loss", lambda c=call: c(jnp.ones(5)))
case("hvp v pytree mismatched", ValueError, "v", lambda: gfbook.hvp(pair_loss, PAIR, {"w": jnp.ones(3)}))
case("trajectory_distance pytrees mismatched", ValueError, "a",
     lambda: gfbook.trajectory_distance({"w": jnp.ones((2, 3))}, {"v": jnp.ones((2, 3))}))
case("clr_sgd batches leaves of different lengths", ValueError, "batches",
     lambda: gfbook.clr_sgd(lambda x, b: loss(x), X0, {"i": jnp.zeros(3), "j": jnp.zeros(4)}))


# --- mini-batches: sgd, sgd_modified_loss, sgd_sde, minibatch_indices ------------------------------

DATA = {"x": jnp.ones((6, 3)), "y": jnp.ones(6)}
KEY = jax.random.key(0)


def batch_loss(x, batch):
    return 0.5 * jnp.mean((batch["x"] @ x - batch["y"]) ** 2)


def sgd_call(**changes):
    kwargs = {"lr": 0.1, "num_epochs": 2, "data": DATA, "batch_size": 2, "key": KEY, "x0": X0} | changes
    return lambda: gfbook.sgd(batch_loss, **kwargs)


for name, (value, error) in BAD_LR.items():
    case(f"sgd lr {name}", error, "lr", sgd_call(lr=value))
for name, (value, error) in BAD_NUM_STEPS.items():
    case(f"sgd num_epochs {name}", error, "num_epochs", sgd_call(num_epochs=value))
for name, x0 in BAD_X0.items():
    case(f"sgd x0 {name}", BAD_X0_ERROR[name], "x0", sgd_call(x0=x0))
case("sgd batch_size not dividing the data", ValueError, "batch_size", sgd_call(batch_size=4))
case("sgd batch_size zero", ValueError, "batch_size", sgd_call(batch_size=0))
case("sgd batch_size above the data", ValueError, "batch_size", sgd_call(batch_size=12))
case("sgd batch_size float", TypeError, "batch_size", sgd_call(batch_size=2.0))
case("sgd order unknown", ValueError, "order", sgd_call(order="random"))
case("sgd save unknown", ValueError, "save", sgd_call(save="every"))
case("sgd key missing", TypeError, "key", sgd_call(key=None))
case("sgd key an int", TypeError, "key", sgd_call(key=0))
case("sgd data leaves of different lengths", ValueError, "data",
     sgd_call(data={"x": jnp.ones((6, 3)), "y": jnp.ones(5)}))
case("sgd data nan", ValueError, "data", sgd_call(data={"x": jnp.full((6, 3), NAN), "y": jnp.ones(6)}))
case("sgd loss not callable", TypeError, "loss", lambda: gfbook.sgd(3.0, X0, 0.1, 1, data=DATA, batch_size=2, key=KEY))
case("sgd loss returns a vector", TypeError, "loss",
     lambda: gfbook.sgd(lambda x, b: x, X0, 0.1, 1, data=DATA, batch_size=2, key=KEY))
case("sgd_modified_loss lr", ValueError, "lr", lambda: gfbook.sgd_modified_loss(batch_loss, -1.0, DATA, 2))
case("sgd_modified_loss batch_size", ValueError, "batch_size",
     lambda: gfbook.sgd_modified_loss(batch_loss, 0.1, DATA, 4))
case("sgd_modified_loss data", ValueError, "data",
     lambda: gfbook.sgd_modified_loss(batch_loss, 0.1, {"x": jnp.ones((6, 3)), "y": jnp.ones(4)}, 2))
case("sgd_modified_loss loss", TypeError, "loss", lambda: gfbook.sgd_modified_loss(None, 0.1, DATA, 2))
case("minibatch_indices order", ValueError, "order", lambda: gfbook.minibatch_indices(KEY, 6, 2, 3, order="x"))
case("minibatch_indices batch_size", ValueError, "batch_size", lambda: gfbook.minibatch_indices(KEY, 6, 4, 3))
case("minibatch_indices num_batches", ValueError, "num_batches", lambda: gfbook.minibatch_indices(KEY, 6, 2, -1))
case("minibatch_indices num_examples", ValueError, "num_examples", lambda: gfbook.minibatch_indices(KEY, 0, 2, 1))
case("minibatch_indices key", TypeError, "key", lambda: gfbook.minibatch_indices(None, 6, 2, 1))


def sde_call(**changes):
    kwargs = {"lr": 0.1, "noise_cov": jnp.eye(3), "key": KEY, "x0": X0, "ts": TS} | changes
    return lambda: gfbook.sgd_sde(loss, **kwargs)


for name, (value, error) in BAD_LR.items():
    case(f"sgd_sde lr {name}", error, "lr", sde_call(lr=value))
for name, (value, error) in BAD_TS.items():
    case(f"sgd_sde ts {name}", error, "ts", sde_call(ts=value))
for name, x0 in BAD_X0.items():
    case(f"sgd_sde x0 {name}", BAD_X0_ERROR[name], "x0", sde_call(x0=x0))
case("sgd_sde noise_cov shape", ValueError, "noise_cov", sde_call(noise_cov=jnp.eye(2)))
case("sgd_sde noise_cov nan", ValueError, "noise_cov", sde_call(noise_cov=jnp.full((3, 3), NAN)))
case("sgd_sde dt", ValueError, "dt", sde_call(dt=0.0))
case("sgd_sde key", TypeError, "key", sde_call(key=None))

# --- the edge of stability: central_flow and its measurements ---------------------------------
TWO_BY_THREE = jnp.ones((2, 3))
case("central_flow lr zero", ValueError, "lr", lambda: gfbook.central_flow(loss, X0, TS, lr=0.0))
case("central_flow lr string", TypeError, "lr", lambda: gfbook.central_flow(loss, X0, TS, lr="0.1"))
case("central_flow x0 nan", ValueError, "x0", lambda: gfbook.central_flow(loss, jnp.array([NAN, 1, 1]), TS, lr=0.1))
case("central_flow ts decreasing", ValueError, "ts", lambda: gfbook.central_flow(loss, X0, TS[::-1], lr=0.1))
case("central_flow num_iters zero", ValueError, "num_iters", lambda: gfbook.central_flow(loss, X0, TS, lr=0.1, num_iters=0))
case("central_flow restoring_rate negative", ValueError, "restoring_rate",
     lambda: gfbook.central_flow(loss, X0, TS, lr=0.1, restoring_rate=-1.0))
case("central_flow loss vector", TypeError, "loss", lambda: gfbook.central_flow(vector_loss, X0, TS, lr=0.1))
case("central_flow_variance lr negative", ValueError, "lr",
     lambda: gfbook.central_flow_variance(loss, TWO_BY_THREE, lr=-1.0))
case("central_flow_variance points 0-D", ValueError, "points",
     lambda: gfbook.central_flow_variance(loss, jnp.ones(()), lr=0.1))
case("central_flow_loss edge_tol zero", ValueError, "edge_tol",
     lambda: gfbook.central_flow_loss(loss, TWO_BY_THREE, lr=0.1, edge_tol=0.0))
case("central_flow_loss points nan", ValueError, "points",
     lambda: gfbook.central_flow_loss(loss, jnp.full((2, 3), NAN), lr=0.1))
case("oscillation_along_top centres mismatched", ValueError, "centres",
     lambda: gfbook.oscillation_along_top(loss, TWO_BY_THREE, jnp.ones((2, 2))))
case("oscillation_along_top iterates 0-D", ValueError, "iterates",
     lambda: gfbook.oscillation_along_top(loss, jnp.ones(()), jnp.ones(())))
case("time_average window too long", ValueError, "window", lambda: gfbook.time_average(TWO_BY_THREE, window=3))
case("time_average window float", TypeError, "window", lambda: gfbook.time_average(TWO_BY_THREE, window=2.0))
case("time_average trajectory 0-D", ValueError, "trajectory", lambda: gfbook.time_average(jnp.ones(())))


@pytest.mark.parametrize("call, error, argument", CASES)
def test_bad_input_is_named(call, error, argument):
    with pytest.raises(error, match=rf"^{argument}\b"):
        call()


# --- momentum: heavy_ball, nesterov, momentum_flow and the tunings -------------------------------
case("heavy_ball lr negative", ValueError, "lr", lambda: gfbook.heavy_ball(loss, X0, -0.1, 0.5, 5))
case("heavy_ball momentum nan", ValueError, "momentum", lambda: gfbook.heavy_ball(loss, X0, 0.1, NAN, 5))
case("heavy_ball momentum string", TypeError, "momentum", lambda: gfbook.heavy_ball(loss, X0, 0.1, "a", 5))
case("heavy_ball num_steps negative", ValueError, "num_steps", lambda: gfbook.heavy_ball(loss, X0, 0.1, 0.5, -1))
case("heavy_ball x0 nan", ValueError, "x0", lambda: gfbook.heavy_ball(loss, jnp.array([NAN, 1, 1]), 0.1, 0.5, 5))
case("heavy_ball x_prev wrong shape", ValueError, "x_prev",
     lambda: gfbook.heavy_ball(loss, X0, 0.1, 0.5, 5, x_prev=jnp.ones(2)))
case("heavy_ball loss not callable", TypeError, "loss", lambda: gfbook.heavy_ball(3.0, X0, 0.1, 0.5, 5))
case("nesterov lr zero", ValueError, "lr", lambda: gfbook.nesterov(loss, X0, 0.0, 5))
case("nesterov momentum inf", ValueError, "momentum", lambda: gfbook.nesterov(loss, X0, 0.1, 5, momentum=INF))
case("nesterov num_steps float", TypeError, "num_steps", lambda: gfbook.nesterov(loss, X0, 0.1, 2.5))
case("momentum_flow damping nan", ValueError, "damping", lambda: gfbook.momentum_flow(loss, X0, TS, damping=NAN))
case("momentum_flow ts[0] = 0 with 3/t", ValueError, "ts",
     lambda: gfbook.momentum_flow(loss, X0, TS, damping=lambda t: 3 / t))
case("momentum_flow ts decreasing", ValueError, "ts", lambda: gfbook.momentum_flow(loss, X0, TS[::-1], damping=1.0))
case("momentum_flow v0 wrong shape", ValueError, "v0",
     lambda: gfbook.momentum_flow(loss, X0, TS, damping=1.0, v0=jnp.ones(2)))
case("heavy_ball_tuning mu > L", ValueError, "mu", lambda: gfbook.heavy_ball_tuning(2.0, 1.0))
case("heavy_ball_tuning mu zero", ValueError, "mu", lambda: gfbook.heavy_ball_tuning(0.0, 1.0))
case("nesterov_tuning L negative", ValueError, "L", lambda: gfbook.nesterov_tuning(1.0, -1.0))


# The public functions that must have rows in this table: every name in gfbook.__all__ but the
# Problem dataclass (a record with no checks of its own). A new public function needs rows here.
COVERED = set(gfbook.__all__) - {"Problem"}


def test_the_table_covers_every_listed_public_function():
    tested = {p.id.split()[0] for p in CASES}
    assert COVERED - tested == set(), "public functions without a bad-input row"
    assert tested - COVERED == set(), "rows for names that are not public"

