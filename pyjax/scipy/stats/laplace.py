"""pyjax.scipy.stats.laplace: The Laplace distribution."""
from pyjax._src.scipy.stats.laplace import cdf, logpdf, pdf  # noqa: F401
