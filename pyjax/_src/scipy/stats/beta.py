"""The beta distribution (jax.scipy.stats.beta)."""
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact, special


def logpdf(x, a, b, loc=0, scale=1):
    J = jnp()
    x, a, b, loc, scale = promote_args_inexact("beta.logpdf", x, a, b, loc, scale)
    one = _const(x, 1)
    zero = _const(a, 0)
    shape_term = lax.neg(special.betaln(a, b))
    y = lax.div(lax.sub(x, loc), scale)
    log_linear_term = lax.add(special.xlogy(lax.sub(a, one), y),
                              special.xlog1py(lax.sub(b, one), lax.neg(y)))
    log_probs = lax.sub(lax.add(shape_term, log_linear_term), lax.log(scale))
    result = J.where(J.logical_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc)),
                     _const(x, -np.inf), log_probs)
    return J.where(J.logical_or(J.logical_or(lax.le(a, zero), lax.le(b, zero)),
                                lax.le(scale, zero)), _const(x, np.nan), result)


def pdf(x, a, b, loc=0, scale=1):
    return lax.exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote_args_inexact("beta.cdf", x, a, b, loc, scale)
    return special.betainc(a, b, lax.clamp(_const(x, 0), lax.div(lax.sub(x, loc), scale),
                                           _const(x, 1)))


def logcdf(x, a, b, loc=0, scale=1):
    return lax.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote_args_inexact("beta.sf", x, a, b, loc, scale)
    return special.betainc(b, a, 1 - lax.clamp(_const(x, 0), lax.div(lax.sub(x, loc), scale),
                                               _const(x, 1)))


def logsf(x, a, b, loc=0, scale=1):
    return lax.log(sf(x, a, b, loc, scale))
