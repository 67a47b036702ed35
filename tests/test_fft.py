"""FFT: the lax fft primitive (harness-style checks) and pyjax.numpy.fft.

The primitive is linear: its jvp is itself, and the transpose identity <u, F v> = <F^T u, v>
is checked for all four transform types over 1-3 axes.  pyjax.numpy.fft is compared with
numpy.fft for every function, norm mode, padding/truncation (n, s) and axes choice, and
derivatives are compared with finite differences and with JAX.
"""
import warnings

import numpy as np
import pytest

import pyjax
import pyjax.numpy as jnp
import pyjax.numpy.fft as jfft
from pyjax._src.config import config
from pyjax._src.lax import fft as lax_fft

F32, F64, C64, C128 = np.float32, np.float64, np.complex64, np.complex128


@pytest.fixture
def x64():
    with config.override(jax_enable_x64=True):
        yield


def rand(rng, shape, dtype=F64):
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    return np.asarray(x).astype(dtype)


def close(a, b, rtol, atol=None):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol if atol is None else atol)


def _pair(a, b):
    return float(np.real(np.sum(np.asarray(a).astype(C128) * np.asarray(b).astype(C128))))


def tol(dtype):
    return 1e-4 if np.dtype(dtype) in (np.dtype(F32), np.dtype(C64)) else 1e-11


_REF = {"FFT": np.fft.fftn, "IFFT": np.fft.ifftn, "RFFT": np.fft.rfftn}

_PRIM_CASES = [(t, shape, k) for t in ("FFT", "IFFT", "RFFT", "IRFFT")
               for shape, k in (((2, 6), 1), ((2, 4, 5), 2), ((3, 4, 2), 3))]


def _prim_input(rng, typ, shape, k, precision):
    real = F64 if precision == 64 else F32
    cplx = C128 if precision == 64 else C64
    lengths = shape[len(shape) - k:]
    if typ == "RFFT":
        return rand(rng, shape, real), lengths
    if typ == "IRFFT":
        in_shape = shape[:-1] + (shape[-1] // 2 + 1,)
        return rand(rng, in_shape, cplx), lengths
    return rand(rng, shape, cplx), lengths


def _prim_ref(typ, x, lengths):
    axes = tuple(range(x.ndim - len(lengths), x.ndim))
    if typ == "IRFFT":
        return np.fft.irfftn(x, s=lengths, axes=axes)
    return _REF[typ](x, axes=axes)


@pytest.mark.parametrize("typ,shape,k", _PRIM_CASES,
                         ids=[f"{t}-{len(s)}d-{k}ax" for t, s, k in _PRIM_CASES])
@pytest.mark.parametrize("precision", [32, 64])
def test_fft_primitive(typ, shape, k, precision):
    rng = np.random.default_rng(0)
    with config.override(jax_enable_x64=precision == 64):
        x, lengths = _prim_input(rng, typ, shape, k, precision)
        f = lambda v: lax_fft.fft(v, typ, lengths)  # noqa: E731
        out = f(x)
        want = _prim_ref(typ, x, lengths)
        close(out, want, tol(x.dtype) * 10)
        exp_dtype = {("RFFT", 32): C64, ("RFFT", 64): C128, ("IRFFT", 32): F32,
                     ("IRFFT", 64): F64}.get((typ, precision), x.dtype)
        assert out.dtype == exp_dtype
        # jit and abstract evaluation
        np.testing.assert_array_equal(np.asarray(pyjax.jit(f)(x)), np.asarray(out))
        s = pyjax.eval_shape(f, x)
        assert (tuple(s.shape), s.dtype) == (out.shape, out.dtype)
        # vmap vs a loop, batch axis first and last
        xs = [_prim_input(rng, typ, shape, k, precision)[0] for _ in range(3)]
        got = pyjax.vmap(f)(np.stack(xs))
        for i in range(3):
            close(np.asarray(got)[i], f(xs[i]), tol(x.dtype))
        got = pyjax.vmap(f, in_axes=x.ndim)(np.stack(xs, axis=-1))
        for i in range(3):
            close(np.asarray(got)[i], f(xs[i]), tol(x.dtype))
    if precision == 32:
        return
    with config.override(jax_enable_x64=True):
        # linear: jvp is the transform of the tangent; transpose identity with vjp
        v = _prim_input(rng, typ, shape, k, 64)[0]
        _, t = pyjax.jvp(f, (x,), (v,))
        close(t, f(v), 1e-12)
        out, vjp_fn = pyjax.vjp(f, x)
        u = rand(rng, out.shape, np.asarray(out).dtype.type)
        ct, = vjp_fn(u)
        assert ct.dtype == x.dtype and ct.shape == x.shape
        lhs, rhs = _pair(u, t), _pair(ct, v)
        assert abs(lhs - rhs) <= 1e-10 * (1 + abs(lhs)), (lhs, rhs)
        ct2, = pyjax.linear_transpose(f, x)(u)
        close(ct2, ct, 1e-12)


def test_fft_primitive_errors():
    with pytest.raises(ValueError):
        lax_fft.fft(np.ones((4,), C64), "FFT", (5,))
    with pytest.raises(ValueError):
        lax_fft.fft(np.ones((4,), C64), "RFFT", (4,))
    with pytest.raises(ValueError):
        lax_fft.fft(np.ones((2, 2, 2, 2), C64), "FFT", (2, 2, 2, 2))
    with pytest.raises(ValueError):
        lax_fft.fft(np.ones((4,), C64), "bad", (4,))
    with pytest.raises(TypeError):
        lax_fft.fft(np.ones((4,), C64), 7, (4,))
    # strings and enum values both name the type
    close(lax_fft.fft(np.ones(4, F32), lax_fft.FftType.RFFT, (4,)), np.fft.rfft(np.ones(4)), 1e-6)


# ---------------------------------------------------------------------------
# pyjax.numpy.fft vs numpy.fft

_ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]


@pytest.mark.parametrize("name", _ONE_D)
@pytest.mark.parametrize("dtype", [F32, F64, C64, C128])
def test_1d_transforms(name, dtype):
    if name in ("rfft", "ihfft") and np.issubdtype(dtype, np.complexfloating):
        pytest.skip("real input only")
    rng = np.random.default_rng(1)
    with config.override(jax_enable_x64=dtype in (F64, C128)):
        x = rand(rng, (3, 8, 5), dtype)
        f, g = getattr(jfft, name), getattr(np.fft, name)
        r = tol(dtype) * 20
        for kw in ({}, {"n": 6}, {"n": 11}, {"axis": 1}, {"axis": 0, "n": 4},
                   {"norm": "ortho"}, {"norm": "forward", "n": 7}, {"norm": "backward"}):
            got = f(x, **kw)
            want = g(x, **kw)
            scale = max(1.0, float(np.max(np.abs(want))))
            close(got, want, r, r * scale)
            if dtype in (F32, F64) and name not in ("rfft", "ihfft"):
                assert got.dtype == np.result_type(dtype, np.complex64) or name in ("irfft", "hfft")
        with pytest.raises(ValueError):
            f(x, axis=(0, 1))
        with pytest.raises(ValueError):
            f(x, norm="bad")


@pytest.mark.parametrize("name", ["fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn",
                                  "irfftn"])
@pytest.mark.parametrize("dtype", [F32, F64])
def test_nd_transforms(name, dtype):
    rng = np.random.default_rng(2)
    with config.override(jax_enable_x64=dtype == F64):
        x = rand(rng, (3, 4, 6, 5), dtype)
        if not name.startswith("r"):
            x = (x + 1j * rand(rng, x.shape, dtype)).astype(np.result_type(dtype, np.complex64))
        f, g = getattr(jfft, name), getattr(np.fft, name)
        r = tol(dtype) * 50
        two = name.endswith("2")
        kws = [{}, {"s": (3, 7)}, {"axes": (0, 2)}, {"s": (5, 2), "axes": (-1, 1)},
               {"norm": "ortho"}, {"norm": "forward", "axes": (1, 3)}]
        if not two:
            kws += [{"axes": (0, 1, 3)}, {"s": (2, 3, 4)}, {"axes": None}]
        for kw in kws:
            if two and kw.get("axes") is None and "s" not in kw and "axes" in kw:
                continue
            got = f(x, **kw)
            ref_kw = dict(kw)
            if kw.get("s") is not None and kw.get("axes") is None:  # NumPy 2 wants explicit axes
                ref_kw["axes"] = tuple(range(x.ndim - len(kw["s"]), x.ndim))
            want = g(x, **ref_kw)
            scale = max(1.0, float(np.max(np.abs(want))))
            close(got, want, r, r * scale)
        if two:
            with pytest.raises(ValueError):
                f(x, axes=(0, 1, 2))
        with pytest.raises(ValueError):
            f(x, s=(3, 4), axes=(0,))
        with pytest.raises(ValueError):
            f(x, axes=(1, 1))


def test_fftn_more_than_three_axes(x64):
    rng = np.random.default_rng(3)
    x = rand(rng, (2, 3, 2, 3, 4), C128)
    close(jfft.fftn(x), np.fft.fftn(x), 1e-10)
    close(jfft.ifftn(x, axes=(0, 1, 2, 4)), np.fft.ifftn(x, axes=(0, 1, 2, 4)), 1e-10)
    xr = rand(rng, (2, 3, 2, 3, 4))
    close(jfft.rfftn(xr), np.fft.rfftn(xr), 1e-10)
    close(jfft.irfftn(x), np.fft.irfftn(x), 1e-10)
    close(jfft.irfftn(x, s=(2, 3, 2, 3, 5)),
          np.fft.irfftn(x, s=(2, 3, 2, 3, 5), axes=(0, 1, 2, 3, 4)), 1e-10)


def test_freq_and_shift():
    for n in (1, 4, 5):
        for d in (1.0, 0.1):
            close(jfft.fftfreq(n, d), np.fft.fftfreq(n, d), 1e-6)
            close(jfft.rfftfreq(n, d), np.fft.rfftfreq(n, d), 1e-6)
    assert jfft.fftfreq(4).dtype == np.float32
    assert jfft.fftfreq(4, dtype=np.float16).dtype == np.float16
    with pytest.raises(ValueError):
        jfft.fftfreq([4])
    with pytest.raises(ValueError):
        jfft.rfftfreq(4, d=[1.0])
    x = np.arange(30).reshape(5, 6)
    for axes in (None, 0, 1, (0, 1), (-1,)):
        np.testing.assert_array_equal(jfft.fftshift(x, axes), np.fft.fftshift(x, axes))
        np.testing.assert_array_equal(jfft.ifftshift(x, axes), np.fft.ifftshift(x, axes))


def test_integer_input_promotes():
    assert jfft.fft(np.arange(4)).dtype == C64
    assert jfft.rfft(np.arange(4)).dtype == C64
    assert jfft.irfft(np.arange(4)).dtype == F32
    with pytest.raises(ValueError):
        jfft.rfft(np.ones(4, C64))


# ---------------------------------------------------------------------------
# derivatives, jit, vmap


def test_fft_gradients_finite_differences(x64):
    from pyjax.test_util import check_grads
    rng = np.random.default_rng(4)
    x = rand(rng, (4, 6))
    fns = [
        lambda v: jnp.sum(jnp.abs(jfft.fft(v, n=8)) ** 2),
        lambda v: jnp.sum(jnp.real(jfft.rfft(v, axis=0)) * jnp.arange(6.0)),
        lambda v: jnp.sum(jfft.irfft(v, n=9) ** 3),
        lambda v: jnp.sum(jfft.hfft(v) * jnp.arange(10.0)),
        lambda v: jnp.sum(jnp.imag(jfft.ihfft(v, n=5)) ** 2),
        lambda v: jnp.sum(jnp.abs(jfft.fft2(v, s=(3, 7), norm="ortho"))),
        lambda v: jnp.sum(jfft.irfftn(v, norm="forward") ** 2),
        lambda v: jnp.sum(jnp.real(jfft.ifftn(v, axes=(1,)))),
    ]
    for f in fns:
        check_grads(f, (x,), order=2, modes=("fwd", "rev"))


def test_complex_transpose_identity(x64):
    rng = np.random.default_rng(5)
    x = rand(rng, (4, 6), C128)
    for f in (lambda v: jfft.fft(v, n=5), lambda v: jfft.ifft2(v, norm="ortho"),
              lambda v: jfft.irfft(v, n=7), lambda v: jfft.hfft(v, n=8),
              lambda v: jfft.fftn(v, s=(5, 3))):
        v = rand(rng, x.shape, C128)
        out, t = pyjax.jvp(f, (x,), (v,))
        _, vjp_fn = pyjax.vjp(f, x)
        u = rand(rng, out.shape, np.asarray(out).dtype.type)
        ct, = vjp_fn(u)
        assert abs(_pair(u, t) - _pair(ct, v)) <= 1e-10 * (1 + abs(_pair(u, t)))


def test_fft_jit_vmap(x64):
    rng = np.random.default_rng(6)
    x = rand(rng, (3, 4, 6))
    f = pyjax.jit(lambda v: jfft.irfft(jfft.rfft(v, n=8), n=8))
    close(f(x)[..., :6], x, 1e-12)
    g = pyjax.vmap(lambda v: jfft.fft2(v, s=(5, 5)), in_axes=2, out_axes=0)
    close(g(x), np.moveaxis(np.fft.fft2(np.moveaxis(x, 2, 0), s=(5, 5)), 0, 0), 1e-10)
    # vmap of a grad: sum |rfft(v)|^2 counts the non-redundant bins once; compare with FD
    h = pyjax.vmap(pyjax.grad(lambda v: jnp.sum(jnp.abs(jfft.rfft(v)) ** 2)))
    got = np.asarray(h(x.reshape(-1, 6)))
    eps = 1e-6

    def energy(v):
        return np.sum(np.abs(np.fft.rfft(v)) ** 2)
    for row in (0, 5):
        for i in range(6):
            e = np.zeros(6)
            e[i] = eps
            v0 = x.reshape(-1, 6)[row]
            close(got[row, i], (energy(v0 + e) - energy(v0 - e)) / (2 * eps), 1e-6)


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


def test_oracle_fft_values_and_gradients(x64, jax64):
    jax = jax64
    J = jax.numpy
    rng = np.random.default_rng(7)
    x = rand(rng, (4, 6))
    xc = rand(rng, (4, 6), C128)

    def run(lib, np_):
        fns = [
            lambda v: np_.sum(np_.abs(lib.fft.rfft(v, n=8)) ** 2),
            lambda v: np_.sum(lib.fft.irfft(v.astype(np_.complex128), n=9) * np_.arange(9.0)),
            lambda v: np_.sum(lib.fft.hfft(v) * np_.arange(10.0)),
            lambda v: np_.sum(np_.abs(lib.fft.ihfft(v, n=5)) ** 2),
            lambda v: np_.sum(lib.fft.irfft2(v.astype(np_.complex128), s=(3, 5)) ** 2),
            lambda v: np_.sum(np_.real(lib.fft.fftn(v, norm="ortho")) * v),
        ]
        return fns

    ours = [pyjax.grad(f)(x) for f in run(_JnpLib, jnp)]
    theirs = jax.jit(lambda v: [jax.grad(f)(v) for f in run(J, J)])(x)
    for o, t in zip(ours, theirs):
        close(o, t, 1e-10)
    # values, and the cotangent convention for complex inputs
    f_ours = lambda v: jnp.sum(jnp.abs(jfft.irfft(v, n=7) - 1.0) ** 2)  # noqa: E731
    f_theirs = lambda v: J.sum(J.abs(J.fft.irfft(v, n=7) - 1.0) ** 2)  # noqa: E731
    close(pyjax.grad(f_ours)(xc), jax.jit(jax.grad(f_theirs))(xc), 1e-10)
    close(jfft.hfft(xc, n=7), jax.jit(lambda v: J.fft.hfft(v, n=7))(xc), 1e-10)


class _JnpLib:
    fft = jfft
