"""pyjax.scipy.special: special functions, as jax.scipy.special."""
from pyjax._src.scipy.special import (  # noqa: F401
    bernoulli, beta, betainc, betaln, boxcox, boxcox1p, comb, digamma, entr, erf, erfc,
    erfcx, erfinv, expit, factorial, gamma, gammainc, gammaincc, gammaln, gammasgn, i0, i0e,
    i1, i1e, kl_div, log_ndtr, log_softmax, loggamma, logit, logsumexp, lpmn, lpmn_values,
    multigammaln, ndtr, ndtri, poch, polygamma, rel_entr, softmax, spence, sph_harm_y, xlog1py,
    xlogy, zeta)
