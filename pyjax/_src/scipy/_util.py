"""Helpers of pyjax.scipy that pyjax.numpy and pyjax.lax do not offer.

const/strong_const build rank-0 constants typed like an operand (JAX's lax._const and NumPy
scalars).
"""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax


def const(x, value):
    """`value` as a rank-0 array of `x`'s dtype (JAX's lax._const): weakly typed when `x`
    is a weakly-typed scalar of the default float type (as a Python scalar would be),
    strongly typed otherwise."""
    aval = get_aval(x)
    if (aval.weak_type and aval.ndim == 0
            and aval.dtype == dtypes.canonicalize_dtype(dtypes.dtype(float(0), canonicalize=True))):
        return lax.full((), value, aval.dtype, weak_type=True)
    return lax.asarray(np.asarray(value, aval.dtype))


def strong_const(x, value):
    """`value` as a strongly-typed rank-0 array of `x`'s dtype (a NumPy scalar in JAX)."""
    return lax.asarray(np.asarray(value, get_aval(x).dtype))
