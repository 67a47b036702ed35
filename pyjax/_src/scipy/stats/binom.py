"""The binomial distribution (jax.scipy.stats.binom)."""
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact, special


def logpmf(k, n, p, loc=0):
    J = jnp()
    k, n, p, loc = promote_args_inexact("binom.logpmf", k, n, p, loc)
    y = lax.sub(k, loc)
    zero = lax.full_like(y, 0)
    gammaln = special.gammaln
    comb_term = lax.sub(gammaln(n + 1), lax.add(gammaln(y + 1), gammaln(n - y + 1)))
    log_linear_term = lax.add(special.xlogy(y, p), special.xlog1py(lax.sub(n, y), lax.neg(p)))
    log_probs = lax.add(comb_term, log_linear_term)
    y_n_cond = J.logical_or(J.logical_and(lax.eq(y, zero), lax.eq(n, zero)),
                            lax.eq(log_linear_term, zero))
    log_probs = J.where(y_n_cond, _const(log_probs, 0.0), log_probs)
    return J.where(lax.ge(k, loc) & lax.lt(k, loc + n + 1), log_probs, _const(k, -np.inf))


def pmf(k, n, p, loc=0):
    return lax.exp(logpmf(k, n, p, loc))
