"""Test-session set-up shared by the unit tests and the notebooks (nbval).

The notebook kernels inherit this process's environment, so setting it here
covers them too.
"""

import os
from pathlib import Path

# Run JAX on the CPU everywhere (keeps GPU-fallback warnings out of notebook outputs).
os.environ.setdefault("JAX_PLATFORMS", "cpu")

from teaching.notebooks import share_with_kernels  # noqa: E402  (it imports JAX: after JAX_PLATFORMS)

# The notebook kernels share JAX's compilation cache with the book build (which runs first
# in CI and fills it), so each compiles only what the build did not. share_with_kernels
# imports this process's JAX before it sets the cache: the unit tests compile as they always do.
share_with_kernels(Path(__file__).parent / "_build" / "jax-cache")
