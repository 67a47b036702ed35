"""pyjax.scipy.stats.t: Student's t distribution."""
from pyjax._src.scipy.stats.t import logpdf, pdf  # noqa: F401
