"""pyjax.scipy.sparse: matrix-free sparse linear algebra (see pyjax.scipy.sparse.linalg)."""
from pyjax.scipy.sparse import linalg  # noqa: F401
