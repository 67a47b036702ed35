"""pyjax.lax: the primitive operations, with JAX's strict typing rules."""
from pyjax._src.lax.lax import *  # noqa: F401,F403
from pyjax._src.lax.lax import (abs, max, min, pow, round, slice, complex)  # noqa: F401
