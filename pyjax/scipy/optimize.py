"""pyjax.scipy.optimize: minimize (BFGS), as jax.scipy.optimize."""
from pyjax._src.scipy.optimize import OptimizeResults, line_search, minimize  # noqa: F401
