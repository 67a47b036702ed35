"""pyjax.scipy.stats.beta: The beta distribution."""
from pyjax._src.scipy.stats.beta import cdf, logcdf, logpdf, logsf, pdf, sf  # noqa: F401
