"""pyjax.scipy.stats.gennorm: The generalized normal distribution."""
from pyjax._src.scipy.stats.gennorm import cdf, logpdf, pdf  # noqa: F401
