"""The von Mises distribution (jax.scipy.stats.vonmises)."""
from pyjax._src.lax import special as lax_special
from pyjax._src.scipy.stats._common import _const, jnp, lax, np, promote_args_inexact


def logpdf(x, kappa):
    J = jnp()
    x, kappa = promote_args_inexact("vonmises.logpdf", x, kappa)
    zero = _const(kappa, 0)
    return J.where(lax.gt(kappa, zero),
                   kappa * (J.cos(x) - 1) - J.log(2 * np.pi * lax_special.bessel_i0e(kappa)),
                   _const(x, np.nan))


def pdf(x, kappa):
    return lax.exp(logpdf(x, kappa))
