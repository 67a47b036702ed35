"""jax.debug: print, callback and breakpoint from inside transformed code."""
from pyjax._src.callbacks import breakpoint, debug_callback as callback, debug_print as print  # noqa: F401,A001
