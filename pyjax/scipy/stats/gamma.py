"""pyjax.scipy.stats.gamma: The gamma distribution."""
from pyjax._src.scipy.stats.gamma import cdf, logcdf, logpdf, logsf, pdf, sf  # noqa: F401
