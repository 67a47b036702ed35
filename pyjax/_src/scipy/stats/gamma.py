"""The gamma distribution (jax.scipy.stats.gamma)."""
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact, special


def logpdf(x, a, loc=0, scale=1):
    J = jnp()
    x, a, loc, scale = promote_args_inexact("gamma.logpdf", x, a, loc, scale)
    ok = lax.ge(x, loc)
    one = _const(x, 1)
    y = J.where(ok, lax.div(lax.sub(x, loc), scale), one)
    log_linear_term = lax.sub(special.xlogy(lax.sub(a, one), y), y)
    shape_terms = lax.add(special.gammaln(a), lax.log(scale))
    log_probs = lax.sub(log_linear_term, shape_terms)
    return J.where(ok, log_probs, _const(x, -np.inf))


def pdf(x, a, loc=0, scale=1):
    return lax.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote_args_inexact("gamma.cdf", x, a, loc, scale)
    return special.gammainc(a, lax.clamp(_const(x, 0), lax.div(lax.sub(x, loc), scale),
                                         _const(x, np.inf)))


def logcdf(x, a, loc=0, scale=1):
    return lax.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote_args_inexact("gamma.sf", x, a, loc, scale)
    y = lax.div(lax.sub(x, loc), scale)
    return jnp().where(lax.lt(y, lax.full_like(y, 0)), _const(y, 1), special.gammaincc(a, y))


def logsf(x, a, loc=0, scale=1):
    return lax.log(sf(x, a, loc, scale))
