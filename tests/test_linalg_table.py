"""One table of every jax.numpy.linalg and jax.scipy.linalg routine, each checked the same
ways: leading batch dimensions against a loop over the matrices, vmap against a loop, jit
against eager, float32 results against float64 ones, and jvp and vjp against finite
differences (pyjax.test_util.check_grads, float64) where JAX defines a derivative.

Values against NumPy/SciPy, complex inputs and bad input are in test_linalg.py and
test_scipy_linalg.py; this file checks that the transformations compose with each routine.
"""
import zlib

import numpy as np
import pytest

import pyjax
import pyjax.numpy.linalg as jla
import pyjax.scipy.linalg as jsl
from pyjax._src.config import config
from pyjax.test_util import check_grads

F32, F64 = np.float32, np.float64


def _normal(rng, shape, cplx):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if cplx else x


def _herm(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _arg(kind, *shape):
    """A maker (rng, batch=(), cplx=False) -> array of the given kind and core shape."""
    n = shape[0]

    def make(rng, batch=(), cplx=False):
        x = _normal(rng, batch + shape if kind in ("rect", "vec") else batch + (n, n), cplx)
        if kind == "gen":
            return x + 2 * n * np.eye(n)
        if kind == "spd":
            return x @ _herm(x) + n * np.eye(n)
        if kind == "sym":
            return (x + _herm(x)) / 2
        if kind == "small":
            return 0.3 * (x + 2 * n * np.eye(n)) / n
        if kind == "triu":
            return np.triu(x + 2 * n * np.eye(n))
        return x
    return make


_c = _arg("rect", 3, 2)


# (id, function, argument makers, batched natively, derivative order (0: none in JAX);
# second derivatives of solve, inv and det are checked in test_linalg.py)
CASES = [
    # jax.numpy.linalg
    ("cholesky", jla.cholesky, [_arg("spd", 3)], True, 1),
    ("qr", jla.qr, [_arg("rect", 4, 3)], True, 1),
    ("qr_complete", lambda a: jla.qr(a, mode="complete"), [_arg("rect", 3, 3)], True, 1),
    ("svd", lambda a: jla.svd(a, full_matrices=False), [_arg("rect", 4, 3)], True, 1),
    ("svdvals", jla.svdvals, [_arg("rect", 3, 4)], True, 1),
    ("eig", lambda a: jla.eig(a)[0], [_arg("gen", 3)], True, 0),
    ("eigvals", jla.eigvals, [_arg("gen", 3)], True, 1),
    ("eigh", jla.eigh, [_arg("sym", 3)], True, 1),
    ("eigvalsh", jla.eigvalsh, [_arg("sym", 3)], True, 1),
    ("inv", jla.inv, [_arg("gen", 3)], True, 1),
    ("pinv", jla.pinv, [_arg("rect", 4, 3)], True, 1),
    ("pinv_rtol", lambda a: jla.pinv(a, rtol=1e-3), [_arg("rect", 3, 4)], True, 1),
    ("pinv_hermitian", lambda a: jla.pinv(a, hermitian=True), [_arg("spd", 3)], True, 1),
    ("solve", jla.solve, [_arg("gen", 3), _c], True, 1),
    ("lstsq", lambda a, b: jla.lstsq(a, b)[0], [_arg("rect", 4, 3), _arg("rect", 4, 2)], False, 1),
    ("det", jla.det, [_arg("gen", 3)], True, 1),
    ("slogdet", lambda a: jla.slogdet(a)[1], [_arg("gen", 3)], True, 1),
    ("matrix_rank", jla.matrix_rank, [_arg("rect", 4, 3)], True, 0),
    ("matrix_power", lambda a: jla.matrix_power(a, 3), [_arg("small", 3)], True, 1),
    ("matrix_power_neg", lambda a: jla.matrix_power(a, -2), [_arg("gen", 3)], True, 1),
    ("matrix_norm_fro", jla.matrix_norm, [_arg("rect", 3, 4)], True, 1),
    ("matrix_norm_nuc", lambda a: jla.matrix_norm(a, ord="nuc"), [_arg("rect", 3, 4)], True, 1),
    ("matrix_norm_2", lambda a: jla.matrix_norm(a, ord=2), [_arg("rect", 3, 4)], True, 1),
    ("matrix_norm_1", lambda a: jla.matrix_norm(a, ord=1), [_arg("rect", 3, 4)], True, 1),
    ("vector_norm", lambda a: jla.vector_norm(a, ord=3, axis=-1), [_arg("rect", 3, 4)], True, 1),
    ("norm_inf", lambda a: jla.norm(a, np.inf, axis=(-2, -1)), [_arg("rect", 3, 4)], True, 1),
    ("norm_-2", lambda a: jla.norm(a, -2, axis=(-2, -1)), [_arg("rect", 3, 4)], True, 1),
    ("cond", jla.cond, [_arg("gen", 3)], True, 1),
    ("cond_1", lambda a: jla.cond(a, 1), [_arg("gen", 3)], True, 1),
    ("tensorinv", lambda a: jla.tensorinv(a.reshape(a.shape[:-2] + (4, 2, 2)), ind=1),
     [_arg("gen", 4)], False, 1),
    ("tensorsolve", lambda a, b: jla.tensorsolve(a.reshape(2, 2, 4), b.reshape(2, 2)),
     [_arg("gen", 4), _arg("rect", 2, 2)], False, 1),
    ("multi_dot", lambda a, b, c: jla.multi_dot([a, b, c]),
     [_arg("rect", 2, 3), _arg("rect", 3, 4), _arg("rect", 4, 2)], False, 1),
    # jax.scipy.linalg
    ("solve_triangular", lambda a, b: jsl.solve_triangular(a, b, lower=False, trans=1),
     [_arg("triu", 3), _c], True, 1),
    ("cho_solve", lambda a, b: jsl.cho_solve(jsl.cho_factor(a), b), [_arg("spd", 3), _c], True, 1),
    ("lu", lambda a: jsl.lu(a)[1:], [_arg("rect", 4, 3)], True, 1),
    ("lu_solve", lambda a, b: jsl.lu_solve(jsl.lu_factor(a), b), [_arg("gen", 3), _c], True, 1),
    ("sp_qr", lambda a: jsl.qr(a, mode="economic"), [_arg("rect", 4, 3)], True, 1),
    ("sp_qr_pivoting", lambda a: jsl.qr(a, mode="economic", pivoting=True),
     [_arg("rect", 4, 3)], True, 1),
    ("qr_multiply", lambda a, c: jsl.qr_multiply(a, c, pivoting=True),
     [_arg("rect", 3, 4), _arg("rect", 2, 3)], True, 1),
    ("sp_svd", lambda a: jsl.svd(a, full_matrices=False), [_arg("rect", 3, 4)], True, 1),
    ("sp_eigh_subset", lambda a: jsl.eigh(a, subset_by_index=(1, 2)), [_arg("sym", 3)], True, 0),
    ("eigh_tridiagonal", lambda d, e: jsl.eigh_tridiagonal(d, e, eigvals_only=True),
     [_arg("vec", 4), _arg("vec", 3)], False, 1),
    ("expm", jsl.expm, [_arg("small", 3)], True, 1),
    ("expm_frechet", lambda a, e: jsl.expm_frechet(a, e, compute_expm=False),
     [_arg("small", 3), _arg("rect", 3, 3)], True, 1),
    ("sqrtm", jsl.sqrtm, [_arg("spd", 3)], True, 0),
    ("schur", jsl.schur, [_arg("gen", 3)], True, 0),
    ("rsf2csf", lambda a: jsl.rsf2csf(*jsl.schur(a)), [_arg("gen", 3)], True, 0),
    ("polar", lambda a: jsl.polar(a, method="svd"), [_arg("rect", 4, 3)], True, 1),
    ("hessenberg", lambda a: jsl.hessenberg(a, calc_q=True), [_arg("gen", 3)], True, 0),
    ("block_diag", jsl.block_diag, [_arg("rect", 2, 2), _arg("rect", 1, 3)], False, 1),
    ("toeplitz", jsl.toeplitz, [_arg("vec", 3), _arg("vec", 4)], True, 1),
    ("sp_det", jsl.det, [_arg("gen", 3)], True, 1),
    ("sp_inv", jsl.inv, [_arg("gen", 3)], True, 1),
    ("sp_solve_gen", lambda a, b: jsl.solve(a, b), [_arg("gen", 3), _c], True, 1),
    ("sp_solve_pos", lambda a, b: jsl.solve(a, b, assume_a="pos"), [_arg("spd", 3), _c], True, 1),
    ("sp_solve_sym", lambda a, b: jsl.solve(a, b, assume_a="sym"), [_arg("sym", 3), _c], True, 1),
    ("sp_solve_diag", lambda a, b: jsl.solve(a, b, assume_a="diagonal"), [_arg("gen", 3), _c],
     True, 1),
    ("sp_solve_lower", lambda a, b: jsl.solve(a, b, assume_a="lower triangular"),
     [_arg("gen", 3), _c], True, 1),
    ("funm", lambda a: jsl.funm(a, pyjax.numpy.exp), [_arg("gen", 3)], False, 0),
    ("solve_sylvester", jsl.solve_sylvester, [_arg("gen", 3), _arg("gen", 2), _arg("rect", 3, 2)],
     True, 1),
]
IDS = [c[0] for c in CASES]


def _leaves(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def _assert_close(got, want, rtol):
    for g, w in zip(_leaves(got), _leaves(want)):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, g.dtype, w.shape, w.dtype)
        scale = max(1.0, float(np.max(np.abs(w), initial=0)))
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * scale)


def _check_batching(fn, batched, native_batch):
    """Leading batch dimensions (where the routine takes them) and vmap against a loop over
    the two matrices of `batched`."""
    loop = [fn(*[b[i] for b in batched]) for i in range(2)]
    want = [np.stack(xs) for xs in zip(*[_leaves(x) for x in loop])]
    if native_batch:
        _assert_close(fn(*batched), want, 1e-10)
    _assert_close(pyjax.vmap(fn)(*batched), want, 1e-10)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_batch_vmap_jit_precision(case):
    name, fn, makers, native_batch, _ = case
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    batched = [m(rng, (2,)) for m in makers]
    with config.override(jax_enable_x64=True):
        _check_batching(fn, batched, native_batch)
        # vmap over a trailing batch axis of the first argument only
        others = [b[0] for b in batched[1:]]
        got = pyjax.vmap(fn, in_axes=(-1,) + (None,) * len(others))(
            np.moveaxis(batched[0], 0, -1), *others)
        for i in range(2):
            _assert_close([x[i] for x in _leaves(got)], fn(batched[0][i], *others), 1e-10)
        args = [b[0] for b in batched]
        eager = fn(*args)
        _assert_close(pyjax.jit(fn)(*args), eager, 1e-12)
    if name == "rsf2csf":
        return  # LAPACK's real Schur forms in float32 and float64 may differ by a rotation
    with config.override(jax_enable_x64=False):  # float32 by default, close to float64
        got32 = fn(*[a.astype(F32) for a in args])
        for g, w in zip(_leaves(got32), _leaves(eager)):
            w = np.asarray(w)
            narrow = {np.dtype(F64): F32, np.dtype(np.complex128): np.complex64,
                      np.dtype(np.int64): np.int32}
            assert np.asarray(g).dtype == narrow.get(w.dtype, w.dtype), (g.dtype, w.dtype)
            scale = max(1.0, float(np.max(np.abs(w), initial=0)))
            np.testing.assert_allclose(np.asarray(g), w, rtol=2e-3, atol=2e-3 * scale)


def _inexact_outputs(fn):
    """fn without its integer outputs (permutations), which carry no derivative."""
    def wrapped(*args):
        outs = [o for o in _leaves(fn(*args)) if np.issubdtype(o.dtype, np.inexact)]
        return tuple(outs) if len(outs) > 1 else outs[0]
    return wrapped


@pytest.mark.parametrize("case", [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_derivatives(case):
    name, fn, makers, _, order = case
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    args = [m(rng) for m in makers]
    if name in ("sp_solve_sym", "sp_solve_pos"):
        # these solves read one triangle of a: differentiate along symmetric matrices
        fn0 = fn
        fn = lambda a, b: fn0((a + a.T) / 2, b)  # noqa: E731
    with config.override(jax_enable_x64=True):
        check_grads(_inexact_outputs(fn), args, order=order, modes=("fwd", "rev"))


# complex input is not meaningful for these (real tridiagonal / real Schur form input)
_REAL_ONLY = {"eigh_tridiagonal", "rsf2csf"}
_SLOW = {"expm_frechet"}  # a second derivative of expm: expm's complex case covers it
COMPLEX = [c for c in CASES if c[0] not in _REAL_ONLY | _SLOW]


@pytest.mark.parametrize("case", COMPLEX, ids=[c[0] for c in COMPLEX])
def test_complex(case):
    """complex128: batch dimensions and vmap against a loop, jit against eager, and first
    derivatives against finite differences (complex perturbations) where JAX has them."""
    name, fn, makers, native_batch, order = case
    rng = np.random.default_rng(zlib.crc32(name.encode()) + 1)
    batched = [m(rng, (2,), cplx=True) for m in makers]
    with config.override(jax_enable_x64=True):
        _check_batching(fn, batched, native_batch)
        args = [b[0] for b in batched]
        _assert_close(pyjax.jit(fn)(*args), fn(*args), 1e-12)
        # complex eigen/singular vectors carry a free phase that finite differences do not
        # follow (phase-invariant checks of them are in test_linalg.py)
        if order and name not in ("svd", "eigh", "sp_svd"):
            if name == "sp_solve_pos":  # reads one triangle of a Hermitian a
                fn0 = fn
                fn = lambda a, b: fn0((a + a.conj().T) / 2, b)  # noqa: E731
            if name == "sp_solve_sym":  # complex symmetric (not Hermitian) a
                fn0 = fn
                fn = lambda a, b: fn0((a + a.T) / 2, b)  # noqa: E731
            check_grads(_inexact_outputs(fn), args, order=1, modes=("fwd", "rev"))


@pytest.mark.parametrize("name", ["sqrtm", "schur", "hessenberg", "funm", "sp_eigh_subset"])
def test_no_derivative_like_jax(name):
    """JAX has no derivative for the Schur and Hessenberg decompositions (nor for what is
    built on them) or for a partial eigendecomposition: differentiating raises instead of
    returning a wrong value."""
    _, fn, makers, _, _ = CASES[IDS.index(name)]
    a = makers[0](np.random.default_rng(0)).astype(F32)
    with pytest.raises(NotImplementedError):
        pyjax.jvp(fn, (a,), (a,))
