"""Tests for pyjax._src.dtypes.

The oracle tests compare against real JAX and skip when it is absent; the
hard-coded tables below keep asserting the well-known entries without it."""
import contextlib
import itertools
import warnings

import ml_dtypes
import numpy as np
import pytest

from pyjax._src import dtypes as D
from pyjax._src.config import config


class FakeArray:
    """Stand-in for pyjax Array / tracers: a dtype and a weak_type flag."""

    def __init__(self, dtype, weak_type=False):
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type

    def __repr__(self):
        return f"FakeArray({self.dtype}, weak={self.weak_type})"


@contextlib.contextmanager
def x64(enabled):
    with config.override(jax_enable_x64=enabled):
        yield


def _jax():
    return pytest.importorskip("jax")


@contextlib.contextmanager
def jax_x64(enabled):
    """Set both JAX's and our x64 flag; restore both afterwards."""
    jax = _jax()
    old = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", enabled)
    try:
        with x64(enabled), warnings.catch_warnings():
            warnings.simplefilter("ignore")   # JAX warns about explicit 64-bit dtypes
            yield jax
    finally:
        jax.config.update("jax_enable_x64", old)


# The table of the task: strong dtypes plus the three weak Python scalars.
STRONG = [np.bool_, np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16,
          np.int32, np.int64, ml_dtypes.bfloat16, np.float16, np.float32, np.float64,
          np.complex64, np.complex128]
WEAK_SCALARS = [1, 1.0, 1j]
TABLE = [np.dtype(t) for t in STRONG] + WEAK_SCALARS
# Extra entries for the oracle: types that refuse to promote, numpy values.
EXTRA = [np.dtype(ml_dtypes.float8_e4m3fn), np.dtype(ml_dtypes.float8_e5m2),
         np.dtype(ml_dtypes.int4), np.dtype(ml_dtypes.uint4), np.float64(1.0),
         np.array(1, np.int64), True, None]


def _outcome(fn, *args):
    try:
        dt, weak = fn(*args, return_weak_type_flag=True)
        return np.dtype(dt), bool(weak)
    except (TypeError, ValueError):   # TypePromotionError is a ValueError
        return "error"


# ---------------------------------------------------------------------------
# Hard-coded, well-known entries (x64 off, x64 on); weak flag included.

F, T = False, True
KNOWN = [
    # args                          x64 off              x64 on
    ((np.int8, np.uint8),          ("int16", F),        ("int16", F)),
    ((np.int32, np.float32),       ("float32", F),      ("float32", F)),
    ((ml_dtypes.bfloat16, np.float16), ("float32", F),  ("float32", F)),
    ((np.uint8, 1),                ("uint8", F),        ("uint8", F)),
    ((np.int8, 1.0),               ("float32", T),      ("float64", T)),
    ((np.float16, 1.0),            ("float16", F),      ("float16", F)),
    ((ml_dtypes.bfloat16, 1),      ("bfloat16", F),     ("bfloat16", F)),
    ((np.float32, 1j),             ("complex64", F),    ("complex64", F)),
    ((np.float64, 1j),             ("complex64", F),    ("complex128", F)),
    ((np.bool_, 1),                ("int32", T),        ("int64", T)),
    ((np.bool_, np.bool_),         ("bool", F),         ("bool", F)),
    ((1, 1.0),                     ("float32", T),      ("float64", T)),
    ((1,),                         ("int32", T),        ("int64", T)),
    ((True, False),                ("bool", F),         ("bool", F)),
    ((np.int64, np.uint64),        ("int32", F),        ("float64", T)),
    ((np.uint32, np.int32),        ("int32", F),        ("int64", F)),
    ((np.float64(1.0), 1.0),       ("float32", F),      ("float64", F)),
    ((np.float64,),                ("float32", F),      ("float64", F)),
    ((None,),                      ("float32", F),      ("float64", F)),
    ((np.int8, np.uint8, 1.0),     ("float32", T),      ("float64", T)),
    ((FakeArray(np.float16, True), 1.0), ("float32", T), ("float64", T)),
    ((FakeArray(np.int16, True), np.int8), ("int8", F),  ("int8", F)),
    ((FakeArray(np.float32, True), np.float32), ("float32", F), ("float32", F)),
    ((ml_dtypes.float8_e4m3fn, 1.0), ("float8_e4m3fn", F), ("float8_e4m3fn", F)),
    ((ml_dtypes.int4, 1),          ("int4", F),         ("int4", F)),
    ((D.float0, D.float0),         ("V", F),            ("V", F)),
]


@pytest.mark.parametrize("enabled", [False, True])
@pytest.mark.parametrize("args,off,on", KNOWN, ids=lambda v: repr(v)[:40])
def test_result_type_known(args, off, on, enabled):
    name, weak = on if enabled else off
    with x64(enabled):
        dt, w = D.result_type(*args, return_weak_type_flag=True)
        assert (dt.name if name != "V" else dt.kind, w) == (name, weak)
        assert D.result_type(*args) == dt


@pytest.mark.parametrize("args", [
    (ml_dtypes.float8_e4m3fn, np.float16),
    (ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2),
    (ml_dtypes.int4, np.int8),
    (ml_dtypes.int4, 1.0),
    (ml_dtypes.float8_e5m2, 1j),
])
def test_result_type_no_path(args):
    with pytest.raises(D.TypePromotionError):
        D.result_type(*args)


def test_result_type_errors():
    with pytest.raises(ValueError):
        D.result_type()
    with pytest.raises(ValueError):
        D.result_type(D.float0, np.float32)
    with pytest.raises(TypeError):
        D.result_type(np.dtype("U3"))


def test_result_type_follows_flag_lazily():
    # The same call, cached, must change answer when the flag changes.
    with x64(False):
        assert D.result_type(1.0, np.int8) == np.float32
    with x64(True):
        assert D.result_type(1.0, np.int8) == np.float64
    with x64(False):
        assert D.result_type(1.0, np.int8) == np.float32


def test_result_type_argument_forms():
    with x64(False):
        assert D.result_type("float16", 1) == np.float16
        assert D.result_type(np.float16, int) == np.float16          # type int is weak
        assert D.result_type(float, np.int8, return_weak_type_flag=True) == (np.float32, True)
        assert D.result_type(bool, np.int8) == np.int8
        assert D.result_type(np.zeros(3, np.float64)) == np.float32  # numpy: strong, canonical
        assert D.result_type(np.int64(3), np.int8) == np.int32
        assert D.result_type([1, 2], np.int8) == np.int32            # nested list via asarray


# ---------------------------------------------------------------------------
# Oracle tests against JAX

def _jax_view(x, jnp):
    """JAX-side counterpart of one of our test arguments."""
    if isinstance(x, FakeArray):
        return jnp.asarray(1, dtype=x.dtype) if not x.weak_type else _jax_weak(x.dtype)
    return x


def _jax_weak(dt):
    from jax._src.lax.lax import _convert_element_type  # internal; used only here
    import jax.numpy as jnp
    return _convert_element_type(jnp.zeros((), dt), np.dtype(dt), weak_type=True)


def _weak_arrays():
    """Weakly typed arrays of several widths, if JAX's internals allow making them."""
    try:
        _jax_weak(np.float16)
    except Exception:
        return []
    return [FakeArray(t, True) for t in (np.int8, np.uint8, np.int32, np.float16,
                                         ml_dtypes.bfloat16, np.float32, np.complex64)]


@pytest.mark.parametrize("enabled", [False, True])
def test_result_type_pairs_vs_jax(enabled):
    with jax_x64(enabled) as jax:
        import jax.numpy as jnp
        items = TABLE + EXTRA + _weak_arrays()
        mismatches = []
        for a, b in itertools.product(items, repeat=2):
            ours = _outcome(D.result_type, a, b)
            theirs = _outcome(jax.dtypes.result_type, _jax_view(a, jnp), _jax_view(b, jnp))
            if ours != theirs:
                mismatches.append((a, b, ours, theirs))
            # jnp.result_type agrees with jax.dtypes.result_type on the dtype
            if theirs != "error":
                assert np.dtype(jnp.result_type(_jax_view(a, jnp), _jax_view(b, jnp))) == theirs[0]
        assert not mismatches, mismatches[:20]


@pytest.mark.parametrize("enabled", [False, True])
def test_result_type_singles_and_triples_vs_jax(enabled):
    with jax_x64(enabled) as jax:
        import jax.numpy as jnp
        items = TABLE + EXTRA + _weak_arrays()
        mismatches = []
        for a in items:
            if _outcome(D.result_type, a) != _outcome(jax.dtypes.result_type, _jax_view(a, jnp)):
                mismatches.append((a,))
        for args in itertools.product(TABLE, repeat=3):
            ours = _outcome(D.result_type, *args)
            theirs = _outcome(jax.dtypes.result_type, *args)
            if ours != theirs:
                mismatches.append((args, ours, theirs))
        assert not mismatches, mismatches[:20]


@pytest.mark.parametrize("enabled", [False, True])
def test_promote_types_vs_jax(enabled):
    with jax_x64(enabled) as jax:
        import jax.numpy as jnp
        items = STRONG + [ml_dtypes.float8_e4m3fn, ml_dtypes.int4, int, float, complex,
                          "float32", bool]
        for a, b in itertools.product(items, repeat=2):
            try:
                theirs = np.dtype(jnp.promote_types(a, b))
            except (TypeError, ValueError):
                with pytest.raises((TypeError, ValueError)):
                    D.promote_types(a, b)
                continue
            assert D.promote_types(a, b) == theirs, (a, b)


@pytest.mark.parametrize("enabled", [False, True])
def test_canonicalize_dtype_vs_jax(enabled):
    with jax_x64(enabled) as jax:
        for t in STRONG + [int, float, complex, bool, "int64", "float32",
                           ml_dtypes.int4, ml_dtypes.float8_e5m2]:
            assert D.canonicalize_dtype(t) == jax.dtypes.canonicalize_dtype(t), t
        for name in ("int", "uint", "float", "complex"):
            assert getattr(D, f"default_{name}_dtype")() == \
                getattr(jax.dtypes, "canonicalize_dtype")({"int": int, "float": float,
                                                           "complex": complex,
                                                           "uint": np.uint64}[name])


def test_predicates_vs_jax():
    _jax()
    import jax.numpy as jnp
    dts = STRONG + [ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2, ml_dtypes.int4,
                    ml_dtypes.uint4, int, float, complex, bool]
    cats = [np.generic, np.number, np.inexact, np.floating, np.complexfloating,
            np.integer, np.signedinteger, np.unsignedinteger, np.bool_, float, int,
            ml_dtypes.bfloat16, np.float32, np.int8]
    for a, b in itertools.product(dts, cats):
        assert D.issubdtype(a, b) == jnp.issubdtype(a, b), (a, b)
    kinds = ["bool", "signed integer", "unsigned integer", "integral", "real floating",
             "complex floating", "numeric", ("bool", "complex floating"), np.float32]
    for a in STRONG + [ml_dtypes.float8_e4m3fn, ml_dtypes.int4, ml_dtypes.uint4]:
        for k in kinds:
            assert D.isdtype(a, k) == jnp.isdtype(a, k), (a, k)


def test_finfo_iinfo_vs_jax():
    _jax()
    import jax.numpy as jnp
    for t in (ml_dtypes.bfloat16, np.float16, np.float32, np.float64,
              ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2):
        ours, theirs = D.finfo(t), jnp.finfo(t)
        for attr in ("eps", "max", "min", "tiny", "bits", "nmant", "nexp"):
            assert float(getattr(ours, attr)) == float(getattr(theirs, attr)), (t, attr)
    for t in (np.int8, np.uint8, np.int32, np.uint32, np.int64, ml_dtypes.int4, ml_dtypes.uint4):
        ours, theirs = D.iinfo(t), jnp.iinfo(t)
        assert (ours.min, ours.max, ours.bits) == (theirs.min, theirs.max, theirs.bits), t


def test_is_weakly_typed_and_scalar_type_vs_jax():
    jax = _jax()
    import jax.numpy as jnp
    from jax._src import dtypes as jd
    for x in (True, 1, 1.0, 1j, np.float64(1.0), np.int32(1), np.array(1.0)):
        assert D.is_weakly_typed(x) == jd.is_weakly_typed(x), x
    assert jd.is_weakly_typed(jnp.asarray(1.0)) and D.is_weakly_typed(FakeArray(np.float32, True))
    for x in (True, 1, 1.0, 1j, np.uint8(1), ml_dtypes.bfloat16(1), np.complex64(1)):
        assert D.scalar_type_of(x) is jax.dtypes.scalar_type_of(x), x


# ---------------------------------------------------------------------------
# Plain unit tests (no JAX)

def test_canonicalize_dtype():
    with x64(False):
        assert D.canonicalize_dtype(np.int64) == np.int32
        assert D.canonicalize_dtype("uint64") == np.uint32
        assert D.canonicalize_dtype(np.dtype(np.float64)) == np.float32
        assert D.canonicalize_dtype(np.complex128) == np.complex64
        assert D.canonicalize_dtype(int) == np.int32
        assert D.canonicalize_dtype(float) == np.float32
        assert D.canonicalize_dtype(complex) == np.complex64
        assert D.canonicalize_dtype(bool) == np.bool_
        assert D.canonicalize_dtype(np.int8) == np.int8
        assert D.canonicalize_dtype(ml_dtypes.bfloat16) == ml_dtypes.bfloat16
        assert D.canonicalize_dtype(D.float0) == D.float0
        assert (D.default_int_dtype(), D.default_uint_dtype(), D.default_float_dtype(),
                D.default_complex_dtype()) == (np.int32, np.uint32, np.float32, np.complex64)
    with x64(True):
        for t in (np.int64, np.uint64, np.float64, np.complex128):
            assert D.canonicalize_dtype(t) == t
        assert D.canonicalize_dtype(int) == np.int64
        assert (D.default_int_dtype(), D.default_uint_dtype(), D.default_float_dtype(),
                D.default_complex_dtype()) == (np.int64, np.uint64, np.float64, np.complex128)


def test_dtype_of_values():
    with x64(False):
        assert D.dtype(1) == np.int32
        assert D.dtype(1.0) == np.float32
        assert D.dtype(True) == np.bool_
        assert D.dtype(float) == np.float32
        assert D.dtype(np.float64(1)) == np.float64
        assert D.dtype(np.float64(1), canonicalize=True) == np.float32
        assert D.dtype(np.zeros(2, np.int64)) == np.int64
        assert D.dtype("bfloat16") == ml_dtypes.bfloat16
        assert D.dtype(FakeArray(np.float16)) == np.float16
        assert D.dtype([1.0, 2.0], canonicalize=True) == np.float32
        with pytest.raises(ValueError):
            D.dtype(None)
        with pytest.raises(TypeError):
            D.dtype(np.array(["a"]))


def test_is_weakly_typed():
    assert D.is_weakly_typed(1) and D.is_weakly_typed(1.0) and D.is_weakly_typed(1j)
    assert not D.is_weakly_typed(True)
    assert not D.is_weakly_typed(np.float64(1.0))
    assert not D.is_weakly_typed(np.array(1.0))
    assert D.is_weakly_typed(FakeArray(np.float32, True))
    assert not D.is_weakly_typed(FakeArray(np.float32, False))

    class Tracer:  # weak flag reachable only through .aval
        class aval:
            weak_type = True
    assert D.is_weakly_typed(Tracer())


def test_issubdtype():
    bf16, f8, i4, u4 = (ml_dtypes.bfloat16, ml_dtypes.float8_e4m3fn, ml_dtypes.int4,
                        ml_dtypes.uint4)
    for t in (bf16, f8, np.float16):
        for cat in (np.floating, np.inexact, np.number, np.generic):
            assert D.issubdtype(t, cat)
        assert not D.issubdtype(t, np.integer)
        assert not D.issubdtype(t, np.complexfloating)
    assert D.issubdtype(bf16, bf16) and not D.issubdtype(bf16, np.float16)
    assert D.issubdtype(i4, np.signedinteger) and D.issubdtype(i4, np.integer)
    assert not D.issubdtype(i4, np.unsignedinteger) and not D.issubdtype(i4, np.floating)
    assert D.issubdtype(u4, np.unsignedinteger) and not D.issubdtype(u4, np.signedinteger)
    assert D.issubdtype(np.dtype(bf16), np.floating)
    assert D.issubdtype(FakeArray(bf16), np.inexact)       # values with .dtype
    assert D.issubdtype(np.float64, float) and not D.issubdtype(np.float32, float)
    assert D.issubdtype(np.int32, np.signedinteger)
    assert D.issubdtype(D.float0, np.void)


def test_isdtype():
    assert D.isdtype(np.bool_, "bool")
    assert D.isdtype(ml_dtypes.int4, "signed integer")
    assert D.isdtype(np.uint8, "integral") and not D.isdtype(np.uint8, "signed integer")
    assert D.isdtype(ml_dtypes.bfloat16, "real floating")
    assert D.isdtype(ml_dtypes.float8_e5m2, "numeric")
    assert not D.isdtype(np.bool_, "numeric")
    assert D.isdtype(np.complex64, ("bool", "complex floating"))
    assert D.isdtype(np.float32, np.float32) and not D.isdtype(np.float32, np.float64)
    with pytest.raises(ValueError):
        D.isdtype(np.float32, "floating point")


def test_finfo_iinfo():
    assert float(D.finfo(ml_dtypes.bfloat16).eps) == 2.0 ** -7
    assert D.finfo(ml_dtypes.bfloat16).bits == 16
    assert float(D.finfo(np.float16).max) == 65504.0
    assert float(D.finfo(np.float32).eps) == 2.0 ** -23
    assert float(D.finfo(np.float64).eps) == 2.0 ** -52
    assert float(D.finfo(FakeArray(np.float32)).eps) == 2.0 ** -23
    assert float(D.finfo(ml_dtypes.float8_e4m3fn).max) == 448.0
    assert (D.iinfo(ml_dtypes.int4).min, D.iinfo(ml_dtypes.int4).max) == (-8, 7)
    assert (D.iinfo(ml_dtypes.uint4).min, D.iinfo(ml_dtypes.uint4).max) == (0, 15)
    assert D.iinfo(np.int32).max == 2 ** 31 - 1
    assert D.iinfo(np.uint8).max == 255


def test_misc_helpers():
    assert D.is_float0(D.float0) and not D.is_float0(np.float32)
    assert D.float0.itemsize == 0
    assert D.python_scalar_types == (bool, int, float, complex)
    assert D.scalar_type_of(1.0) is float and D.scalar_type_of(np.uint8(1)) is int
    assert D.scalar_type_of(ml_dtypes.bfloat16(1)) is float and D.scalar_type_of(True) is bool
    assert D.itemsize_bits(ml_dtypes.int4) == 4 and D.itemsize_bits(np.float32) == 32
    assert D.to_inexact_dtype(np.int8) == np.float32 and D.to_inexact_dtype(np.int64) == np.float64
    assert D.to_inexact_dtype(ml_dtypes.bfloat16) == ml_dtypes.bfloat16
    assert D.to_complex_dtype(np.float64) == np.complex128 and D.to_complex_dtype(np.int8) == np.complex64
    import pyjax.dtypes as public
    assert public.result_type is D.result_type and public.float0 is D.float0
    assert public.float8_e4m3fn is ml_dtypes.float8_e4m3fn and public.int4 is ml_dtypes.int4


def test_library_does_not_import_jax():
    import subprocess
    import sys
    code = ("import sys, pyjax.dtypes, pyjax._src.dtypes as D; D.result_type(1, 2.0); "
            "assert 'jax' not in sys.modules, 'pyjax imported jax'")
    subprocess.run([sys.executable, "-c", code], check=True)
