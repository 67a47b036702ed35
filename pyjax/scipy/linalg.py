"""pyjax.scipy.linalg: SciPy's dense linear algebra with JAX's semantics."""
from pyjax._src.scipy_linalg import (  # noqa: F401
    block_diag, cho_factor, cho_solve, cholesky, circulant, det, eigh, eigh_tridiagonal, expm,
    expm_frechet, funm, hankel, hessenberg, inv, lu, lu_factor, lu_solve, polar, qr, rsf2csf,
    schur, solve, solve_triangular, sqrtm, svd, toeplitz)
