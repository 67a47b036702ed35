"""The multivariate normal distribution (jax.scipy.stats.multivariate_normal)."""
from pyjax._src.scipy import _util
from pyjax._src.scipy.stats._common import jnp, lax, np


def logpdf(x, mean, cov, allow_singular=None):
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf")
    J = jnp()
    x, mean, cov = _util.promote_dtypes_inexact(x, mean, cov)
    if not mean.shape:
        return (-1 / 2 * J.square(x - mean) / cov
                - 1 / 2 * (float(np.log(2 * np.pi)) + J.log(cov)))
    n = mean.shape[-1]
    if not np.shape(cov):
        y = x - mean
        return (-1 / 2 * J.sum(y * y, axis=-1) / cov
                - n / 2 * (float(np.log(2 * np.pi)) + J.log(cov)))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise ValueError("multivariate_normal.logpdf got incompatible shapes")
    L = _util.cholesky(cov)
    y = _util.solve_lower(L, x - mean)
    diag = J.stack([L[..., i, i] for i in range(n)], axis=-1)
    return (-1 / 2 * J.sum(y * y, axis=-1) - n / 2 * float(np.log(2 * np.pi))
            - J.sum(J.log(diag), axis=-1))


def pdf(x, mean, cov):
    return lax.exp(logpdf(x, mean, cov))
