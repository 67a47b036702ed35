"""pyjax.scipy.stats.norm: The normal distribution."""
from pyjax._src.scipy.stats.norm import cdf, isf, logcdf, logpdf, logsf, pdf, ppf, sf  # noqa: F401
