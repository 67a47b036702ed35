"""The multivariate normal distribution (jax.scipy.stats.multivariate_normal)."""
from pyjax._src.lax import linalg as lax_linalg
from pyjax._src.numpy.util import promote_dtypes_inexact
from pyjax._src.scipy.stats._common import jnp, lax, np


def logpdf(x, mean, cov, allow_singular=None):
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf")
    J = jnp()
    x, mean, cov = promote_dtypes_inexact(x, mean, cov)
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
    L = lax_linalg.cholesky(cov)
    # L y = x - mean, one (n,) right-hand side per (n, n) factor (broadcast as JAX does).
    y = J.vectorize(lambda l, b: lax_linalg.triangular_solve(
        l, b, left_side=True, lower=True, transpose_a=False),
        signature="(n,n),(n)->(n)")(L, x - mean)
    diag = J.diagonal(L, axis1=-2, axis2=-1)
    return (-1 / 2 * J.sum(y * y, axis=-1) - n / 2 * float(np.log(2 * np.pi))
            - J.sum(J.log(diag), axis=-1))


def pdf(x, mean, cov):
    return lax.exp(logpdf(x, mean, cov))
