"""pyjax.scipy.linalg: SciPy's dense linear algebra with JAX's semantics."""
from pyjax._src.scipy_linalg import (  # noqa: F401
    block_diag, cho_factor, cho_solve, cholesky, circulant, companion, convolution_matrix, det,
    dft, eigh, eigh_tridiagonal, expm, expm_frechet, fiedler, fiedler_companion, funm,
    hadamard, hankel, helmert, hessenberg, hilbert, inv, invhilbert, invpascal, leslie, lu,
    lu_factor, lu_solve, pascal, polar, qr, qr_multiply, rsf2csf, schur, solve,
    solve_sylvester, solve_triangular, sqrtm, svd, toeplitz)
