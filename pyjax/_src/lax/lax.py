"""The public `pyjax.lax` functions: thin wrappers that normalise arguments and bind primitives.

lax is strict, like JAX's: operands of binary operations must have equal shapes
and dtypes; only Python scalars are converted (weakly) to the other operand's dtype.
"""
import builtins
import enum
import operator
from typing import Sequence, Union

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import ArrayImpl, Tracer, get_aval
from pyjax._src.lax.dot import dot_general_p
from pyjax._src.lax.elementwise import (_convert_impl, binary, bitcast_convert_type_p, clamp_p, compare,
                                        complex_p, convert_element_type_p, igamma_grad_a_p,
                                        integer_pow_p,
                                        round_p, select_n_p, stop_gradient_p, unary)
from pyjax._src.lax.reduce import argmax_p, argmin_p, cumulative, reductions
from pyjax._src.lax.shape import (broadcast_in_dim_p, concatenate_p, dynamic_slice_p,
                                  dynamic_update_slice_p, iota_p, pad_p, reshape_p, rev_p,
                                  dce_sink_p, optimization_barrier_p, slice_p, split_p, squeeze_p,
                                  transpose_p)

_PY_SCALARS = (bool, int, float, complex)


def _is_py_scalar(x):
    return type(x) in _PY_SCALARS


def asarray(x):
    """An Array (or tracer) for any array-like; Python scalars become weakly-typed arrays."""
    if isinstance(x, core.Array):
        return x
    if _is_py_scalar(x):
        return ArrayImpl(np.asarray(x, dtypes.dtype(x, canonicalize=True)), type(x) is not bool)
    if isinstance(x, (np.ndarray, np.generic)):
        return ArrayImpl(np.asarray(x, dtypes.canonicalize_dtype(x.dtype)))
    if hasattr(x, "__jax_array__"):
        return asarray(x.__jax_array__())
    raise TypeError(f"Value {x!r} with type {type(x).__name__} is not a valid pyjax array type")


def _scalar_like(x, like):
    """A Python scalar as an array of `like`'s dtype, weakly typed (lax's only implicit cast)."""
    dtype = get_aval(like).dtype
    return ArrayImpl(np.asarray(x, dtype), True)


def _binop(prim):
    def op(x, y):
        if _is_py_scalar(y) and not _is_py_scalar(x):
            y = _scalar_like(y, x)
        elif _is_py_scalar(x) and not _is_py_scalar(y):
            x = _scalar_like(x, y)
        if not isinstance(x, core.Array):
            x = asarray(x)
        if not isinstance(y, core.Array):
            y = asarray(y)
        if x.dtype != y.dtype or x.shape != y.shape:
            # NumPy would broadcast or promote silently; lax refuses, with JAX's message.
            core.abstract_eval_at_user_line(prim, [get_aval(x), get_aval(y)], {})
        return prim.bind(x, y)
    op.__name__ = prim.name
    return op


def _unop(prim):
    def op(x):
        return prim.bind(x)
    op.__name__ = prim.name
    return op


# --- elementwise ------------------------------------------------------------
neg, sign, floor, ceil, is_finite = (_unop(unary[n]) for n in ("neg", "sign", "floor", "ceil", "is_finite"))
exp, exp2, log, log1p, expm1 = (_unop(unary[n]) for n in ("exp", "exp2", "log", "log1p", "expm1"))
tanh, logistic, sin, cos, tan = (_unop(unary[n]) for n in ("tanh", "logistic", "sin", "cos", "tan"))
asin, acos, atan, sinh, cosh = (_unop(unary[n]) for n in ("asin", "acos", "atan", "sinh", "cosh"))
asinh, acosh, atanh, sqrt, rsqrt = (_unop(unary[n]) for n in ("asinh", "acosh", "atanh", "sqrt", "rsqrt"))
cbrt, abs, erf, erfc, erf_inv = (_unop(unary[n]) for n in ("cbrt", "abs", "erf", "erfc", "erf_inv"))
lgamma, digamma, bitwise_not = _unop(unary["lgamma"]), _unop(unary["digamma"]), _unop(unary["not"])
population_count, clz = _unop(unary["population_count"]), _unop(unary["clz"])
real, imag, conj = _unop(unary["real"]), _unop(unary["imag"]), _unop(unary["conj"])

add, sub, mul, div, rem, pow = (_binop(binary[n]) for n in ("add", "sub", "mul", "div", "rem", "pow"))
max, min, atan2, nextafter = (_binop(binary[n]) for n in ("max", "min", "atan2", "nextafter"))
bitwise_and, bitwise_or, bitwise_xor = (_binop(binary[n]) for n in ("and", "or", "xor"))
shift_left = _binop(binary["shift_left"])
shift_right_arithmetic = _binop(binary["shift_right_arithmetic"])
shift_right_logical = _binop(binary["shift_right_logical"])
polygamma, igamma, igammac = (_binop(binary[n]) for n in ("polygamma", "igamma", "igammac"))
eq, ne, lt, le, gt, ge = (_binop(compare[n]) for n in ("eq", "ne", "lt", "le", "gt", "ge"))
complex = _binop(complex_p)


class RoundingMethod(enum.IntEnum):
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    return round_p.bind(x, rounding_method=int(rounding_method))


def integer_pow(x, y):
    return integer_pow_p.bind(x, y=operator.index(y))


def square(x):
    return integer_pow(x, 2)


def reciprocal(x):
    return integer_pow(x, -1)


def logaddexp(x, y):
    """log(exp(x) + exp(y)) without overflow; equal infinities give that infinity."""
    m = max(x, y)
    d = sub(x, y)
    safe = select(eq(x, y), full_like(d, 0), d)  # avoids inf - inf = nan
    return add(m, log1p(exp(neg(abs(safe)))))


def select_n(which, *cases):
    return select_n_p.bind(which, *cases)


def select(pred, on_true, on_false):
    """`on_true` where `pred` else `on_false` (select_n's cases are ordered false, true)."""
    return select_n_p.bind(pred, on_false, on_true)


def clamp(min, x, max):
    x = asarray(x)
    min = _scalar_like(min, x) if _is_py_scalar(min) else min
    max = _scalar_like(max, x) if _is_py_scalar(max) else max
    return clamp_p.bind(min, x, max)


def convert_element_type(operand, new_dtype, weak_type=False):
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    if _is_py_scalar(operand) or isinstance(operand, (np.ndarray, np.generic)):
        # Constants are converted now, so jaxprs show a literal, not a conversion.
        return ArrayImpl(_convert_impl(np.asarray(operand), new_dtype, weak_type), bool(weak_type))
    aval = get_aval(operand)
    if aval.dtype == new_dtype and aval.weak_type == weak_type:
        return operand
    return convert_element_type_p.bind(operand, new_dtype=new_dtype, weak_type=bool(weak_type))


def bitcast_convert_type(operand, new_dtype):
    return bitcast_convert_type_p.bind(operand, new_dtype=np.dtype(new_dtype))


def stop_gradient(x):
    from pyjax._src import tree_util
    return tree_util.tree_map(lambda v: stop_gradient_p.bind(asarray(v)), x)


# --- creation ---------------------------------------------------------------


def full(shape, fill_value, dtype=None, weak_type=False):
    shape = canonicalize_shape(shape)
    if isinstance(fill_value, Tracer):
        dtype = dtype or get_aval(fill_value).dtype
        v = convert_element_type(fill_value, dtype, weak_type)
        if get_aval(v).shape:
            raise TypeError(f"full: fill_value must be a scalar, got shape {get_aval(v).shape}")
    else:
        if dtype is None:
            dtype = dtypes.dtype(fill_value, canonicalize=True)
            weak_type = weak_type or dtypes.is_weakly_typed(fill_value)
        dtype = dtypes.canonicalize_dtype(dtype)
        value = np.asarray(core.to_numpy(fill_value))
        if value.shape:
            raise TypeError(f"full: fill_value must be a scalar, got shape {value.shape}")
        v = ArrayImpl(value.astype(dtype), bool(weak_type))
    if not shape:
        return v
    return broadcast_in_dim_p.bind(v, shape=shape, broadcast_dimensions=())


def full_like(x, fill_value, dtype=None, shape=None):
    aval = get_aval(x)
    weak = aval.weak_type if dtype is None else False
    return full(aval.shape if shape is None else shape, fill_value, dtype or aval.dtype, weak)


def zeros_like_array(x):
    return full_like(x, 0)


def iota(dtype, size):
    return iota_p.bind(dtype=dtypes.canonicalize_dtype(dtype), shape=(operator.index(size),), dimension=0)


def broadcasted_iota(dtype, shape, dimension):
    return iota_p.bind(dtype=dtypes.canonicalize_dtype(dtype), shape=canonicalize_shape(shape),
                       dimension=operator.index(dimension))


def canonicalize_shape(shape):
    """A shape as a tuple of Python ints, with a clear error for traced or non-integer sizes."""
    if not isinstance(shape, (tuple, list)):
        shape = (shape,)
    out = []
    for d in shape:
        if isinstance(d, Tracer):
            d = core.concrete_or_error(d, "a shape (shapes must be static)")
        try:
            out.append(operator.index(d))
        except TypeError:
            raise TypeError("Shapes must be 1D sequences of concrete values of integer type, "
                            f"got {tuple(shape)!r}.") from None
    if builtins.any(d < 0 for d in out):
        raise ValueError(f"Shapes must be non-negative, got {tuple(out)}")
    return tuple(out)


# --- shapes -----------------------------------------------------------------


def broadcast_in_dim(operand, shape, broadcast_dimensions):
    shape = canonicalize_shape(shape)
    operand = asarray(operand) if not isinstance(operand, core.Array) else operand
    aval = get_aval(operand)
    if aval.shape == shape and tuple(broadcast_dimensions) == tuple(range(len(shape))):
        return operand
    return broadcast_in_dim_p.bind(operand, shape=shape,
                                   broadcast_dimensions=tuple(int(d) for d in broadcast_dimensions))


def broadcast(operand, sizes):
    aval = get_aval(operand)
    sizes = canonicalize_shape(sizes)
    return broadcast_in_dim(operand, sizes + aval.shape,
                            tuple(range(len(sizes), len(sizes) + aval.ndim)))


def reshape(operand, new_sizes, dimensions=None):
    new_sizes = canonicalize_shape(new_sizes)
    aval = get_aval(operand)
    dims = None if dimensions is None or tuple(dimensions) == tuple(range(aval.ndim)) \
        else tuple(int(d) for d in dimensions)
    if aval.shape == new_sizes and dims is None:
        return operand
    return reshape_p.bind(operand, new_sizes=new_sizes, dimensions=dims)


def transpose(operand, permutation):
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(len(permutation))):
        return operand
    return transpose_p.bind(operand, permutation=permutation)


def squeeze(array, dimensions):
    ndim = get_aval(array).ndim
    dims = tuple(sorted(int(d) % ndim if ndim else int(d) for d in dimensions))
    return squeeze_p.bind(array, dimensions=dims) if dims else array


def expand_dims(array, dimensions):
    aval = get_aval(array)
    ndim_out = aval.ndim + len(dimensions)
    dims = sorted(d % ndim_out for d in dimensions)
    shape = list(aval.shape)
    for d in dims:
        shape.insert(d, 1)
    kept = [i for i in range(ndim_out) if i not in dims]
    return broadcast_in_dim(array, shape, kept)


def rev(operand, dimensions):
    return rev_p.bind(operand, dimensions=tuple(int(d) for d in dimensions))


def concatenate(operands, dimension):
    operands = [asarray(x) for x in operands]
    if len(operands) == 1:
        return operands[0]
    return concatenate_p.bind(*operands, dimension=operator.index(dimension))


def pad(operand, padding_value, padding_config):
    operand = asarray(operand)
    if _is_py_scalar(padding_value):
        padding_value = _scalar_like(padding_value, operand)
    return pad_p.bind(operand, padding_value,
                      padding_config=tuple((int(lo), int(hi), int(i)) for lo, hi, i in padding_config))


def slice(operand, start_indices, limit_indices, strides=None):
    return slice_p.bind(operand, start_indices=tuple(int(i) for i in start_indices),
                        limit_indices=tuple(int(i) for i in limit_indices),
                        strides=None if strides is None else tuple(int(s) for s in strides))


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    shape = get_aval(operand).shape
    start = [0] * len(shape)
    limit = list(shape)
    strides = [1] * len(shape)
    n = shape[axis]
    start_index = 0 if start_index is None else (start_index + n if start_index < 0 else start_index)
    limit_index = n if limit_index is None else (limit_index + n if limit_index < 0 else limit_index)
    start[axis], limit[axis], strides[axis] = start_index, limit_index, stride
    return slice(operand, start, limit, strides if stride != 1 else None)


def index_in_dim(operand, index, axis=0, keepdims=True):
    n = get_aval(operand).shape[axis]
    index = index + n if index < 0 else index
    if not 0 <= index < n:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {n}")
    out = slice_in_dim(operand, index, index + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def _start_indices(operand, start_indices):
    """Start indices of one integer dtype, negative ones counted from the end (as jax.lax)."""
    shape = get_aval(operand).shape
    if len(start_indices) != len(shape):
        raise TypeError(f"dynamic slicing needs one start index per dimension of the operand "
                        f"(shape {shape}), got {len(start_indices)}")
    out = []
    for i, n in zip(start_indices, shape):
        if _is_py_scalar(i) or isinstance(i, (np.ndarray, np.generic)):
            k = int(i)
            out.append(asarray(np.asarray(k + n if k < 0 else k, dtypes.canonicalize_dtype(
                np.asarray(i).dtype))))
        else:
            out.append(select(lt(i, full_like(i, 0)), add(i, full_like(i, n)), i))
    return _same_index_dtype(out)


def dynamic_slice(operand, start_indices, slice_sizes):
    idx = _start_indices(operand, start_indices)
    return dynamic_slice_p.bind(operand, *idx, slice_sizes=canonicalize_shape(slice_sizes))


def _same_index_dtype(idx):
    if not idx:
        return idx
    dt = dtypes.result_type(*[get_aval(i).dtype for i in idx])
    return [convert_element_type(i, dt) for i in idx]


def dynamic_update_slice(operand, update, start_indices):
    return dynamic_update_slice_p.bind(operand, update, *_start_indices(operand, start_indices))


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    shape = get_aval(operand).shape
    starts = [0] * len(shape)
    starts[axis] = start_index
    sizes = list(shape)
    sizes[axis] = slice_size
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    starts = [0] * get_aval(operand).ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis):
    if get_aval(update).ndim < get_aval(operand).ndim:
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis)


def stack(arrays, axis=0):
    """Stack along a new axis `axis` (negative counts from the end of the result)."""
    rank = np.ndim(arrays[0]) + 1
    axis = operator.index(axis) % rank if -rank <= axis < rank else axis
    return concatenate([expand_dims(a, (axis,)) for a in arrays], axis)


# --- reductions -------------------------------------------------------------


def _reducer(name):
    prim = reductions[name]

    def op(operand, axes):
        return prim.bind(operand, axes=tuple(int(a) for a in axes))
    op.__name__ = name
    return op


reduce_sum, reduce_max, reduce_min = _reducer("reduce_sum"), _reducer("reduce_max"), _reducer("reduce_min")
reduce_prod, reduce_and, reduce_or = _reducer("reduce_prod"), _reducer("reduce_and"), _reducer("reduce_or")
reduce_xor = _reducer("reduce_xor")


def argmax(operand, axis, index_dtype):
    return argmax_p.bind(operand, axes=(int(axis),), index_dtype=dtypes.canonicalize_dtype(index_dtype))


def argmin(operand, axis, index_dtype):
    return argmin_p.bind(operand, axes=(int(axis),), index_dtype=dtypes.canonicalize_dtype(index_dtype))


def _cumulative(name):
    prim = cumulative[name]

    def op(operand, axis=0, reverse=False):
        nd = get_aval(operand).ndim
        return prim.bind(operand, axis=int(axis) % nd if nd else 0, reverse=bool(reverse))
    op.__name__ = name
    return op


cumsum, cumprod, cummax = _cumulative("cumsum"), _cumulative("cumprod"), _cumulative("cummax")
cummin, cumlogsumexp = _cumulative("cummin"), _cumulative("cumlogsumexp")


# --- contractions -----------------------------------------------------------


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    dims = ((tuple(int(d) for d in lc), tuple(int(d) for d in rc)),
            (tuple(int(d) for d in lb), tuple(int(d) for d in rb)))
    pet = None if preferred_element_type is None else dtypes.canonicalize_dtype(preferred_element_type)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=dims, precision=None,
                              preferred_element_type=pet)


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    """Vector/matrix products of rank-1 and rank-2 operands, as lax.dot."""
    ln, rn = get_aval(lhs).ndim, get_aval(rhs).ndim
    if ln not in (1, 2) or rn not in (1, 2):
        raise TypeError(f"lax.dot requires rank-1 or rank-2 operands, got shapes "
                        f"{get_aval(lhs).shape} and {get_aval(rhs).shape}")
    return dot_general(lhs, rhs, (((ln - 1,), (0,)), ((), ())), precision, preferred_element_type)


def batch_matmul(lhs, rhs, precision=None):
    nd = get_aval(lhs).ndim
    batch = tuple(range(nd - 2))
    return dot_general(lhs, rhs, (((nd - 1,), (nd - 2,)), (batch, batch)), precision)


from pyjax._src.lax.parallel import (all_gather, axis_index, axis_size, pmax, pmean,  # noqa: E402,F401
                                     pmin, ppermute, psum)
from pyjax._src.lax.control_flow import (associative_scan, cond, fori_loop, map,  # noqa: E402,F401
                                         scan, switch, while_loop)
from pyjax._src.lax.sorting import sort, sort_key_val, top_k  # noqa: E402,F401


# --- more shape helpers -------------------------------------------------------

# Type aliases of JAX's signatures (typing objects, as in jax.lax).
DotDimensionNumbers = tuple[tuple[Sequence[int], Sequence[int]],
                            tuple[Sequence[int], Sequence[int]]]


class Precision(enum.Enum):
    """Precision of matrix products and convolutions (accepted everywhere; the NumPy back
    end always computes at full precision)."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        aliases = {"default": cls.DEFAULT, "bfloat16": cls.DEFAULT, "fastest": cls.DEFAULT,
                   "high": cls.HIGH, "bfloat16_3x": cls.HIGH, "tensorfloat32": cls.HIGH,
                   "highest": cls.HIGHEST, "float32": cls.HIGHEST}
        if isinstance(value, str) and value.lower() in aliases:
            return aliases[value.lower()]
        return None

    def __str__(self):
        return self.name


PrecisionLike = Union[None, str, Precision, tuple[str, str], tuple[Precision, Precision]]


def split(operand, sizes, axis=0):
    """Pieces of `operand` of the given `sizes` along `axis` (the sizes must add up to it)."""
    operand = asarray(operand)
    ndim = get_aval(operand).ndim
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"split: axis {axis} is out of bounds for an operand of rank {ndim}")
    return split_p.bind(operand, sizes=tuple(operator.index(s) for s in sizes), axis=axis % ndim)


def unstack(x, axis=0):
    """The slices of `x` along `axis`, as a tuple of arrays of one rank less."""
    x = asarray(x)
    aval = get_aval(x)
    axis = operator.index(axis)
    if not -aval.ndim <= axis < aval.ndim:
        raise ValueError(f"unstack: axis {axis} is out of bounds for an array of rank {aval.ndim}")
    axis %= aval.ndim
    pieces = split(x, (1,) * aval.shape[axis], axis)
    return tuple(squeeze(p, (axis,)) for p in pieces)


def tile(operand, reps):
    """`operand` repeated reps[i] times along each dimension i (len(reps) == operand.ndim)."""
    operand = asarray(operand)
    aval = get_aval(operand)
    reps = tuple(operator.index(r) for r in reps)
    if len(reps) != aval.ndim:
        raise TypeError(f"reps length must be equal to the ndim of x, got len(reps)={len(reps)} "
                        f"and x.ndim={aval.ndim}.")
    if builtins.any(r < 0 for r in reps):
        raise ValueError(f"tile: reps must be nonnegative, got {reps}")
    # Interleave a repeat axis before every axis, then merge each pair: (r0, n0, r1, n1, ...).
    big = tuple(d for pair in zip(reps, aval.shape) for d in pair)
    b = broadcast_in_dim(operand, big, tuple(range(1, 2 * aval.ndim, 2)))
    return reshape(b, tuple(r * n for r, n in zip(reps, aval.shape)))


def collapse(operand, start_dimension, stop_dimension=None):
    """`operand` with dimensions [start_dimension, stop_dimension) merged into one."""
    operand = asarray(operand)
    shape = get_aval(operand).shape
    lo, hi, _ = builtins.slice(start_dimension, stop_dimension).indices(len(shape))
    if hi < lo:
        raise ValueError(f"Invalid dimension range passed to collapse: {shape}"
                         f"[{start_dimension}:{stop_dimension}]")
    size = int(np.prod(shape[lo:hi], dtype=np.int64))
    return reshape(operand, shape[:lo] + (size,) + shape[hi:])


def broadcast_shapes(*shapes):
    """The NumPy broadcast of `shapes` (tuples of ints)."""
    if not shapes:
        raise ValueError("broadcast_shapes requires at least one shape")
    shapes = [canonicalize_shape(s) for s in shapes]
    if builtins.all(s == shapes[0] for s in shapes):
        return shapes[0]
    try:
        return tuple(int(d) for d in np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}") from None


def broadcast_to_rank(x, rank):
    """`x` with leading dimensions of size 1 added up to rank `rank`."""
    x = asarray(x)
    ndim = get_aval(x).ndim
    if ndim == rank:
        return x
    return broadcast(x, (1,) * (rank - ndim))


def broadcast_like(arr, like_arr):
    """`arr` broadcast (NumPy rules) to the shape of `like_arr`."""
    arr = asarray(arr)
    shape = get_aval(like_arr).shape if isinstance(like_arr, core.Array) else np.shape(like_arr)
    aval = get_aval(arr)
    out = broadcast_shapes(aval.shape, shape)
    if out != tuple(shape):
        raise ValueError(f"Incompatible shapes for broadcasting: {aval.shape} cannot be broadcast "
                         f"to the shape {tuple(shape)} of like_arr")
    nd = len(shape)
    lead = nd - aval.ndim
    # Size-1 axes that stretch are dropped first (broadcast_in_dim's dims must match or be 1).
    return broadcast_in_dim(arr, shape, tuple(range(lead, nd)))


def empty(shape, dtype, *, out_sharding=None):
    """An array of `shape` and `dtype` whose values are unspecified (zeros here, as on JAX's CPU)."""
    return full(shape, 0, dtypes.canonicalize_dtype(dtype))


def dtype(x):
    """The (canonical) dtype of a value, type or dtype-like, as `jax.lax.dtype`."""
    return dtypes.dtype(x, canonicalize=True)


def mulhi(x, y, /):
    """The high N bits of the 2N-bit product of N-bit integers, elementwise.  Unlike most
    binary lax functions, JAX's mulhi does not cast a Python scalar to the other operand's
    dtype: both must already have one dtype."""
    x, y = asarray(x), asarray(y)
    if get_aval(x).dtype != get_aval(y).dtype:
        raise TypeError(f"lax.mulhi requires arguments to have the same dtypes, got "
                        f"{get_aval(x).dtype}, {get_aval(y).dtype}.")
    return _binop(binary["mulhi"])(x, y)


def optimization_barrier(operand, /):
    """The identity on a pytree of arrays.  XLA uses the barrier to block code motion and
    common-subexpression elimination; pyjax executes equations as written."""
    from pyjax._src import tree_util
    leaves, tree = tree_util.tree_flatten(operand)
    return tree_util.tree_unflatten(tree, optimization_barrier_p.bind(*[asarray(v) for v in leaves]))


def with_sharding_constraint(x, shardings):
    """The identity on a pytree of arrays: pyjax runs on one device, where every sharding
    constraint holds."""
    from pyjax._src import tree_util
    return tree_util.tree_map(asarray, x)


def stage(x, /):
    """Lifts a value (a Python scalar, a NumPy array) into the current trace: the identity on
    its values, a constant of the trace (as in JAX, where staging it adds no equation)."""
    return asarray(x)


def dce_sink(val, *, prevent_mlir_dce=False):
    """Consumes every leaf of `val` and returns nothing: staged code keeps the computation
    of `val` (the sink is effectful, so dead-code elimination cannot remove it)."""
    from pyjax._src import tree_util
    for leaf in tree_util.tree_leaves(val):
        dce_sink_p.bind(asarray(leaf), prevent_mlir_dce=bool(prevent_mlir_dce))


def shape_as_value(shape):
    """A (static) shape as a 1-D integer array."""
    shape = canonicalize_shape(shape)
    dt = np.dtype(np.int64 if builtins.any(d >= 2 ** 31 for d in shape) else np.int32)
    if not shape:
        return full((0,), 0, dt)
    return np.asarray(shape, dtype=dt)


def platform_dependent(*args, default=None, **per_platform):
    """`per_platform['cpu'](*args)` (pyjax always runs on the CPU), else `default(*args)`.
    As in JAX, under a transformation every branch is staged (a switch), so all must return
    the same types; outside one, only the chosen branch runs."""
    for name, branch in per_platform.items():
        if not callable(branch):
            raise TypeError(f"lax.platform_dependent: the '{name}' branch must be a callable.")
        if name == "gpu":
            raise ValueError("Use 'cuda' or 'rocm' for lax.platform_dependent.")
    chosen = per_platform.get("cpu", default)
    if chosen is None:
        raise ValueError("lax.platform_dependent: no branch for the platform 'cpu' and no "
                         f"default (branches given: {sorted(per_platform)})")
    if type(core.current_trace()) is core.EvalTrace:
        return chosen(*args)
    others = []
    for b in list(per_platform.values()) + ([default] if default is not None else []):
        if b is not chosen and builtins.all(b is not o for o in others):
            others.append(b)
    return switch(0, [chosen] + others, *args)


def composite(decomposition, name, version=0):
    """Wraps `decomposition` as a named composite op: positional arguments are its inputs,
    keyword arguments its (static) attributes.  Its semantics are the decomposition's, which
    is what pyjax executes (a compiler could substitute a kernel for `name`)."""
    import functools

    @functools.wraps(decomposition)
    def wrapper(*args, **kwargs):
        from pyjax._src import errors, tree_util
        for v in tree_util.tree_leaves(kwargs):
            if isinstance(v, Tracer):
                raise errors.UnexpectedTracerError(
                    "Found a JAX Tracer as an attribute in the decomposition for the "
                    f"composite op '{name}'. This means that the decomposition function "
                    "closes over a value that is involved in a JAX transformation. "
                    "Any values that aren't explicitly known at compile time must be "
                    "explicitly passed as arguments to the composite.")
        return decomposition(*args, **kwargs)

    return wrapper


def igamma_grad_a(a, x):
    """d/da of the regularized lower incomplete gamma function P(a, x)."""
    return _binop(igamma_grad_a_p)(a, x)


def random_gamma_grad(a, x):
    """The derivative of a Gamma(a) sample `x` with respect to `a` (its CDF held fixed)."""
    from pyjax._src.random_distributions import random_gamma_grad as impl
    return impl(asarray(a), asarray(x))


from pyjax._src.lax.sorting import approx_max_k, approx_min_k  # noqa: E402,F401
from pyjax._src.lax.parallel import (all_to_all, pbroadcast, pshuffle, psum_scatter,  # noqa: E402,F401
                                     pswapaxes)
from pyjax._src.lax.dot import (RaggedDotDimensionNumbers, ragged_dot,  # noqa: E402,F401
                                ragged_dot_general)
from pyjax._src.lax.rng import RandomAlgorithm, rng_bit_generator, rng_uniform  # noqa: E402,F401
from pyjax._src.lax.dot import scaled_dot  # noqa: E402,F401
