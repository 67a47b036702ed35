"""Convolutions, windowed reductions, lax.reduce and reduce_precision.

Compared with real JAX (when installed) for values, dtypes, weak types, errors and
derivatives with respect to every operand, and with the slow NumPy references of the
primitive harness (tests/primitive_harness.py also runs the shared checks on these
primitives).
"""
import contextlib
import warnings

import numpy as np
import pytest

import pyjax
import pyjax.lax
from pyjax._src.config import config
from pyjax._src.lax import convolution as _conv
from pyjax._src.lax import windowed_reductions as _wr

import primitive_harness as H


class _Lax:
    """pyjax.lax, falling back to the defining modules for names not yet re-exported."""

    def __getattr__(self, name):
        for mod in (pyjax.lax, _conv, _wr):
            if hasattr(mod, name):
                return getattr(mod, name)
        raise AttributeError(name)


lax = _Lax()


def _real():
    return pytest.importorskip("jax")


@contextlib.contextmanager
def _x64():
    real = _real()
    old = real.config.jax_enable_x64
    real.config.update("jax_enable_x64", True)
    try:
        with config.override(jax_enable_x64=True):
            yield real
    finally:
        real.config.update("jax_enable_x64", old)


def _close(a, b, rtol=2e-5):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    assert a.dtype == b.dtype, (a.dtype, b.dtype)
    if a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b)
        return
    a64, b64 = H.to_f64(a), H.to_f64(b)
    finite = np.abs(b64[np.isfinite(b64)])
    scale = max(1.0, float(np.max(finite))) if finite.size else 1.0
    np.testing.assert_allclose(a64, b64, rtol=rtol, atol=rtol * scale)


def _rand(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------------------
# conv_general_dilated

CONV_CONFIGS = [  # (id, lhs shape, rhs shape, kwargs)
    ("default-same", (2, 3, 7, 6), (4, 3, 3, 2), dict(window_strides=(1, 1), padding="SAME")),
    ("valid-strided", (2, 3, 9, 8), (4, 3, 3, 3), dict(window_strides=(2, 2), padding="VALID")),
    ("same_lower", (1, 2, 7, 6), (3, 2, 2, 4), dict(window_strides=(2, 1), padding="SAME_LOWER")),
    ("explicit-negative", (2, 3, 8, 7), (4, 3, 3, 2),
     dict(window_strides=(1, 2), padding=((2, -1), (-1, 3)))),
    ("lhs_dilation", (2, 3, 5, 4), (4, 3, 3, 2),
     dict(window_strides=(1, 1), padding=((2, 2), (1, 0)), lhs_dilation=(2, 3))),
    ("rhs_dilation", (2, 3, 9, 8), (4, 3, 3, 2),
     dict(window_strides=(1, 2), padding="SAME", rhs_dilation=(2, 3))),
    ("all_dilations", (1, 2, 6, 5), (3, 2, 2, 3),
     dict(window_strides=(2, 1), padding=((1, 2), (0, 1)), lhs_dilation=(2, 1),
          rhs_dilation=(1, 2))),
    ("nhwc", (2, 7, 6, 3), (3, 3, 3, 5),
     dict(window_strides=(1, 1), padding="SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ("nhwc-oihw-nchw", (2, 7, 6, 3), (5, 3, 3, 2),
     dict(window_strides=(2, 1), padding="VALID", dimension_numbers=("NHWC", "OIHW", "NCHW"))),
    ("swapped_kernel_spatial", (2, 3, 7, 6), (4, 3, 2, 3),
     dict(window_strides=(1, 2), padding="SAME", dimension_numbers=("NCHW", "OIWH", "NCHW"))),
    ("odd_letters", (2, 6, 3, 7), (3, 3, 5, 3),
     dict(window_strides=(1, 1), padding="SAME", dimension_numbers=("NXCY", "YIOX", "YNCX"))),
    ("feature_groups", (2, 6, 7, 5), (8, 3, 3, 2),
     dict(window_strides=(1, 1), padding="SAME", feature_group_count=2)),
    ("depthwise-nhwc", (2, 7, 6, 4), (3, 3, 1, 8),
     dict(window_strides=(2, 2), padding="SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"),
          feature_group_count=4)),
    ("batch_groups", (4, 3, 7, 6), (6, 3, 3, 2),
     dict(window_strides=(1, 1), padding="SAME", batch_group_count=2)),
    ("batch_groups-nhwc", (6, 5, 4, 2), (2, 2, 2, 6),
     dict(window_strides=(2, 1), padding=((1, 0), (0, 1)),
          dimension_numbers=("NHWC", "HWIO", "NHWC"), batch_group_count=3)),
    ("1d-nwc", (2, 9, 3), (3, 3, 4),
     dict(window_strides=(2,), padding="SAME", dimension_numbers=("NWC", "WIO", "NWC"))),
    ("1d-ncw-dilated", (2, 3, 9), (4, 3, 3),
     dict(window_strides=(1,), padding=((3, 1),), lhs_dilation=(2,), rhs_dilation=(2,),
          dimension_numbers=("NCW", "OIW", "NCW"))),
    ("3d", (1, 4, 5, 3, 2), (3, 2, 2, 2, 4),
     dict(window_strides=(1, 2, 1), padding="SAME",
          dimension_numbers=("NDHWC", "DHWIO", "NDHWC"))),
    ("conv_dimension_numbers_object", (2, 3, 6, 5), (4, 3, 2, 2),
     dict(window_strides=(1, 1), padding="VALID",
          dimension_numbers=_conv.ConvDimensionNumbers((0, 1, 2, 3), (0, 1, 2, 3),
                                                       (0, 1, 2, 3)))),
    ("kernel_bigger_than_input", (1, 2, 3, 3), (2, 2, 5, 4),
     dict(window_strides=(1, 1), padding="SAME")),
]


def _jax_kwargs(real, kw):
    """The same kwargs for jax.lax (a pyjax ConvDimensionNumbers becomes JAX's)."""
    kw = dict(kw)
    dn = kw.get("dimension_numbers")
    if isinstance(dn, _conv.ConvDimensionNumbers):
        kw["dimension_numbers"] = real.lax.ConvDimensionNumbers(*dn)
    return kw


def _conv_params(lhs_shape, rhs_shape, kw):
    """Primitive params for the harness's slow reference."""
    dn = lax.conv_dimension_numbers(lhs_shape, rhs_shape, kw.get("dimension_numbers"))
    nsp = len(lhs_shape) - 2
    pad = kw["padding"]
    lhs_dil = kw.get("lhs_dilation") or (1,) * nsp
    rhs_dil = kw.get("rhs_dilation") or (1,) * nsp
    if isinstance(pad, str):
        k = np.take(rhs_shape, dn.rhs_spec)[2:]
        eff = [(a - 1) * r + 1 for a, r in zip(k, rhs_dil)]
        pad = lax.padtype_to_pads(np.take(lhs_shape, dn.lhs_spec)[2:], eff,
                                  kw["window_strides"], pad)
    return dict(window_strides=kw["window_strides"], padding=tuple(map(tuple, pad)),
                lhs_dilation=tuple(lhs_dil), rhs_dilation=tuple(rhs_dil), dimension_numbers=dn,
                feature_group_count=kw.get("feature_group_count", 1),
                batch_group_count=kw.get("batch_group_count", 1))


@pytest.mark.parametrize("name,ls,rs,kw", CONV_CONFIGS, ids=[c[0] for c in CONV_CONFIGS])
def test_conv_vs_jax_and_reference(name, ls, rs, kw):
    real = _real()
    rng = np.random.default_rng(0)
    x, w = _rand(rng, ls), _rand(rng, rs)
    out = lax.conv_general_dilated(x, w, **kw)
    want = real.lax.conv_general_dilated(x, w, **_jax_kwargs(real, kw))
    assert out.weak_type == want.weak_type is False
    _close(out, want)
    ref = H.ref_conv(x.astype(np.float64), w.astype(np.float64), **_conv_params(ls, rs, kw))
    _close(np.asarray(out).astype(np.float64), ref)
    # Reverse mode with respect to both operands.
    ct = _rand(rng, out.shape)
    _, vjp = pyjax.vjp(lambda a, b: lax.conv_general_dilated(a, b, **kw), x, w)
    _, vjp_j = real.vjp(lambda a, b: real.lax.conv_general_dilated(a, b, **_jax_kwargs(real, kw)),
                        x, w)
    for got, exp in zip(vjp(ct), vjp_j(ct)):
        _close(got, exp, 5e-5)
    # Forward mode in both operands at once: the bilinear form's two terms.
    tx, tw = _rand(rng, ls), _rand(rng, rs)
    _, t = pyjax.jvp(lambda a, b: lax.conv_general_dilated(a, b, **kw), (x, w), (tx, tw))
    want_t = real.lax.conv_general_dilated(tx, w, **_jax_kwargs(real, kw)) + \
        real.lax.conv_general_dilated(x, tw, **_jax_kwargs(real, kw))
    _close(t, want_t, 5e-5)


@pytest.mark.parametrize("name", ["default-same", "nhwc-oihw-nchw", "feature_groups",
                                  "depthwise-nhwc", "batch_groups", "batch_groups-nhwc",
                                  "1d-ncw-dilated"])
def test_conv_vmap(name):
    _, ls, rs, kw = next(c for c in CONV_CONFIGS if c[0] == name)
    rng = np.random.default_rng(1)
    n = 3
    xs, ws = _rand(rng, (n,) + ls), _rand(rng, (n,) + rs)
    fn = lambda a, b: lax.conv_general_dilated(a, b, **kw)  # noqa: E731
    loop = {(0, None): [fn(xs[i], ws[0]) for i in range(n)],
            (None, 0): [fn(xs[0], ws[i]) for i in range(n)],
            (0, 0): [fn(xs[i], ws[i]) for i in range(n)]}
    for (ax, aw), want in loop.items():
        xa = xs if ax is not None else xs[0]
        wa = ws if aw is not None else ws[0]
        got = pyjax.vmap(fn, in_axes=(ax, aw))(xa, wa)
        _close(got, np.stack([np.asarray(v) for v in want]))
    # Batch axes in the middle, and vmap of the gradient.
    got = pyjax.vmap(fn, in_axes=(2, 1))(np.moveaxis(xs, 0, 2), np.moveaxis(ws, 0, 1))
    _close(got, np.stack([np.asarray(v) for v in loop[(0, 0)]]))
    g = pyjax.vmap(pyjax.grad(lambda a, b: (fn(a, b) ** 2).sum(), argnums=(0, 1)))(xs, ws)
    for i in range(n):
        gi = pyjax.grad(lambda a, b: (fn(a, b) ** 2).sum(), argnums=(0, 1))(xs[i], ws[i])
        _close(g[0][i], gi[0], 1e-4)
        _close(g[1][i], gi[1], 1e-4)


def test_conv_jit_jaxpr_and_second_order():
    real = _real()
    rng = np.random.default_rng(2)
    _, ls, rs, kw = CONV_CONFIGS[4]     # lhs dilation + padding
    x, w = _rand(rng, ls), _rand(rng, rs)
    fn = lambda a, b: lax.conv_general_dilated(a, b, **kw)  # noqa: E731
    _close(pyjax.jit(fn)(x, w), fn(x, w), 1e-6)
    jaxpr = pyjax.make_jaxpr(fn)(x, w)
    eqn, = jaxpr.eqns
    assert eqn.primitive.name == "conv_general_dilated"
    assert eqn.params["dimension_numbers"] == _conv.ConvDimensionNumbers(
        (0, 1, 2, 3), (0, 1, 2, 3), (0, 1, 2, 3))
    assert eqn.params["padding"] == ((2, 2), (1, 0))
    assert eqn.params["lhs_dilation"] == (2, 3)
    # Hessian-vector products go through the transposes of the transposes.
    loss = lambda a, b: (fn(a, b) ** 2).sum()  # noqa: E731
    loss_j = lambda a, b: (real.lax.conv_general_dilated(a, b, **kw) ** 2).sum()  # noqa: E731
    v = _rand(rng, ls)
    hvp = pyjax.jvp(pyjax.grad(loss, argnums=1), (x, w), (v, np.zeros_like(w)))[1]
    hvp_j = real.jvp(real.grad(loss_j, argnums=1), (x, w), (v, np.zeros_like(w)))[1]
    _close(hvp, hvp_j, 1e-4)


@pytest.mark.parametrize("dtype,pet", [("bfloat16", None), ("float16", None),
                                       ("float64", None), ("complex64", None),
                                       ("int32", None), ("int8", "int32"),
                                       ("bfloat16", "float32"), ("int16", "float32")])
def test_conv_dtypes(dtype, pet):
    with _x64() as real:
        rng = np.random.default_rng(3)
        dt = real.numpy.dtype(dtype)
        if dt.kind in "iu":
            x = rng.integers(-5, 5, (2, 3, 5, 4)).astype(dt)
            w = rng.integers(-5, 5, (4, 3, 2, 3)).astype(dt)
        elif dt.kind == "c":
            x = (_rand(rng, (2, 3, 5, 4)) + 1j * _rand(rng, (2, 3, 5, 4))).astype(dt)
            w = (_rand(rng, (4, 3, 2, 3)) + 1j * _rand(rng, (4, 3, 2, 3))).astype(dt)
        else:
            x, w = _rand(rng, (2, 3, 5, 4)).astype(dt), _rand(rng, (4, 3, 2, 3)).astype(dt)
        kw = dict(window_strides=(1, 1), padding="SAME", preferred_element_type=pet)
        got = lax.conv_general_dilated(x, w, **kw)
        want = real.lax.conv_general_dilated(x, w, **kw)
        assert got.dtype == want.dtype
        _close(got, want, 1e-2 if dt.itemsize <= 2 and dt.kind == "f" else 1e-5)


def test_conv_weak_type_and_python_scalar_gradients():
    real = _real()
    x = np.ones((1, 1, 4), np.float32)
    w = np.ones((1, 1, 2), np.float32)
    got = pyjax.jit(lambda a: lax.conv(a * 2.0, w, (1,), "VALID"))(x)
    want = real.jit(lambda a: real.lax.conv(a * 2.0, w, (1,), "VALID"))(x)
    assert got.weak_type == want.weak_type
    _close(got, want)


def _errors(fn_pyjax, fn_jax):
    real = _real()
    with pytest.raises(Exception) as e_real:
        fn_jax(real)
    with pytest.raises(type(e_real.value)) as e_ours:
        fn_pyjax()
    return str(e_ours.value), str(e_real.value)


@pytest.mark.parametrize("kind", ["dtypes", "feature_groups", "rhs_features", "batch_groups",
                                  "both_groups", "dimension_numbers_letters",
                                  "dimension_numbers_length", "string_padding_lhs_dilation",
                                  "bad_padding", "unknown_padding", "ndim"])
def test_conv_errors(kind):
    x = np.ones((2, 4, 5, 5), np.float32)
    w = np.ones((6, 2, 3, 3), np.float32)
    cases = {
        "dtypes": lambda L: L.conv_general_dilated(x, np.ones((6, 4, 3, 3), np.float16), (1, 1),
                                                   "SAME"),
        "feature_groups": lambda L: L.conv_general_dilated(x, w, (1, 1), "SAME",
                                                           feature_group_count=3),
        "rhs_features": lambda L: L.conv_general_dilated(x, w, (1, 1), "SAME"),
        "batch_groups": lambda L: L.conv_general_dilated(x, np.ones((6, 4, 3, 3), np.float32),
                                                         (1, 1), "SAME", batch_group_count=4),
        "both_groups": lambda L: L.conv_general_dilated(
            np.ones((2, 4, 5, 5), np.float32), np.ones((4, 2, 3, 3), np.float32), (1, 1),
            "SAME", feature_group_count=2, batch_group_count=2),
        "dimension_numbers_letters": lambda L: L.conv_general_dilated(
            x, w, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NHWX")),
        "dimension_numbers_length": lambda L: L.conv_general_dilated(
            x, w, (1, 1), "SAME", dimension_numbers=("NCH", "OIHW", "NCHW")),
        "string_padding_lhs_dilation": lambda L: L.conv_general_dilated(
            x, w, (1, 1), "SAME", lhs_dilation=(2, 2)),
        "bad_padding": lambda L: L.conv_general_dilated(x, w, (1, 1), ((1, 2, 3), (0, 0))),
        "unknown_padding": lambda L: L.conv_general_dilated(x, w, (1, 1), "FULL"),
        "ndim": lambda L: L.conv_general_dilated(x, w[0], (1, 1), "SAME"),
    }
    fn = cases[kind]
    ours, theirs = _errors(lambda: fn(lax), lambda real: fn(real.lax))
    if kind not in ("bad_padding",):
        assert theirs.split(" (from ")[0] in ours or ours.split(" (from ")[0] in theirs, \
            (ours, theirs)


@pytest.mark.parametrize("ndim,strides,padding,dil,tk,consistent", [
    (2, (2, 2), "SAME", None, False, False),
    (2, (2, 1), "VALID", None, True, False),
    (2, (2, 3), ((1, 2), (0, 1)), None, False, False),
    (2, (2, 2), ((1, 1), (0, 1)), None, True, True),
    (2, (1, 2), "SAME", (2, 1), True, False),
    (1, (3,), "SAME", None, False, False),
    (1, (2,), ((2, 1),), (2,), True, True),
])
def test_conv_transpose_vs_jax(ndim, strides, padding, dil, tk, consistent):
    real = _real()
    rng = np.random.default_rng(4)
    x = _rand(rng, (2,) + (5, 4)[:ndim] + (3,))
    w = _rand(rng, (3, 2)[:ndim] + ((4, 3) if tk else (3, 4)))
    kw = dict(strides=strides, padding=padding, rhs_dilation=dil, transpose_kernel=tk,
              use_consistent_padding=consistent)
    got = lax.conv_transpose(x, w, **kw)
    want = real.lax.conv_transpose(x, w, **kw)
    _close(got, want)
    g = pyjax.grad(lambda a: (lax.conv_transpose(a, w, **kw) ** 2).sum())(x)
    g_j = real.grad(lambda a: (real.lax.conv_transpose(a, w, **kw) ** 2).sum())(x)
    _close(g, g_j, 1e-4)


def test_conv_convenience_wrappers():
    real = _real()
    rng = np.random.default_rng(5)
    x, w = _rand(rng, (2, 3, 6, 5)), _rand(rng, (4, 3, 3, 2))
    _close(lax.conv(x, w, (2, 1), "SAME"), real.lax.conv(x, w, (2, 1), "SAME"))
    args = ((1, 2), ((1, 1), (2, 0)), (2, 1), (1, 2))
    _close(lax.conv_with_general_padding(x, w, *args),
           real.lax.conv_with_general_padding(x, w, *args))
    # Lists of strides, NumPy kernels closed over under jit.
    _close(pyjax.jit(lambda a: lax.conv(a, w, [1, 1], "VALID"))(x),
           real.lax.conv(x, w, (1, 1), "VALID"))


def test_conv_shape_helpers_vs_jax():
    real = _real()
    L, R = lax, real.lax
    for dn in [None, ("NCHW", "OIHW", "NCHW"), ("NHWC", "HWIO", "NHWC"), ("NXCY", "YIOX", "YNCX")]:
        assert tuple(map(tuple, L.conv_dimension_numbers((1, 2, 3, 4), (5, 6, 7, 8), dn))) == \
            tuple(map(tuple, R.conv_dimension_numbers((1, 2, 3, 4), (5, 6, 7, 8), dn)))
        if dn is not None:
            assert L.conv_general_permutations(dn) == R.conv_general_permutations(dn)
    for args in [((9, 8), (3, 2), (2, 1), "SAME"), ((9, 8), (3, 2), (2, 3), "SAME_LOWER"),
                 ((9, 8), (4, 4), (1, 1), "VALID"), ((4,), (6,), (3,), "same")]:
        assert L.padtype_to_pads(*args) == R.padtype_to_pads(*args)
    dn = ("NHWC", "HWIO", "NHWC")
    for pad in ["SAME", "VALID", ((1, 2), (0, 1))]:
        assert L.conv_general_shape_tuple((2, 9, 8, 3), (3, 2, 3, 4), (2, 1), pad, dn) == \
            R.conv_general_shape_tuple((2, 9, 8, 3), (3, 2, 3, 4), (2, 1), pad, dn)
        assert L.conv_transpose_shape_tuple((2, 9, 8, 3), (3, 2, 3, 4), (2, 1), pad, dn) == \
            R.conv_transpose_shape_tuple((2, 9, 8, 3), (3, 2, 3, 4), (2, 1), pad, dn)
    assert L.conv_shape_tuple((2, 3, 9, 8), (4, 3, 3, 2), (2, 1), "SAME") == \
        R.conv_shape_tuple((2, 3, 9, 8), (4, 3, 3, 2), (2, 1), "SAME")
    with pytest.raises(RuntimeError, match="Unrecognized padding type"):
        L.padtype_to_pads((3,), (2,), (1,), "FULL")


def test_conv_empty_and_degenerate():
    real = _real()
    for ls, rs, kw in [((0, 3, 5, 4), (4, 3, 3, 2), dict(window_strides=(1, 1), padding="SAME")),
                       ((2, 3, 2, 2), (4, 3, 3, 3), dict(window_strides=(1, 1), padding="VALID")),
                       ((2, 0, 5, 4), (4, 0, 3, 2), dict(window_strides=(1, 1), padding="SAME"))]:
        x, w = np.ones(ls, np.float32), np.ones(rs, np.float32)
        got = lax.conv_general_dilated(x, w, **kw)
        want = real.lax.conv_general_dilated(x, w, **kw)
        _close(got, want)
        g = pyjax.grad(lambda a, b: lax.conv_general_dilated(a, b, **kw).sum(), (0, 1))(x, w)
        assert g[0].shape == ls and g[1].shape == rs


def test_conv_large_chunked_matches_reference():
    # Bigger than one im2col chunk: the chunked path must agree with the small-chunk one.
    rng = np.random.default_rng(6)
    x, w = _rand(rng, (3, 20, 18, 16)), _rand(rng, (3, 3, 16, 8))
    kw = dict(window_strides=(1, 1), padding="SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    full = np.asarray(lax.conv_general_dilated(x, w, **kw))
    old = _conv._CHUNK_ELEMENTS, _conv._MIN_ROWS
    try:
        for rows in (7, 100):          # chunks along rows of the output, then along the batch
            _conv._CHUNK_ELEMENTS, _conv._MIN_ROWS = 500, rows
            chunked = np.asarray(lax.conv_general_dilated(x, w, **kw))
            np.testing.assert_allclose(chunked, full, rtol=1e-5, atol=1e-5)
            grads = pyjax.grad(lambda a, b: (lax.conv_general_dilated(a, b, **kw) ** 2).sum(),
                               (0, 1))(x, w)
            _conv._CHUNK_ELEMENTS, _conv._MIN_ROWS = old
            want = pyjax.grad(lambda a, b: (lax.conv_general_dilated(a, b, **kw) ** 2).sum(),
                              (0, 1))(x, w)
            for g, g0 in zip(grads, want):
                np.testing.assert_allclose(g, g0, rtol=1e-4, atol=1e-3)
    finally:
        _conv._CHUNK_ELEMENTS, _conv._MIN_ROWS = old
    ref = H.ref_conv(x.astype(np.float64), w.astype(np.float64),
                     **_conv_params(x.shape, w.shape, kw))
    np.testing.assert_allclose(full, ref, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------------------
# reduce_window

RW_CONFIGS = [  # (id, shape, window_dimensions, window_strides, padding, base, window dil)
    ("valid", (5, 6), (2, 3), (1, 1), "VALID", None, None),
    ("same-strided", (5, 6), (3, 2), (2, 2), "SAME", None, None),
    ("same_lower", (7,), (4,), (2,), "SAME_LOWER", None, None),
    ("explicit", (4, 5), (2, 2), (1, 2), ((1, 0), (2, 1)), None, None),
    ("negative", (4, 5), (2, 2), (1, 1), ((-1, 1), (0, -2)), None, None),
    ("base_dilation", (4, 5), (2, 3), (1, 1), ((1, 1), (0, 1)), (2, 1), None),
    ("window_dilation", (6, 7), (2, 3), (1, 2), "SAME", None, (2, 2)),
    ("3d", (2, 5, 4), (1, 3, 2), (1, 2, 1), ((0, 0), (1, 1), (0, 1)), (1, 1, 2), (1, 1, 1)),
]


def _rw(L, x, init, comp, cfg):
    _, _, wd, ws, pad, bd, wdl = cfg
    return L.reduce_window(x, init, comp, wd, ws, pad, bd, wdl)


@pytest.mark.parametrize("cfg", RW_CONFIGS, ids=[c[0] for c in RW_CONFIGS])
@pytest.mark.parametrize("op", ["add", "max", "min"])
def test_reduce_window_monoids_vs_jax(cfg, op):
    real = _real()
    rng = np.random.default_rng(7)
    init = {"add": 0.0, "max": -np.inf, "min": np.inf}[op]
    x = _rand(rng, cfg[1])
    got = _rw(lax, x, init, getattr(lax, op), cfg)
    want = _rw(real.lax, x, init, getattr(real.lax, op), cfg)
    _close(got, want, 1e-6)
    assert got.weak_type == want.weak_type
    name = {"add": "reduce_window_sum", "max": "reduce_window_max", "min": "reduce_window_min"}[op]
    jaxpr = pyjax.make_jaxpr(lambda a: _rw(lax, a, init, getattr(lax, op), cfg))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == [name]
    # Integers (identity of the integer type) and the gradient.
    if cfg[0] in ("same-strided", "base_dilation"):
        xi = rng.integers(-50, 50, cfg[1]).astype(np.int32)
        init_i = {"add": 0, "max": -2 ** 31, "min": 2 ** 31 - 1}[op]
        _close(_rw(lax, xi, init_i, getattr(lax, op), cfg),
               _rw(real.lax, xi, init_i, getattr(real.lax, op), cfg))
    if op != "add" and (cfg[6] is not None or cfg[0] == "negative"):
        # Reverse mode through max/min: not implemented with window dilation (as JAX); JAX
        # fails with negative padding (a negative slice start), pyjax's harness checks it.
        return
    ct = _rand(rng, got.shape)
    g = pyjax.vjp(lambda a: _rw(lax, a, init, getattr(lax, op), cfg), x)[1](ct)[0]
    g_j = real.vjp(lambda a: _rw(real.lax, a, init, getattr(real.lax, op), cfg), x)[1](ct)[0]
    _close(g, g_j, 1e-5)


def test_max_pool_ties_nan_and_window_dilation():
    real = _real()
    # Ties: the first maximum of each window gets the gradient; all -inf windows give 0 in
    # forward mode; NaN follows XLA's select order.
    for y in [np.array([1., 3., 3., 2., 3.], np.float32),
              np.array([-np.inf, -np.inf, 1., -np.inf, -np.inf], np.float32),
              np.array([1., np.nan, 2., 0., 5.], np.float32)]:
        for wd, pad in [((3,), "VALID"), ((3,), ((1, 2),))]:
            f = lambda a, L: L.reduce_window(a, -np.inf, L.max, wd, (1,), pad)  # noqa: E731
            t = np.arange(1., 6., dtype=np.float32)
            _close(pyjax.jvp(lambda a: f(a, lax), (y,), (t,))[1],
                   real.jvp(lambda a: f(a, real.lax), (y,), (t,))[1])
            _close(pyjax.grad(lambda a: f(a, lax).sum())(y),
                   real.grad(lambda a: f(a, real.lax).sum())(y))
    # Window dilation: forward mode works, reverse mode raises as in JAX.
    x = _rand(np.random.default_rng(8), (6, 7))
    cfg = RW_CONFIGS[6]
    t = np.ones_like(x)
    _close(pyjax.jvp(lambda a: _rw(lax, a, -np.inf, lax.max, cfg), (x,), (t,))[1],
           real.jvp(lambda a: _rw(real.lax, a, -np.inf, real.lax.max, cfg), (x,), (t,))[1])
    with pytest.raises(NotImplementedError, match="window dilation"):
        pyjax.grad(lambda a: _rw(lax, a, -np.inf, lax.max, cfg).sum())(x)


def test_max_pool_second_order_vs_jax():
    real = _real()
    rng = np.random.default_rng(9)
    x = _rand(rng, (2, 6, 5, 3))
    v = _rand(rng, x.shape)

    def pool(L):
        return lambda a: L.reduce_window(a, -np.inf, L.max, (1, 2, 3, 1), (1, 2, 1, 1),
                                         "SAME")

    def loss(L, a):
        return (pool(L)(a) ** 3).sum()

    hvp = pyjax.jvp(pyjax.grad(lambda a: loss(lax, a)), (x,), (v,))[1]
    hvp_j = real.jvp(real.grad(lambda a: loss(real.lax, a)), (x,), (v,))[1]
    _close(hvp, hvp_j, 1e-4)
    # jvp of the gradient's transpose: grad of a jvp.
    gj = pyjax.grad(lambda a: (pyjax.jvp(pool(lax), (a,), (v,))[1] * a.sum()).sum())(x)
    gj_j = real.grad(lambda a: (real.jvp(pool(real.lax), (a,), (v,))[1] * a.sum()).sum())(x)
    _close(gj, gj_j, 1e-4)


@pytest.mark.parametrize("op", ["add", "max", "min", "mul"])
def test_reduce_window_vmap(op):
    rng = np.random.default_rng(10)
    init = {"add": 0.0, "max": -np.inf, "min": np.inf, "mul": 1.0}[op]
    cfg = RW_CONFIGS[5]
    xs = _rand(rng, (3,) + cfg[1])
    fn = lambda a: _rw(lax, a, init, getattr(lax, op), cfg)  # noqa: E731
    want = np.stack([np.asarray(fn(xs[i])) for i in range(3)])
    _close(pyjax.vmap(fn)(xs), want, 1e-6)
    _close(pyjax.vmap(fn, in_axes=1, out_axes=2)(np.moveaxis(xs, 0, 1)),
           np.moveaxis(want, 0, 2), 1e-6)
    if op in ("add", "max", "min"):
        g = pyjax.vmap(pyjax.grad(lambda a: (fn(a) ** 2).sum()))(xs)
        for i in range(3):
            _close(g[i], pyjax.grad(lambda a: (fn(a) ** 2).sum())(xs[i]), 1e-5)


def test_reduce_window_generic_vs_jax():
    real = _real()
    rng = np.random.default_rng(11)
    x = rng.uniform(0.5, 1.5, (4, 6)).astype(np.float32)
    # Not a monoid reducer (mul / add with a non-identity init): the generic primitive.
    for cfg, init, op in [(RW_CONFIGS[1], 1.0, "mul"), (RW_CONFIGS[4], 2.0, "add"),
                          (RW_CONFIGS[5], 0.0, "max"), (RW_CONFIGS[6], 1.0, "mul")]:
        xx = rng.uniform(0.5, 1.5, cfg[1]).astype(np.float32)
        got = _rw(lax, xx, init, getattr(lax, op), cfg)
        want = _rw(real.lax, xx, init, getattr(real.lax, op), cfg)
        _close(got, want, 1e-6)
        assert got.weak_type == want.weak_type
        t = _rand(rng, xx.shape)
        _close(pyjax.jvp(lambda a: _rw(lax, a, init, getattr(lax, op), cfg), (xx,), (t,))[1],
               real.jvp(lambda a: _rw(real.lax, a, init, getattr(real.lax, op), cfg),
                        (xx,), (t,))[1], 1e-5)
    jaxpr = pyjax.make_jaxpr(
        lambda a: lax.reduce_window(a, 1.0, lax.mul, (2, 2), (1, 1), "VALID"))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["reduce_window"]
    # A Python function that is not lax.add is generic even with the identity (as JAX).
    f = lambda a, b: a + b  # noqa: E731
    got = lax.reduce_window(x, 0.0, f, (2, 3), (1, 1), "SAME")
    _close(got, real.lax.reduce_window(x, 0.0, f, (2, 3), (1, 1), "SAME"), 1e-6)
    # XLA skips padding and base-dilation holes: a non-identity init counts once per window.
    y = np.arange(1.0, 6.0, dtype=np.float32)
    g = lambda a, b: a * 10 + b  # noqa: E731
    for args in [((3,), (1,), "SAME"), ((2,), (1,), ((1, 1),), (2,))]:
        _close(lax.reduce_window(y, 7.0, g, *args), real.lax.reduce_window(y, 7.0, g, *args))


def test_reduce_window_variadic_argmax_pool_vs_jax():
    real = _real()
    rng = np.random.default_rng(12)
    x = _rand(rng, (5, 6))
    idx = np.arange(x.size, dtype=np.int32).reshape(x.shape)

    def argmax_pool(L):
        def comp(a, b):
            (va, ia), (vb, ib) = a, b
            take = L.bitwise_or(L.gt(va, vb), L.bitwise_and(L.eq(va, vb), L.lt(ia, ib)))
            return L.select(take, va, vb), L.select(take, ia, ib)
        return lambda v, i: L.reduce_window((v, i), (np.float32(-np.inf), np.int32(-1)), comp,
                                            (2, 3), (1, 2), "SAME")

    got = argmax_pool(lax)(x, idx)
    want = argmax_pool(real.lax)(x, idx)
    _close(got[0], want[0])
    _close(got[1], want[1])
    # jit, vmap over the values, and jvp through the value operand.
    _close(pyjax.jit(argmax_pool(lax))(x, idx)[1], want[1])
    xs = _rand(rng, (2, 5, 6))
    vm = pyjax.vmap(argmax_pool(lax), in_axes=(0, None))(xs, idx)
    for i in range(2):
        _close(vm[1][i], argmax_pool(real.lax)(xs[i], idx)[1])
    # jvp through the value operand (JAX's own rule fails on the integer operand here): the
    # tangent at each window's argmax.
    t = _rand(rng, x.shape)
    got_t = pyjax.jvp(lambda v: argmax_pool(lax)(v, idx)[0], (x,), (t,))[1]
    _close(got_t, t.ravel()[np.asarray(want[1])])


def test_reduce_window_batched_init_and_errors():
    real = _real()
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    inits = np.array([1.0, 2.0, 3.0], np.float32)
    got = pyjax.vmap(lambda i: lax.reduce_window(x, i, lax.mul, (2, 2), (1, 1), "VALID"))(inits)
    for k in range(3):
        _close(got[k], real.lax.reduce_window(x, inits[k], real.lax.mul, (2, 2), (1, 1), "VALID"))
    # Errors, as JAX's.
    for bad in [lambda L: L.reduce_window(x, 0.0, L.add, (2,), (1,), "VALID"),
                lambda L: L.reduce_window(x, 0.0, L.add, (2, 0), (1, 1), "VALID"),
                lambda L: L.reduce_window((x, x), (0.0,), L.add, (2, 2), (1, 1), "VALID"),
                lambda L: L.reduce_window(x, np.int32(1), L.mul, (2, 2), (1, 1), "VALID"),
                lambda L: L.reduce_window(x.astype(bool), False, L.add, (2, 2), (1, 1),
                                          "VALID")]:
        _errors(lambda: bad(lax), lambda r: bad(r.lax))


# ---------------------------------------------------------------------------
# reduce


@pytest.mark.parametrize("op,init,dtype,prim", [
    ("add", 0, "float32", "reduce_sum"), ("mul", 1, "float32", "reduce_prod"),
    ("max", -np.inf, "float32", "reduce_max"), ("min", np.inf, "float32", "reduce_min"),
    ("max", -2 ** 31, "int32", "reduce_max"), ("bitwise_and", -1, "int32", "reduce_and"),
    ("bitwise_or", 0, "int32", "reduce_or"), ("bitwise_xor", 0, "int32", "reduce_xor"),
    ("bitwise_or", False, "bool", "reduce_or"), ("add", 1.5, "float32", "reduce"),
    ("max", 0.0, "float32", "reduce"), ("mul", 2, "int32", "reduce"),
])
def test_reduce_monoid_detection_vs_jax(op, init, dtype, prim):
    real = _real()
    rng = np.random.default_rng(13)
    x = (rng.integers(-20, 20, (3, 4, 5)) if dtype != "float32"
         else rng.standard_normal((3, 4, 5))).astype(dtype)
    if dtype == "bool":
        x = x.astype(bool)
    init_v = np.asarray(init, dtype) if prim == "reduce" and dtype != "float32" else init
    for dims in [(1,), (0, 2), ()]:
        got = lax.reduce(x, init_v, getattr(lax, op), dims)
        want = real.lax.reduce(x, init_v, getattr(real.lax, op), dims)
        _close(got, want, 1e-6)
        assert got.weak_type == want.weak_type
    jaxpr = pyjax.make_jaxpr(lambda a: lax.reduce(a, init_v, getattr(lax, op), (1,)))(x)
    assert [e.primitive.name for e in jaxpr.eqns if e.primitive.name != "convert_element_type"] \
        == [prim]


def test_reduce_weak_types_vs_jax():
    real = _real()
    for operand in [2.0, np.float32(2.0), np.ones(3, np.float32)]:
        for init in [0.0, np.float32(0.0)]:
            for comp in ("add", "mul"):
                dims = () if np.ndim(operand) == 0 else (0,)
                a = lax.reduce(operand, init, getattr(lax, comp), dims)
                b = real.lax.reduce(operand, init, getattr(real.lax, comp), dims)
                assert (a.dtype, a.weak_type) == (b.dtype, b.weak_type), (operand, init, comp)
                a = lax.reduce(operand, init, lambda u, v: u * v + 1, dims)
                b = real.lax.reduce(operand, init, lambda u, v: u * v + 1, dims)
                assert (a.dtype, a.weak_type) == (b.dtype, b.weak_type), (operand, init)
                _close(a, b)


def test_reduce_generic_variadic_vs_jax():
    real = _real()
    rng = np.random.default_rng(14)
    x = _rand(rng, (3, 4, 5))
    idx = np.broadcast_to(np.arange(4, dtype=np.int32)[None, :, None], x.shape).copy()

    def argmin(L):
        def comp(a, b):
            (va, ia), (vb, ib) = a, b
            take = L.bitwise_or(L.lt(va, vb), L.bitwise_and(L.eq(va, vb), L.lt(ia, ib)))
            return L.select(take, va, vb), L.select(take, ia, ib)
        return lambda v, i, d: L.reduce((v, i), (np.float32(np.inf), np.int32(0)), comp, d)

    for dims in [(1,), (0, 1)]:
        got, want = argmin(lax)(x, idx, dims), argmin(real.lax)(x, idx, dims)
        _close(got[0], want[0])
        _close(got[1], want[1])
    jaxpr = pyjax.make_jaxpr(lambda v, i: argmin(lax)(v, i, (1,)))(x, idx)
    assert [e.primitive.name for e in jaxpr.eqns] == ["reduce"]
    # Pytrees: a dict of operands and a dict of init values.
    out = lax.reduce({"a": x, "b": x}, {"a": np.float32(0), "b": np.float32(1)},
                     lambda u, v: {"a": u["a"] + v["a"], "b": u["b"] * v["b"]}, (2,))
    _close(out["a"], x.sum(2), 1e-5)
    _close(out["b"], x.prod(2), 1e-5)
    # vmap over the operands, then with batched init values (a loop).
    xs = _rand(rng, (2, 3, 4, 5))
    vm = pyjax.vmap(lambda v: argmin(lax)(v, idx, (1,)))(xs)
    for i in range(2):
        _close(vm[1][i], np.argmin(xs[i], axis=1).astype(np.int32))
    inits = np.array([0.5, 1.5], np.float32)
    vm = pyjax.vmap(lambda i: lax.reduce(x, i, lambda u, v: u * v, (1,)))(inits)
    for k in range(2):
        _close(vm[k], real.lax.reduce(x, inits[k], lambda u, v: u * v, (1,)), 1e-5)


def test_reduce_generic_derivatives_vs_jax():
    real = _real()
    rng = np.random.default_rng(15)
    x = rng.uniform(0.5, 1.5, (3, 5, 4)).astype(np.float32)
    comp = lambda u, v: u * v  # noqa: E731
    for dims in [(1,), (0, 2)]:
        f = lambda a, L: L.reduce(a, np.float32(1), comp, dims)  # noqa: E731
        t = _rand(rng, x.shape)
        # d prod = prod * sum(t / x) (closed form; JAX's own jvp agrees, it is slow to compile).
        prod = np.prod(x.astype(np.float64), axis=dims)
        _close(pyjax.jvp(lambda a: f(a, lax), (x,), (t,))[1],
               (prod * np.sum(t / x.astype(np.float64), axis=dims)).astype(np.float32), 1e-5)
        if dims == (1,):
            _close(f(x, lax), f(x, real.lax), 1e-6)
        # The gradient of a product: prod / x (the values are away from 0).
        g = pyjax.grad(lambda a: f(a, lax).sum())(x)
        _close(g, (np.prod(x, axis=dims, keepdims=True) / x).astype(np.float32), 1e-5)
    with pytest.raises(NotImplementedError, match="initial values"):
        pyjax.grad(lambda i: lax.reduce(x, i, comp, (1,)).sum())(np.float32(1.0))


def test_reduce_long_and_errors():
    real = _real()
    # A long reduction (halving path) with a generic computation.
    x = np.random.default_rng(16).uniform(-1, 1, (3, 1000)).astype(np.float32)
    got = lax.reduce(x, np.float32(0), lambda u, v: u + v, (1,))
    np.testing.assert_allclose(np.asarray(got), x.astype(np.float64).sum(1), rtol=1e-4)
    got = lax.reduce(x, np.float32(-np.inf), lambda u, v: lax.max(u, v), (1,))
    np.testing.assert_array_equal(np.asarray(got), x.max(1))
    for bad in [lambda L: L.reduce((x, x), (0.0,), L.add, (0,)),
                lambda L: L.reduce(x, np.int32(1), lambda u, v: u * v, (0,)),
                lambda L: L.reduce(x, np.zeros(2, np.float32), lambda u, v: u * v, (0,))]:
        _errors(lambda: bad(lax), lambda r: bad(r.lax))


# ---------------------------------------------------------------------------
# reduce_precision and cumlogsumexp

_RP_VALUES = [0.0, -0.0, 1.0, 1.5, 1.75, 1.0625, 3.14159, 1e-8, -1e-8, 6e-5, 6.1e-5, 1e-30,
              65504.0, 65520.0, 1e5, 3e38, -3e38, 2.5, 3.5, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16", "float16"])
def test_reduce_precision_vs_jax(dtype):
    with _x64() as real:
        dt = real.numpy.dtype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = np.array(_RP_VALUES, np.float64).astype(dt)
        rng = np.random.default_rng(17)
        v = np.concatenate([v, (rng.standard_normal(40) * 10.0 ** rng.uniform(-6, 6, 40))
                            .astype(dt)])
        for e, m in [(5, 10), (8, 7), (2, 1), (1, 0), (4, 0), (11, 52)]:
            got = np.asarray(lax.reduce_precision(v, e, m))
            want = np.asarray(real.lax.reduce_precision(v, e, m))
            assert got.dtype == want.dtype
            ut = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dt.itemsize]
            np.testing.assert_array_equal(got.view(ut), want.view(ut),   # bit for bit
                                          err_msg=f"{dtype} {e} {m}")


def test_reduce_precision_rules_and_errors():
    real = _real()
    x = np.array([1.0001, 2.5, -3.33], np.float32)
    g = pyjax.grad(lambda a: (lax.reduce_precision(a, 5, 2) * a).sum())(x)
    g_j = real.grad(lambda a: (real.lax.reduce_precision(a, 5, 2) * a).sum())(x)
    _close(g, g_j)
    _close(pyjax.vmap(lambda a: lax.reduce_precision(a, 8, 7))(x.reshape(3, 1)),
           real.lax.reduce_precision(x.reshape(3, 1), 8, 7))
    w = lax.reduce_precision(1.1, 5, 10)
    w_j = real.lax.reduce_precision(1.1, 5, 10)
    assert (w.dtype, w.weak_type) == (w_j.dtype, w_j.weak_type)
    _close(w, w_j)
    eqn, = pyjax.make_jaxpr(lambda a: lax.reduce_precision(a, 5, 10))(x).eqns
    assert eqn.params == {"exponent_bits": 5, "mantissa_bits": 10}
    for bad in [lambda L: L.reduce_precision(np.ones(2, np.int32), 5, 10),
                lambda L: L.reduce_precision(x, 0, 10),
                lambda L: L.reduce_precision(x, 5, -1)]:
        ours, theirs = _errors(lambda: bad(lax), lambda r: bad(r.lax))
        assert theirs.split(" (from ")[0] in ours, (ours, theirs)


def test_cumlogsumexp_vs_jax():
    real = _real()
    x = np.random.default_rng(18).standard_normal((3, 5)).astype(np.float32)
    for axis, rev in [(0, False), (1, True)]:
        _close(lax.cumlogsumexp(x, axis=axis, reverse=rev),
               real.lax.cumlogsumexp(x, axis=axis, reverse=rev), 1e-6)
    # The gradient is softmax-like weights: compare with the closed form (JAX compiles slowly).
    g = pyjax.grad(lambda a: (lax.cumlogsumexp(a, axis=1) * np.arange(5.0)).sum())(x)
    out = np.logaddexp.accumulate(x.astype(np.float64), axis=1)
    want = np.exp(x[:, :, None] - out[:, None, :]) * np.arange(5.0)[None, None, :]
    want = np.triu(np.ones((5, 5)))[None] * want
    _close(g, want.sum(2).astype(np.float32), 1e-5)


def test_public_names_exist():
    for name in ["conv_general_dilated", "conv", "conv_with_general_padding", "conv_transpose",
                 "conv_dimension_numbers", "ConvDimensionNumbers", "conv_general_permutations",
                 "conv_general_shape_tuple", "conv_shape_tuple", "conv_transpose_shape_tuple",
                 "padtype_to_pads", "conv_general_dilated_p", "reduce_window", "reduce",
                 "reduce_precision", "reduce_window_shape_tuple", "reduce_window_p",
                 "reduce_window_sum_p", "reduce_window_max_p", "reduce_window_min_p",
                 "select_and_scatter_add_p", "select_and_gather_add_p", "reduce_p",
                 "reduce_precision_p", "cumlogsumexp"]:
        assert callable(getattr(lax, name)) or hasattr(getattr(lax, name), "bind"), name


# --- conv_general_dilated_patches / conv_general_dilated_local ----------------------


def _patches_ref(x, filter_shape, strides):
    """NCHW, VALID: out[n, c * prod(filter) + s, i, j] = x[n, c, i*sh + s // fw, j*sw + s % fw]."""
    n, c, h, w = x.shape
    fh, fw = filter_shape
    oh, ow = (h - fh) // strides[0] + 1, (w - fw) // strides[1] + 1
    out = np.zeros((n, c * fh * fw, oh, ow), x.dtype)
    for ch in range(c):
        for s in range(fh * fw):
            a, b = divmod(s, fw)
            out[:, ch * fh * fw + s] = x[:, ch, a:a + strides[0] * oh:strides[0],
                                         b:b + strides[1] * ow:strides[1]]
    return out


def test_conv_patches_reference_and_local():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    p = pyjax.lax.conv_general_dilated_patches(x, (2, 3), (2, 1), "VALID")
    np.testing.assert_array_equal(p, _patches_ref(x, (2, 3), (2, 1)))
    # A locally connected layer: per output position, its own weights over the patch.
    w = rng.standard_normal((5, 18, 3, 4)).astype(np.float32)      # (out, C * window, H', W')
    out = pyjax.lax.conv_general_dilated_local(x, w, (2, 1), "VALID", (2, 3))
    want = np.einsum("nfij,ofij->noij", _patches_ref(x, (2, 3), (2, 1)), w)
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="filter_shape"):
        pyjax.lax.conv_general_dilated_patches(x, (2,), (1,), "VALID")


@pytest.mark.parametrize("kw", [
    dict(filter_shape=(3, 2), window_strides=(2, 1), padding="SAME", rhs_dilation=(1, 2)),
    dict(filter_shape=(2, 2), window_strides=(1, 2), padding=[(1, 0), (0, 2)], lhs_dilation=(2, 1),
         dimension_numbers=("NHWC", "HWIO", "NHWC")),
    dict(filter_shape=(2, 2), window_strides=(1, 1), padding="VALID",
         dimension_numbers=("NHWC", "OIHW", "NCHW")),
])
def test_conv_patches_vs_jax(kw):
    real = _real()
    x = np.random.default_rng(1).standard_normal((2, 7, 6, 3)).astype(np.float32)
    if kw.get("dimension_numbers") is None:
        x = np.moveaxis(x, 3, 1)
    a = pyjax.lax.conv_general_dilated_patches(x, **kw)
    b = real.lax.conv_general_dilated_patches(x, **kw)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=1e-6)


def test_conv_local_vs_jax_with_gradients():
    real = _real()
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 7, 6, 3)).astype(np.float32)
    w = rng.standard_normal((3, 4, 12, 5)).astype(np.float32)     # WHIO, spatial = output's

    def f(m, x, w):
        return m.lax.conv_general_dilated_local(x, w, (2, 2), "SAME", (2, 2),
                                                dimension_numbers=("NHWC", "WHIO", "NWHC"))
    np.testing.assert_allclose(f(pyjax, x, w), f(real, x, w), rtol=1e-5, atol=1e-5)
    ga = pyjax.grad(lambda x, w: (f(pyjax, x, w) ** 2).sum(), (0, 1))(x, w)
    gb = real.grad(lambda x, w: (f(real, x, w) ** 2).sum(), (0, 1))(x, w)
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
