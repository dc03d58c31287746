"""Test-session set-up shared by the unit tests and the notebooks (nbval).

The notebook kernels inherit this process's environment, so setting it here
covers them too.
"""

import os
from pathlib import Path

# Run JAX on the CPU everywhere (keeps GPU-fallback warnings out of notebook outputs).
os.environ.setdefault("JAX_PLATFORMS", "cpu")

from gfbook._jax_cache import share_with_kernels  # noqa: E402  (imports JAX, after JAX_PLATFORMS)

# The notebook kernels share JAX's compilation cache with the book build (which runs first
# in CI and fills it), so each compiles only what the build did not. This process's JAX is
# imported already and does not use it: the unit tests compile as they always do.
share_with_kernels(Path(__file__).parent / "_build" / "jax-cache")
