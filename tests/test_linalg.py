"""Linear algebra: the lax.linalg primitives (harness-style checks) and pyjax.numpy.linalg.

For every primitive: eager vs NumPy/SciPy, jit vs eager, abstract evaluation vs the eager
result, jvp vs central finite differences (float64/complex128), the transpose identity
<u, J v> = <J^T u, v> between vjp and jvp, vmap vs a Python loop, and leading batch
dimensions.  pyjax.numpy.linalg is compared with NumPy in float32/float64 (and complex),
batched, under jit and differentiated (second order for solve, inv, det).  Where JAX is
installed, sign conventions, singular inputs and derivatives are compared with it.
"""
import warnings

import numpy as np
import pytest
import scipy.linalg as sla

import pyjax
import pyjax.lax.linalg as lax_linalg
import pyjax.numpy as jnp
import pyjax.numpy.linalg as jla
from pyjax._src.config import config

F32, F64, C64, C128 = np.float32, np.float64, np.complex64, np.complex128
ALL = (F32, F64, C64, C128)


@pytest.fixture
def x64():
    with config.override(jax_enable_x64=True):
        yield


# ---------------------------------------------------------------------------
# helpers


def rand(rng, shape, dtype=F64):
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    return np.asarray(x).astype(dtype)


def well(rng, n, dtype=F64, batch=()):
    """A well-conditioned general matrix."""
    return (rand(rng, batch + (n, n), dtype) + 2 * n * np.eye(n)).astype(dtype)


def herm(rng, n, dtype=F64, batch=()):
    a = rand(rng, batch + (n, n), dtype)
    return ((a + np.conj(np.swapaxes(a, -1, -2))) / 2).astype(dtype)


def spd(rng, n, dtype=F64, batch=()):
    a = rand(rng, batch + (n, n), dtype)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def tol(dtype):
    return {F32: 2e-4, C64: 2e-4, F64: 1e-10, C128: 1e-10}[np.dtype(dtype).type]


def close(a, b, rtol, atol=None, msg=""):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol,
                               atol=rtol if atol is None else atol, err_msg=msg)


def _leaves(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def _pair(a, b):
    return sum(float(np.real(np.sum(np.asarray(x).astype(C128) * np.asarray(y).astype(C128))))
               for x, y in zip(_leaves(a), _leaves(b)))


def check_derivatives(f, args, rng, eps=1e-6, rtol=1e-5, fd=True):
    """jvp vs central differences and the transpose identity, in float64/complex128.
    f returns an array or a tuple of inexact arrays."""
    v = [rand(rng, a.shape, a.dtype.type) for a in args]
    out, t = pyjax.jvp(f, tuple(args), tuple(v))
    if fd:
        plus = f(*[a + eps * d for a, d in zip(args, v)])
        minus = f(*[a - eps * d for a, d in zip(args, v)])
        for tt, p, m in zip(_leaves(t), _leaves(plus), _leaves(minus)):
            num = (np.asarray(p) - np.asarray(m)) / (2 * eps)
            scale = max(1.0, float(np.max(np.abs(num)))) if num.size else 1.0
            np.testing.assert_allclose(np.asarray(tt), num, rtol=rtol * 10, atol=rtol * scale,
                                       err_msg="jvp vs finite differences")
    out2, vjp_fn = pyjax.vjp(f, *args)
    u = [rand(rng, np.shape(o), np.asarray(o).dtype.type) for o in _leaves(out2)]
    cts = vjp_fn(type(out2)(u) if isinstance(out2, (tuple, list)) else u[0])
    for c, a in zip(cts, args):
        assert c.shape == a.shape and c.dtype == a.dtype
    lhs = _pair(u, _leaves(t))
    rhs = _pair(cts, v)
    scale = 1 + abs(lhs) + abs(rhs)
    assert abs(lhs - rhs) <= 1e-8 * scale, f"<u, J v> = {lhs} but <J^T u, v> = {rhs}"


def check_jit_and_shapes(f, args):
    """jit vs eager (exactly), abstract evaluation vs the eager result."""
    eager = f(*args)
    jitted = pyjax.jit(f)(*args)
    shapes = pyjax.eval_shape(f, *args)
    for e, j, s in zip(_leaves(eager), _leaves(jitted), _leaves(shapes)):
        np.testing.assert_array_equal(np.asarray(j), np.asarray(e))
        assert (e.shape, e.dtype) == (j.shape, j.dtype) == (tuple(s.shape), s.dtype)
    return eager


def check_vmap(f, arg_sets, in_axes=0):
    """vmap over stacked arguments (batch axis `in_axes` per argument) vs a Python loop."""
    n = len(arg_sets)
    nargs = len(arg_sets[0])
    axes = in_axes if isinstance(in_axes, (tuple, list)) else (in_axes,) * nargs
    stacked = [np.stack([s[i] for s in arg_sets], axis=ax) if ax is not None else arg_sets[0][i]
               for i, ax in enumerate(axes)]
    got = pyjax.vmap(f, in_axes=tuple(axes))(*stacked)
    for k in range(n):
        s = arg_sets[k]
        want = f(*[s[i] if ax is not None else arg_sets[0][i] for i, ax in enumerate(axes)])
        for g, w in zip(_leaves(got), _leaves(want)):
            w = np.asarray(w)
            np.testing.assert_allclose(np.asarray(g)[k], w, rtol=1e-10 * 10 + 1e-5 * (w.dtype in (F32, C64)),
                                       atol=1e-9 + 1e-5 * (w.dtype in (F32, C64)))


@pytest.fixture
def jax64():
    """Real JAX with 64-bit types on, restored afterwards (other tests compare with JAX's
    default 32-bit mode)."""
    jax = pytest.importorskip("jax")
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield jax
    finally:
        jax.config.update("jax_enable_x64", old)


# ---------------------------------------------------------------------------
# cholesky


@pytest.mark.parametrize("dtype", ALL)
def test_cholesky_eager_jit_batched(dtype):
    rng = np.random.default_rng(0)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = spd(rng, 4, dtype, batch=(2, 3))
        got = check_jit_and_shapes(lax_linalg.cholesky, [a])
        close(got, np.linalg.cholesky(a), tol(dtype) * 10)
        assert got.dtype == dtype


def test_cholesky_derivatives_vmap(x64):
    rng = np.random.default_rng(1)
    for dt in (F64, C128):
        a = spd(rng, 3, dt)
        check_derivatives(lax_linalg.cholesky, [a], rng)
        # the primitive alone reads the lower triangle: its derivative sees exactly that
        prim = lambda x: lax_linalg.cholesky_p.bind(x)  # noqa: E731
        check_derivatives(prim, [a], rng)
        check_vmap(lax_linalg.cholesky, [[spd(rng, 3, dt)] for _ in range(3)])
        check_vmap(lax_linalg.cholesky, [[spd(rng, 3, dt)] for _ in range(3)], in_axes=2)


def test_cholesky_not_positive_definite_is_nan():
    # NaNs in the lower triangle (the upper one is zero), as JAX
    out = np.asarray(lax_linalg.cholesky(-np.eye(3, dtype=F32)))
    assert np.isnan(np.tril(out) + np.triu(np.full((3, 3), np.nan), 1)).all()
    out = np.asarray(jla.cholesky(np.stack([np.eye(2), -np.eye(2)]).astype(F32)))
    assert not np.isnan(out[0]).any() and np.isnan(out[1][np.tril_indices(2)]).all()


# ---------------------------------------------------------------------------
# triangular_solve

_TS_FLAGS = [(l, lo, t, c, u) for l in (True, False) for lo in (True, False)
             for t in (True, False) for c in (True, False) for u in (True, False)]


def _ts_ref(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    a = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        a = a - np.diag(np.diag(a)) + np.eye(a.shape[0])
    op = a
    if conjugate_a:
        op = np.conj(op)
    if transpose_a:
        op = op.T
    return np.linalg.solve(op, b) if left_side else np.linalg.solve(op.T, b.T).T


@pytest.mark.parametrize("flags", _TS_FLAGS, ids=lambda f: "".join("LlTCU"[i] if v else "_"
                                                                   for i, v in enumerate(f)))
def test_triangular_solve_flags(flags, x64):
    left, lower, trans, conj, unit = flags
    rng = np.random.default_rng(2)
    a = well(rng, 4, C128)
    b = rand(rng, (4, 2) if left else (2, 4), C128)
    kw = dict(left_side=left, lower=lower, transpose_a=trans, conjugate_a=conj,
              unit_diagonal=unit)
    got = lax_linalg.triangular_solve(a, b, **kw)
    close(got, _ts_ref(a, b, *flags), 1e-10)
    if lower and not unit:
        f = lambda a_, b_: lax_linalg.triangular_solve(a_, b_, **kw)  # noqa: E731
        check_derivatives(f, [a, b], rng)


@pytest.mark.parametrize("dtype", ALL)
def test_triangular_solve_dtypes_batched_vmap(dtype):
    rng = np.random.default_rng(3)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = well(rng, 3, dtype, batch=(2,))
        b = rand(rng, (2, 3, 4), dtype)
        f = lambda a_, b_: lax_linalg.triangular_solve(a_, b_, left_side=True, lower=True)  # noqa: E731
        got = check_jit_and_shapes(f, [a, b])
        close(got, np.stack([sla.solve_triangular(a[i], b[i], lower=True) for i in range(2)]),
              tol(dtype) * 10)
        sets = [[well(rng, 3, dtype), rand(rng, (3, 2), dtype)] for _ in range(3)]
        check_vmap(f, sets, in_axes=(0, 2))
        check_vmap(f, sets, in_axes=(None, 1))
        check_vmap(f, sets, in_axes=(1, None))
        # a batch of vectors
        v = rand(rng, (2, 3), dtype)
        close(lax_linalg.triangular_solve(a, v, left_side=True, lower=True),
              np.stack([sla.solve_triangular(a[i], v[i], lower=True) for i in range(2)]),
              tol(dtype) * 10)


def test_triangular_solve_transpose_rule(x64):
    """triangular_solve is linear in b: its transpose (linear_transpose) is the transposed solve."""
    rng = np.random.default_rng(4)
    a = well(rng, 3)
    u = rand(rng, (3, 2))
    f = lambda b: lax_linalg.triangular_solve(a, b, left_side=True, lower=False)  # noqa: E731
    ct, = pyjax.linear_transpose(f, u)(u)
    close(ct, np.linalg.solve(np.triu(a).T, u), 1e-12)


def test_triangular_solve_singular_gives_inf_nan():
    a = np.triu(np.ones((3, 3), F32))
    a[1, 1] = 0
    out = np.asarray(lax_linalg.triangular_solve(a, np.ones((3, 1), F32), left_side=True))
    assert not np.isfinite(out).all()


def test_triangular_solve_errors():
    with pytest.raises(TypeError):
        lax_linalg.triangular_solve(np.eye(2, dtype=F32), np.ones((2, 2), np.int32))
    with pytest.raises(ValueError, match="rows|columns|match"):
        lax_linalg.triangular_solve(np.eye(2, dtype=F32), np.ones((3, 2), F32), left_side=True)


# ---------------------------------------------------------------------------
# lu


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
@pytest.mark.parametrize("dtype", ALL)
def test_lu_vs_scipy(shape, dtype):
    rng = np.random.default_rng(5)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = rand(rng, (2,) + shape, dtype)
        lu, piv, perm = check_jit_and_shapes(lax_linalg.lu, [a])
        assert piv.dtype == perm.dtype == np.int32
        m, n = shape
        k = min(m, n)
        lu, piv, perm = map(np.asarray, (lu, piv, perm))
        for i in range(2):
            lu_ref, piv_ref, _ = sla.lapack.get_lapack_funcs("getrf", (a[i],))(a[i])
            close(lu[i], lu_ref, tol(dtype))
            np.testing.assert_array_equal(piv[i], piv_ref[:k])
            low = np.tril(lu[i], -1)[:, :k] + np.eye(m, k)
            up = np.triu(lu[i])[:k]
            close(a[i][perm[i]], low @ up, tol(dtype) * 10)
        np.testing.assert_array_equal(lax_linalg.lu_pivots_to_permutation(piv, m), perm)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
def test_lu_derivatives_vmap(shape, x64):
    rng = np.random.default_rng(6)
    for dt in (F64, C128):
        a = rand(rng, shape, dt) + np.eye(*shape)
        check_derivatives(lambda x: lax_linalg.lu(x)[0], [a], rng)
    check_vmap(lax_linalg.lu, [[rand(rng, shape)] for _ in range(3)], in_axes=1)


def test_lu_singular_no_exception():
    lu, piv, perm = lax_linalg.lu(np.zeros((3, 3), F32))
    assert np.all(np.asarray(lu) == 0)


# ---------------------------------------------------------------------------
# qr


@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
@pytest.mark.parametrize("dtype", ALL)
def test_qr(shape, full, dtype):
    rng = np.random.default_rng(7)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = rand(rng, (2,) + shape, dtype)
        q, r = check_jit_and_shapes(lambda x: lax_linalg.qr(x, full_matrices=full), [a])
        qr_ref, rr_ref = np.linalg.qr(a, mode="complete" if full else "reduced")
        assert q.shape == qr_ref.shape and r.shape == rr_ref.shape
        close(np.asarray(q) @ np.asarray(r), a, tol(dtype) * 10)
        close(np.abs(np.asarray(r)), np.abs(rr_ref), tol(dtype) * 10)
        close(np.asarray(r), np.triu(np.asarray(r)), 0)


@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
def test_qr_derivatives_vmap(shape, full, x64):
    rng = np.random.default_rng(8)
    for dt in (F64, C128):
        a = rand(rng, shape, dt)
        check_derivatives(lambda x: lax_linalg.qr(x, full_matrices=full), [a], rng)
    check_vmap(lambda x: lax_linalg.qr(x, full_matrices=full), [[rand(rng, shape)] for _ in range(3)])


# ---------------------------------------------------------------------------
# eigh


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("dtype", ALL)
def test_eigh(dtype, lower):
    rng = np.random.default_rng(9)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = herm(rng, 4, dtype, batch=(2,))
        v, w = check_jit_and_shapes(
            lambda x: lax_linalg.eigh(x, lower=lower, symmetrize_input=False), [a])
        assert w.dtype == np.finfo(dtype).dtype and v.dtype == dtype
        close(w, np.linalg.eigvalsh(a, UPLO="L" if lower else "U"), tol(dtype) * 10)
        assert np.all(np.diff(np.asarray(w), axis=-1) >= 0)
        v, w = np.asarray(v), np.asarray(w)
        close(a @ v, v * w[..., None, :], tol(dtype) * 20)


def test_eigh_subset_derivatives_vmap(x64):
    rng = np.random.default_rng(10)
    a = herm(rng, 5)
    v, w = lax_linalg.eigh(a, subset_by_index=(1, 3))
    assert v.shape == (5, 2) and w.shape == (2,)
    close(w, np.linalg.eigvalsh(a)[1:3], 1e-12)
    a = herm(rng, 3)
    check_derivatives(lambda x: lax_linalg.eigh(x), [a], rng)
    check_derivatives(lambda x: lax_linalg.eigh(x, symmetrize_input=False, lower=False), [a], rng)
    # complex eigenvectors carry a free phase: check phase-invariant functions of them
    for lower in (True, False):
        def f(x, lower=lower):
            v, w = lax_linalg.eigh(x, lower=lower, symmetrize_input=False)
            return w, (v * w[None, :].astype(v.dtype)) @ jnp.conj(v.T), jnp.abs(v)
        check_derivatives(f, [herm(rng, 3, C128)], rng)
    check_vmap(lambda x: lax_linalg.eigh(x), [[herm(rng, 3)] for _ in range(3)], in_axes=2)


def test_eigh_degenerate_eigenvalue_derivative_finite(x64):
    """At repeated eigenvalues the eigenvalue derivative is defined (the eigenvectors' is not)."""
    g = pyjax.grad(lambda x: jnp.sum(jla.eigvalsh(x) * jnp.arange(3.0)))(np.eye(3))
    assert np.isfinite(np.asarray(g)).all()
    g = pyjax.grad(lambda x: jnp.sum(jla.eigvalsh(x)))(np.eye(3))
    close(g, np.eye(3), 1e-12)


# ---------------------------------------------------------------------------
# eig


@pytest.mark.parametrize("dtype", ALL)
def test_eig(dtype):
    rng = np.random.default_rng(11)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = rand(rng, (2, 4, 4), dtype)
        w, vl, vr = check_jit_and_shapes(lax_linalg.eig, [a])
        cdt = np.result_type(dtype, np.complex64)
        assert w.dtype == vr.dtype == cdt
        w, vl, vr = map(np.asarray, (w, vl, vr))
        close(np.sort_complex(w.ravel()), np.sort_complex(np.linalg.eigvals(a).ravel()),
              tol(dtype) * 20)
        close(a @ vr, vr * w[..., None, :], tol(dtype) * 20)
        close(np.conj(np.swapaxes(vl, -1, -2)) @ a,
              w[..., :, None] * np.conj(np.swapaxes(vl, -1, -2)), tol(dtype) * 20)


def test_eig_derivatives_vmap(x64):
    rng = np.random.default_rng(12)
    for dt in (F64, C128):
        a = rand(rng, (3, 3), dt)
        check_derivatives(lambda x: lax_linalg.eig(x, compute_left_eigenvectors=False,
                                                   compute_right_eigenvectors=False)[0], [a], rng)
        check_derivatives(lambda x: lax_linalg.eig(x, compute_left_eigenvectors=False,
                                                   enable_eigvec_derivs=True), [a], rng)
    with pytest.raises(NotImplementedError):
        pyjax.jvp(lambda x: lax_linalg.eig(x)[2], (a,), (a,))
    check_vmap(jla.eigvals, [[rand(rng, (3, 3))] for _ in range(3)])


# ---------------------------------------------------------------------------
# svd


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
@pytest.mark.parametrize("dtype", ALL)
def test_svd(shape, dtype):
    rng = np.random.default_rng(13)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = rand(rng, (2,) + shape, dtype)
        for full in (True, False):
            u, s, vh = check_jit_and_shapes(lambda x: lax_linalg.svd(x, full_matrices=full), [a])
            ur, sr, vhr = np.linalg.svd(a, full_matrices=full)
            assert (u.shape, s.shape, vh.shape) == (ur.shape, sr.shape, vhr.shape)
            assert s.dtype == np.finfo(dtype).dtype
            close(s, sr, tol(dtype) * 10)
            k = s.shape[-1]
            close((np.asarray(u)[..., :k] * np.asarray(s)[..., None, :]) @ np.asarray(vh)[..., :k, :],
                  a, tol(dtype) * 10)
        s2 = lax_linalg.svd(a, compute_uv=False)
        close(s2, np.linalg.svd(a, compute_uv=False), tol(dtype) * 10)


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
def test_svd_derivatives_vmap(shape, x64):
    rng = np.random.default_rng(14)
    for dt in (F64, C128):
        a = rand(rng, shape, dt)
        check_derivatives(lambda x: lax_linalg.svd(x, compute_uv=False), [a], rng)
        # singular vectors are defined up to a phase for complex input: check real ones only
        if dt == F64:
            check_derivatives(lambda x: lax_linalg.svd(x, full_matrices=False), [a], rng)
        else:
            f = lambda x: (lambda u, s, vh: (s, u @ (s[..., :, None] * vh)))(  # noqa: E731
                *lax_linalg.svd(x, full_matrices=False))
            check_derivatives(f, [a], rng)
    if shape[0] != shape[1]:
        with pytest.raises(NotImplementedError):
            pyjax.jvp(lambda x: lax_linalg.svd(x, full_matrices=True), (a,), (a,))
    check_vmap(lambda x: lax_linalg.svd(x, full_matrices=False), [[rand(rng, shape)] for _ in range(3)])


# ---------------------------------------------------------------------------
# schur, hessenberg, householder_product, tridiagonal, geqrf


@pytest.mark.parametrize("dtype", ALL)
def test_schur_hessenberg_householder_vs_scipy(dtype):
    rng = np.random.default_rng(15)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = rand(rng, (2, 4, 4), dtype)
        t, z = check_jit_and_shapes(lax_linalg.schur, [a])
        for i in range(2):
            tr, zr = sla.schur(a[i], output="complex" if np.iscomplexobj(a) else "real")
            close(t[i], tr, tol(dtype) * 10)
            close(z[i], zr, tol(dtype) * 10)
        h, taus = check_jit_and_shapes(lax_linalg.hessenberg, [a])
        assert taus.shape == (2, 3)
        close(np.triu(np.asarray(h)[0], -1), sla.hessenberg(a[0]), tol(dtype) * 10)
        r, tau = check_jit_and_shapes(lax_linalg.geqrf, [a])
        q = lax_linalg.householder_product(r, tau)
        close(np.asarray(q) @ np.triu(np.asarray(r)), a, tol(dtype) * 10)
        hh = herm(rng, 4, dtype)
        c, d, e, tt = lax_linalg.tridiagonal(hh)
        w = np.linalg.eigvalsh(np.diag(np.asarray(d)) + np.diag(np.asarray(e), 1)
                               + np.diag(np.asarray(e), -1))
        close(w, np.linalg.eigvalsh(hh), tol(dtype) * 10)
        check_vmap(lax_linalg.schur, [[rand(rng, (3, 3), dtype)] for _ in range(2)])
        check_vmap(lax_linalg.hessenberg, [[rand(rng, (3, 3), dtype)] for _ in range(2)], in_axes=1)


def test_no_derivative_rules_like_jax():
    a = np.eye(3, dtype=F32)
    for f in (lambda x: lax_linalg.schur(x)[0], lambda x: lax_linalg.hessenberg(x)[0]):
        with pytest.raises(NotImplementedError):
            pyjax.jvp(f, (a,), (a,))


# ---------------------------------------------------------------------------
# tridiagonal_solve


def _tri_dense(dl, d, du):
    return np.diag(d) + np.diag(dl[1:], -1) + np.diag(du[:-1], 1)


@pytest.mark.parametrize("dtype", ALL)
def test_tridiagonal_solve(dtype):
    rng = np.random.default_rng(16)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        m = 5
        dl, du = rand(rng, (2, m), dtype), rand(rng, (2, m), dtype)
        dl[:, 0] = 0
        du[:, -1] = 0
        d = (rand(rng, (2, m), dtype) + 4).astype(dtype)
        b = rand(rng, (2, m, 3), dtype)
        x = check_jit_and_shapes(lax_linalg.tridiagonal_solve, [dl, d, du, b])
        for i in range(2):
            close(x[i], np.linalg.solve(_tri_dense(dl[i], d[i], du[i]), b[i]), tol(dtype) * 10)
        check_vmap(lax_linalg.tridiagonal_solve, [[dl[0], d[0], du[0], b[0]],
                                                  [dl[1], d[1], du[1], b[1]]],
                   in_axes=(0, None, 0, 2))


def test_tridiagonal_solve_derivatives(x64):
    rng = np.random.default_rng(17)
    m = 4
    for dt in (F64, C128):
        dl, d, du = rand(rng, (m,), dt), rand(rng, (m,), dt) + 4, rand(rng, (m,), dt)
        dl[0] = 0
        du[-1] = 0
        b = rand(rng, (m, 2), dt)
        # keep dl[0] and du[-1] at zero: differentiate in the meaningful entries
        mask_l, mask_u = np.arange(m) > 0, np.arange(m) < m - 1
        f = lambda dl_, d_, du_, b_: lax_linalg.tridiagonal_solve(  # noqa: E731
            dl_ * mask_l, d_, du_ * mask_u, b_)
        check_derivatives(f, [dl, d, du, b], rng)
    ct, = pyjax.linear_transpose(lambda b_: lax_linalg.tridiagonal_solve(dl, d, du, b_), b)(b)
    close(ct, np.linalg.solve(_tri_dense(dl, d, du).T, b), 1e-12)


# ---------------------------------------------------------------------------
# symmetric_product, ormqr, cholesky_update (compositions)


@pytest.mark.parametrize("dtype", ALL)
def test_symmetric_product_ormqr(dtype):
    rng = np.random.default_rng(18)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        a, c = rand(rng, (2, 4, 3), dtype), herm(rng, 4, dtype, batch=(2,))
        want = 2 * a @ np.swapaxes(a, -1, -2) + 0.5 * c
        close(lax_linalg.symmetric_product(a, c, alpha=2.0, beta=0.5), want, r)
        got = np.asarray(lax_linalg.symmetric_product(a, c, alpha=2.0, beta=0.5,
                                                      symmetrize_output=True))
        close(got, np.tril(want) + np.swapaxes(np.tril(want, -1), -1, -2), r)
        for shape in ((5, 3), (3, 5), (4, 4)):
            x = rand(rng, shape, dtype)
            h, tau = sla.qr(x, mode="raw")[0]
            q = sla.qr(x)[0]
            m = shape[0]
            for left in (True, False):
                for transpose in (False, True):
                    cc = rand(rng, (m, 2) if left else (2, m), dtype)
                    op = np.conj(q.T) if transpose else q
                    got = lax_linalg.ormqr(h, tau, cc, left=left, transpose=transpose)
                    close(got, op @ cc if left else cc @ op, r)
        with pytest.raises(ValueError):
            lax_linalg.ormqr(h, tau, rand(rng, (m + 1, 2), dtype))


def test_cholesky_update(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(19)
    p = spd(rng, 4, batch=(2,))
    r = np.swapaxes(np.linalg.cholesky(p), -1, -2)
    w = rand(rng, (2, 4))
    got = np.asarray(lax_linalg.cholesky_update(r, w))
    close(got, np.swapaxes(np.linalg.cholesky(p + w[..., :, None] * w[..., None, :]), -1, -2),
          1e-12)
    close(pyjax.jit(lax_linalg.cholesky_update)(r[0], w[0]), got[0], 1e-12)
    close(pyjax.vmap(lax_linalg.cholesky_update)(r, w), got, 1e-12)
    check_grads(lax_linalg.cholesky_update, (r[0], w[0]), order=1, modes=("fwd", "rev"))
    with pytest.raises(TypeError):
        lax_linalg.cholesky_update(r.astype(C128), w.astype(C128))
    with pytest.raises(ValueError):
        lax_linalg.cholesky_update(r, w[:, :3])
    # every implementation/algorithm choice is accepted (one CPU implementation)
    h = herm(rng, 3)
    close(lax_linalg.eigh(h, implementation=lax_linalg.EighImplementation.JACOBI)[1],
          np.linalg.eigvalsh(h), 1e-12)
    close(lax_linalg.svd(h, compute_uv=False, algorithm=lax_linalg.SvdAlgorithm.QR),
          np.linalg.svd(h, compute_uv=False), 1e-12)
    close(np.sort_complex(np.asarray(lax_linalg.eig(
        h, implementation=lax_linalg.EigImplementation.LAPACK)[0])),
        np.sort_complex(np.linalg.eigvals(h).astype(complex)), 1e-12)


def test_tridiagonal_solve_perturb_singular(x64):
    rng = np.random.default_rng(20)
    m = 5
    for dt in (F64, C128):
        dl, du = rand(rng, (m,), dt), rand(rng, (m,), dt)
        dl[0] = du[-1] = 0
        d = rand(rng, (m,), dt) + 4
        b = rand(rng, (m, 2), dt)
        # a regular system: the plain solution
        close(lax_linalg.tridiagonal_solve(dl, d, du, b, perturb_singular=True),
              np.linalg.solve(_tri_dense(dl, d, du), b), 1e-12)
        # singular systems: finite (the plain solve gives NaN)
        row2 = np.arange(m) == 2
        for a_dl, sing, a_du in ((np.where(row2, 0, dl), np.where(row2, 0, d),  # zero row
                                  np.where(row2, 0, du)), (dl * 0, d * 0, du * 0)):
            plain = np.asarray(lax_linalg.tridiagonal_solve(a_dl, sing, a_du, b))
            got = np.asarray(lax_linalg.tridiagonal_solve(a_dl, sing, a_du, b,
                                                          perturb_singular=True))
            assert not np.isfinite(plain).all() and np.isfinite(got).all()
    # a zero pivot becomes eps * max|U|, with the pivot's sign (as JAX)
    got = lax_linalg.tridiagonal_solve(np.zeros(3), np.array([1.0, 0, 0]), np.zeros(3),
                                       np.ones((3, 1)), perturb_singular=True)
    close(got, [[1.0], [1 / np.finfo(F64).eps], [1 / np.finfo(F64).eps]], 1e-12)


@pytest.mark.parametrize("dtype", ALL)
def test_qdwh(dtype):
    rng = np.random.default_rng(21)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        for shape in ((5, 3), (4, 4)):
            x = rand(rng, shape, dtype)
            u, h, k, ok = lax_linalg.qdwh(x)
            uu, s, vh = np.linalg.svd(x, full_matrices=False)
            close(u, uu @ vh, r)
            close(h, np.conj(vh.T) * s @ vh, r)
            assert bool(ok) and 0 < int(k) <= 10 and k.dtype.kind == "i" and ok.dtype == bool
            close(pyjax.jit(lambda v: lax_linalg.qdwh(v)[0])(x), u, r)
        # the iteration count is capped; a padded matrix is decomposed in its corner
        _, _, k2, ok2 = lax_linalg.qdwh(x, max_iterations=2)
        assert int(k2) == 2 and not bool(ok2)
        u3, h3, _, _ = lax_linalg.qdwh(x, dynamic_shape=(3, 2))
        u4, h4, _, _ = lax_linalg.qdwh(x[:3, :2])
        close(np.asarray(u3)[:3, :2], u4, r)
        assert not np.asarray(u3)[3:].any() and not np.asarray(h3)[2:].any()
    with pytest.raises(ValueError, match="M >= N"):
        lax_linalg.qdwh(np.ones((2, 3), F32))


def test_oracle_qdwh(jax64):
    jax = jax64
    rng = np.random.default_rng(22)
    x = rand(rng, (5, 3))
    theirs = jax.lax.linalg.qdwh(x)
    with config.override(jax_enable_x64=True):
        ours = lax_linalg.qdwh(x)
    for o, t in zip(ours, theirs):
        assert np.asarray(o).dtype == np.asarray(t).dtype
        np.testing.assert_allclose(np.asarray(o), np.asarray(t), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------
# abstract evaluation errors


def test_primitive_dtype_and_shape_errors():
    with pytest.raises(TypeError):
        lax_linalg.cholesky(np.eye(3, dtype=np.int32))
    with pytest.raises(TypeError):
        lax_linalg.svd(np.eye(3, dtype=np.float16))
    with pytest.raises(ValueError, match=r"\(3, 4\)"):
        lax_linalg.eigh(np.ones((3, 4), F32))
    with pytest.raises(ValueError):
        pyjax.jit(lax_linalg.cholesky)(np.ones((2, 3), F32))


# ===========================================================================
# pyjax.numpy.linalg


@pytest.mark.parametrize("dtype", ALL)
def test_solve_inv_det_slogdet(dtype):
    rng = np.random.default_rng(20)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        a = well(rng, 4, dtype, batch=(2, 3))
        b = rand(rng, (2, 3, 4, 2), dtype)
        r = tol(dtype) * 10
        close(jla.solve(a, b), np.linalg.solve(a, b), r)
        close(jla.solve(a[0, 0], b[0, 0, :, 0]), np.linalg.solve(a[0, 0], b[0, 0, :, 0]), r)
        close(jla.solve(a, b[0, 0, :, 0]), np.linalg.solve(a, b[0, 0, :, 0]), r)
        close(jla.solve(a, b[:1]), np.linalg.solve(a, b[:1]), r)  # broadcast batch
        close(jla.inv(a), np.linalg.inv(a), r)
        for n in (1, 2, 3, 5):
            m = well(rng, n, dtype, batch=(2,))
            close(jla.det(m), np.linalg.det(m), r * 5)
            s, ld = jla.slogdet(m)
            sr, ldr = np.linalg.slogdet(m)
            close(s, sr, r)
            close(ld, ldr, r)
        s, ld = jla.slogdet(well(rng, 4, dtype), method="qr") if dtype in (F32, F64) else (1, 1)
        if dtype in (F32, F64):
            m = well(rng, 4, dtype)
            s, ld = jla.slogdet(m, method="qr")
            close(ld, np.linalg.slogdet(m)[1], r)
        check_jit_and_shapes(jla.solve, [a, b])
        check_jit_and_shapes(jla.det, [a])


def test_solve_inv_det_derivatives_second_order(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(21)
    a = well(rng, 3)
    b = rand(rng, (3, 2))
    check_grads(jla.solve, (a, b), order=2, modes=("fwd", "rev"))
    check_grads(jla.inv, (a,), order=2, modes=("fwd", "rev"))
    for n in (2, 3, 4):
        check_grads(jla.det, (well(rng, n),), order=2, modes=("fwd", "rev"))
    check_grads(lambda x: jla.slogdet(x)[1], (well(rng, 4),), order=2, modes=("fwd", "rev"))
    ac, bc = well(rng, 3, C128), rand(rng, (3,), C128)
    check_derivatives(jla.solve, [ac, bc], rng)
    check_derivatives(jla.inv, [ac], rng)
    check_derivatives(jla.det, [well(rng, 4, C128)], rng)
    check_derivatives(lambda x: jla.slogdet(x)[1], [well(rng, 4, C128)], rng)


def test_det_gradient_at_singular_matrices(x64):
    # rank n-1: the gradient is the adjugate's transpose (finite), rank < n-1: zero
    a = np.array([[1., 2, 3, 4], [2, 4, 6, 8], [0, 1, 0, 1], [1, 0, 1, 0]])
    g = np.asarray(pyjax.grad(jla.det)(a))
    adj = np.array([[np.linalg.det(np.delete(np.delete(a, i, 0), j, 1)) * (-1) ** (i + j)
                     for j in range(4)] for i in range(4)])
    close(g, adj, 1e-10)
    z = np.zeros((4, 4))
    z[0, 0] = 1
    np.testing.assert_array_equal(np.asarray(pyjax.grad(jla.det)(z)), np.zeros((4, 4)))


def test_singular_inputs_like_jax():
    s = np.array([[1., 2], [2, 4]], F32)
    inv = np.asarray(jla.inv(np.kron(np.eye(2), s).astype(F32)))
    assert not np.isfinite(inv).all()
    sign, ld = jla.slogdet(np.zeros((3, 3), F32))
    assert float(sign) == 0 and float(ld) == -np.inf
    assert float(jla.det(np.zeros((4, 4), F32))) == 0
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        jla.inv(np.ones((2, 3), F32))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        jla.det(np.ones((2, 3), F32))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        jla.det(np.ones(3, F32))


@pytest.mark.parametrize("dtype", ALL)
def test_decompositions(dtype):
    rng = np.random.default_rng(22)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        a = rand(rng, (2, 4, 3), dtype)
        h = herm(rng, 4, dtype, batch=(2,))
        p = spd(rng, 4, dtype, batch=(2,))
        close(jla.cholesky(p), np.linalg.cholesky(p), r)
        close(jla.cholesky(p, upper=True), np.conj(np.swapaxes(np.linalg.cholesky(p), -1, -2)), r)
        for mode in ("reduced", "complete"):
            q, rr = jla.qr(a, mode=mode)
            qn, rn = np.linalg.qr(a, mode=mode)
            assert q.shape == qn.shape and rr.shape == rn.shape
            close(np.asarray(q) @ np.asarray(rr), a, r)
        assert jla.qr(a, mode="r").shape == (2, 3, 3)
        raw_h, raw_tau = jla.qr(a[0], mode="raw")
        nh, ntau = np.linalg.qr(a[0], mode="raw")
        close(np.abs(raw_h), np.abs(nh), r)
        close(jla.svdvals(a), np.linalg.svd(a, compute_uv=False), r)
        u, s, vh = jla.svd(a, full_matrices=False)
        close((np.asarray(u) * np.asarray(s)[..., None, :]) @ np.asarray(vh), a, r)
        for uplo in ("L", "U"):
            w, v = jla.eigh(h, UPLO=uplo)
            close(w, np.linalg.eigvalsh(h, UPLO=uplo), r)
            close(jla.eigvalsh(h, UPLO=uplo), np.linalg.eigvalsh(h, UPLO=uplo), r)
        u, s, vh = jla.svd(h, hermitian=True)
        close(s, np.linalg.svd(h, compute_uv=False), r)
        close((np.asarray(u) * np.asarray(s)[..., None, :]) @ np.asarray(vh), h, r)
        close(jla.svd(h, hermitian=True, compute_uv=False), np.linalg.svd(h, compute_uv=False), r)
        m = rand(rng, (2, 3, 3), dtype)
        w, v = jla.eig(m)
        close(np.sort_complex(np.asarray(w).ravel()), np.sort_complex(np.linalg.eigvals(m).ravel()), r)
        close(np.sort_complex(np.asarray(jla.eigvals(m)).ravel()),
              np.sort_complex(np.linalg.eigvals(m).ravel()), r)
        with pytest.raises(ValueError):
            jla.eigh(h, UPLO="X")
        with pytest.raises(ValueError):
            jla.qr(a, mode="bad")


@pytest.mark.parametrize("dtype", ALL)
def test_pinv_lstsq_rank_cond_power(dtype):
    rng = np.random.default_rng(23)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 20
        a = rand(rng, (2, 5, 3), dtype)
        close(jla.pinv(a), np.linalg.pinv(a), r)
        close(jla.pinv(np.swapaxes(a, -1, -2)), np.linalg.pinv(np.swapaxes(a, -1, -2)), r)
        h = herm(rng, 4, dtype)
        close(jla.pinv(h, hermitian=True), np.linalg.pinv(h, hermitian=True), r)
        close(jla.pinv(a, rtol=0.5), np.linalg.pinv(a, rcond=0.5), r)
        b = rand(rng, (5, 2), dtype)
        x, res, rank, sv = jla.lstsq(a[0], b)
        xr, resr, rankr, svr = np.linalg.lstsq(a[0], b, rcond=None)
        close(x, xr, r)
        close(res, resr, r * 10)
        assert int(rank) == rankr
        close(sv, svr, r)
        x1 = jla.lstsq(a[0], b[:, 0])[0]
        close(x1, xr[:, 0], r)
        low = (rand(rng, (2, 5, 2), dtype) @ rand(rng, (2, 2, 4), dtype)).astype(dtype)
        np.testing.assert_array_equal(jla.matrix_rank(low), np.linalg.matrix_rank(low))
        np.testing.assert_array_equal(jla.matrix_rank(h, hermitian=True),
                                      np.linalg.matrix_rank(h, hermitian=True))
        m = well(rng, 3, dtype, batch=(2,))
        for p in (None, 1, -1, 2, -2, np.inf, -np.inf, "fro", "nuc"):
            close(jla.cond(m, p), np.linalg.cond(m, p), r * 10)
        assert float(jla.cond(np.array([[1., 0], [0, 0]], F32))) == np.inf
        assert float(jla.cond(np.array([[1., 0], [0, 0]], F32), 1)) == np.inf
        for n in (0, 1, 2, 3, 5, -1, -3):
            close(jla.matrix_power(m, n), np.linalg.matrix_power(m, n), r * 10)
        with pytest.raises(TypeError):
            jla.matrix_power(m, 1.5)


@pytest.mark.parametrize("dtype", ALL)
def test_norms(dtype):
    rng = np.random.default_rng(24)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        x = rand(rng, (3, 4, 5), dtype)
        close(jla.norm(x), np.linalg.norm(x), r)
        for ordv in (None, 1, 2, 0, -1, -2, 3, 0.5, np.inf, -np.inf):
            close(jla.norm(x, ordv, axis=1), np.linalg.norm(x, ordv, axis=1), r)
            close(jla.norm(x, ordv, axis=-1, keepdims=True),
                  np.linalg.norm(x, ordv, axis=-1, keepdims=True), r)
        for ordm in (None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
            close(jla.norm(x, ordm, axis=(0, 2)), np.linalg.norm(x, ordm, axis=(0, 2)), r)
            close(jla.norm(x, ordm, axis=(2, 1), keepdims=True),
                  np.linalg.norm(x, ordm, axis=(2, 1), keepdims=True), r)
        close(jla.norm(x[0], 2), np.linalg.norm(x[0], 2), r)
        close(jla.norm(x[0, 0], 2), np.linalg.norm(x[0, 0], 2), r)
        close(jla.vector_norm(x), np.linalg.vector_norm(x), r)
        close(jla.vector_norm(x, ord=3, axis=(0, 1)), np.linalg.vector_norm(x, ord=3, axis=(0, 1)), r)
        close(jla.matrix_norm(x, ord="nuc"), np.linalg.matrix_norm(x, ord="nuc"), r)
        close(jla.matrix_norm(x), np.linalg.matrix_norm(x), r)
        with pytest.raises(ValueError):
            jla.norm(x, "inf", axis=0)
        with pytest.raises(ValueError):
            jla.norm(x, axis=(0, 1, 2), ord=2)
    # integer (and boolean) input keeps its integer type for orders 1 and +-inf, as JAX
    xi = np.array([[2, -1], [1, 3]])
    for o, want in ((1, [3, 4]), (np.inf, [2, 3]), (-np.inf, [1, 1])):
        got = jla.vector_norm(xi, ord=o, axis=0)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, want)
    assert jla.vector_norm(np.array([True, False, True]), ord=1).dtype == np.int32
    assert jla.vector_norm(xi).dtype == jla.norm(xi, 1).dtype == np.float32


def test_norm_gradients(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(25)
    x = rand(rng, (3, 4))
    for o in (None, "fro", "nuc", 2, 1, np.inf):
        check_grads(lambda m: jla.norm(m, o), (x,), order=1)
    check_grads(lambda v: jla.vector_norm(v, ord=3), (x,), order=2)


def test_products_and_array_api(x64):
    rng = np.random.default_rng(26)
    a, b = rand(rng, (2, 3)), rand(rng, (3, 4))
    c, d = rand(rng, (4,)), rand(rng, (2,))
    close(jla.multi_dot([d, a, b, c]), np.linalg.multi_dot([d, a, b, c]), 1e-12)
    close(jla.multi_dot([a, b]), a @ b, 1e-12)
    with pytest.raises(ValueError):
        jla.multi_dot([a])
    u, v = rand(rng, (2, 3)), rand(rng, (4, 2, 3))
    close(jla.cross(u, v), np.cross(u, v), 1e-12)
    close(jla.cross(np.swapaxes(v, 1, 2), np.swapaxes(v, 1, 2)[::-1], axis=1),
          np.cross(np.swapaxes(v, 1, 2), np.swapaxes(v, 1, 2)[::-1], axis=1), 1e-12)
    with pytest.raises(ValueError):
        jla.cross(b, b)
    close(jla.outer(c, d), np.outer(c, d), 1e-12)
    with pytest.raises(ValueError):
        jla.outer(a, c)
    t = rand(rng, (2, 3, 4))
    close(jla.trace(t), np.linalg.trace(t), 1e-12)
    close(jla.trace(t, offset=1), np.linalg.trace(t, offset=1), 1e-12)
    close(jla.diagonal(t, offset=-1), np.linalg.diagonal(t, offset=-1), 1e-12)
    close(jla.matrix_transpose(t), np.linalg.matrix_transpose(t), 0)
    close(jla.vecdot(t, t), np.linalg.vecdot(t, t), 1e-12)
    close(jla.matmul(a, b), a @ b, 1e-12)
    close(jla.tensordot(t, rand(rng, (3, 4, 2)) * 0 + 1, axes=2),
          np.linalg.tensordot(t, np.ones((3, 4, 2)), axes=2), 1e-12)
    m = rand(rng, (6, 2, 3)) + np.eye(6).reshape(6, 2, 3)
    close(jla.tensorinv(m, ind=1), np.linalg.tensorinv(m, ind=1), 1e-10)
    a4 = rand(rng, (2, 3, 6)) + np.eye(6).reshape(2, 3, 6) * 3
    b4 = rand(rng, (2, 3))
    close(jla.tensorsolve(a4, b4), np.linalg.tensorsolve(a4, b4), 1e-10)
    with pytest.raises(ValueError):
        jla.tensorinv(rand(rng, (2, 3)), ind=1)


def test_linalg_under_jit_and_vmap(x64):
    rng = np.random.default_rng(27)
    a = well(rng, 3, batch=(4,))
    b = rand(rng, (4, 3))
    close(pyjax.jit(jla.solve)(a[0], b[0]), np.linalg.solve(a[0], b[0]), 1e-12)
    close(pyjax.vmap(jla.solve)(a, b), np.linalg.solve(a, b[..., None])[..., 0], 1e-12)
    close(pyjax.vmap(jla.solve, in_axes=(None, 0))(a[0], b), np.linalg.solve(a[0], b.T).T, 1e-12)
    close(pyjax.vmap(jla.det)(a), np.linalg.det(a), 1e-12)
    close(pyjax.vmap(jla.inv, in_axes=2, out_axes=1)(np.moveaxis(a, 0, 2)),
          np.moveaxis(np.linalg.inv(a), 0, 1), 1e-12)
    close(pyjax.jit(jla.pinv)(a), np.linalg.pinv(a), 1e-10)
    close(pyjax.jit(pyjax.grad(lambda x: jla.slogdet(x)[1]))(a[0]), np.linalg.inv(a[0]).T, 1e-10)
    g = pyjax.vmap(pyjax.grad(jla.det))(a)
    close(g, np.linalg.det(a)[:, None, None] * np.swapaxes(np.linalg.inv(a), -1, -2), 1e-10)
    h = herm(rng, 3, batch=(4,))
    close(pyjax.vmap(jla.eigvalsh)(h), np.linalg.eigvalsh(h), 1e-12)
    close(pyjax.jit(jla.svdvals)(a), np.linalg.svd(a, compute_uv=False), 1e-12)
    # grads of decompositions under jit
    gs = pyjax.jit(pyjax.grad(lambda x: jnp.sum(jla.svdvals(x))))(a[0])
    u, s, vh = np.linalg.svd(a[0])
    close(gs, u @ vh, 1e-10)


def test_pinv_derivatives(x64):
    rng = np.random.default_rng(28)
    for shape in ((4, 3), (3, 4)):
        for dt in (F64, C128):
            check_derivatives(jla.pinv, [rand(rng, shape, dt)], rng)
    check_derivatives(lambda x: jla.pinv(x, hermitian=True), [herm(rng, 3)], rng)


def test_integer_and_weak_inputs():
    assert jla.det(np.eye(3, dtype=np.int32)).dtype == np.float32
    assert jla.inv(np.eye(2, dtype=np.int32)).dtype == np.float32
    close(jla.norm(np.array([3, 4])), 5.0, 1e-6)
    assert jla.solve(jnp.eye(2), jnp.ones(2)).dtype == np.float32


# ===========================================================================
# Oracle: real JAX


@pytest.mark.parametrize("dt", [F64, C128])
def test_oracle_decompositions_match_jax_conventions(dt, x64, jax64):
    jax = jax64
    rng = np.random.default_rng(30)
    a = rand(rng, (2, 4, 4), dt)
    w = rand(rng, (2, 5, 3), dt)
    h = herm(rng, 4, dt, batch=(2,))

    def ours(a, w, h):
        return (lax_linalg.lu(a), lax_linalg.qr(a), lax_linalg.qr(w, full_matrices=False),
                lax_linalg.eigh(h), lax_linalg.svd(w), lax_linalg.eig(a), lax_linalg.schur(a),
                lax_linalg.hessenberg(a), jla.svd(h[0], hermitian=True))

    def theirs(a, w, h):
        L = jax.lax.linalg
        return (L.lu(a), L.qr(a), L.qr(w, full_matrices=False), L.eigh(h), L.svd(w), L.eig(a),
                L.schur(a), L.hessenberg(a), jax.numpy.linalg.svd(h[0], hermitian=True))

    got = ours(a, w, h)
    want = jax.jit(theirs)(a, w, h)
    for xs, ys in zip(got, want):
        for x, y in zip(xs, ys):
            assert np.asarray(x).dtype == np.asarray(y).dtype
            np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-12, atol=1e-12)


def test_oracle_singular_and_failure_cases(x64, jax64):
    jax = jax64
    J = jax.numpy
    s = np.array([[1., 2, 3, 4], [2, 4, 6, 8], [0, 1, 0, 1], [1, 0, 1, 0]])
    z = np.zeros((4, 4))
    z[0, 0] = 1

    def cases(lib, grad, L):
        return [lib.inv(s), lib.solve(s, np.ones(4)), lib.slogdet(s)[1], lib.slogdet(s)[0],
                lib.det(s), grad(lib.det)(s), grad(lib.det)(z), lib.cholesky(-np.eye(3)),
                lib.cond(s), lib.cond(s, 1), lib.matrix_rank(s), lib.pinv(s),
                L.triangular_solve(np.triu(s), np.ones((4, 1)), left_side=True)]

    ours = cases(jla, pyjax.grad, lax_linalg)
    theirs = jax.jit(lambda: cases(J.linalg, jax.grad, jax.lax.linalg))()
    for o, t in zip(ours, theirs):
        o, t = np.asarray(o), np.asarray(t)
        np.testing.assert_array_equal(np.isnan(o), np.isnan(t))
        np.testing.assert_array_equal(np.isinf(o), np.isinf(t))
        fin = np.isfinite(t)
        np.testing.assert_allclose(o[fin], t[fin], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("dt", [F64, C128])
def test_oracle_derivatives_match_jax(dt, x64, jax64):
    jax = jax64
    J = jax.numpy
    JL = jax.lax.linalg
    rng = np.random.default_rng(31)
    a, t = rand(rng, (3, 3), dt), rand(rng, (3, 3), dt)
    h, p = herm(rng, 3, dt), spd(rng, 3, dt)
    w, tw = rand(rng, (4, 2), dt), rand(rng, (4, 2), dt)
    fns = [
        (lax_linalg.cholesky, JL.cholesky, p, t),
        (lambda x: lax_linalg.lu(x)[0], lambda x: JL.lu(x)[0], a, t),
        (lax_linalg.qr, JL.qr, a, t),
        (lambda x: lax_linalg.qr(x, full_matrices=False),
         lambda x: JL.qr(x, full_matrices=False), w, tw),
        (lambda x: lax_linalg.qr(x, full_matrices=True),
         lambda x: JL.qr(x, full_matrices=True), w, tw),
        (lax_linalg.eigh, JL.eigh, h, t),
        (lambda x: lax_linalg.svd(x, full_matrices=False),
         lambda x: JL.svd(x, full_matrices=False), w, tw),
        (lambda x: lax_linalg.eig(x, compute_left_eigenvectors=False,
                                  compute_right_eigenvectors=False),
         lambda x: JL.eig(x, compute_left_eigenvectors=False,
                          compute_right_eigenvectors=False), a, t),
        (jla.det, J.linalg.det, a, t),
        (jla.pinv, J.linalg.pinv, w, tw),
        (jla.inv, J.linalg.inv, a, t),
    ]
    xs = [(x, v) for _, _, x, v in fns]
    theirs = jax.jit(lambda xs: [jax.jvp(f, (x,), (v,))[1]
                                 for (_, f, _, _), (x, v) in zip(fns, xs)])(xs)
    for (ours, _, x, v), t2 in zip(fns, theirs):
        _, t1 = pyjax.jvp(ours, (x,), (v,))
        for g1, g2 in zip(_leaves(t1), _leaves(t2)):
            np.testing.assert_allclose(np.asarray(g1), np.asarray(g2), rtol=1e-9, atol=1e-9)
    # reverse mode, complex cotangent conventions included
    f1 = lambda x, y: (jnp.sum(jnp.abs(jla.inv(x)) ** 2)  # noqa: E731
                       + jnp.real(jnp.sum(lax_linalg.eigh(y)[0][:, 0] ** 2)))
    f2 = lambda x, y: (J.sum(J.abs(J.linalg.inv(x)) ** 2)  # noqa: E731
                       + J.real(J.sum(JL.eigh(y)[0][:, 0] ** 2)))
    g1 = pyjax.grad(f1, argnums=(0, 1))(a, h)
    g2 = jax.jit(jax.grad(f2, argnums=(0, 1)))(a, h)
    for x, y in zip(g1, g2):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-9, atol=1e-9)
