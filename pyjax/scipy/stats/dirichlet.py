"""pyjax.scipy.stats.dirichlet: The Dirichlet distribution."""
from pyjax._src.scipy.stats.dirichlet import logpdf, pdf  # noqa: F401
