"""The Dirichlet distribution (jax.scipy.stats.dirichlet)."""
from pyjax._src.numpy.util import promote_dtypes_inexact
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, special


def _is_simplex(x):
    J = jnp()
    x_sum = J.sum(x, axis=0)
    return J.all(x > 0, axis=0) & (abs(x_sum - 1) < 1e-6)


def logpdf(x, alpha):
    return _logpdf(*promote_dtypes_inexact(x, alpha))


def _logpdf(x, alpha):
    J = jnp()
    if alpha.ndim != 1:
        raise ValueError(f"`alpha` must be one-dimensional; got alpha.shape={alpha.shape}")
    if x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
        raise ValueError("`x` must have either the same number of entries as `alpha` or one "
                         f"entry fewer; got x.shape={x.shape}, alpha.shape={alpha.shape}")
    one = _const(x, 1)
    if x.shape[0] != alpha.shape[0]:
        x = J.concatenate([x, lax.sub(one, J.sum(x, 0, keepdims=True))], axis=0)
    normalize_term = J.sum(special.gammaln(alpha)) - special.gammaln(J.sum(alpha))
    if x.ndim > 1:
        alpha = lax.broadcast_in_dim(alpha, alpha.shape + (1,) * (x.ndim - 1), (0,))
    log_probs = lax.sub(J.sum(special.xlogy(alpha - one, x), axis=0), normalize_term)
    return J.where(_is_simplex(x), log_probs, _const(log_probs, -np.inf))


def pdf(x, alpha):
    return lax.exp(logpdf(x, alpha))
