"""pyjax.scipy.optimize / ndimage / signal / integrate / interpolate against SciPy and,
where the real `jax` is installed, against jax.scipy (values, gradients, jit, vmap).

Tolerances: float32 results within 1e-6 relative (with an absolute floor at the scale of
the values) of SciPy's float64 ones and of JAX's; convolutions sum products in a
different order than XLA's convolution, so they agree to a few float32 ulps of the
largest partial sum (atol 1e-6 * scale).  BFGS iterates agree with JAX's exactly on
well-conditioned problems; where float32 rounding differences compound over many
iterations (Rosenbrock in 4-d), only the minimum found is compared.
"""
import numpy as np
import pytest
import scipy.integrate as si
import scipy.interpolate as sip
import scipy.ndimage as snd
import scipy.optimize as so
import scipy.signal as ssg

import pyjax
import pyjax.numpy as jnp
import pyjax.scipy.integrate as pint
import pyjax.scipy.interpolate as pip
import pyjax.scipy.ndimage as pnd
import pyjax.scipy.optimize as popt
import pyjax.scipy.signal as psg


def _f32(a):
    return np.asarray(a, np.float32)


def _jax():
    return pytest.importorskip("jax")


def _close(got, want, rtol=1e-6, atol=None):
    got, want = np.asarray(got), np.asarray(want)
    if atol is None:
        atol = 1e-6 * np.max(np.abs(want[np.isfinite(want)]), initial=1.0)
    fin = np.isfinite(want)
    assert np.array_equal(got[~fin], want[~fin].astype(got.dtype), equal_nan=True), (got, want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=rtol, atol=atol)


rng = np.random.default_rng(0)

# ---------------------------------------------------------------------------
# optimize.minimize (BFGS)


def rosen(x, np_):
    return np_.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0)


def quad(x, np_, dtype=np.float32):
    a = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]], dtype)
    b = np.array([1.0, -2.0, 0.5], dtype)
    return 0.5 * x @ (np_.asarray(a) @ x) - np_.asarray(b) @ x


def test_minimize_bfgs_vs_scipy():
    res = popt.minimize(lambda x: quad(x, jnp), _f32([1.0, 1.0, 1.0]), method="BFGS")
    want = so.minimize(lambda x: quad(x, np, np.float64), np.ones(3), method="BFGS")
    assert bool(res.success) and int(res.status) == 0
    _close(res.x, want.x, 1e-4, 1e-5)
    _close(res.fun, want.fun, 1e-5, 1e-6)
    assert res.hess_inv.shape == (3, 3)
    # the inverse Hessian estimate approaches A^-1
    a = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
    np.testing.assert_allclose(np.asarray(res.hess_inv), np.linalg.inv(a), atol=0.1)
    res = popt.minimize(lambda x: rosen(x, jnp), _f32([0.5, 0.7]), method="bfgs")
    assert bool(res.success)
    _close(res.x, [1.0, 1.0], 0, 1e-5)
    assert int(res.nit) < 40 and int(res.nfev) >= int(res.nit)
    assert type(res).__name__ == "OptimizeResults"
    assert res._fields == ("x", "success", "status", "fun", "jac", "hess_inv", "nfev", "njev",
                           "nit")


def test_minimize_bfgs_vs_jax():
    jax = _jax()
    import jax.numpy as jjnp
    import jax.scipy.optimize as jopt

    def run(x0, fun=rosen):
        return jopt.minimize(lambda x: fun(x, jjnp), x0, method="BFGS")

    # A quadratic: the same iterations, line-search evaluations and result.
    x0 = _f32([1.0, 1.0, 1.0])
    want = jax.jit(lambda x0: run(x0, quad))(x0)
    got = popt.minimize(lambda x: quad(x, jnp), x0, method="BFGS")
    for field in ("nit", "nfev", "njev", "status", "success"):
        assert int(getattr(got, field)) == int(getattr(want, field)), field
    _close(got.x, want.x, 1e-6, 1e-6)
    # (the last update divides by a tiny y.s, which amplifies float32 rounding)
    _close(got.hess_inv, want.hess_inv, 0, 2e-3)
    # Rosenbrock: float32 rounding differences (in jnp's operations as much as here) can
    # change an iteration count by one; the minimum is the same.
    x0 = _f32([0.5, 0.7])
    want = jax.jit(run)(x0)
    got = popt.minimize(lambda x: rosen(x, jnp), x0, method="BFGS")
    assert abs(int(got.nit) - int(want.nit)) <= 2
    assert bool(got.success) and bool(want.success)
    _close(got.x, want.x, 0, 2e-6)
    # A harder one: float32 rounding differences compound, so compare the outcome.
    x0 = _f32([-1.2, 1.0, 0.5, 0.3])
    want = jax.jit(run)(x0)
    got = popt.minimize(lambda x: rosen(x, jnp), x0, method="BFGS")
    _close(got.fun, want.fun, 1e-4)
    _close(got.x, want.x, 0, 1e-3)
    assert int(got.status) == int(want.status)


def test_minimize_jit_args_and_options():
    def f(x, c):
        return jnp.sum((x - c) ** 2) + jnp.sum(jnp.exp(x))

    c = _f32([0.5, -1.0])
    res = pyjax.jit(lambda x0, c: popt.minimize(f, x0, (c,), method="BFGS"))(_f32([0.0, 0.0]), c)
    want = so.minimize(lambda x: np.sum((x - c) ** 2) + np.sum(np.exp(x)), np.zeros(2),
                       method="BFGS")
    _close(res.x, want.x, 1e-4, 1e-4)
    res = popt.minimize(f, _f32([0.0, 0.0]), (c,), method="BFGS", options=dict(maxiter=1))
    assert int(res.nit) == 1 and int(res.status) == 1 and not bool(res.success)
    # vmap over starting points
    res = pyjax.vmap(lambda x0: popt.minimize(f, x0, (c,), method="BFGS").x)(
        _f32([[0.0, 0.0], [1.0, 1.0], [-2.0, 0.5]]))
    _close(res, np.broadcast_to(want.x, (3, 2)), 1e-4, 1e-4)
    with pytest.raises(ValueError, match="not recognized"):
        popt.minimize(f, _f32([0.0, 0.0]), (c,), method="Nelder-Mead")
    with pytest.raises(TypeError):
        popt.minimize(f, _f32([0.0, 0.0]), c, method="BFGS")


# ---------------------------------------------------------------------------
# ndimage.map_coordinates

IMG = _f32(rng.normal(size=(5, 6)))
COORDS = [_f32(rng.uniform(-2, 7, size=(4, 3))), _f32(rng.uniform(-2, 8, size=(4, 3)))]
MODES = ["constant", "nearest", "wrap", "mirror", "reflect"]
# SciPy's names for the same boundary rules (its 'wrap' is 'grid-wrap' in these terms).
SCIPY_MODE = {"constant": "grid-constant", "nearest": "nearest", "wrap": "grid-wrap",
              "mirror": "mirror", "reflect": "reflect"}


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("mode", MODES)
def test_map_coordinates_vs_scipy(order, mode):
    got = pnd.map_coordinates(IMG, COORDS, order, mode=mode, cval=0.5)
    coords = np.stack([c.astype(np.float64) for c in COORDS])
    if order == 0:
        # SciPy rounds half to even in some modes; avoid exact halves.
        coords = np.where(np.abs(coords - np.round(coords)) == 0.5, coords + 1e-3, coords)
        got = pnd.map_coordinates(IMG, list(_f32(coords)), order, mode=mode, cval=0.5)
    want = snd.map_coordinates(IMG.astype(np.float64), coords, order=order,
                               mode=SCIPY_MODE[mode], cval=0.5)
    _close(got, want, 1e-6, 1e-6)


def test_map_coordinates_vs_jax_with_grads():
    jax = _jax()
    import jax.numpy as jjnp
    import jax.scipy.ndimage as jnd

    def loss(nd, np_):
        def f(img, c0, c1):
            out = 0.0
            for order in (0, 1):
                for mode in MODES:
                    out = out + np_.sum(nd.map_coordinates(img, [c0, c1], order, mode=mode,
                                                           cval=0.5) ** 2)
            return out
        return f

    want = jax.jit(jax.value_and_grad(loss(jnd, jjnp), argnums=(0, 1, 2)))(IMG, *COORDS)
    got = pyjax.value_and_grad(loss(pnd, jnp), argnums=(0, 1, 2))(IMG, *COORDS)
    _close(got[0], want[0], 1e-6)
    for g, w in zip(got[1], want[1]):
        _close(g, w, 1e-5, 1e-5)


def test_map_coordinates_integer_and_transforms():
    img = np.arange(12, dtype=np.int32).reshape(3, 4)
    c = [_f32([0.4, 1.6, 2.5]), _f32([0.5, 2.2, 3.9])]
    got = pnd.map_coordinates(img, c, 1, mode="nearest")
    assert got.dtype == np.int32
    want = snd.map_coordinates(img.astype(np.float64), np.stack(c), order=1, mode="nearest")
    np.testing.assert_array_equal(np.asarray(got), np.round(want).astype(np.int32))
    f = lambda c0, c1: pnd.map_coordinates(IMG, [c0, c1], 1, mode="reflect")  # noqa: E731
    np.testing.assert_array_equal(np.asarray(pyjax.jit(f)(*COORDS)), np.asarray(f(*COORDS)))
    batched = pyjax.vmap(f)(*COORDS)
    loop = np.stack([np.asarray(f(COORDS[0][i], COORDS[1][i])) for i in range(4)])
    np.testing.assert_allclose(np.asarray(batched), loop, rtol=1e-6)
    with pytest.raises(NotImplementedError):
        pnd.map_coordinates(IMG, COORDS, 3)
    with pytest.raises(NotImplementedError):
        pnd.map_coordinates(IMG, COORDS, 1, mode="grid-wrap")
    with pytest.raises(ValueError):
        pnd.map_coordinates(IMG, COORDS[:1], 1)


# ---------------------------------------------------------------------------
# signal


X1 = _f32(rng.normal(size=10))
K1 = _f32(rng.normal(size=4))
A2 = _f32(rng.normal(size=(6, 5)))
K2 = _f32(rng.normal(size=(3, 2)))
B3 = _f32(rng.normal(size=(4, 3, 5)))
K3 = _f32(rng.normal(size=(2, 3, 2)))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_signal_vs_scipy(mode):
    for f in ("convolve", "correlate"):
        for p, q in ((X1, K1), (K1, X1), (B3, K3), (K3, B3)):
            want = getattr(ssg, f)(p.astype(np.float64), q.astype(np.float64), mode=mode,
                                   method="direct")
            _close(getattr(psg, f)(p, q, mode=mode), want, 1e-5, 2e-6 * np.abs(want).max())
    for f in ("convolve2d", "correlate2d"):
        for p, q in ((A2, K2), (K2, A2)):
            if mode == "valid" and p is K2:
                continue  # SciPy's 2-d valid mode requires the first input to be the larger
            want = getattr(ssg, f)(p.astype(np.float64), q.astype(np.float64), mode=mode)
            _close(getattr(psg, f)(p, q, mode=mode), want, 1e-5, 2e-6 * np.abs(want).max())


def test_signal_vs_jax_with_grads():
    jax = _jax()
    import jax.numpy as jjnp
    import jax.scipy.signal as jsg

    def f(sg, np_):
        def loss(x, k, a, k2):
            out = []
            for mode in ("full", "same", "valid"):
                out += [sg.convolve(x, k, mode=mode), sg.correlate(x, k, mode=mode),
                        sg.convolve(k, x, mode=mode), sg.correlate(k, x, mode=mode),
                        sg.convolve2d(a, k2, mode=mode), sg.correlate2d(a, k2, mode=mode),
                        sg.correlate2d(k2, a, mode=mode)]
            return out
        return loss

    args = (X1, K1, A2, K2)
    want = jax.jit(f(jsg, jjnp))(*args)
    got = f(psg, jnp)(*args)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        _close(g, w, 1e-5, 2e-6 * np.abs(w).max())

    def total(sg, np_):
        return lambda *a: sum(np_.sum(o * o) for o in f(sg, np_)(*a))

    want = jax.jit(jax.grad(total(jsg, jjnp), argnums=(0, 1, 2, 3)))(*args)
    got = pyjax.grad(total(psg, jnp), argnums=(0, 1, 2, 3))(*args)
    for g, w in zip(got, want):
        _close(g, w, 1e-5, 1e-5 * np.abs(w).max())


def test_signal_transforms_and_errors():
    f = lambda x: psg.convolve(x, K1, mode="same")  # noqa: E731
    np.testing.assert_allclose(np.asarray(pyjax.jit(f)(X1)), np.asarray(f(X1)), rtol=1e-6)
    xs = _f32(rng.normal(size=(3, 10)))
    np.testing.assert_allclose(np.asarray(pyjax.vmap(f)(xs)),
                               np.stack([np.asarray(f(x)) for x in xs]), rtol=1e-6)
    # integer inputs are promoted to float, as JAX
    assert psg.convolve(np.arange(4), np.arange(2)).dtype == np.float32
    with pytest.raises(ValueError):
        psg.convolve(X1, K1, mode="bogus")
    with pytest.raises(ValueError):
        psg.convolve(A2, K1)
    with pytest.raises(ValueError):
        psg.convolve(_f32(np.ones((2, 5))), _f32(np.ones((3, 2))))
    with pytest.raises(NotImplementedError):
        psg.convolve2d(A2, K2, boundary="wrap")


# ---------------------------------------------------------------------------
# integrate.trapezoid


def test_trapezoid():
    y = _f32(rng.normal(size=(3, 7)))
    x = np.sort(_f32(rng.uniform(size=7)))
    _close(pint.trapezoid(y), si.trapezoid(y.astype(np.float64)))
    _close(pint.trapezoid(y, x), si.trapezoid(y.astype(np.float64), x.astype(np.float64)))
    _close(pint.trapezoid(y, dx=0.3, axis=0), si.trapezoid(y.astype(np.float64), dx=0.3, axis=0))
    x2 = np.sort(_f32(rng.uniform(size=(3, 7))), axis=1)
    _close(pint.trapezoid(y, x2, axis=1),
           si.trapezoid(y.astype(np.float64), x2.astype(np.float64), axis=1))
    g = pyjax.grad(lambda y, x: pint.trapezoid(y, x), argnums=(0, 1))(y[0], x)
    jax = _jax()
    import jax.scipy.integrate as jint
    want = jax.jit(jax.grad(lambda y, x: jint.trapezoid(y, x), argnums=(0, 1)))(y[0], x)
    for a, b in zip(g, want):
        _close(a, b)
    np.testing.assert_allclose(np.asarray(pyjax.vmap(pint.trapezoid)(y)),
                               si.trapezoid(y.astype(np.float64), axis=1), rtol=1e-6)


# ---------------------------------------------------------------------------
# interpolate.RegularGridInterpolator


G1 = _f32([0.0, 1.0, 2.5, 4.0])
G2 = _f32([-1.0, 0.0, 1.0, 3.0, 4.0])
VALS = _f32(rng.normal(size=(4, 5)))
PTS = _f32(np.concatenate([rng.uniform(-1.5, 4.5, size=(9, 2)), [[0.0, -1.0], [4.0, 4.0],
                                                                  [2.5, 1.0]]]))


@pytest.mark.parametrize("method", ["linear", "nearest"])
def test_regular_grid_interpolator_vs_scipy(method):
    for fill in (np.nan, None, 0.5):
        got = pip.RegularGridInterpolator((G1, G2), VALS, method=method, fill_value=fill)(PTS)
        want = sip.RegularGridInterpolator((G1.astype(np.float64), G2.astype(np.float64)),
                                           VALS.astype(np.float64), method=method,
                                           bounds_error=False, fill_value=fill)(
            PTS.astype(np.float64))
        _close(got, want, 1e-6, 1e-6)
    # trailing value dimensions, and points given as a tuple of coordinate arrays
    vals3 = _f32(rng.normal(size=(4, 5, 2)))
    interp = pip.RegularGridInterpolator((G1, G2), vals3, method=method)
    want = sip.RegularGridInterpolator((G1, G2), vals3.astype(np.float64), method=method,
                                       bounds_error=False)(PTS.astype(np.float64))
    _close(interp(PTS), want, 1e-6, 1e-6)
    _close(interp((PTS[:, 0], PTS[:, 1])), want, 1e-6, 1e-6)


def test_regular_grid_interpolator_vs_jax_grads_jit_vmap():
    jax = _jax()
    import jax.numpy as jjnp
    import jax.scipy.interpolate as jip

    def loss(mod, np_):
        def f(vals, pts):
            a = mod.RegularGridInterpolator((G1, G2), vals, fill_value=0.0)(pts)
            b = mod.RegularGridInterpolator((G1, G2), vals, method="nearest")(pts)
            return np_.sum(a ** 2) + np_.sum(np_.where(np_.isnan(b), 0.0, b))
        return f

    want = jax.jit(jax.value_and_grad(loss(jip, jjnp), argnums=(0, 1)))(VALS, PTS)
    got = pyjax.value_and_grad(loss(pip, jnp), argnums=(0, 1))(VALS, PTS)
    _close(got[0], want[0], 1e-6)
    for g, w in zip(got[1], want[1]):
        _close(g, w, 1e-5, 1e-6)
    interp = pip.RegularGridInterpolator((G1, G2), VALS)
    np.testing.assert_array_equal(np.asarray(pyjax.jit(lambda i, p: i(p))(interp, PTS)),
                                  np.asarray(interp(PTS)))
    batched = pyjax.vmap(lambda p: interp(p[None])[0])(PTS)
    np.testing.assert_allclose(np.asarray(batched), np.asarray(interp(PTS)), rtol=1e-6)
    with pytest.raises(NotImplementedError):
        pip.RegularGridInterpolator((G1, G2), VALS, bounds_error=True)
    with pytest.raises(ValueError):
        pip.RegularGridInterpolator((G1, G2), VALS, method="cubic")
    with pytest.raises(ValueError):
        interp(_f32(np.zeros((3, 3))))



def test_gathers_on_large_inputs():
    """map_coordinates and RegularGridInterpolator gather with jnp indexing (O(points)
    work, no one-hot mask): large inputs match SciPy, and the gradient of a linear
    interpolation w.r.t. the image scatters the weights back (checked against np.add.at)."""
    img = _f32(rng.normal(size=(300, 400)))
    c = [_f32(rng.uniform(-1, 301, size=2000)), _f32(rng.uniform(-1, 401, size=2000))]
    want = snd.map_coordinates(img.astype(np.float64), np.stack(c).astype(np.float64), order=1,
                               mode="nearest")
    got = pyjax.jit(lambda i, cc: pnd.map_coordinates(i, cc, order=1, mode="nearest"))(img, c)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)
    idx = [_f32(np.floor(np.clip(ci, 0, s - 1))) for ci, s in zip(c, img.shape)]
    g = pyjax.grad(lambda i: jnp.sum(pnd.map_coordinates(i, idx, order=0, mode="nearest")))(img)
    want_g = np.zeros_like(img)
    np.add.at(want_g, tuple(i.astype(np.int64) for i in idx), 1.0)
    np.testing.assert_array_equal(np.asarray(g), want_g)
    grid = (np.arange(300.0), np.arange(400.0))
    pts = np.stack([np.clip(c[0], 0, 299), np.clip(c[1], 0, 399)], -1)
    want = sip.RegularGridInterpolator(grid, img.astype(np.float64))(pts.astype(np.float64))
    got = pip.RegularGridInterpolator(grid, img)(pts)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fftconvolve_vs_scipy(mode):
    """convolve(method='fft') and fftconvolve (real and complex, batched axes) match SciPy;
    the gradient matches the direct method's."""
    from pyjax.scipy.signal import fftconvolve
    a, b = _f32(rng.normal(size=(9, 6))), _f32(rng.normal(size=(4, 3)))
    want = ssg.convolve(a.astype(np.float64), b.astype(np.float64), mode=mode)
    got = psg.convolve(a, b, mode=mode, method="fft")
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-5)
    c = (a + 1j * a[::-1]).astype(np.complex64)
    np.testing.assert_allclose(np.asarray(fftconvolve(c, b, mode=mode)),
                               ssg.fftconvolve(c, b, mode=mode), rtol=1e-4, atol=1e-5)
    x, k = _f32(rng.normal(size=(3, 8))), _f32(rng.normal(size=(3, 4)))
    np.testing.assert_allclose(np.asarray(fftconvolve(x, k, mode=mode, axes=1)),
                               ssg.fftconvolve(x, k, mode=mode, axes=1), rtol=1e-4, atol=1e-5)
    g_fft = pyjax.grad(lambda v: jnp.sum(psg.convolve(v, b, mode, method="fft") ** 2))(a)
    g_dir = pyjax.grad(lambda v: jnp.sum(psg.convolve(v, b, mode, method="direct") ** 2))(a)
    np.testing.assert_allclose(np.asarray(g_fft), np.asarray(g_dir), rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="mapped axes"):
        fftconvolve(x, k[:2], axes=1)
