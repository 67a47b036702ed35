"""Public dtype utilities (the counterpart of ``jax.dtypes``)."""
from pyjax._src import dtypes as _dtypes
from pyjax._src.dtypes import (  # noqa: F401
    ExtendedDType,
    TypePromotionError,
    bfloat16,
    canonicalize_dtype,
    default_complex_dtype,
    default_float_dtype,
    default_int_dtype,
    default_uint_dtype,
    dtype,
    extended,
    finfo,
    float0,
    iinfo,
    is_float0,
    is_weakly_typed,
    isdtype,
    issubdtype,
    itemsize_bits,
    promote_types,
    python_scalar_types,
    result_type,
    scalar_type_of,
)

# float8_*, float6_*, float4_*, int1/2/4, uint1/2/4: whichever ml_dtypes provides.
for _name in _dtypes._SMALL_FLOAT_NAMES + _dtypes._INTN_NAMES:
    if hasattr(_dtypes, _name):
        globals()[_name] = getattr(_dtypes, _name)
del _name
