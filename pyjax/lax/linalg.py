"""pyjax.lax.linalg: linear-algebra primitives (JAX's jax.lax.linalg)."""
from pyjax._src.lax.linalg import (  # noqa: F401
    EigImplementation, EighImplementation, SvdAlgorithm, cholesky, cholesky_p, cholesky_update,
    eig, eig_p, eigh, eigh_p, geqrf, geqrf_p, hessenberg, hessenberg_p, householder_product,
    householder_product_p, lu, lu_p, lu_pivots_to_permutation, lu_pivots_to_permutation_p,
    ormqr, qdwh, qr, qr_p, schur, schur_p, svd, svd_p, symmetric_product, triangular_solve,
    triangular_solve_p, tridiagonal, tridiagonal_p, tridiagonal_solve, tridiagonal_solve_p)
