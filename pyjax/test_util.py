"""jax.test_util: check_grads and its parts."""
from pyjax._src.test_util import check_grads, check_jvp, check_vjp  # noqa: F401
