"""The truncated normal distribution on [a, b] (in standard units) (jax.scipy.stats.truncnorm)."""
from pyjax._src.scipy.stats import norm
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact, special


def _log_diff(x, y):
    J = jnp()
    return special.logsumexp(J.stack([x, y]), b=J.stack([J.ones_like(x), -J.ones_like(y)]),
                             axis=0)


def _log_gauss_mass(a, b):
    """log of the standard normal mass on [a, b], accurate in the tails."""
    J = jnp()
    a, b = J.broadcast_arrays(J.asarray(a), J.asarray(b))
    case_left = b <= 0
    case_right = a > 0
    case_central = ~(case_left | case_right)
    a_tail = J.where(case_right, -b, a)
    b_tail = J.where(case_right, -a, b)
    mass_tail = _log_diff(special.log_ndtr(b_tail), special.log_ndtr(a_tail))
    mass_central = J.log1p(-special.ndtr(a) - special.ndtr(-b))
    return J.where(case_central, mass_central, mass_tail)


def logpdf(x, a, b, loc=0, scale=1):
    J = jnp()
    x, a, b, loc, scale = promote_args_inexact("truncnorm.logpdf", x, a, b, loc, scale)
    val = lax.sub(norm.logpdf(x, loc, scale), _log_gauss_mass(a, b))
    x_scaled = lax.div(lax.sub(x, loc), scale)
    val = J.where((x_scaled < a) | (x_scaled > b), _const(val, -np.inf), val)
    return J.where(a >= b, _const(val, np.nan), val)


def pdf(x, a, b, loc=0, scale=1):
    return lax.exp(logpdf(x, a, b, loc, scale))


def logsf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote_args_inexact("truncnorm.logsf", x, a, b, loc, scale)
    return logcdf(-x, -b, -a, -loc, scale)


def sf(x, a, b, loc=0, scale=1):
    return lax.exp(logsf(x, a, b, loc, scale))


def logcdf(x, a, b, loc=0, scale=1):
    J = jnp()
    x, a, b, loc, scale = promote_args_inexact("truncnorm.logcdf", x, a, b, loc, scale)
    x, a, b = J.broadcast_arrays(x, a, b)
    x = lax.div(lax.sub(x, loc), scale)
    lgm_ab = _log_gauss_mass(a, b)
    logcdf_ = _log_gauss_mass(a, x) - lgm_ab
    logsf_ = _log_gauss_mass(x, b) - lgm_ab
    logcdf_ = J.select([x >= b, x <= a, logcdf_ > -0.1, x > a],
                       [_const(x, 0), _const(x, -np.inf), J.log1p(-J.exp(logsf_)), logcdf_])
    return J.where(a >= b, _const(logcdf_, np.nan), logcdf_)


def cdf(x, a, b, loc=0, scale=1):
    return lax.exp(logcdf(x, a, b, loc, scale))
