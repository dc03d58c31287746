"""Fixtures shared by the unit tests: small problems built once per session."""

import pytest

import gfbook


@pytest.fixture(scope="session")
def rotated_quadratic():
    return gfbook.quadratic_with_condition(20, 50.0, rotation_seed=3)


@pytest.fixture(scope="session")
def rosen():
    return gfbook.rosenbrock()


@pytest.fixture(scope="session")
def logreg():
    return gfbook.logistic_regression(100, 4, feature_scales=[1.0, 2.0, 0.5, 3.0], seed=1)
