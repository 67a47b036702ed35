"""pyjax.scipy.sparse.linalg: matrix-free Krylov solvers differentiated implicitly."""
from pyjax._src.scipy_sparse_linalg import bicgstab, cg, gmres  # noqa: F401
