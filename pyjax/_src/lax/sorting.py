"""The multi-operand `sort` primitive, with `lax.sort` and `lax.sort_key_val`; `top_k`.

`sort` sorts several operands of one shape along `dimension`, ordering them
lexicographically by the first `num_keys` operands; every operand is permuted by
that one order.  The order is JAX's: for floating-point keys -0.0 equals 0.0 and
every NaN sorts after +inf (all NaNs equal); complex keys compare by real part,
then imaginary part.  The implementation is always stable, so `is_stable=False`
gives the same (allowed) result.

`top_k` returns the `k` largest entries along an axis and their int32 indices, in
descending order, lower indices first among equal entries.  Its order is XLA's
total order of the bits (-NaN < -inf < ... < -0.0 < 0.0 < ... < inf < NaN), which
differs from sort's: -0.0 is below 0.0 and a NaN with its sign bit set is the
smallest value.  Its jvp moves the tangents with a sort keyed by that order.
"""
import operator

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import Array, Primitive, ShapedArray, get_aval, register
from pyjax._src.interpreters.ad import Zero, is_undefined


def _L():
    from pyjax._src.lax import lax
    return lax


def _sort_abstract(*operands, dimension, is_stable, num_keys):
    if not operands:
        raise TypeError("Sort requires at least one operand")
    shape = operands[0].shape
    if any(o.shape != shape for o in operands[1:]):
        raise TypeError("Arguments to sort must have equal shapes, got: "
                        + " ".join(str(o.shape) for o in operands))
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"num_keys={num_keys} must be between 1 and "
                         f"len(operand)={len(operands)}")
    if not 0 <= dimension < len(shape):
        raise ValueError(f"axis {dimension} is out of bounds for array of dimension {len(shape)}")
    return [(o.shape, o.dtype) for o in operands]


def _sort_weak_type(*weak, **_):
    # Each output keeps its own operand's weak type (sort only permutes).
    return list(weak)


def _key_for_numpy(x):
    """An array whose NumPy order (stable argsort) is JAX's sort order for `x`."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        return _key_for_numpy(x.real) + _key_for_numpy(x.imag)
    if dtypes.issubdtype(x.dtype, np.floating):
        if x.dtype.itemsize < 4 or x.dtype not in (np.float32, np.float64):
            x = x.astype(np.float32)  # exact for bfloat16/float16 and the small floats
        # -0.0 == 0.0 and NaNs (of any sign) sort last, as in NumPy.
        x = np.where(np.isnan(x), np.asarray(np.nan, x.dtype), x)
        return [x]
    if x.dtype == np.bool_:
        return [x.astype(np.uint8)]
    return [x]


def sort_permutation_numpy(keys, dimension):
    """The stable permutation (indices along `dimension`) sorting `keys` lexicographically."""
    cols = []
    for k in keys:
        cols.extend(_key_for_numpy(k))
    if len(cols) == 1:
        return np.argsort(cols[0], axis=dimension, kind="stable")
    # np.lexsort sorts by the last key first.
    return np.lexsort(cols[::-1], axis=dimension)


def _sort_impl(*operands, dimension, is_stable, num_keys):
    _sort_abstract(*[ShapedArray(np.shape(o), np.asarray(o).dtype) for o in operands],
                   dimension=dimension, is_stable=is_stable, num_keys=num_keys)
    perm = sort_permutation_numpy(operands[:num_keys], dimension)
    return [np.take_along_axis(np.asarray(o), perm, axis=dimension) for o in operands]


def _sort_batch(vals, dims, dimension, is_stable, num_keys):
    from pyjax._src.interpreters.batching import batch_size_of, bdim_at_front
    size = batch_size_of(vals, dims)
    ops = [bdim_at_front(v, d, size) for v, d in zip(vals, dims)]
    return sort_p.bind(*ops, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys), \
        [0] * len(ops)


def _sort_jvp(primals, tangents, dimension, is_stable, num_keys):
    # Sorting permutes: the tangents go through the same sort as extra (non-key) operands.
    out = sort_p.bind(*primals, dimension=dimension, is_stable=is_stable, num_keys=num_keys)
    live = [i for i, t in enumerate(tangents) if type(t) is not Zero]
    t_out = [Zero.like(o) for o in out]
    if live:
        keys = list(primals[:num_keys])
        sorted_t = sort_p.bind(*keys, *[tangents[i] for i in live], dimension=dimension,
                               is_stable=is_stable, num_keys=num_keys)[num_keys:]
        for i, t in zip(live, sorted_t):
            t_out[i] = t
    return out, t_out


def _sort_transpose(cts, *operands, dimension, is_stable, num_keys):
    # Linear in the non-key operands: the cotangent is un-permuted by sorting it by the
    # permutation's own indices.
    keys = operands[:num_keys]
    if any(is_undefined(k) for k in keys):
        raise NotImplementedError("sort is not linear in its keys: reverse-mode through the keys "
                                  "of a sort needs its jvp form (sort with the tangent operands)")
    L = _L()
    shape = get_aval(keys[0]).shape
    iota = L.broadcasted_iota(np.int32 if shape[dimension] < 2**31 else np.int64, shape, dimension)
    perm = sort_p.bind(*keys, iota, dimension=dimension, is_stable=True, num_keys=num_keys)[-1]
    out = [None] * num_keys
    for op, ct in zip(operands[num_keys:], cts[num_keys:]):
        if not is_undefined(op):
            out.append(None)
        elif type(ct) is Zero:
            out.append(Zero(op.aval))
        else:
            out.append(sort_p.bind(perm, ct, dimension=dimension, is_stable=True, num_keys=1)[1])
    return out


sort_p = Primitive("sort", multiple_results=True)
register(sort_p, impl=_sort_impl, abstract_eval=_sort_abstract, weak_type=_sort_weak_type,
         batch=_sort_batch, jvp=_sort_jvp, transpose=_sort_transpose)


def _canonical_dimension(dimension, ndim):
    dimension = operator.index(dimension)
    if not -ndim <= dimension < ndim:
        raise ValueError(f"axis {dimension} is out of bounds for array of dimension {ndim}")
    return dimension % ndim


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """Sort `operand` (an array, or a sequence of arrays sorted together by the first
    `num_keys` of them) along `dimension`, as `jax.lax.sort`.

    Floating-point keys: -0.0 equals 0.0 and NaNs sort last; complex keys sort by real
    part, then imaginary part.  Several keys sort lexicographically, the first primary.
    """
    from pyjax._src.lax.lax import asarray
    num_keys = operator.index(num_keys)
    if isinstance(operand, (list, tuple)):
        if not operand:
            raise TypeError("Sort requires at least one operand")
        if not 1 <= num_keys <= len(operand):
            raise ValueError(f"num_keys={num_keys} must be between 1 and "
                             f"len(operand)={len(operand)}")
        ops = [asarray(o) for o in operand]
        dimension = _canonical_dimension(dimension, get_aval(ops[0]).ndim)
        return tuple(sort_p.bind(*ops, dimension=dimension, is_stable=bool(is_stable),
                                 num_keys=num_keys))
    if num_keys != 1:
        raise ValueError(f"num_keys={num_keys} must equal 1 for a single operand.")
    x = asarray(operand)
    return sort_p.bind(x, dimension=_canonical_dimension(dimension, get_aval(x).ndim),
                       is_stable=bool(is_stable), num_keys=1)[0]


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    """Sort `keys` along `dimension` and permute `values` the same way; returns both."""
    from pyjax._src.lax.lax import asarray
    keys, values = asarray(keys), asarray(values)
    dimension = _canonical_dimension(dimension, get_aval(keys).ndim)
    k, v = sort_p.bind(keys, values, dimension=dimension, is_stable=bool(is_stable), num_keys=1)
    return k, v


# ---------------------------------------------------------------------------
# top_k

_INT_OF_WIDTH = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}


def _top_k_key_numpy(x):
    """An integer array whose ascending stable order is top_k's order of `x`."""
    x = np.asarray(x)
    if x.dtype == np.bool_:
        return np.logical_not(x).astype(np.uint8)
    if dtypes.issubdtype(x.dtype, np.floating):
        it = np.dtype(_INT_OF_WIDTH[x.dtype.itemsize])
        i = x.view(it)
        # Sign-magnitude bits to a monotone two's-complement integer (IEEE total order).
        i = np.where(i < 0, i ^ np.array(np.iinfo(it).max, it), i)
        return np.invert(i)
    return np.invert(x)


def _top_k_key(x):
    """`_top_k_key_numpy` in lax operations (for the jvp, which sorts tangents by it)."""
    L = _L()
    dt = get_aval(x).dtype
    if dt == np.bool_:
        return L.convert_element_type(L.bitwise_not(x), np.uint8)
    if dtypes.issubdtype(dt, np.floating):
        it = np.dtype(_INT_OF_WIDTH[dt.itemsize])
        i = L.bitcast_convert_type(x, it)
        flipped = L.bitwise_xor(i, L.full_like(i, np.iinfo(it).max))
        i = L.select(L.lt(i, L.full_like(i, 0)), flipped, i)
        return L.bitwise_not(i)
    return L.bitwise_not(x)


def _top_k_abstract(operand, *, k, axis):
    if dtypes.issubdtype(operand.dtype, np.complexfloating):
        raise ValueError("top_k is not compatible with complex inputs.")
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    if operand.ndim == 0:
        raise TypeError(f"top_k operand must have >= 1 dimension, got {operand.shape}")
    if not 0 <= axis < operand.ndim:
        raise ValueError(f"axis argument out of range: axis={axis} for "
                         f"operand.shape={operand.shape}")
    shape = list(operand.shape)
    if shape[axis] < k:
        raise ValueError("k argument to top_k must be no larger than size along axis;"
                         f" got k={k} with shape={shape} and axis={axis}")
    if shape[axis] > np.iinfo(np.int32).max + 1:
        raise ValueError("top_k returns int32 indices, which will overflow for array dimensions "
                         f"larger than the maximum int32 ({np.iinfo(np.int32).max}). Got "
                         f"operand.shape={operand.shape}")
    shape[axis] = k
    return [(tuple(shape), operand.dtype), (tuple(shape), np.dtype(np.int32))]


def _top_k_weak_type(weak, **_):
    # As JAX: both outputs are the operand's aval updated, so both keep its weak type.
    return [weak, weak]


def _top_k_impl(operand, *, k, axis):
    _top_k_abstract(ShapedArray(np.shape(operand), np.asarray(operand).dtype), k=k, axis=axis)
    x = np.asarray(operand)
    perm = np.argsort(_top_k_key_numpy(x), axis=axis, kind="stable")
    idx = np.take(perm, np.arange(k), axis=axis)
    return [np.take_along_axis(x, idx, axis=axis), idx.astype(np.int32)]


def _top_k_jvp(primals, tangents, *, k, axis):
    operand, = primals
    t, = tangents
    vals, idx = top_k_p.bind(operand, k=k, axis=axis)
    if type(t) is Zero:
        t_out = Zero.like(vals)
    else:
        # Sort the tangent by top_k's own order (a stable sort of its key) and keep k.
        L = _L()
        t_sorted = sort_p.bind(_top_k_key(operand), t, dimension=axis, is_stable=True,
                               num_keys=1)[1]
        t_out = L.slice_in_dim(t_sorted, 0, k, axis=axis)
    return [vals, idx], [t_out, Zero.like(idx)]


def _top_k_batch(vals, dims, *, k, axis):
    x, = vals
    d, = dims
    return top_k_p.bind(x, k=k, axis=axis + (d <= axis)), [d, d]


top_k_p = Primitive("top_k", multiple_results=True)
register(top_k_p, impl=_top_k_impl, abstract_eval=_top_k_abstract, weak_type=_top_k_weak_type,
         jvp=_top_k_jvp, batch=_top_k_batch)


def top_k(operand, k, *, axis=-1):
    """The `k` largest entries of `operand` along `axis` and their int32 indices, as
    `jax.lax.top_k`: in descending order, the lower index first among equal entries."""
    k = int(k)
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    if not isinstance(operand, Array):
        if not isinstance(operand, (np.ndarray, np.generic, bool, int, float, complex)):
            raise TypeError("Error interpreting argument to top_k as a JAX value. The problematic "
                            f"value is of type {type(operand)} and was passed to top_k at "
                            "position 0.")
        from pyjax._src.lax.lax import asarray
        operand = asarray(operand)
    axis = _canonical_dimension(axis, get_aval(operand).ndim)
    return top_k_p.bind(operand, k=k, axis=axis)


# ---------------------------------------------------------------------------
# approx_max_k / approx_min_k: on the CPU, XLA computes them exactly, by a stable sort
# (plain comparisons: -0.0 equals 0.0 and ties keep the lower index first), so they are
# exact top-k here too.


def _log2_floor(n):
    return int(n).bit_length() - 1


def _log2_ceil(n):
    return int(n - 1).bit_length() if n > 1 else 0


def approx_top_k_output_size(input_size, rank, k, recall_target, aggregate_to_topk,
                             input_size_override=-1):
    """XLA's ApproxTopKReductionOutputSize: how many sorted candidates approx_top_k returns
    when the results are not aggregated to the top k."""
    import math
    if aggregate_to_topk:
        return k
    tiling = 1024 if rank == 1 else 128
    if input_size <= tiling or recall_target >= 1.0:
        return input_size
    logical = input_size_override if input_size_override >= 0 else input_size
    windows = min(max(int((1.0 - k) / math.log(recall_target)), tiling), input_size)
    log2_reduction = _log2_floor(logical // windows)
    if log2_reduction == 0:
        return input_size
    log2_reduction = min(log2_reduction, _log2_ceil(-(-input_size // tiling)))
    return -(-(-(-input_size // tiling)) // (1 << log2_reduction)) * tiling


def _approx_top_k(name, is_max, operand, k, reduction_dimension, recall_target,
                  reduction_input_size_override, aggregate_to_topk):
    L = _L()
    operand = L.asarray(operand)
    aval = get_aval(operand)
    if not dtypes.issubdtype(aval.dtype, np.floating):
        raise ValueError(f"{name}: operand must be a floating type, got {aval.dtype}")
    if aval.ndim == 0:
        raise ValueError(f"{name}: operand must have rank >= 1, got a scalar")
    dim = _canonical_dimension(reduction_dimension, aval.ndim)
    n = aval.shape[dim]
    k = operator.index(k)
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if k > n:
        raise ValueError(f"k must be smaller than the size of reduction_dim {n}, got {k}")
    if not 0 < recall_target <= 1:
        raise ValueError(f"recall_target must be in (0, 1], got {recall_target}")
    if reduction_input_size_override >= 0 and reduction_input_size_override < n:
        raise ValueError(f"reduction_input_size_override {reduction_input_size_override} must "
                         f"be at least the size of reduction_dim {n}")
    size = approx_top_k_output_size(n, aval.ndim, k, recall_target, aggregate_to_topk,
                                    reduction_input_size_override)
    idx = L.broadcasted_iota(np.int32, aval.shape, dim)
    keys = L.neg(operand) if is_max else operand
    _, vals, idx = sort((keys, operand, idx), dimension=dim, is_stable=True, num_keys=1)
    return [L.slice_in_dim(vals, 0, size, axis=dim), L.slice_in_dim(idx, 0, size, axis=dim)]


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True):
    """The `k` largest entries along `reduction_dimension` and their int32 indices, in
    descending order (XLA's CPU result: exact)."""
    return _approx_top_k("approx_max_k", True, operand, k, reduction_dimension, recall_target,
                         reduction_input_size_override, aggregate_to_topk)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True):
    """The `k` smallest entries along `reduction_dimension` and their int32 indices, in
    ascending order (XLA's CPU result: exact)."""
    return _approx_top_k("approx_min_k", False, operand, k, reduction_dimension, recall_target,
                         reduction_input_size_override, aggregate_to_topk)


__all__ = ["sort_p", "sort", "sort_key_val", "sort_permutation_numpy", "top_k_p", "top_k",
           "approx_max_k", "approx_min_k"]
