"""jnp's scalar types (jnp.float32, jnp.int32, ...): callables returning Arrays, as JAX's.

JAX represents scalars as 0-d arrays, so `jnp.float32(3)` is `jnp.asarray(3, float32)`
(an Array, also for a traced argument under jit).  The types still work where dtypes
are expected: `np.dtype(jnp.float32)` (through their `dtype` attribute),
`jnp.issubdtype(x.dtype, jnp.float32)`, `x.astype(jnp.int8)`, `jnp.float32 == np.float32`
and hashing like the NumPy type; `isinstance(v, jnp.float32)` holds for NumPy scalars of
that type.
"""
import numpy as np

from pyjax._src import dtypes


class _ScalarMeta(type):
    dtype: np.dtype

    @property
    def __numpy_dtype__(cls):
        # NumPy >= 2.4 asks this of objects passed as dtypes.
        return cls.dtype

    def __hash__(cls):
        return hash(cls.dtype.type)

    def __eq__(cls, other):
        return cls is other or cls.dtype.type == other

    def __ne__(cls, other):
        return not cls == other

    def __call__(cls, x):
        from pyjax._src.numpy import lax_numpy
        return lax_numpy.asarray(x, dtype=cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)


def _make_scalar_type(np_scalar_type):
    meta = _ScalarMeta(np_scalar_type.__name__, (object,), {"dtype": np.dtype(np_scalar_type)})
    meta.__module__ = "pyjax.numpy"
    meta.__doc__ = (f"A pyjax scalar constructor of type {np_scalar_type.__name__}: calling it "
                    "returns a 0-d (or converted) Array of that dtype, as in JAX.")
    return meta


bool_ = _make_scalar_type(np.bool_)
uint8, uint16, uint32, uint64 = (_make_scalar_type(t) for t in
                                 (np.uint8, np.uint16, np.uint32, np.uint64))
int8, int16, int32, int64 = (_make_scalar_type(t) for t in (np.int8, np.int16, np.int32, np.int64))
bfloat16 = _make_scalar_type(dtypes.bfloat16)
float16 = _make_scalar_type(np.float16)
float32 = single = _make_scalar_type(np.float32)
float64 = double = _make_scalar_type(np.float64)
complex64 = csingle = _make_scalar_type(np.complex64)
complex128 = cdouble = _make_scalar_type(np.complex128)
int_ = int64
uint = uint64
float_ = float64
complex_ = complex128

# The small float and int types that this ml_dtypes offers (jnp.float8_e4m3fn, jnp.int4, ...).
_extra = {}
for _name in dtypes._SMALL_FLOAT_NAMES + dtypes._INTN_NAMES:
    if hasattr(dtypes, _name):
        _extra[_name] = _make_scalar_type(getattr(dtypes, _name))
globals().update(_extra)

__all__ = ["bool_", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
           "bfloat16", "float16", "float32", "float64", "complex64", "complex128", "single",
           "double", "csingle", "cdouble", "int_", "uint", "float_", "complex_"] + sorted(_extra)
del _name
