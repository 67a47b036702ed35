"""pyjax.scipy.stats: probability distributions and statistics, as jax.scipy.stats."""
from pyjax.scipy.stats import (  # noqa: F401
    bernoulli, beta, binom, cauchy, chi2, dirichlet, expon, gamma, gennorm, geom, laplace,
    logistic, multivariate_normal, norm, pareto, poisson, t, truncnorm, uniform, vonmises)
from pyjax._src.scipy.stats._core import ModeResult, mode, rankdata, sem  # noqa: F401
from pyjax._src.scipy.stats.kde import gaussian_kde  # noqa: F401
