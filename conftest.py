"""Test-session set-up shared by the unit tests and the notebooks (nbval).

The notebook kernels inherit this process's environment, so setting it here
covers them too.
"""

import os

# Run JAX on the CPU everywhere (keeps GPU-fallback warnings out of notebook outputs).
os.environ.setdefault("JAX_PLATFORMS", "cpu")
