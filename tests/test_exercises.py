"""The exercises' checks: right answers pass, placeholders and wrong answers fail with a helpful message.

The full solutions in the chapters call every check with ``strict=True``, so nbval proves that
each solution passes its check; here the checks that need no chapter context are exercised
directly with answers computed independently, and with plausible wrong answers.
"""

import math
import numbers
import re
from collections.abc import Mapping
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import gfbook
from gfbook.exercises import check, check_namespace, exercises
from teaching.notebooks import chapters, exercise_labels, load, text

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = chapters()


def euler_by_scan(field, x0, h, n):
    def step(x, _):
        return x + h * field(x), x + h * field(x)

    return np.concatenate([np.asarray(x0)[None], np.asarray(jax.lax.scan(step, x0, length=n)[1])])


def optimal_step_grid_best(dim, kappa, grid_size):
    """ex-gf-optimal-step as its statement asks, with gfbook's GD: the grid's best step and its measured rate."""
    problem = gfbook.quadratic_with_condition(dim, kappa)
    lrs = np.linspace(0.5, 1.95, grid_size) / problem.smoothness
    runs = np.asarray(jax.vmap(lambda lr: gfbook.gradient_descent(problem.loss, problem.x0, lr, 100))(lrs))
    errors = np.linalg.norm(runs - np.asarray(problem.x_star), axis=2)
    rates = (errors[:, -1] / errors[:, -11]) ** (1 / 10)
    return float(lrs[np.argmin(rates)]), float(rates.min())


CH01_DIM = 10  # the chapter's `dim`
LOGREG = gfbook.logistic_regression(200, 5, feature_scales=[1, 2, 3, 4, 5], seed=0)  # chapters 1 and 2's `logreg`

# the chapter's names some checks take (context), for the checks whose context is cheap to build here
MOM_QUAD = gfbook.quadratic_with_condition(20, 100.0)  # the momentum chapter's `quad` (its dim is 20)
CONTEXT = {
    "ex-gf-optimal-step": {"dim": CH01_DIM},
    "ex-mom-threshold": {"quad": MOM_QUAD},
    "ex-mom-tuned-rate": {"dim": 20},
    "ex-mom-restart": {"dim": 20},
    "ex-mom-optax": {"quad": MOM_QUAD},
    "ex-bea-strength": {"logreg": LOGREG},
}


def sgd_chapter_data():
    """The stochastic-gradients chapter's linear regression (its `features` and `targets`)."""
    rng = np.random.default_rng(0)
    features = rng.standard_normal((8, 3))
    return features, features @ np.array([1.0, -2.0, 0.5]) + 0.5 * rng.standard_normal(8)


SGD_FEATURES, SGD_TARGETS = sgd_chapter_data()
SGD_LRS = [0.08, 0.04, 0.02, 0.01]
SGD_SIGMA1 = np.array([[0.5, 0.1], [0.1, 1.2]])
CONTEXT |= {
    "ex-sgd-penalty": {"features": SGD_FEATURES, "targets": SGD_TARGETS},
    "ex-sgd-fixed-order": {"features": SGD_FEATURES, "targets": SGD_TARGETS, "order_lrs": SGD_LRS},
    "ex-sgd-scaling-limit": {"curvatures": [1.0, 2.0], "sigma1": SGD_SIGMA1, "noise_lr": 0.2, "noise_batch": 4},
}


def sgd_penalties_by_enumeration(partition_fixed=False):
    """E (1/m) sum_k |grad L_k(0)|^2 over all 8! orders of the examples (or the fixed partition only)."""
    import itertools

    grads = SGD_FEATURES * (-SGD_TARGETS)[:, None]  # per-example gradients at w = 0
    orders = np.arange(8)[None] if partition_fixed else np.array(list(itertools.permutations(range(8))))
    result = {}
    for b in (1, 2, 4, 8):
        batches = grads[orders].reshape(len(orders), 8 // b, b, 3).mean(axis=2)
        result[b] = float(np.mean(np.sum(batches**2, axis=-1)))
    return result


def sgd_fixed_order_errors(batch=2):
    """ex-sgd-fixed-order with gfbook: one fixed-order epoch against the diffrax flow of the modified loss."""
    def loss(w, data):
        return 0.5 * jnp.mean((data["x"] @ w - data["y"]) ** 2)

    data, errors = {"x": SGD_FEATURES, "y": SGD_TARGETS}, []
    for lr in SGD_LRS:
        end = gfbook.sgd(loss, np.zeros(3), lr, 1, data=data, batch_size=batch, order="fixed")[-1]
        flow = gfbook.gradient_flow(gfbook.sgd_modified_loss(loss, lr, data, batch), np.zeros(3),
                                    np.array([0.0, 8 // batch * lr]))[-1]
        errors.append(float(np.linalg.norm(end - flow)))
    return errors


def values(label, change=None):
    """The names a check takes: the right answers, the context above, the book's parameters, then ``change``."""
    return {**RIGHT[label], **CONTEXT.get(label, {}), **exercises()[label].book_parameters(), **(change or {})}


def _quadratic_clr_products():
    """h_CLR rho at the exercise's 200 points on diag(1, 10, 100), gamma = 1/2, by gfbook (not the closed form)."""
    q = gfbook.quadratic([1.0, 10.0, 100.0])
    points = jax.random.normal(jax.random.key(0), (200, 3))
    return np.asarray(jax.vmap(lambda x: gfbook.corridor_lr(q.loss, x, fraction=0.5)
                               * gfbook.corridor_ratio(q.loss, x))(points))


quadratic_clr_products = _quadratic_clr_products()


def momentum_threshold_answers():
    """ex-mom-threshold as stated, with gfbook.heavy_ball: h* = 2(1 + beta)/L and the two final distances."""
    h_star = 2 * 1.5 / MOM_QUAD.smoothness
    final = {f: float(np.linalg.norm(gfbook.heavy_ball(MOM_QUAD.loss, MOM_QUAD.x0, f * h_star, 0.5, 500)[-1]))
             for f in (0.9, 1.1)}
    return {"h_star": h_star, "final": final}


def momentum_rate_answers(kappa=400.0):
    """ex-mom-tuned-rate as stated, with gfbook.heavy_ball and gfbook.fit_linear_rate."""
    q = gfbook.quadratic_with_condition(20, kappa)
    path = gfbook.heavy_ball(q.loss, q.x0, *gfbook.heavy_ball_tuning(q.strong_convexity, q.smoothness), 600)
    errors = np.linalg.norm(np.asarray(path - q.x_star), axis=1)
    return {"r_predicted": (kappa**0.5 - 1) / (kappa**0.5 + 1),
            "r_measured": gfbook.fit_linear_rate(errors, window=(100, 600))[0]}


def momentum_restart_answers(kappa=1e4, steps=1500):
    """ex-mom-restart as stated, written independently of the check's loop (values kept in a list)."""
    q = gfbook.quadratic_with_condition(20, kappa)
    A, lr = np.asarray(q.hessian), 1 / q.smoothness
    x, old, j, restarts, xs = np.asarray(q.x0), np.asarray(q.x0), 0, 0, [np.asarray(q.x0)]
    for _ in range(steps):
        y = x + j / (j + 3) * (x - old)
        candidate = y - lr * A @ y
        if candidate @ A @ candidate > x @ A @ x:  # f went up: forget the momentum
            restarts, j, candidate = restarts + 1, 0, x - lr * A @ x
        else:
            j += 1
        old, x = x, candidate
        xs.append(x)
    gaps = np.array([0.5 * x @ A @ x for x in xs])
    return {"restarted_gaps": gaps, "restarts": restarts}


def momentum_optax_answers():
    """ex-mom-optax with optax itself."""
    import optax

    opt = optax.sgd(0.5, momentum=0.9)
    x, state, rows = MOM_QUAD.x0, opt.init(MOM_QUAD.x0), [MOM_QUAD.x0]
    for _ in range(50):
        updates, state = opt.update(jax.grad(MOM_QUAD.loss)(x), state)
        x = optax.apply_updates(x, updates)
        rows.append(x)
    return {"optax_path": np.stack(rows)}


# right answers, computed here from the exercise statements (closed forms or runs), at the book's parameters

def eos_answers():
    """The right answers of the edge-of-stability exercises, from the NumPy references."""
    from gfbook.exercises.ch10_edge_of_stability import factorization_gd_numpy, factorization_sharpness, valley_gd_numpy

    cycle = valley_gd_numpy(0.2, 9.5, 0.25, 6.0, 0.01, 3000)
    orbit = valley_gd_numpy(0.1, 10.0, 0.25, 6.0, 0.01, 3000)
    lhs = float(np.mean(orbit[:3000, 1] ** 2))
    rhs = float(2 * 0.1 * (10.0 - orbit[:3000, 0].mean()) - 2 * (orbit[3000, 0] - orbit[0, 0]) / (0.25 * 3000))
    ends = {h: factorization_sharpness(*factorization_gd_numpy(1.8, 0.6, h, 200)[-1]) for h in (0.4, 0.6)}
    return {
        "ex-eos-two-cycle": {"x_cycle": 8.0, "y2_cycle": 0.6, "y2_measured": float(np.mean(cycle[2000:3000, 1] ** 2))},
        "ex-eos-exponential": {"x_edge": np.log(20.0), "sigma2": 0.05, "loss_pred": 0.5 * (1 - np.log(20.0))},
        "ex-eos-catapult": {"lam0": factorization_sharpness(1.8, 0.6), "end_sharpness": ends},
        "ex-eos-identity": {"lhs": lhs, "rhs": rhs},
    }


EOS = eos_answers()

RIGHT = {
    "ex-gf-optimal-step": dict(zip(("best_lr", "best_rate"), optimal_step_grid_best(CH01_DIM, 10.0, 59), strict=True)),
    "ex-gf-euler": {"euler": euler_by_scan},
    "ex-bea-linear": {"modified_coefficients": lambda lam, h: np.cumsum([-lam, -h * lam**2 / 2, -(h**2) * lam**3 / 3])},
    "ex-bea-balance": {"converged": {0.2: True, 0.4: True, 0.5: True, 0.6: False}},
    "ex-bea-strength": {"best_strength": 0.12},  # measured: the grid's best, near (0.5 - 0.05)/4
    "ex-bdf-a-stability": {"leftmost": [gfbook.boundary_locus(*gfbook.lmm_polynomials("bdf", k), num=20001).real.min()
                                         for k in range(1, 7)]},
    # the explicit 2-step method of order 3: x_{n+1} + 4 x_n - 5 x_{n-1} = h (4 f_n + 2 f_{n-1}), rho = (z - 1)(z + 5)
    "ex-bdf-first-barrier": {"alpha_explicit": [1, 4, -5], "beta_explicit": [0, 4, 2], "largest_root": 5.0},
    # Polyak's parameters, from 1 + b - a mu = 2 sqrt(b) and 1 + b - a ell = -2 sqrt(b)
    "ex-bdf-heavy-ball-optimal": {"heavy_ball_parameters": lambda mu, ell: (
        4 * (math.sqrt(ell) - math.sqrt(mu)) / (math.sqrt(ell) + math.sqrt(mu)) / (ell - mu),
        ((math.sqrt(ell) - math.sqrt(mu)) / (math.sqrt(ell) + math.sqrt(mu))) ** 2)},
    "ex-bdf-bdf1-interval": {"bdf1_edge": lambda eta, m: 2 / eta if m == 1 else 2 / eta - 1},
    "ex-bdf-momentum": {"heavy_ball_edge": lambda eta: 3 / eta + 1},
    "ex-bdf-warm-start": {"centre_edge": lambda eta: 12 / (5 * eta)},
    # h* = 2/(mu + 1), rho = ((1 - mu)/(1 + mu))^2 at mu = 0.05; log(1e-8)/log(rho) = 92.03: 93 steps
    "ex-rates-exact-step": {"best_step": 2 / 1.05, "best_factor": (0.95 / 1.05) ** 2, "predicted_steps": 93,
                            "measured_steps": 93},
    # N = 10: 1/(40 theta + 2) against (1 - theta)^20 / 2
    "ex-rates-long-step": {"worst": {0.5: 1 / 22, 1.5: 1 / 62, 1.9: 0.5 * 0.9**20},
                           "worse_function": {0.5: "huber", 1.5: "huber", 1.9: "quadratic"}},
    "ex-corridors-eigenvector": {"gd_end": 0.6**10, "flow_end": np.exp(-4.0), "ratio": 4.0},
    "ex-corridors-factorization": {"special_points": [(3**-0.5, 3**-0.5), (-(3**-0.5), -(3**-0.5))]},
    "ex-corridors-quadratic-step": {"floor": 0.25, "products": quadratic_clr_products, "at_eigenvector": 0.25},
    "ex-mom-threshold": momentum_threshold_answers(),
    "ex-mom-tuned-rate": momentum_rate_answers(),
    "ex-mom-restart": momentum_restart_answers(),
    "ex-mom-optax": momentum_optax_answers(),
    "ex-sgd-penalty": {"penalties": sgd_penalties_by_enumeration()},
    "ex-sgd-stationary": {"threshold": 1.0, "ratios": {0.1: 2 / 1.8, 0.3: 2 / 1.4, 0.5: 2.0}},  # a = 2
    "ex-sgd-fixed-order": {"predicted_order": 2, "fixed_errors": sgd_fixed_order_errors()},
    # k* = 2 tol / ((1 + tol) h a_max) at tol = 0.1, h = 0.2, a_max = 2; at 2 k*, S/P = 2 / (2 - 2 k* h a_max)
    "ex-sgd-scaling-limit": {"largest_factor": 0.2 / (1.1 * 0.4), "ratio_at_double": 2 / (2 - 2 * 0.2 / 1.1)},
    **EOS,
}

# plausible mistakes, and a word the message must contain
WRONG = [
    ("ex-gf-optimal-step", {"best_lr": 1.0}, "best_lr"),
    ("ex-gf-optimal-step", {"best_rate": 0.9}, "best_rate"),
    ("ex-gf-euler", {"euler": lambda field, x0, h, n: euler_by_scan(field, x0, h, n)[1:]}, "n + 1 points"),
    ("ex-gf-euler", {"euler": lambda field, x0, h, n: euler_by_scan(field, x0, 2 * h, n)}, "x_{k+1} = x_k + h"),
    ("ex-gf-euler", {"euler": 3.0}, "should be a function"),
    ("ex-bea-linear", {"modified_coefficients": lambda lam, h: np.cumsum([-lam, -h * lam**2 / 2, 0.0])}, "expand"),
    ("ex-bea-balance", {"converged": {0.2: True, 0.4: True, 0.5: True, 0.6: True}}, "some entries"),
    ("ex-bea-balance", {"converged": {0.2: True}}, "missing"),
    ("ex-bea-strength", {"best_strength": 0.05}, "best_strength"),
    ("ex-bea-strength", {"best_strength": (0.5 - 0.05) / 4}, "not what it measures"),
    ("ex-bea-strength", {"best_strength": "0.11"}, "one number"),
    ("ex-bdf-a-stability", {"leftmost": [0.0] * 6}, "leftmost"),
    ("ex-bdf-a-stability", {"leftmost": [0.0] * 5}, "shape (6,)"),
    ("ex-bdf-first-barrier", {"alpha_explicit": [1, -1, 0]}, "alpha_explicit"),
    ("ex-bdf-first-barrier", {"beta_explicit": [0.0] * 6}, "shape (3,)"),
    ("ex-bdf-first-barrier", {"largest_root": 1.0}, "largest_root"),
    ("ex-bdf-heavy-ball-optimal", {"heavy_ball_parameters": lambda mu, ell: (2 / (mu + ell), 0.0)},
     "heavy_ball_parameters(1, 9)"),
    ("ex-bdf-heavy-ball-optimal", {"heavy_ball_parameters": lambda mu, ell: 0.5}, "shape (2,)"),
    ("ex-bdf-bdf1-interval", {"bdf1_edge": lambda eta, m: 2 / eta}, "bdf1_edge(0.3, 2)"),
    ("ex-bdf-momentum", {"heavy_ball_edge": lambda eta: 3 / eta}, "heavy_ball_edge(0.2)"),
    ("ex-bdf-warm-start", {"centre_edge": lambda eta: 3 / eta + 1}, "centre_edge(0.25)"),
    ("ex-bdf-warm-start", {"centre_edge": lambda eta: 12 / 5}, "centre_edge(0.25)"),
    ("ex-rates-exact-step", {"best_step": 1.0}, "best_step"),
    ("ex-rates-exact-step", {"predicted_steps": 184}, "predicted_steps"),  # log of the distance, not the gap
    ("ex-rates-long-step", {"worse_function": {0.5: "huber", 1.5: "huber", 1.9: "huber"}}, "worse_function[1.9]"),
    ("ex-rates-long-step", {"worst": {0.5: 1 / 22, 1.5: 1 / 62, 1.9: 1 / 78}}, "worst[1.9]"),
    ("ex-corridors-eigenvector", {"ratio": 1.0}, "ratio"),
    ("ex-corridors-eigenvector", {"flow_end": float("nan")}, "finite"),
    ("ex-corridors-factorization", {"special_points": [(3**-0.5, 3**-0.5)]}, "distinct points"),
    ("ex-corridors-factorization", {"special_points": [(1.0, 1.0), (-1.0, -1.0)]}, "is not a point"),
    ("ex-corridors-quadratic-step", {"floor": 0.5}, "floor"),
    ("ex-corridors-quadratic-step", {"products": quadratic_clr_products[:100]}, "shape"),
    ("ex-corridors-quadratic-step", {"products": 2 * quadratic_clr_products}, "products"),
    ("ex-corridors-quadratic-step", {"at_eigenvector": 0.5}, "at_eigenvector"),
    ("ex-mom-threshold", {"h_star": 2 / MOM_QUAD.smoothness}, "h_star"),  # GD's threshold, beta forgotten
    ("ex-mom-threshold", {"final": {0.9: RIGHT["ex-mom-threshold"]["final"][0.9], 1.1: 1e-9}}, "final[1.1]"),
    ("ex-mom-tuned-rate", {"r_predicted": 19 / 21 * 19 / 21}, "r_predicted"),  # beta, not sqrt(beta)
    ("ex-mom-tuned-rate", {"r_measured": 19 / 21}, "r_measured"),  # the formula, not the fit
    ("ex-mom-restart", {"restarts": 0}, "restarts"),
    ("ex-mom-restart", {"restarted_gaps": momentum_restart_answers(steps=1500)["restarted_gaps"][::-1]}, "restart"),
    ("ex-mom-optax", {"optax_path": momentum_optax_answers()["optax_path"][1:]}, "shape"),
    ("ex-sgd-penalty", {"penalties": sgd_penalties_by_enumeration(partition_fixed=True)}, "penalties["),
    ("ex-sgd-stationary", {"threshold": 0.5}, "threshold"),
    ("ex-sgd-stationary", {"ratios": {0.1: 1.8 / 2, 0.3: 1.4 / 2, 0.5: 0.5}}, "ratios"),
    ("ex-sgd-fixed-order", {"predicted_order": 3}, "predicted_order"),
    ("ex-sgd-fixed-order", {"fixed_errors": sgd_fixed_order_errors(batch=4)}, "fixed_errors"),
    ("ex-sgd-scaling-limit", {"largest_factor": 0.2 / 0.4}, "largest_factor"),
    ("ex-eos-two-cycle", {"x_cycle": 4.0}, "x_cycle"),  # 1/h: y_{k+1} = 0, not -y_k
    ("ex-eos-two-cycle", {"y2_cycle": 0.2 * 1.5}, "y2_cycle"),  # c (x* - 2/h), the factor 2 lost
    ("ex-eos-exponential", {"sigma2": 0.5 * 0.1 / 2}, "sigma2"),  # the factor 2 of sigma^2 lost
    ("ex-eos-exponential", {"x_edge": np.log(10.0)}, "x_edge"),  # 1/h instead of 2/h
    ("ex-eos-catapult", {"lam0": 1.8**2 + 0.6**2}, "lam0"),  # the sharpness at a minimiser, not here
    ("ex-eos-catapult", {"end_sharpness": {0.4: EOS["ex-eos-catapult"]["lam0"], 0.6: 3.0}}, "end_sharpness"),
    ("ex-eos-identity", {"rhs": EOS["ex-eos-identity"]["rhs"] * 1.01}, "rhs"),
    ("ex-eos-identity", {"lhs": EOS["ex-eos-identity"]["lhs"] * 1.01}, "lhs"),
]


@pytest.mark.parametrize("label", sorted(RIGHT))
def test_right_answers_pass(label):
    result = check(label, **values(label))
    assert result, result
    assert repr(result).startswith("PASSED")


@pytest.mark.parametrize(("label", "change", "expected"), WRONG, ids=[f"{w[0]}-{i}" for i, w in enumerate(WRONG)])
def test_wrong_answers_fail_with_a_message_naming_the_problem(label, change, expected):
    result = check(label, **values(label, change))
    assert not result and repr(result).startswith("NOT YET")
    assert expected in result.message, result.message
    with pytest.raises(AssertionError, match="NOT YET"):
        check(label, strict=True, **values(label, change))


NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def leaves(answer):
    """The numbers and truth values in an answer: itself, every element of an array or list, every value of a mapping."""
    if isinstance(answer, Mapping):
        for value in answer.values():
            yield from leaves(value)
    elif isinstance(answer, (list, tuple, np.ndarray)):
        for item in answer:
            yield from leaves(item)
    elif isinstance(answer, (bool, np.bool_, numbers.Real)):
        yield answer  # (a function answer gives nothing away: the check calls it)


def given_away(answer, message):
    """The leaves of ``answer`` that ``message`` shows: a number written to 3 or more significant digits
    (its sign aside), or a truth value as a word."""
    shown = {float(text) for text in NUMBER.findall(message)}
    words = set(re.findall(r"\w+", message))
    found = []
    for leaf in leaves(answer):
        if isinstance(leaf, (bool, np.bool_)):
            found += [leaf] if str(bool(leaf)) in words else []
        else:
            size = abs(float(leaf))
            found += [leaf] if shown & {size, *(float(f"{size:.{digits}g}") for digits in range(3, 18))} else []
    return found


def test_the_answer_finder_sees_numbers_array_elements_and_mapping_values():
    assert given_away({"a": 0.125, "b": [1 / 3, 2.0]}, "expected 0.333 here") == [1 / 3]
    assert given_away(np.array([[-2.3271187, 5.0]]), "the leftmost point is -2.3271") == [-2.3271187]
    assert given_away({0.6: False}, "converged[0.6] should be False") == [False]
    assert given_away({"a": 0.125, "b": [1 / 3, True]}, "0.1 and 0.3334 and 1e-3, and True or") == [True]


def test_messages_do_not_give_the_answer_away():
    for label, change, _ in WRONG:
        message = check(label, **values(label, change)).message
        for name, answer in RIGHT[label].items():
            assert not given_away(answer, message), (label, name, given_away(answer, message), message)


@pytest.mark.parametrize("label", sorted(exercises()))
def test_placeholders_fail_with_a_helpful_message(label):
    """What every check says on the untouched student notebook: each answer is still `...`."""
    exercise = exercises()[label]
    namespace = ({name: ... for name in exercise.answers} | {name: object() for name in exercise.context}
                 | exercise.book_parameters())
    result = check_namespace(label, namespace)
    assert not result
    assert "replace the placeholder ..." in result.message
    assert all(f"`{name}`" in result.message for name in exercise.answers)


@pytest.mark.parametrize("label", sorted(exercises()))
def test_missing_names_are_reported(label):
    exercise = exercises()[label]
    result = check_namespace(label, {})
    first = (*exercise.context, *exercise.parameters, *exercise.answers)[0]  # the chapter's names are run first
    assert not result and "not defined" in result.message and f"`{first}`" in result.message
    assert result.score == 0 and set(result.parts) == set(exercise.answers)


def test_every_exercise_with_code_has_a_check_called_by_its_solution():
    """Each exercise but the pencil-and-paper ones is checked, and its worked solution passes the check."""
    page = (ROOT / "instructors.md").read_text(encoding="utf-8")
    kinds = dict(re.findall(r"\| `(ex-[^`]+)` \| ([^|]+?) \|", page))
    coding = {label for label, kind in kinds.items() if kind != "Pencil and paper"}
    assert coding == set(exercises())
    for path in NOTEBOOKS:
        notebook = load(path)
        code = text(notebook, "code")
        for label in exercise_labels(notebook):
            if label in coding:
                call = exercises()[label].call(strict=True)
                assert code.count(call) == 1, f"{path.name}: the solution of {label} should end with {call}"


def test_a_check_that_raises_is_reported_not_propagated():
    def broken(eta):
        raise ZeroDivisionError("no")

    result = check("ex-bdf-momentum", heavy_ball_edge=broken)
    assert not result and "ZeroDivisionError" in result.message


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: check("ex-gf-eulr", euler=None), ValueError, "label 'ex-gf-eulr'.*did you mean ex-gf-euler"),
        (lambda: check("nothing-like-it"), ValueError, "label 'nothing-like-it' is not an exercise with a check"),
        (lambda: check(3), TypeError, "label must be a string"),
        (lambda: check("ex-gf-euler", euler=None, eulr=None), TypeError, r"unexpected \['eulr'\]"),
        (lambda: check_namespace("ex-gf-scalar", {}), ValueError, "ex-gf-scalar"),
    ],
)
def test_bad_calls_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- the framework: partial credit, parameters drawn per student, hidden checks --------------------


@pytest.fixture
def toy():
    """A throwaway exercise with two answers, one parameter and weights, removed after the test."""
    from gfbook.exercises import _framework as framework

    @framework.exercise("ex-toy", answers={"a": "a number", "b": "a function"},
                        parameters={"scale": framework.Parameter(2.0, (3.0, 5.0, 7.0), "a scale")},
                        weights={"b": 3})
    def _toy(a, b, scale):
        with framework.part("a"):
            framework.close("a", framework.number("a", a), scale, rtol=1e-12)
        with framework.part("b"):
            x = framework.probe_rng().normal()
            framework.close("b(x)", framework.function("b", b)(x), scale * x, rtol=1e-12)

    yield framework.REGISTRY["ex-toy"]
    framework.REGISTRY.pop("ex-toy")
    framework.HIDDEN.pop("ex-toy", None)


def test_partial_credit_counts_each_answer_with_its_weight(toy):
    both = check("ex-toy", a=2.0, b=lambda x: 2 * x, scale=2.0)
    assert both and both.score == both.points == toy.points == 4
    only_b = check("ex-toy", a=1.0, b=lambda x: 2 * x, scale=2.0)
    assert not only_b and only_b.score == 3 and only_b.parts["b"].passed and not only_b.parts["a"].passed
    assert "(1 of 2 answers right)" in repr(only_b) and "`a`" in only_b.message and "b(x)" not in only_b.message


def test_an_answer_left_out_or_raising_fails_alone(toy):
    def broken(x):
        raise ZeroDivisionError("no")

    result = check_namespace("ex-toy", {"a": 2.0, "b": ..., "scale": 2.0})
    assert result.score == 1 and "placeholder" in result.parts["b"].message
    result = check_namespace("ex-toy", {"b": broken, "scale": 2.0})
    assert result.score == 0 and "not defined" in result.parts["a"].message
    assert "ZeroDivisionError" in result.parts["b"].message


def test_parameters_are_drawn_per_student_and_change_the_reference(toy):
    draws = {student: toy.draw(student, "course secret") for student in ("ana", "ben", "chloe", "dan", "eve")}
    assert draws["ana"] == toy.draw("ana", "course secret"), "the same student always gets the same values"
    assert {d["scale"] for d in draws.values()} <= {3.0, 5.0, 7.0} and len({d["scale"] for d in draws.values()}) > 1
    assert {s: toy.draw(s, "another secret") for s in draws} != draws, "another course's secret, other values"
    scale = draws["ana"]["scale"]
    assert check("ex-toy", a=scale, b=lambda x: scale * x, scale=scale)
    assert not check("ex-toy", a=2.0, b=lambda x: 2 * x, scale=scale), "the book's answer is not this student's"
    assert toy.parameter_cell(draws["ana"]) == f"scale = {scale!r}  # a scale"


def test_probe_inputs_follow_the_seed_and_hidden_checks_run_only_when_asked(toy):
    from gfbook.exercises import _framework as framework

    seen = []

    def spy(x):
        seen.append(x)
        return 2 * x

    framework.evaluate(toy, {"a": 2.0, "b": spy, "scale": 2.0}, seed=1)
    framework.evaluate(toy, {"a": 2.0, "b": spy, "scale": 2.0}, seed=2)
    framework.evaluate(toy, {"a": 2.0, "b": spy, "scale": 2.0})
    assert len(set(seen)) == 3

    @framework.hidden("ex-toy")
    def _stricter(a, b, scale):
        with framework.part("b"):
            framework.close("b(0)", b(0.0), 1.0, atol=0.0)  # no right answer passes: shows the hidden check ran

    values = {"a": 2.0, "b": lambda x: 2 * x, "scale": 2.0}
    assert framework.evaluate(toy, values)
    assert framework.evaluate(toy, values, hidden=True).score == 1
    with pytest.raises(TypeError, match="must take"):
        framework.hidden("ex-toy")(lambda a: None)


# --- chapters 1-3: parameters make a copied answer wrong, references are measured, credit is partial ------


def bdf_answers(k):
    """Right answers of ex-bdf-derive-bdf2 for BDF-k, from the order conditions (not the check's formula)."""
    from fractions import Fraction

    alpha, beta = gfbook.bdf_coefficients(k, exact=True)
    # C_{k+1} = (sum_j alpha_j (-j)^(k+1) - (k+1) beta (-0)^k) / (k+1)!, and (-0)^k = 0;
    # the error constant is C_{k+1} / sigma(1), sigma(1) = beta (it is -1/(k+1) for BDF-k)
    leading = sum(Fraction(a) * Fraction(-j) ** (k + 1) for j, a in enumerate(alpha))
    constant = leading / math.factorial(k + 1) / beta
    assert constant == Fraction(-1, k + 1)
    return {"alpha": [float(a) for a in alpha], "beta": float(beta), "error_constant": float(constant)}


def order_defects(alpha, beta, qmax):  # Chapter 3's function, as the check's context
    from fractions import Fraction

    return [(sum(Fraction(a) * Fraction(-j) ** q for j, a in enumerate(alpha))
             - (q * sum(Fraction(b) * Fraction(-j) ** (q - 1) for j, b in enumerate(beta)) if q else 0))
            / math.factorial(q) for q in range(qmax + 1)]


def balance_answer(steps):
    answer = {}
    with np.errstate(all="ignore"):
        for h in steps:
            path = np.asarray(gfbook.gradient_descent(gfbook.scalar_factorization(1.0, x0=(2.5, 0.1)).loss,
                                                      jax.numpy.array([2.5, 0.1]), h, 3000))
            answer[h] = bool(0.5 * (path[-1, 0] * path[-1, 1] - 1.0) ** 2 < 1e-10)
    return answer


def test_a_copied_answer_fails_under_another_choice():
    """Right at one parameter choice, the same answers fail at another: publishing an answer gives nothing away."""
    book, other = {"kappa_opt": 10.0, "grid_opt": 59}, {"kappa_opt": 12.0, "grid_opt": 47}
    copied = dict(zip(("best_lr", "best_rate"), optimal_step_grid_best(CH01_DIM, 10.0, 59), strict=True))
    own = dict(zip(("best_lr", "best_rate"), optimal_step_grid_best(CH01_DIM, 12.0, 47), strict=True))
    assert check("ex-gf-optimal-step", **copied, dim=CH01_DIM, **book)
    assert check("ex-gf-optimal-step", **own, dim=CH01_DIM, **other)
    result = check("ex-gf-optimal-step", **copied, dim=CH01_DIM, **other)
    assert result.score == 0, result

    assert check("ex-bdf-derive-bdf2", **bdf_answers(3), order_defects=order_defects, k_derive=3)
    result = check("ex-bdf-derive-bdf2", **bdf_answers(2), order_defects=order_defects, k_derive=3)
    assert result.score == 0, result

    # the explicit 3-step method of order 5: C_0 = ... = C_5 = 0, checked here
    explicit3 = {"alpha_explicit": [1, 18, -9, -10], "beta_explicit": [0, 9, 18, 3],
                 "largest_root": float(np.abs(np.roots([1, 18, -9, -10])).max())}
    assert order_defects(explicit3["alpha_explicit"], explicit3["beta_explicit"], 5) == [0] * 6
    assert check("ex-bdf-first-barrier", **explicit3, k_explicit=3)
    result = check("ex-bdf-first-barrier", **RIGHT["ex-bdf-first-barrier"], k_explicit=3)
    assert result.score == 0, result

    steps = (0.25, 0.35, 0.63, 0.7)
    assert check("ex-bea-balance", converged=balance_answer(steps), lrs_bal=steps)
    assert not check("ex-bea-balance", converged=RIGHT["ex-bea-balance"]["converged"], lrs_bal=steps)

    assert check("ex-bea-strength", best_strength=0.06, logreg=LOGREG, h_big_str=0.3)  # measured
    assert not check("ex-bea-strength", best_strength=0.12, logreg=LOGREG, h_big_str=0.3)

    stiff = gfbook.quadratic_with_condition(50, 1e6, rotation_seed=0)
    a_stiff = np.asarray(stiff.hessian)
    context = {"ell": stiff.smoothness, "A_stiff": a_stiff, "stiff": stiff}

    def trapezoid(h_scale, steps):
        top = np.linalg.eigh(a_stiff)[1][:, -1]
        h, eye, x = h_scale / stiff.smoothness, np.eye(50), np.asarray(stiff.x0)
        x_tr = x
        for _ in range(steps):
            x_tr = np.linalg.solve(eye + h / 2 * a_stiff, (eye - h / 2 * a_stiff) @ x_tr)
        x_be = np.linalg.solve(eye + h * a_stiff, x)
        return {"trapezoid_factor": abs(top @ x_tr) / abs(top @ x), "bdf1_factor": abs(top @ x_be) / abs(top @ x)}

    assert check("ex-bdf-trapezoid", **trapezoid(500.0, 20), **context, h_scale_tr=500.0, steps_tr=20)
    result = check("ex-bdf-trapezoid", **trapezoid(1e3, 50), **context, h_scale_tr=500.0, steps_tr=20)
    assert result.score == 0, result


def test_the_closed_forms_of_the_optimal_step_fail_for_every_choice():
    """The exercise asks for the grid's best step and the rate measured there, not 2/(mu + L) and (kappa-1)/(kappa+1)."""
    from gfbook.exercises.ch01_gradient_flow import optimal_step_grid

    exercise = exercises()["ex-gf-optimal-step"]
    kappas, grids = exercise.parameters["kappa_opt"].choices, exercise.parameters["grid_opt"].choices
    for kappa in (*kappas, 10.0):
        for grid in (*grids, 59):
            lrs, rates = optimal_step_grid(CH01_DIM, kappa, grid)
            problem = gfbook.quadratic_with_condition(CH01_DIM, kappa)
            mu, smooth = problem.strong_convexity, problem.smoothness
            names = {"dim": CH01_DIM, "kappa_opt": kappa, "grid_opt": grid}
            measured = {"best_lr": float(lrs[np.argmin(rates)]), "best_rate": float(rates.min())}
            closed = {"best_lr": 2 / (mu + smooth), "best_rate": (kappa - 1) / (kappa + 1)}
            assert check("ex-gf-optimal-step", **measured, **names), (kappa, grid)
            result = check("ex-gf-optimal-step", **closed, **names)
            assert result.score == 0, (kappa, grid, result)
            assert np.sort(rates)[1] > rates.min() * (1 + 1e-6), "the grid's best step is not ambiguous"


def test_partial_credit_on_the_logistic_threshold():
    """One answer right, one wrong: the score is the right answer's weight; a run-free guess of the distances fails."""
    exercise = exercises()["ex-gf-logistic-threshold"]
    sharpness = float(np.linalg.eigvalsh(np.asarray(jax.hessian(LOGREG.loss)(LOGREG.x_star)))[-1])
    names = {"logreg": LOGREG, "factors_thr": (0.85, 1.15), "steps_thr": 200}
    start = LOGREG.x_star + 1e-3
    distance = {f: float(np.linalg.norm(np.asarray(gfbook.gradient_descent(LOGREG.loss, start, f * 2 / sharpness, 200)[-1])
                                        - np.asarray(LOGREG.x_star))) for f in (0.85, 1.15)}
    right = check("ex-gf-logistic-threshold", local_sharpness=sharpness, distance=distance, **names)
    assert right and right.score == right.points == exercise.points == 3
    guessed = check("ex-gf-logistic-threshold", local_sharpness=sharpness, distance={0.85: 0.0, 1.15: 1.0}, **names)
    assert not guessed and guessed.score == exercise.weight("local_sharpness") == 1
    assert "`distance[0.85]`" in guessed.message and "(1 of 2 answers right)" in repr(guessed)
    wrong_sharpness = check("ex-gf-logistic-threshold", local_sharpness=LOGREG.smoothness, distance=distance, **names)
    assert wrong_sharpness.score == exercise.weight("distance") == 2
    book = check("ex-gf-logistic-threshold", local_sharpness=sharpness, distance={0.9: 0.0, 1.1: 1.0}, logreg=LOGREG,
                 **exercise.book_parameters())
    assert book.score == 1 and "`distance[1.1]`" in book.message


def test_parameter_cells_follow_their_exercise_and_hold_the_book_values():
    """Each exercise with parameters has, between its statement and its solution, the cell that sets them."""
    for path in NOTEBOOKS[:3]:
        cells = load(path)["cells"]
        for i, cell in enumerate(cells):
            label = cell["metadata"].get("exercise-parameters")
            if label is None:
                continue
            assert cell["metadata"]["tags"] == ["exercise-parameters"]
            assert cell["source"] == f"{exercises()[label].parameter_cell()}", (path.name, label)
            assert cells[i - 1]["source"].rstrip().endswith("```{exercise-end}\n```"), (path.name, label)
            assert cells[i + 1]["source"].startswith(f"```{{solution-start}} {label}"), (path.name, label)
        labels = {c["metadata"].get("exercise-parameters") for c in cells} - {None}
        assert labels == {label for label in exercise_labels(load(path)) if exercises().get(label)
                          and exercises()[label].parameters}, path.name
# --- Chapters 4-6: parameters per student, measured references, partial credit ----------------------

CH46 = ["05_convergence_rates", "08_corridors", "09_deep_networks"]


@pytest.mark.parametrize("chapter", CH46)
def test_parameter_cells_sit_between_statement_and_solution(chapter):
    """Each exercise with parameters has its parameter cell right after its statement, as the check prints it."""
    cells = load(ROOT / "chapters" / f"{chapter}.ipynb")["cells"]
    labels = [label for label in exercise_labels({"cells": cells}) if exercises()[label].parameters]
    assert labels, chapter
    for label in labels:
        found = [i for i, cell in enumerate(cells) if cell["metadata"].get("exercise-parameters") == label]
        assert len(found) == 1, label
        i = found[0]
        assert cells[i]["metadata"]["tags"] == ["exercise-parameters"]
        assert cells[i]["source"] == exercises()[label].parameter_cell()
        assert cells[i - 1]["cell_type"] == "markdown" and cells[i - 1]["source"].rstrip().endswith("```{exercise-end}\n```")
        assert cells[i + 1]["source"].startswith(f"```{{solution-start}} {label}\n")


def test_every_chapter_4_to_6_exercise_has_parameters_and_weights_name_answers():
    labels = [label for chapter in CH46 for label in exercise_labels(load(ROOT / "chapters" / f"{chapter}.ipynb"))]
    for label in labels:
        exercise = exercises()[label]
        assert 1 <= len(exercise.parameters) <= 2 and all(4 <= len(p.choices) <= 8 for p in exercise.parameters.values())


def _eigenvector_answers(curvature, step):
    return {"gd_end": (1 - step * curvature) ** 10, "flow_end": np.exp(-10 * step * curvature), "ratio": curvature}


def test_a_copied_answer_fails_under_another_parameter_choice():
    book = _eigenvector_answers(4.0, 0.1)
    assert check("ex-corridors-eigenvector", **book, eigen_curvature=4.0, eigen_step=0.1)
    mine = {"eigen_curvature": 3.0, "eigen_step": 0.12}
    assert check("ex-corridors-eigenvector", **_eigenvector_answers(3.0, 0.12), **mine)
    copied = check("ex-corridors-eigenvector", **book, **mine)
    assert not copied and copied.score == 0, copied
    y = 2.0
    points = [(np.sqrt(y / 3), np.sqrt(y / 3)), (-np.sqrt(y / 3), -np.sqrt(y / 3))]
    assert check("ex-corridors-factorization", special_points=points, factor_target=y)
    assert not check("ex-corridors-factorization", factor_target=y, **RIGHT["ex-corridors-factorization"])


def test_exact_step_prediction_matches_the_run_at_every_parameter_choice():
    """ex-rates-exact-step: ceil(log(reduction)/log(rho)) is the measured count at each offered parameter."""
    exercise = exercises()["ex-rates-exact-step"]
    for mu in (0.05, *exercise.parameters["exact_mu"].choices):
        for reduction in (1e-8, *exercise.parameters["exact_reduction"].choices):
            step, factor = 2 / (mu + 1), ((1 - mu) / (1 + mu)) ** 2
            count = int(np.ceil(np.log(reduction) / np.log(factor)))
            problem = gfbook.quadratic([mu, 1.0])
            gaps = np.asarray(jax.vmap(problem.loss)(gfbook.gradient_descent(problem.loss, np.array([1.0, 1.0]),
                                                                              step, count + 5)))
            measured = int(np.argmax(gaps <= reduction * gaps[0]))
            values = {"best_step": step, "best_factor": factor, "predicted_steps": count, "measured_steps": measured}
            assert check("ex-rates-exact-step", **values, exact_mu=mu, exact_reduction=reduction), (mu, reduction)
            assert measured == count, (mu, reduction)


def test_long_step_at_other_parameters():
    """ex-rates-long-step: the book's answers fail at other steps; the closed forms pass there."""
    steps, count = (0.8, 1.4, 1.95), 8
    assert not check("ex-rates-long-step", **RIGHT["ex-rates-long-step"], long_steps=steps, long_count=count)
    huber = {t: 1 / (4 * count * t + 2) for t in steps}
    quadratic = {t: 0.5 * (1 - t) ** (2 * count) for t in steps}
    worst = {t: max(huber[t], quadratic[t]) for t in steps}
    which = {t: "huber" if huber[t] >= quadratic[t] else "quadratic" for t in steps}
    assert check("ex-rates-long-step", worst=worst, worse_function=which, long_steps=steps, long_count=count)


def test_partial_credit_on_an_exercise_of_chapter_4():
    """ex-rates-pl: the GD values right (weight 2), the constants wrong: the score is the values' weight."""
    weight, start = 2.5, 4.0
    smoothness = 2 + 2 * weight
    grid = np.linspace(-6, 6, 400_001)
    grid = grid[np.abs(grid) > 1e-6]
    mu = np.min((2 * grid + weight * np.sin(2 * grid)) ** 2 / (2 * (grid**2 + weight * np.sin(grid) ** 2)))
    values, x = [], start
    for _ in range(201):
        values.append(x**2 + weight * np.sin(x) ** 2)
        x -= (2 * x + weight * np.sin(2 * x)) / smoothness
    parameters = {"pl_weight": weight, "pl_start": start}
    right = check("ex-rates-pl", smoothness=smoothness, mu_pl=mu, values=values, **parameters)
    assert right and right.score == right.points == 4, right
    exercise = exercises()["ex-rates-pl"]
    partly = check("ex-rates-pl", smoothness=8.0, mu_pl=2 * mu, values=values, **parameters)
    assert not partly and partly.score == exercise.weight("values") == 2
    assert partly.parts["values"].passed and "`smoothness`" in partly.message and "`mu_pl`" in partly.message


def test_the_instructors_tables_list_each_checks_answers_weights_and_parameters():
    page = (ROOT / "instructors.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| \{ref\}`[^`]+` \| `(ex-[^`]+)` \| [^|]+? \| ([^|]+?) \|$", page, re.M))
    listed = dict(re.findall(r"^- `(ex-[^`]+)`: (.+)$", page, re.M))
    for label, exercise in exercises().items():
        answers = ", ".join(f"`{n}`" + (f" ({exercise.weight(n):g} points)" if exercise.weight(n) != 1 else "")
                            for n in exercise.answers)
        assert rows[label] == answers, label
        assert listed.get(label) == (", ".join(f"`{n}`" for n in exercise.parameters) or None), label
    assert set(listed) <= set(exercises())


def test_the_students_check_cell_reports_an_undefined_name_instead_of_raising():
    """``check(label, globals())``, the student edition's check cell, before the answer cell has run."""
    result = check("ex-bdf-momentum", {"unrelated": 1})
    assert not result and "`heavy_ball_edge` is not defined: run your answer cell first" in result.message
    assert check("ex-bdf-momentum", {"heavy_ball_edge": lambda eta: 3 / eta + 1})
    assert exercises()["ex-bdf-momentum"].call(namespace=True) == 'check("ex-bdf-momentum", globals())'
    with pytest.raises(TypeError, match="namespace must be a mapping"):
        check("ex-bdf-momentum", [1, 2])


def _fake_protocol():
    """A protocol result whose smooth networks follow d_r = (1 - 1/r) d_inf and whose ReLU network does not."""
    law = 1 - 1 / np.array([2.0, 5.0, 10.0, 20.0])
    rng = np.random.default_rng(0)
    smooth = np.outer(law, [0.01, 0.02, 0.015]) * (1 + 0.01 * rng.standard_normal((4, 3)))
    relu = np.array([[0.2, 0.1, 0.05], [0.21, 0.19, 0.05], [0.2, 0.09, 0.07], [0.2, 0.09, 0.07]])
    return {"linear": {"at_end": smooth}, "relu": {"at_end": relu}, "tanh": {"at_end": 2 * smooth}}


def test_deep_richardson_right_and_wrong_answers():
    protocol, names = _fake_protocol(), {"protocol_ratios": [2, 5, 10, 20], "richardson_pair": (2, 20)}
    measured = {name: r["at_end"][0] / r["at_end"][3] for name, r in protocol.items()}
    right = {"predicted": 0.5 / 0.95, "measured": measured, "breaks": "relu"}
    assert check("ex-deep-richardson", **right, protocol=protocol, **names)
    inverted = check("ex-deep-richardson", **(right | {"predicted": 0.95 / 0.5}), protocol=protocol, **names)
    assert not inverted and "predicted" in inverted.message
    smooth = check("ex-deep-richardson", **(right | {"breaks": "tanh"}), protocol=protocol, **names)
    assert not smooth and "breaks" in smooth.message
    other_pair = check("ex-deep-richardson", **right, protocol=protocol, protocol_ratios=[2, 5, 10, 20],
                       richardson_pair=(2, 10))
    assert not other_pair and other_pair.score == 1  # only `breaks` survives another pair


def test_deep_init_predicted_map_norm_right_and_wrong():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 4))
    loss = gfbook.mlp_loss(x, x @ rng.standard_normal((4, 4)), activation="linear", kind="square")
    sample = np.linspace(0, 100, 11).astype(int)
    names = {"integral": 0.0, "deep_linear": loss, "linear_dim": 4, "linear_depth": 3, "sample": sample,
             "t_sample": 0.01 * sample, "init_scale": 0.3}
    start = gfbook.mlp_init(jax.random.key(0), [4] * 4, scale=1.0, bias=False, dtype=np.float64)
    map_norm = np.linalg.norm(np.linalg.multi_dot([np.asarray(layer["w"]) for layer in start]), 2)
    right = check("ex-deep-init", predicted_map_norm=0.3**3 * map_norm, integral_small=-1.0, **names)
    assert not right  # the integral is wrong, the prediction right
    assert "integral_small" in right.message and "`predicted_map_norm`" not in right.message
    squared = check("ex-deep-init", predicted_map_norm=0.3**2 * map_norm, integral_small=-1.0, **names)
    assert not squared and "predicted_map_norm" in squared.message
