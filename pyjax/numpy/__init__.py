"""pyjax.numpy: the NumPy API on pyjax arrays, with JAX's semantics."""
import numpy as _np

from pyjax._src.core import Array as ndarray  # noqa: F401
from pyjax._src.dtypes import finfo, iinfo, isdtype, issubdtype  # noqa: F401
from pyjax._src.numpy import array_methods as _array_methods  # noqa: F401  (installs methods)
from pyjax._src.numpy.lax_numpy import (  # noqa: F401
    allclose, arange, array, array_equal, array_equiv, asarray, astype, atleast_1d, atleast_2d,
    atleast_3d, broadcast_arrays, broadcast_shapes, broadcast_to, can_cast, clip, column_stack,
    concat, concatenate, copy, diag, diagonal, dot, dstack, einsum, einsum_path, empty,
    empty_like, expand_dims, eye, flip, fliplr, flipud, full, full_like, geomspace, hstack,
    identity, inner, isclose, iscomplexobj, isrealobj, isscalar, kron, linspace, logspace,
    matmul, matrix_transpose, moveaxis, ndim, ones, ones_like, outer, permute_dims,
    promote_types, ravel, reshape, result_type, row_stack, select, shape, size, squeeze, stack,
    swapaxes, tensordot, trace, transpose, tri, tril, triu, vdot, vecdot, vstack, where, zeros,
    zeros_like)
from pyjax._src.numpy.reductions import (  # noqa: F401
    all, amax, amin, any, argmax, argmin, count_nonzero, cummax, cummin, cumprod, cumsum, max,
    mean, min, nanmax, nanmean, nanmin, nanprod, nansum, prod, ptp, std, sum, var)
from pyjax._src.numpy.ufuncs import (  # noqa: F401
    abs, absolute, acos, acosh, add, angle, arccos, arccosh, arcsin, arcsinh, arctan, arctan2,
    arctanh, around, asin, asinh, atan, atan2, atanh, bitwise_and, bitwise_invert,
    bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, cbrt, ceil,
    conj, conjugate, copysign, cos, cosh, deg2rad, degrees, divide, divmod, equal, exp, exp2,
    expm1, fabs, fix, float_power, floor, floor_divide, fmod, greater, greater_equal, heaviside,
    hypot, imag, invert, iscomplex, isfinite, isinf, isnan, isneginf, isposinf, isreal,
    left_shift, less, less_equal, log, log1p, log2, log10, logaddexp, logaddexp2, logical_and,
    logical_not, logical_or, logical_xor, maximum, minimum, mod, multiply, negative, nextafter,
    not_equal, positive, pow, power, rad2deg, radians, real, reciprocal, remainder, right_shift,
    rint, round, sign, signbit, sin, sinc, sinh, sqrt, square, subtract, tan, tanh, true_divide,
    trunc)
# Each of these modules lists its public names in __all__.
from pyjax._src.numpy.indexing import *  # noqa: F401,F403,E402
from pyjax._src.numpy.manipulation import *  # noqa: F401,F403,E402
from pyjax._src.numpy.setops import *  # noqa: F401,F403,E402
from pyjax._src.numpy.mathfuncs import *  # noqa: F401,F403,E402
from pyjax._src.numpy.polynomial import *  # noqa: F401,F403,E402
from pyjax._src.numpy.ufunc_objects import *  # noqa: F401,F403,E402
from pyjax._src.numpy.statistics import *  # noqa: F401,F403,E402
from pyjax._src.numpy.sorting import *  # noqa: F401,F403,E402
from pyjax._src.numpy.array_api import *  # noqa: F401,F403,E402
from pyjax._src.numpy.vectorize import *  # noqa: F401,F403,E402
from pyjax._src.numpy.printing_io import *  # noqa: F401,F403,E402

# dtypes and scalar types, as NumPy names them
# Scalar types are callables returning Arrays (jnp.float32(3)), as in JAX.
from pyjax._src.numpy.scalar_types import *  # noqa: F401,F403,E402
generic, number, inexact, floating = _np.generic, _np.number, _np.inexact, _np.floating
integer, signedinteger, unsignedinteger = _np.integer, _np.signedinteger, _np.unsignedinteger
complexfloating, character = _np.complexfloating, _np.character
flexible, object_ = _np.flexible, _np.object_
ComplexWarning = _np.exceptions.ComplexWarning
dtype = _np.dtype
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
bool = bool_


def __getattr__(name):
    # jnp.linalg and jnp.fft, imported on first use (as `jax.numpy.linalg` is reachable).
    if name in ("linalg", "fft"):
        import importlib
        return importlib.import_module(f"pyjax.numpy.{name}")
    raise AttributeError(f"module 'pyjax.numpy' has no attribute {name!r}")
