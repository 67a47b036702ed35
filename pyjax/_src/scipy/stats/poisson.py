"""The Poisson distribution (jax.scipy.stats.poisson)."""
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact, special


def logpmf(k, mu, loc=0):
    J = jnp()
    k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
    zero = _const(k, 0)
    x = lax.sub(k, loc)
    log_probs = special.xlogy(x, mu) - special.gammaln(x + 1) - mu
    return J.where(J.logical_or(lax.lt(x, zero), lax.ne(J.round(k), k)), _const(k, -np.inf),
                   log_probs)


def pmf(k, mu, loc=0):
    return jnp().exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    J = jnp()
    k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
    zero = _const(k, 0)
    x = lax.sub(k, loc)
    p = special.gammaincc(J.floor(1 + x), mu)
    return J.where(lax.lt(x, zero), zero, p)


def entropy(mu, loc=0):
    """The entropy of the Poisson distribution (as JAX: a sum of the pmf for mu < 100, an
    asymptotic expansion above)."""
    J = jnp()
    mu, loc = promote_args_inexact("poisson.entropy", mu, loc)
    result_shape = J.broadcast_shapes(mu.shape, loc.shape)
    mu_flat = J.ravel(mu)
    result = J.where(mu_flat == 0, J.zeros_like(mu_flat),
                     J.where(mu_flat < 10, _entropy_sum(mu_flat, 35, 20, 0),
                             J.where(mu_flat < 100, _entropy_sum(mu_flat, 250, 20, 10),
                                     _entropy_large_mu(mu_flat))))
    return J.broadcast_to(J.reshape(result, mu.shape), result_shape)


def _entropy_sum(mu, max_k, pad, sd):
    J = jnp()
    k = J.arange(max_k, dtype=mu.dtype)[:, None]
    probs = pmf(k, mu, 0)
    upper = J.ceil(mu + sd * J.sqrt(mu) + pad) if sd else J.ceil(mu + pad)
    mask = k < upper[None, :]
    return J.sum(special.entr(J.where(mask, probs, _const(probs, 0.0))), axis=0)


def _entropy_large_mu(mu):
    J = jnp()
    return 0.5 * J.log(2 * np.pi * np.e * mu) - 1.0 / (12 * mu)
