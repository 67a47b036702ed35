"""The uniform distribution on [loc, loc + scale] (jax.scipy.stats.uniform)."""
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact


def logpdf(x, loc=0, scale=1):
    x, loc, scale = promote_args_inexact("uniform.logpdf", x, loc, scale)
    log_probs = lax.neg(lax.log(scale))
    return jnp().where(lax.bitwise_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc)),
                       _const(x, -np.inf), log_probs)


def pdf(x, loc=0, scale=1):
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    x, loc, scale = promote_args_inexact("uniform.cdf", x, loc, scale)
    zero, one = lax.full((), 0, x.dtype), lax.full((), 1, x.dtype)
    conds = [lax.lt(x, loc), lax.gt(x, lax.add(loc, scale)),
             lax.bitwise_and(lax.ge(x, loc), lax.le(x, lax.add(loc, scale)))]
    vals = [zero, one, lax.div(lax.sub(x, loc), scale)]
    return jnp().select(conds, vals)


def ppf(q, loc=0, scale=1):
    J = jnp()
    q, loc, scale = promote_args_inexact("uniform.ppf", q, loc, scale)
    return J.where(J.isnan(q) | (q < 0) | (q > 1), _const(q, np.nan),
                   lax.add(loc, lax.mul(scale, q)))
