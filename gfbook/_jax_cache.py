"""JAX's persistent compilation cache, shared by the notebook kernels of a build, a test run or a grading run.

Every execution of a chapter compiles the same programs; a kernel that finds them in the
cache loads them instead (``benchmarks/suite.py --only book`` measures the saving: about a
third of each chapter's time). The cache is keyed on the program, JAX's version and the
machine, so a stale entry is never used.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_environment(folder: Path) -> dict[str, str]:
    """Environment variables that make a new JAX process (a kernel) use the cache in ``folder``.

    Every compile is kept (by default JAX keeps only those that took over a second, and
    a notebook's take a tenth of that).
    """
    return {
        "JAX_COMPILATION_CACHE_DIR": str(folder),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


def share_with_kernels(folder: Path) -> None:
    """Give the kernels this process starts from now on the cache in ``folder``.

    Only processes started later see it: JAX reads these variables when it is imported,
    so this process's own JAX (already imported by the caller) is unaffected. A variable
    the user set already wins (``JAX_COMPILATION_CACHE_DIR=`` empty turns the cache off).
    """
    for name, value in cache_environment(folder).items():
        os.environ.setdefault(name, value)
