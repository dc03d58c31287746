"""The persistent compilation cache that the notebook kernels of the build and the tests share."""

from __future__ import annotations

import os
import subprocess
import sys

from gfbook._jax_cache import cache_environment, share_with_kernels

PROGRAM = "import jax, jax.numpy as jnp; print(float(jax.jit(lambda x: jnp.sin(x) * 3)(1.0)))"


def run_kernel_like(env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, check=True).stdout


def test_a_new_process_fills_the_cache_and_a_second_one_reads_it(tmp_path):
    folder = tmp_path / "cache"
    env = {**os.environ, "JAX_PLATFORMS": "cpu", **cache_environment(folder)}
    first = run_kernel_like(env)
    entries = sorted(p.name for p in folder.iterdir())
    assert entries, "the first process wrote nothing to the cache"
    assert run_kernel_like(env) == first  # same result from the cached program
    assert sorted(p.name for p in folder.iterdir()) == entries  # nothing new compiled


def test_an_empty_setting_turns_the_cache_off(tmp_path):
    folder = tmp_path / "cache"
    env = {**os.environ, "JAX_PLATFORMS": "cpu", **cache_environment(folder), "JAX_COMPILATION_CACHE_DIR": ""}
    run_kernel_like(env)
    assert not folder.exists()


def test_share_with_kernels_keeps_what_the_user_set(monkeypatch, tmp_path):
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", "")
    monkeypatch.delenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", raising=False)
    share_with_kernels(tmp_path)
    assert os.environ["JAX_COMPILATION_CACHE_DIR"] == ""
    assert os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "0"

