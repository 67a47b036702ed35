"""pyjax.numpy: the NumPy API on pyjax arrays, with JAX's semantics."""
import numpy as _np

from pyjax._src.core import Array as ndarray
from pyjax._src.dtypes import (bfloat16, finfo, iinfo, isdtype, issubdtype)
from pyjax._src.numpy import array_methods as _array_methods  # noqa: F401  (installs methods)
from pyjax._src.numpy.lax_numpy import *  # noqa: F401,F403
from pyjax._src.numpy.reductions import (all, amax, amin, any, argmax, argmin, count_nonzero,  # noqa: F401
                                         cummax, cummin, cumprod, cumsum, max, mean, min, prod,
                                         ptp, std, sum, var)
from pyjax._src.numpy.ufuncs import *  # noqa: F401,F403
from pyjax._src.numpy.ufuncs import abs, divmod, pow, round  # noqa: F401

# dtypes and scalar types, as NumPy names them
bool_ = _np.bool_
uint8, uint16, uint32, uint64 = _np.uint8, _np.uint16, _np.uint32, _np.uint64
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
float16, float32, float64 = _np.float16, _np.float32, _np.float64
complex64, complex128 = _np.complex64, _np.complex128
generic, number, inexact, floating = _np.generic, _np.number, _np.inexact, _np.floating
integer, signedinteger, unsignedinteger = _np.integer, _np.signedinteger, _np.unsignedinteger
complexfloating, character = _np.complexfloating, _np.character
dtype = _np.dtype
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
float_ = float64
int_ = int64
complex_ = complex128
