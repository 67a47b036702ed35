"""pyjax.scipy.linalg, pyjax.scipy.sparse.linalg, lax.custom_linear_solve and lax.custom_root.

Each function against SciPy (float32/float64, complex where meaningful, batched), under jit
and vmap, differentiated (finite differences, the transpose identity), and against JAX where
it is installed.
"""
import warnings

import numpy as np
import pytest
import scipy.linalg as sla

import pyjax
import pyjax.numpy as jnp
import pyjax.numpy.linalg as jla
import pyjax.scipy.linalg as jsl
import pyjax.scipy.sparse.linalg as jssl
from pyjax._src.config import config
from pyjax._src.lax.solvers import custom_linear_solve, custom_root

F32, F64, C64, C128 = np.float32, np.float64, np.complex64, np.complex128
ALL = (F32, F64, C64, C128)


@pytest.fixture
def x64():
    with config.override(jax_enable_x64=True):
        yield


def rand(rng, shape, dtype=F64):
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    return np.asarray(x).astype(dtype)


def well(rng, n, dtype=F64, batch=()):
    return (rand(rng, batch + (n, n), dtype) + 2 * n * np.eye(n)).astype(dtype)


def spd(rng, n, dtype=F64, batch=()):
    a = rand(rng, batch + (n, n), dtype)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def herm(rng, n, dtype=F64):
    a = rand(rng, (n, n), dtype)
    return ((a + np.conj(a.T)) / 2).astype(dtype)


def tol(dtype):
    return 2e-4 if np.dtype(dtype) in (np.dtype(F32), np.dtype(C64)) else 1e-10


def close(a, b, rtol, atol=None):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol if atol is None else atol)


def _leaves(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def _pair(a, b):
    return sum(float(np.real(np.sum(np.asarray(x).astype(C128) * np.asarray(y).astype(C128))))
               for x, y in zip(_leaves(a), _leaves(b)))


def check_derivatives(f, args, rng, eps=1e-6, rtol=1e-5):
    """jvp vs central differences and vjp vs jvp (the transpose identity), in 64-bit."""
    v = [rand(rng, a.shape, a.dtype.type) for a in args]
    out, t = pyjax.jvp(f, tuple(args), tuple(v))
    plus = f(*[a + eps * d for a, d in zip(args, v)])
    minus = f(*[a - eps * d for a, d in zip(args, v)])
    for tt, p, m in zip(_leaves(t), _leaves(plus), _leaves(minus)):
        num = (np.asarray(p) - np.asarray(m)) / (2 * eps)
        scale = max(1.0, float(np.max(np.abs(num))))
        np.testing.assert_allclose(np.asarray(tt), num, rtol=rtol * 10, atol=rtol * scale)
    out2, vjp_fn = pyjax.vjp(f, *args)
    u = [rand(rng, np.shape(o), np.asarray(o).dtype.type) for o in _leaves(out2)]
    cts = vjp_fn(type(out2)(u) if isinstance(out2, (tuple, list)) else u[0])
    lhs, rhs = _pair(u, _leaves(t)), _pair(cts, v)
    assert abs(lhs - rhs) <= 1e-8 * (1 + abs(lhs) + abs(rhs)), (lhs, rhs)


# ---------------------------------------------------------------------------
# solves and factorizations


@pytest.mark.parametrize("dtype", ALL)
def test_triangular_and_cholesky_solves(dtype):
    rng = np.random.default_rng(0)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        a = well(rng, 4, dtype)
        b = rand(rng, (4, 3), dtype)
        for trans in (0, 1, 2, "N", "T", "C"):
            for lower in (True, False):
                for unit in (True, False):
                    close(jsl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit),
                          sla.solve_triangular(a, b, trans=trans, lower=lower,
                                               unit_diagonal=unit), r)
        close(jsl.solve_triangular(a, b[:, 0], lower=True),
              sla.solve_triangular(a, b[:, 0], lower=True), r)
        with pytest.raises(ValueError):
            jsl.solve_triangular(a, b, trans=3)
        p = spd(rng, 4, dtype)
        for lower in (True, False):
            close(jsl.cholesky(p, lower=lower), sla.cholesky(p, lower=lower), r)
            c = jsl.cho_factor(p, lower=lower)
            assert c[1] == lower
            close(jsl.cho_solve(c, b), sla.cho_solve(sla.cho_factor(p, lower=lower), b), r)
            close(jsl.cho_solve(c, b[:, 0]), sla.cho_solve(sla.cho_factor(p, lower=lower), b[:, 0]), r)
        # batched
        pb = spd(rng, 3, dtype, batch=(2,))
        bb = rand(rng, (2, 3, 2), dtype)
        close(jsl.cho_solve(jsl.cho_factor(pb), bb), np.linalg.solve(pb, bb), r)


@pytest.mark.parametrize("dtype", ALL)
def test_lu_family(dtype):
    rng = np.random.default_rng(1)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        for shape in ((4, 4), (5, 3), (3, 5)):
            a = rand(rng, shape, dtype)
            p, l_, u = jsl.lu(a)
            pr, lr, ur = sla.lu(a)
            close(p, pr, 0)
            close(l_, lr, r)
            close(u, ur, r)
            pl, u2 = jsl.lu(a, permute_l=True)
            close(pl, pr @ lr, r)
        a = well(rng, 4, dtype)
        b = rand(rng, (4, 2), dtype)
        lu, piv = jsl.lu_factor(a)
        lur, pivr = sla.lu_factor(a)
        close(lu, lur, r)
        np.testing.assert_array_equal(piv, pivr)
        for trans in (0, 1, 2):
            close(jsl.lu_solve((lu, piv), b, trans=trans), sla.lu_solve((lur, pivr), b, trans=trans), r)
        close(jsl.lu_solve((lu, piv), b[:, 0]), sla.lu_solve((lur, pivr), b[:, 0]), r)
        ab = rand(rng, (2, 3, 4, 4), dtype)
        p, l_, u = jsl.lu(ab)
        close(np.asarray(p) @ np.asarray(l_) @ np.asarray(u), ab, r)


@pytest.mark.parametrize("dtype", ALL)
def test_solve_assume_a_det_inv(dtype):
    rng = np.random.default_rng(2)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        a = well(rng, 4, dtype)
        p = spd(rng, 4, dtype)
        b = rand(rng, (4, 2), dtype)
        for assume in ("gen", "sym", "her", "pos"):
            m = p if assume in ("pos", "her") else (a + a.T if assume == "sym" else a)
            close(jsl.solve(m, b, assume_a=assume), sla.solve(m, b, assume_a=assume), r)
            close(jsl.solve(m, b[:, 0], assume_a=assume), sla.solve(m, b[:, 0], assume_a=assume), r)
        close(jsl.solve(p, b, assume_a="pos", lower=True), sla.solve(p, b, assume_a="pos"), r)
        close(jsl.solve(np.triu(a), b, assume_a="upper triangular"), np.linalg.solve(np.triu(a), b), r)
        close(jsl.solve(np.tril(a), b, assume_a="lower triangular"), np.linalg.solve(np.tril(a), b), r)
        d = np.diag(np.diag(a))
        close(jsl.solve(d, b, assume_a="diagonal"), np.linalg.solve(d, b), r)
        close(jsl.solve(a, b, transposed=True), np.linalg.solve(a.T, b), r)
        with pytest.raises(ValueError):
            jsl.solve(a, b, assume_a="nope")
        close(jsl.det(a), sla.det(a), r * 10)
        close(jsl.inv(a), sla.inv(a), r)
        pb, bb = spd(rng, 3, dtype, batch=(2,)), rand(rng, (2, 3, 2), dtype)
        close(jsl.solve(pb, bb, assume_a="pos"), np.linalg.solve(pb, bb), r)


def test_solve_pos_derivatives(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(3)
    p, b = spd(rng, 3), rand(rng, (3, 2))
    f = lambda m, v: jsl.solve(m + m.T, v, assume_a="pos")  # noqa: E731
    check_grads(f, (p, b), order=2, modes=("fwd", "rev"))
    check_derivatives(lambda m, v: jsl.solve(m @ jnp.conj(m.T), v, assume_a="pos"),
                      [well(rng, 3, C128), rand(rng, (3,), C128)], rng)
    check_grads(lambda m, v: jsl.cho_solve(jsl.cho_factor(m), v), (p, b), order=1)
    check_grads(lambda m, v: jsl.lu_solve(jsl.lu_factor(m), v), (well(rng, 3), b), order=1)
    check_grads(lambda m, v: jsl.solve_triangular(m, v, lower=True, trans=1), (well(rng, 3), b),
                order=2)


@pytest.mark.parametrize("dtype", ALL)
def test_qr_svd_eigh_schur_hessenberg(dtype):
    rng = np.random.default_rng(4)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        a = rand(rng, (5, 3), dtype)
        for mode in ("full", "economic"):
            q, rr = jsl.qr(a, mode=mode)
            qr_, rr_ = sla.qr(a, mode=mode)
            close(q, qr_, r)
            close(rr, rr_, r)
        rr, = jsl.qr(a, mode="r")
        close(rr, sla.qr(a, mode="r")[0], r)
        (hr, tau), _ = jsl.qr(a, mode="raw")
        (hr_, tau_), _ = sla.qr(a, mode="raw")
        close(hr, hr_, r)
        close(tau, tau_, r)
        with pytest.raises(ValueError):
            jsl.qr(a, mode="bad")
        u, s, vh = jsl.svd(a)
        close(s, sla.svd(a, compute_uv=False), r)
        assert u.shape == (5, 5) and vh.shape == (3, 3)
        close(jsl.svd(a, compute_uv=False), sla.svd(a, compute_uv=False), r)
        h = herm(rng, 4, dtype)
        w, v = jsl.eigh(h)
        close(w, sla.eigh(h, eigvals_only=True), r)
        close(jsl.eigh(h, eigvals_only=True, lower=False), sla.eigh(h, lower=False, eigvals_only=True), r)
        w2, v2 = jsl.eigh(h, subset_by_index=(1, 2))
        close(w2, sla.eigh(h, subset_by_index=(1, 2), eigvals_only=True), r)
        assert v2.shape == (4, 2)
        p = spd(rng, 4, dtype)
        wg, vg = jsl.eigh(h, p)
        wgr, vgr = sla.eigh(h, p)
        close(wg, wgr, r * 10)
        close(np.abs(vg), np.abs(vgr), r * 10)
        for typ in (2, 3):  # a b v = w v, b a v = w v
            wg, vg = jsl.eigh(h, p, type=typ)
            wgr, vgr = sla.eigh(h, p, type=typ)
            close(wg, wgr, r * 10)
            close(np.abs(vg), np.abs(vgr), r * 10)
        with pytest.raises(ValueError):
            jsl.eigh(h, type=4)
        m = rand(rng, (4, 4), dtype)
        for output in ("real", "complex"):
            t, z = jsl.schur(m, output=output)
            tr, zr = sla.schur(m, output=output)
            close(t, tr, r * 10)
            close(z, zr, r * 10)
        hh = jsl.hessenberg(m)
        hh2, q = jsl.hessenberg(m, calc_q=True)
        hr, qr2 = sla.hessenberg(m, calc_q=True)
        close(hh, hr, r)
        close(hh2, hr, r)
        close(q, qr2, r)


def test_eigh_tridiagonal(x64):
    rng = np.random.default_rng(5)
    d, e = rand(rng, (6,)), rand(rng, (5,))
    close(jsl.eigh_tridiagonal(d, e, eigvals_only=True), sla.eigh_tridiagonal(d, e, eigvals_only=True), 1e-12)
    w, v = jsl.eigh_tridiagonal(d, e)
    wr, vr = sla.eigh_tridiagonal(d, e)
    close(w, wr, 1e-12)
    close(np.abs(v), np.abs(vr), 1e-10)
    close(jsl.eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(1, 3)),
          sla.eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(1, 3)), 1e-12)
    with pytest.raises(NotImplementedError):
        jsl.eigh_tridiagonal(d, e, select="v", select_range=(0.0, 1.0))
    from pyjax.test_util import check_grads
    check_grads(lambda d_, e_: jsl.eigh_tridiagonal(d_, e_, eigvals_only=True), (d, e), order=1)


@pytest.mark.parametrize("dtype", [F32, F64])
def test_expm_and_frechet(dtype):
    rng = np.random.default_rng(6)
    with config.override(jax_enable_x64=dtype == F64):
        r = tol(dtype) * 20
        for scale in (0.01, 0.3, 1.0, 3.0, 30.0):  # every Pade degree, with squarings
            a = (rand(rng, (4, 4)) * scale / 2).astype(dtype)
            close(jsl.expm(a), sla.expm(a), r, r * np.abs(sla.expm(a)).max())
        a = rand(rng, (2, 3, 3), dtype)
        close(jsl.expm(a), np.stack([sla.expm(x) for x in a]), r)
        u = np.triu(rand(rng, (3, 3), dtype))
        close(jsl.expm(u, upper_triangular=True), sla.expm(u), r)
        e = rand(rng, (3, 3), dtype)
        ea, le = jsl.expm_frechet(a[0], e)
        ear, ler = sla.expm_frechet(a[0], e)
        close(ea, ear, r)
        close(le, ler, r)
        close(jsl.expm_frechet(a[0], e, compute_expm=False), ler, r)
        close(jsl.expm(np.zeros((3, 3), dtype)), np.eye(3), 0)
        assert np.isnan(np.asarray(jsl.expm(np.full((2, 2), 1e30, dtype)))).all()
        ac = (rand(rng, (3, 3), dtype) + 1j * rand(rng, (3, 3), dtype))
        close(jsl.expm(ac), sla.expm(ac), r)


def test_expm_derivatives_jit_vmap(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(7)
    check_grads(jsl.expm, (rand(rng, (3, 3)) * 0.05,), order=2, modes=("fwd", "rev"))
    check_grads(jsl.expm, (rand(rng, (3, 3)) * 2.0,), order=1, modes=("fwd", "rev"))  # squarings
    a = rand(rng, (4, 3, 3))
    close(pyjax.jit(jsl.expm)(a[0]), sla.expm(a[0]), 1e-12)
    close(pyjax.vmap(jsl.expm)(a), np.stack([sla.expm(x) for x in a]), 1e-12)
    check_derivatives(jsl.expm, [rand(rng, (3, 3), C128)], rng)


@pytest.mark.parametrize("dtype", ALL)
def test_matrix_functions(dtype):
    rng = np.random.default_rng(8)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 50
        a = spd(rng, 4, dtype)
        s = jsl.sqrtm(a)
        close(s, sla.sqrtm(a).astype(np.result_type(dtype, np.complex64)), r)
        close(np.asarray(s) @ np.asarray(s), a, r * 10)
        m = rand(rng, (4, 4), dtype)
        close(jsl.sqrtm(m), sla.sqrtm(m), r * 10)
        close(jsl.funm(m, jnp.exp), sla.funm(m, np.exp), r * 10)
        close(jsl.funm(m, lambda x: x * x), m @ m, r * 10)
        f, err = jsl.funm(m, jnp.exp, disp=False)  # SciPy's error estimate too
        f_ref, err_ref = sla.funm(m, np.exp, disp=False)
        close(f, f_ref, r * 10)
        assert err.dtype == np.finfo(dtype).dtype
        close(err, err_ref, 1e-2, 0)
        if dtype in (F32, F64):
            t, z = sla.schur(m)
            t2, z2 = jsl.rsf2csf(t, z)
            tr, zr = sla.rsf2csf(t, z)
            close(t2, tr, r)
            close(z2, zr, r)
            tb = np.stack([t, t])
            t3, _ = jsl.rsf2csf(tb, np.stack([z, z]))
            close(t3[1], tr, r)
        for shape in ((4, 4), (5, 3), (3, 5)):
            x = rand(rng, shape, dtype)
            for side in ("right", "left"):
                for method in ("svd", "qdwh"):
                    if method == "qdwh" and ((side == "right") != (shape[0] >= shape[1])):
                        continue
                    u, p = jsl.polar(x, side=side, method=method)
                    ur, pr = sla.polar(x, side=side)
                    close(u, ur, r)
                    close(p, pr, r)


@pytest.mark.parametrize("dtype", [F32, C128])
def test_constructors(dtype):
    rng = np.random.default_rng(9)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        c, rr = rand(rng, (4,), dtype), rand(rng, (3,), dtype)
        close(jsl.toeplitz(c, rr), sla.toeplitz(c, rr), 0)
        close(jsl.toeplitz(c), sla.toeplitz(c), 0)
        cb = rand(rng, (2, 3), dtype)
        close(jsl.toeplitz(cb, rr), np.stack([sla.toeplitz(x, rr) for x in cb]), 0)
        close(jsl.hankel(c, rr), sla.hankel(c, rr), 0)
        close(jsl.hankel(c), sla.hankel(c), 0)
        close(jsl.circulant(c), sla.circulant(c), 0)
        blocks = [rand(rng, (2, 2), dtype), np.ones(3, dtype), dtype(5), rand(rng, (1, 3), dtype)]
        close(jsl.block_diag(*blocks), sla.block_diag(*blocks), 0)
        assert jsl.block_diag().shape == (1, 0)
        with pytest.raises(ValueError):
            jsl.block_diag(np.ones((2, 2, 2)))


def test_dtype_rules_like_jax():
    gi = np.array([[2, 1], [1, 3]])
    # the Schur/Hessenberg family does not promote integers (JAX's errors)
    for f in (jsl.schur, jsl.hessenberg, lambda a: jsl.funm(a, jnp.exp)):
        with pytest.raises(TypeError, match="int32"):
            f(gi)
    with pytest.raises(TypeError, match="float32 and float64"):
        jsl.eigh_tridiagonal(gi[0], gi[1, :1])
    with pytest.raises(ValueError, match="not inexact"):
        jsl.polar(gi)
    # ... while these promote them to the default float type
    for f in (jsl.sqrtm, jsl.expm, jsl.inv, jsl.det, lambda a: jsl.rsf2csf(a, a)):
        out = f(gi)
        assert all(np.asarray(o).dtype in (F32, C64) for o in _leaves(out))
    t = jsl.toeplitz(1.0)
    assert t.shape == (1, 1) and t.dtype == F32 and not t.weak_type


def test_polar_methods(x64):
    rng = np.random.default_rng(47)
    for shape, side in (((5, 3), "right"), ((3, 5), "left"), ((2, 4, 3), "right")):
        a = rand(rng, shape)
        for o, w in zip(jsl.polar(a, side), jsl.polar(a, side, method="svd")):
            close(o, w, 1e-10)
    for shape, side in (((3, 5), "right"), ((5, 3), "left"), ((3, 3), "left")):
        with pytest.raises(NotImplementedError, match="svd"):  # as JAX
            jsl.polar(rand(rng, shape), side)
        jsl.polar(rand(rng, shape), side, method="svd")
    # qdwh iterates in a while loop: forward mode only (JAX's restriction)
    a = rand(rng, (4, 3))
    _, t = pyjax.jvp(lambda x: jsl.polar(x)[0], (a,), (a,))
    _, t2 = pyjax.jvp(lambda x: jsl.polar(x, method="svd")[0], (a,), (a,))
    close(t, t2, 1e-8)
    with pytest.raises(Exception, match="[Rr]everse"):
        pyjax.grad(lambda x: jnp.sum(jsl.polar(x)[0]))(a)


def test_scipy_linalg_grads(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(10)
    a = rand(rng, (4, 3))
    check_grads(lambda x: jsl.polar(x, method="svd")[1], (a,), order=1)
    check_grads(lambda x: jsl.qr(x, mode="economic"), (a,), order=1)
    check_grads(lambda x: jsl.svd(x, compute_uv=False), (a,), order=1)
    check_grads(lambda x: jsl.eigh(x + x.T, eigvals_only=True), (rand(rng, (3, 3)),), order=1)
    check_grads(lambda x: jsl.lu(x)[2], (well(rng, 3),), order=1)
    check_grads(lambda c, r: jsl.toeplitz(c, r), (rand(rng, (3,)), rand(rng, (4,))), order=1)
    check_grads(lambda x: jsl.block_diag(x, 2 * x), (rand(rng, (2, 2)),), order=1)


# ---------------------------------------------------------------------------
# special matrices, qr_multiply, solve_sylvester


@pytest.mark.parametrize("dtype", [F32, F64])
def test_special_matrices_vs_scipy(dtype):
    rng = np.random.default_rng(40)
    x64 = dtype == F64
    cdt = C128 if x64 else C64
    idt = np.int64 if x64 else np.int32
    with config.override(jax_enable_x64=x64):
        r = tol(dtype) * 10

        def same(got, want, dt, rr=r):
            assert got.dtype == dt, (got.dtype, dt)
            close(got, want, rr, rr * max(1.0, float(np.max(np.abs(want), initial=0))))

        a = rand(rng, (5,), dtype)
        for n in (2, 3, 5):
            same(jsl.companion(a[:n]), sla.companion(a[:n]), dtype)
        for n in (1, 2, 3, 4, 5):
            same(jsl.fiedler_companion(a[:n]), sla.fiedler_companion(a[:n]).reshape(n - 1, n - 1),
                 dtype)
        same(jsl.fiedler(a), sla.fiedler(a), dtype)
        same(jsl.leslie(a, a[1:]), sla.leslie(a, a[1:]), dtype)
        for m in (1, 3, 4):
            for n in (1, 2, 3, 6):
                for mode in ("full", "same", "valid"):
                    same(jsl.convolution_matrix(a[:m], n, mode),
                         sla.convolution_matrix(a[:m], n, mode), dtype)
        for n in (1, 4, 7):
            for scale in (None, "sqrtn", "n"):
                same(jsl.dft(n, scale), sla.dft(n, scale), cdt)
            same(jsl.hilbert(n), sla.hilbert(n), dtype)
            same(jsl.invhilbert(n), sla.invhilbert(n), dtype)
            same(jsl.helmert(n), sla.helmert(n), dtype)
            same(jsl.helmert(n, full=True), sla.helmert(n, full=True), dtype)
            for kind in (None, "lower", "upper", "symmetric"):
                same(jsl.pascal(n, kind), sla.pascal(n, kind or "symmetric"), F32)  # as JAX
                same(jsl.invpascal(n, kind), sla.invpascal(n, kind or "symmetric"), dtype)
        same(jsl.dft(3, dtype=np.complex64), sla.dft(3), C64, 1e-6)
        assert jsl.hilbert(0).shape == jsl.dft(0).shape == (0, 0)
        for n in (1, 2, 8):
            same(jsl.hadamard(n), sla.hadamard(n), idt)
            same(jsl.hadamard(n, dtype=np.float32), sla.hadamard(n), F32)
        # exactness where float64 holds the integers: invpascal/invhilbert in closed form
        if x64:
            np.testing.assert_array_equal(jsl.invpascal(20), sla.invpascal(20, exact=True).astype(float))
            np.testing.assert_array_equal(jsl.invhilbert(12), sla.invhilbert(12, exact=True).astype(float))
        # integer inputs: companions promote to float, leslie/convolution_matrix/fiedler keep ints
        ai = np.array([1, -10, 31, -30])
        same(jsl.companion(ai), sla.companion(ai), dtype)
        same(jsl.fiedler_companion(ai), sla.fiedler_companion(ai), dtype)
        assert jsl.fiedler(ai).dtype == jsl.leslie(ai, ai[1:]).dtype == idt
        np.testing.assert_array_equal(jsl.convolution_matrix(ai, 3, "same"),
                                      sla.convolution_matrix(ai, 3, "same"))
        # leading batch dimensions (broadcast for leslie)
        ab = rand(rng, (2, 3, 4), dtype)
        for f, g in ((jsl.companion, sla.companion), (jsl.fiedler, sla.fiedler),
                     (jsl.fiedler_companion, sla.fiedler_companion),
                     (lambda v: jsl.convolution_matrix(v, 3, "same"),
                      lambda v: sla.convolution_matrix(v, 3, "same"))):
            same(f(ab), np.stack([np.stack([g(v) for v in row]) for row in ab]), dtype)
        s = rand(rng, (3, 3), dtype)
        same(jsl.leslie(ab, s), np.stack([np.stack([sla.leslie(ab[i, j], s[j]) for j in range(3)])
                                          for i in range(2)]), dtype)
        # a zero leading coefficient gives inf/NaN (no check at run time, as JAX)
        assert not np.isfinite(np.asarray(jsl.companion(np.array([0., 1, 2], dtype)))).all()
    bad = [lambda: jsl.companion(np.ones(1)), lambda: jsl.fiedler_companion(np.ones(0)),
           lambda: jsl.leslie(np.ones(3), np.ones(1)), lambda: jsl.leslie(np.ones(1), np.ones(0)),
           lambda: jsl.convolution_matrix(np.ones(3), 0),
           lambda: jsl.convolution_matrix(np.ones(3), 2, "bad"),
           lambda: jsl.convolution_matrix(np.float32(1), 2),
           lambda: jsl.convolution_matrix(np.ones(0), 2), lambda: jsl.dft(3, "bad"),
           lambda: jsl.dft(3, dtype=np.float32), lambda: jsl.hadamard(3),
           lambda: jsl.hadamard(0), lambda: jsl.helmert(0), lambda: jsl.pascal(3, "x"),
           lambda: jsl.invpascal(3, "x")]
    for f in bad:
        with pytest.raises(ValueError):
            f()
    with pytest.raises(TypeError):
        jsl.companion([1.0, 2.0])


def test_special_matrices_derivatives_jit_vmap(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(41)
    a = rand(rng, (5,)) + np.array([3, 0, 0, 0, 0])
    check_grads(jsl.companion, (a,), order=2, modes=("fwd", "rev"))
    check_grads(jsl.fiedler_companion, (a,), order=2, modes=("fwd", "rev"))
    check_grads(jsl.fiedler, (np.arange(4.0) + rand(rng, (4,)) * 0.1,), order=1)
    check_grads(jsl.leslie, (a, a[1:]), order=1)
    check_grads(lambda v: jsl.convolution_matrix(v, 4, "same"), (a,), order=1)
    check_derivatives(jsl.companion, [rand(rng, (4,), C128) + 3], rng)
    ab = rand(rng, (3, 5))
    for f in (jsl.companion, jsl.fiedler_companion, jsl.fiedler,
              lambda v: jsl.convolution_matrix(v, 3, "valid"), lambda v: jsl.leslie(v, v[1:])):
        want = np.stack([np.asarray(f(v)) for v in ab])
        close(pyjax.vmap(f)(ab), want, 1e-14)
        close(pyjax.jit(f)(ab[0]), want[0], 1e-14)
    close(pyjax.jit(lambda: jsl.dft(5, "sqrtn"))(), sla.dft(5, "sqrtn"), 1e-14)
    close(pyjax.jit(lambda: jsl.invpascal(5))(), sla.invpascal(5), 1e-14)


@pytest.mark.parametrize("dtype", ALL)
def test_solve_sylvester(dtype):
    rng = np.random.default_rng(42)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 50
        A, B, C = rand(rng, (4, 4), dtype), rand(rng, (3, 3), dtype), rand(rng, (4, 3), dtype)
        want = sla.solve_sylvester(A, B, C)
        for method in ("schur", "eigen"):
            x = jsl.solve_sylvester(A, B, C, method=method)
            assert x.dtype == dtype and x.shape == (4, 3)
            close(x, want, r)
        # batch dimensions broadcast across A, B and C; jit and vmap
        Ab = rand(rng, (2, 4, 4), dtype)
        got = jsl.solve_sylvester(Ab, B, C)
        close(got, np.stack([sla.solve_sylvester(x, B, C) for x in Ab]), r)
        close(pyjax.jit(jsl.solve_sylvester)(Ab, B, C), got, r)
        close(pyjax.vmap(jsl.solve_sylvester, in_axes=(0, None, None))(Ab, B, C), got, r)
        # singular equation (l_A + l_B = 0): all NaN, as JAX
        eye = np.eye(2, dtype=dtype)
        assert np.isnan(np.asarray(jsl.solve_sylvester(eye, -eye, np.ones((2, 2), dtype)))).all()
    # integer input promotes; real inputs give real X
    x = jsl.solve_sylvester(np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]]),
                            np.array([[6, 8], [10, 12]]))
    assert x.dtype == F32
    close(x, np.eye(2), 1e-5)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        jsl.solve_sylvester(np.eye(3), np.eye(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="method"):
        jsl.solve_sylvester(np.eye(2), np.eye(2), np.ones((2, 2)), method="bad")


def test_solve_sylvester_derivatives(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(43)
    A, B, C = rand(rng, (3, 3)), rand(rng, (2, 2)), rand(rng, (3, 2))
    for method in ("schur", "eigen"):
        check_grads(lambda a, b, c: jsl.solve_sylvester(a, b, c, method=method), (A, B, C),
                    order=1, modes=("fwd", "rev"))
    check_derivatives(jsl.solve_sylvester, [rand(rng, (3, 3), C128), rand(rng, (2, 2), C128),
                                            rand(rng, (3, 2), C128)], rng)
    g = pyjax.vmap(pyjax.grad(lambda a: jnp.sum(jsl.solve_sylvester(a, B, C))))(rand(rng, (2, 3, 3)))
    assert g.shape == (2, 3, 3) and np.isfinite(np.asarray(g)).all()


@pytest.mark.parametrize("dtype", ALL)
def test_qr_multiply_and_pivoted_qr(dtype):
    rng = np.random.default_rng(44)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        r = tol(dtype) * 10
        for shape in ((5, 3), (3, 5), (4, 4)):
            a = rand(rng, shape, dtype)
            m, n = shape
            k = min(m, n)
            for mode, cshapes in (("left", ((k, 2), (k,))), ("right", ((2, m), (m,)))):
                for conjugate in (False, True):
                    for pivoting in (False, True):
                        for cs in cshapes:
                            c = rand(rng, cs, dtype)
                            got = jsl.qr_multiply(a, c, mode=mode, conjugate=conjugate,
                                                  pivoting=pivoting)
                            want = sla.qr_multiply(a, c, mode=mode, conjugate=conjugate,
                                                   pivoting=pivoting)
                            assert len(got) == len(want) == 2 + pivoting
                            for g, w in zip(got, want):
                                close(g, w, r)
            # pivoted QR: the permutation LAPACK's geqp3 picks
            for mode in ("full", "economic", "r"):
                got = jsl.qr(a, mode=mode, pivoting=True)
                want = sla.qr(a, mode=mode, pivoting=True)
                assert got[-1].dtype == np.int32
                for g, w in zip(got, want):
                    close(g, w, r)
            q, rr, p = pyjax.lax.linalg.qr(rand(rng, (2,) + shape, dtype), pivoting=True)
            assert p.shape == (2, n) and q.shape == (2, m, m) and rr.shape == (2, m, n)
        # batched a with a 1-D c: the product is raveled, batch included (as JAX)
        ab = rand(rng, (2, 5, 3), dtype)
        c = rand(rng, (3,), dtype)
        got, _ = jsl.qr_multiply(ab, c, mode="left")
        assert got.shape == (10,)
        close(got, np.concatenate([sla.qr_multiply(x, c, mode="left")[0] for x in ab]), r)
        close(pyjax.vmap(lambda x: jsl.qr_multiply(x, c, mode="left")[0])(ab), got.reshape(2, 5), r)
        close(pyjax.jit(lambda x: jsl.qr(x, pivoting=True)[0])(ab[0]),
              sla.qr(ab[0], pivoting=True)[0], r)
    with pytest.raises(ValueError, match="Q @ c"):
        jsl.qr_multiply(np.ones((5, 3)), np.ones(4), mode="left")
    with pytest.raises(ValueError, match="c @ Q"):
        jsl.qr_multiply(np.ones((5, 3)), np.ones(4), mode="right")
    with pytest.raises(ValueError, match="mode"):
        jsl.qr_multiply(np.ones((5, 3)), np.ones(5), mode="up")


def test_qr_multiply_and_pivoted_qr_derivatives(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(45)
    check_grads(lambda x, y: jsl.qr_multiply(x, y), (rand(rng, (5, 3)), rand(rng, (2, 5))), order=1)
    check_grads(lambda x, y: jsl.qr_multiply(x, y, mode="left", pivoting=True)[:2],
                (rand(rng, (3, 5)), rand(rng, (3, 2))), order=1)
    check_grads(lambda x: jsl.qr(x, pivoting=True)[:2], (rand(rng, (4, 4)),), order=1)
    check_derivatives(lambda x: jsl.qr(x, mode="economic", pivoting=True)[:2],
                      [rand(rng, (5, 3), C128)], rng)


# ---------------------------------------------------------------------------
# sparse iterative solvers


def _operators(rng, n, dtype):
    a = well(rng, n, dtype)
    p = spd(rng, n, dtype)
    return a, p


@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("solver", ["cg", "gmres", "bicgstab"])
def test_sparse_solvers(solver, dtype):
    rng = np.random.default_rng(11)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        n = 5
        a, p = _operators(rng, n, dtype)
        m = p if solver == "cg" else a
        b = rand(rng, (n,), dtype)
        fn = getattr(jssl, solver)
        tolr = 1e-5 if dtype in (F32, C64) else 1e-10
        x, info = fn(lambda v: jnp.matmul(m, v), b, tol=tolr)
        close(x, np.linalg.solve(m, b), tolr * 100)
        x2, _ = fn(m, b, tol=tolr)  # a matrix operator
        close(x2, np.linalg.solve(m, b), tolr * 100)
        # preconditioner and initial guess
        diag_inv = 1.0 / np.diag(m)
        x3, _ = fn(lambda v: jnp.matmul(m, v), b, x0=b, M=lambda v: diag_inv * v, tol=tolr)
        close(x3, np.linalg.solve(m, b), tolr * 100)
        if solver == "gmres":
            assert int(info) == 0
            x4, _ = fn(lambda v: jnp.matmul(m, v), b, restart=2, tol=tolr)
            close(x4, np.linalg.solve(m, b), tolr * 100)
        else:
            assert info is None


def test_sparse_solvers_pytrees_jit_vmap(x64):
    rng = np.random.default_rng(12)
    p = spd(rng, 4)
    b = {"a": rand(rng, (2,)), "b": rand(rng, (2,))}

    def A(x):
        v = jnp.concatenate([x["a"], x["b"]])
        y = jnp.matmul(p, v)
        return {"a": y[:2], "b": y[2:]}

    want = np.linalg.solve(p, np.concatenate([b["a"], b["b"]]))
    for solver in (jssl.cg, jssl.gmres, jssl.bicgstab):
        x, _ = solver(A, b, tol=1e-12)
        close(np.concatenate([x["a"], x["b"]]), want, 1e-8)
    bs = rand(rng, (3, 4))
    for solver in (jssl.cg, jssl.gmres, jssl.bicgstab):
        f = pyjax.jit(lambda v: solver(lambda u: jnp.matmul(p, u), v, tol=1e-12)[0])
        close(f(bs[0]), np.linalg.solve(p, bs[0]), 1e-8)
        g = pyjax.vmap(lambda v: solver(lambda u: jnp.matmul(p, u), v, tol=1e-12)[0])
        close(g(bs), np.linalg.solve(p, bs.T).T, 1e-8)
    with pytest.raises(ValueError):
        jssl.cg(p, b["a"], x0=np.zeros(3))


def test_sparse_solvers_differentiate_implicitly(x64):
    rng = np.random.default_rng(13)
    n = 4
    a, p = _operators(rng, n, F64)
    b = rand(rng, (n,))
    for solver, m in ((jssl.cg, p), (jssl.gmres, a), (jssl.bicgstab, a)):
        def f(mat, rhs, solver=solver):
            return solver(lambda v: jnp.matmul(mat, v), rhs, tol=1e-13)[0]

        def ref(mat, rhs):
            return jla.solve(mat, rhs)
        v_m, v_b = rand(rng, (n, n)), rand(rng, (n,))
        if solver is jssl.cg:
            v_m = v_m + v_m.T
        _, t1 = pyjax.jvp(f, (m, b), (v_m, v_b))
        _, t2 = pyjax.jvp(ref, (m, b), (v_m, v_b))
        close(t1, t2, 1e-8)
        g1 = pyjax.grad(lambda mat, rhs: jnp.sum(f(mat, rhs) ** 2), argnums=(0, 1))(m, b)
        g2 = pyjax.grad(lambda mat, rhs: jnp.sum(ref(mat, rhs) ** 2), argnums=(0, 1))(m, b)
        close(g1[1], g2[1], 1e-8)
        if solver is not jssl.cg:  # cg assumes symmetry: only the symmetric part is defined
            close(g1[0], g2[0], 1e-8)


# ---------------------------------------------------------------------------
# custom_linear_solve and custom_root


def test_custom_linear_solve_rules(x64):
    rng = np.random.default_rng(14)
    a = well(rng, 3)
    b = rand(rng, (3,))

    def lin_solve(mat, rhs, symmetric=False):
        def matvec(x):
            return jnp.matmul(mat, x)

        def solve(mv, r):
            return jla.solve(mat, r)

        def tsolve(vm, r):
            return jla.solve(mat.T, r)
        return custom_linear_solve(matvec, rhs, solve, None if symmetric else tsolve,
                                   symmetric=symmetric)

    close(lin_solve(a, b), np.linalg.solve(a, b), 1e-12)
    check_derivatives(lin_solve, [a, b], rng)
    close(pyjax.jit(lin_solve)(a, b), np.linalg.solve(a, b), 1e-12)
    am, bm = well(rng, 3, batch=(4,)), rand(rng, (4, 3))
    close(pyjax.vmap(lin_solve)(am, bm), np.linalg.solve(am, bm[..., None])[..., 0], 1e-12)
    close(pyjax.vmap(lin_solve, in_axes=(None, 0))(a, bm), np.linalg.solve(a, bm.T).T, 1e-12)
    close(pyjax.vmap(lin_solve, in_axes=(0, None))(am, b), np.linalg.solve(am, b), 1e-12)
    # second order, and a vmap of a grad
    from pyjax.test_util import check_grads
    check_grads(lin_solve, (a, b), order=2, modes=("fwd", "rev"))
    g = pyjax.vmap(pyjax.grad(lambda m, v: jnp.sum(lin_solve(m, v)), argnums=1))(am, bm)
    close(g, np.linalg.solve(np.swapaxes(am, 1, 2), np.ones((4, 3, 1)))[..., 0], 1e-10)
    # symmetric: the solve serves as its own transpose
    p = spd(rng, 3)
    gs = pyjax.grad(lambda v: jnp.sum(lin_solve(p, v, symmetric=True)))(b)
    close(gs, np.linalg.solve(p, np.ones(3)), 1e-10)
    # without transpose_solve, reverse mode fails with JAX's error
    f = lambda v: custom_linear_solve(lambda x: jnp.matmul(a, x), v,  # noqa: E731
                                      lambda mv, r: jla.solve(a, r))
    close(pyjax.jvp(f, (b,), (b,))[1], np.linalg.solve(a, b), 1e-12)
    with pytest.raises(TypeError, match="transpose_solve"):
        pyjax.grad(lambda v: jnp.sum(f(v)))(b)


def test_custom_linear_solve_pytree_and_aux(x64):
    rng = np.random.default_rng(15)
    a = well(rng, 2)
    b = (rand(rng, (2,)), rand(rng, (1,)))

    def matvec(x):
        return (jnp.matmul(a, x[0]), 3.0 * x[1])

    def solve(mv, r):
        return (jla.solve(a, r[0]), r[1] / 3.0), jnp.sum(r[0])

    x, aux = custom_linear_solve(matvec, b, solve, solve, has_aux=True)
    close(x[0], np.linalg.solve(a, b[0]), 1e-12)
    close(x[1], b[1] / 3, 1e-12)
    close(aux, np.sum(b[0]), 1e-12)
    with pytest.raises(TypeError):
        custom_linear_solve(lambda x: (x[0],), b, solve)


def test_custom_root(x64):
    rng = np.random.default_rng(16)

    def newton(f, x0):
        def body(_, x):
            return x - f(x) / pyjax.grad(f)(x)
        return pyjax.lax.fori_loop(0, 30, body, x0)

    def tangent_solve(g, y):
        return y / g(1.0)

    def sqrt_cubed(x, a):
        return x ** 3 - a

    def cube_root(a):
        return custom_root(lambda x: sqrt_cubed(x, a), 1.0, newton, tangent_solve)

    close(cube_root(8.0), 2.0, 1e-12)
    close(pyjax.grad(cube_root)(8.0), 1 / 12, 1e-10)
    close(pyjax.jit(pyjax.grad(cube_root))(27.0), 1 / 27, 1e-10)
    close(pyjax.vmap(cube_root)(np.array([1.0, 8.0, 27.0])), [1.0, 2.0, 3.0], 1e-12)
    close(pyjax.grad(pyjax.grad(cube_root))(8.0), -2 / 9 * 8.0 ** (-5 / 3), 1e-8)

    # a vector system with a linear tangent solve
    mat = well(rng, 3)

    def f_vec(x, p):
        return jnp.matmul(mat, x) + x ** 3 / 10 - p

    def solve_vec(f, x0):
        def body(_, x):
            jac = pyjax.jacfwd(f)(x)
            return x - jla.solve(jac, f(x))
        return pyjax.lax.fori_loop(0, 20, body, x0)

    def tsolve_vec(g, y):
        jac = pyjax.jacfwd(g)(y)
        return jla.solve(jac, y)

    def root(p):
        return custom_root(lambda x: f_vec(x, p), jnp.zeros(3), solve_vec, tsolve_vec)

    p0 = rand(rng, (3,))
    x = np.asarray(root(p0))
    close(np.asarray(f_vec(x, p0)), np.zeros(3), 0, 1e-10)
    jac = np.asarray(pyjax.jacrev(root)(p0))
    jx = mat + np.diag(3 * x ** 2 / 10)
    close(jac, np.linalg.inv(jx), 1e-8)
    close(np.asarray(pyjax.jacfwd(root)(p0)), np.linalg.inv(jx), 1e-8)


# ---------------------------------------------------------------------------
# Oracle: real JAX


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


def test_oracle_scipy_linalg(x64, jax64):
    jax = jax64
    S = jax.scipy.linalg
    rng = np.random.default_rng(17)
    a, p = well(rng, 4), spd(rng, 4)
    m = rand(rng, (4, 4))
    w = rand(rng, (5, 3))
    b = rand(rng, (4, 2))

    def run(L, grad):
        return [L.expm(m * 0.7), L.lu(m), L.lu_factor(m), L.cho_factor(p)[0],
                L.solve(p, b, assume_a="pos"), L.schur(m), L.hessenberg(m, calc_q=True),
                L.sqrtm(p), L.polar(w, method="svd"), L.toeplitz(b[:, 0], b[:3, 1]),
                L.rsf2csf(*L.schur(m)), L.expm_frechet(m * 0.7, a),
                grad(lambda x: L.expm(x).sum())(m * 0.3), L.qr(w),
                grad(lambda x: L.solve(x, b, assume_a="pos").sum())(p)]

    ours = run(jsl, pyjax.grad)
    theirs = jax.jit(lambda: run(S, jax.grad))()
    for o, t in zip(ours, theirs):
        for x, y in zip(_leaves(o), _leaves(t)):
            close(x, y, 1e-9)


def test_oracle_new_scipy_linalg_functions():
    """Dtypes, weak types and values of the special matrices, qr_multiply and
    solve_sylvester against JAX in its default 32-bit mode."""
    jax = pytest.importorskip("jax")
    S = jax.scipy.linalg
    rng = np.random.default_rng(46)
    a = rand(rng, (2, 5), F32)
    ai = np.array([2, -1, 3, 5])
    A, B, C = rand(rng, (3, 3), F32), rand(rng, (2, 2), F32), rand(rng, (3, 2), F32)
    w = rand(rng, (5, 3), F32)

    def run(L):
        return [L.companion(a), L.companion(ai), L.fiedler_companion(a), L.fiedler_companion(3.0),
                L.fiedler(ai), L.fiedler(2.0), L.leslie(a, a[0, 1:]), L.leslie(ai, ai[1:]),
                L.convolution_matrix(a, 3, "same"), L.convolution_matrix(ai, 6, "valid"),
                L.dft(6, "n"), L.hadamard(4), L.hadamard(2, np.float32), L.helmert(4, True),
                L.hilbert(4), L.invhilbert(4), L.pascal(5), L.invpascal(5, "upper"),
                *L.qr_multiply(w, rand(np.random.default_rng(0), (2, 5), F32), pivoting=True),
                *L.qr(w, pivoting=True), L.solve_sylvester(A, B, C),
                L.solve_sylvester(A, B, C, method="eigen")]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = jax.jit(lambda: run(S))()
    ours = run(jsl)
    for o, t in zip(ours, theirs):
        assert (o.shape, o.dtype, o.weak_type) == (t.shape, t.dtype, t.weak_type), (o, t)
        scale = max(1.0, float(np.max(np.abs(np.asarray(t)), initial=0)))
        np.testing.assert_allclose(np.asarray(o), np.asarray(t), rtol=1e-4, atol=1e-4 * scale)


def test_oracle_bad_input_like_jax():
    """Singular, indefinite and degenerate inputs give what JAX gives (inf/NaN patterns,
    finite values, derivatives at singular points) rather than exceptions."""
    jax = pytest.importorskip("jax")
    sing = np.array([[1., 2], [2, 4]], F32)
    indef = np.array([[1., 2], [2, 1]], F32)
    zero = np.zeros((2, 2), F32)

    def cases(np_, L, grad):
        la = np_.linalg
        return [L.sqrtm(zero), L.sqrtm(-np.eye(2, dtype=F32)), L.cholesky(indef),
                L.cho_solve(L.cho_factor(indef), np.ones(2, F32)),
                L.lu_solve(L.lu_factor(zero), np.ones(2, F32)), *L.lu_factor(zero),
                L.solve_triangular(np.triu(sing), np.ones(2, F32)),
                L.solve(zero, np.ones(2, F32), assume_a="pos"), L.expm(np.full((2, 2), np.nan, F32)),
                la.pinv(np.zeros((2, 3), F32)), *la.lstsq(np.array([[1., 2], [2, 4], [3, 6]], F32),
                                                       np.ones(3, F32)),
                la.cond(zero), la.cond(sing, "fro"), la.inv(sing), la.inv(np.zeros((0, 0), F32)),
                la.det(np.zeros((0, 0), F32)), *la.slogdet(np.zeros((0, 0), F32)),
                grad(lambda a: la.norm(a))(np.zeros(3, F32)),
                grad(lambda a: la.norm(a, 2))(zero),
                grad(lambda a: la.svd(a, compute_uv=False).sum())(zero),
                grad(lambda a: la.slogdet(a)[1])(sing),
                grad(lambda a: la.eigvalsh(a)[0])(np.eye(2, dtype=F32)),
                grad(la.det)(np.array([[1., 2, 3], [2, 4, 6], [1, 1, 1]], F32))]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = jax.jit(lambda: cases(jax.numpy, jax.scipy.linalg, jax.grad))()
    ours = cases(jnp, jsl, pyjax.grad)
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        o, t = np.asarray(o), np.asarray(t)
        assert o.shape == t.shape and o.dtype == t.dtype, (i, o, t)
        np.testing.assert_array_equal(np.isnan(o), np.isnan(t), err_msg=str(i))
        np.testing.assert_array_equal(np.isinf(o), np.isinf(t), err_msg=str(i))
        fin = np.isfinite(t)
        np.testing.assert_allclose(o[fin], t[fin], rtol=1e-4, atol=1e-5, err_msg=str(i))


def test_oracle_sparse_solvers(x64, jax64):
    jax = jax64
    J = jax.numpy
    rng = np.random.default_rng(18)
    a, p = _operators(rng, 4, F64)
    b = rand(rng, (4,))

    def run(lib, np_, grad):
        out = []
        for solver, m in ((lib.cg, p), (lib.gmres, a), (lib.bicgstab, a)):
            out.append(solver(lambda v: np_.matmul(m, v), b, tol=1e-12)[0])
            out.append(grad(lambda rhs: np_.sum(solver(lambda v: np_.matmul(m, v), rhs,
                                                       tol=1e-12)[0] ** 2))(b))
        return out

    ours = run(jssl, jnp, pyjax.grad)
    theirs = jax.jit(lambda: run(jax.scipy.sparse.linalg, J, jax.grad))()
    for o, t in zip(ours, theirs):
        close(o, t, 1e-8)
