"""The geometric distribution (jax.scipy.stats.geom)."""
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact, special


def logpmf(k, p, loc=0):
    k, p, loc = promote_args_inexact("geom.logpmf", k, p, loc)
    one = _const(k, 1)
    x = lax.sub(k, loc)
    log_probs = special.xlog1py(lax.sub(x, one), -p) + lax.log(p)
    return jnp().where(lax.le(x, lax.full_like(x, 0)), _const(k, -np.inf), log_probs)


def pmf(k, p, loc=0):
    return jnp().exp(logpmf(k, p, loc))
