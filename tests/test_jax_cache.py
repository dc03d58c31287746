"""The persistent compilation cache that the notebook kernels of the build and the tests share."""

from __future__ import annotations

import os
import subprocess
import sys

from teaching.notebooks import ROOT, cache_environment, share_with_kernels

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


def test_share_with_kernels_leaves_this_processs_own_jax_alone(tmp_path):
    # conftest.py relies on it: the unit tests' own JAX compiles without the cache
    program = ("from teaching.notebooks import share_with_kernels; import os, sys; share_with_kernels(sys.argv[1]); "
               "import jax; print(jax.config.jax_compilation_cache_dir, os.environ['JAX_COMPILATION_CACHE_DIR'])")
    env = {k: v for k, v in os.environ.items() if k not in cache_environment(tmp_path)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    out = subprocess.run([sys.executable, "-c", program, str(tmp_path)], env={**env, "JAX_PLATFORMS": "cpu"}, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["None", str(tmp_path)]
