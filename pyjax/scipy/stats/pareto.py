"""pyjax.scipy.stats.pareto: The Pareto distribution."""
from pyjax._src.scipy.stats.pareto import cdf, logcdf, logpdf, logsf, pdf, ppf, sf  # noqa: F401
