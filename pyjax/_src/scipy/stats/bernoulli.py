"""The Bernoulli distribution (jax.scipy.stats.bernoulli)."""
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact, special


def logpmf(k, p, loc=0):
    J = jnp()
    k, p, loc = promote_args_inexact("bernoulli.logpmf", k, p, loc)
    zero, one = _const(k, 0), _const(k, 1)
    x = lax.sub(k, loc)
    log_probs = special.xlogy(x, p) + special.xlog1py(lax.sub(one, x), -p)
    return J.where(J.logical_or(lax.lt(x, zero), lax.gt(x, one)), _const(k, -np.inf), log_probs)


def pmf(k, p, loc=0):
    return jnp().exp(logpmf(k, p, loc))


def cdf(k, p):
    J = jnp()
    k, p = promote_args_inexact("bernoulli.cdf", k, p)
    zero, one = _const(k, 0), _const(k, 1)
    conds = [J.isnan(k) | J.isnan(p) | (p < zero) | (p > one), lax.lt(k, zero),
             J.logical_and(lax.ge(k, zero), lax.lt(k, one)), lax.ge(k, one)]
    vals = [_const(k, np.nan), zero, one - p, one]
    return J.select(conds, vals)


def ppf(q, p):
    J = jnp()
    q, p = promote_args_inexact("bernoulli.ppf", q, p)
    zero, one = _const(q, 0), _const(q, 1)
    return J.where(J.isnan(q) | J.isnan(p) | (p < zero) | (p > one) | (q < zero) | (q > one),
                   _const(q, np.nan), J.where(lax.le(q, one - p), zero, one))
