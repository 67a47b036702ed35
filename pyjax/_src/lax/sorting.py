"""The multi-operand `sort` primitive, with `lax.sort` and `lax.sort_key_val`.

`sort` sorts several operands of one shape along `dimension`, ordering them
lexicographically by the first `num_keys` operands; every operand is permuted by
that one order.  The order is JAX's: for floating-point keys -0.0 equals 0.0 and
every NaN sorts after +inf (all NaNs equal); complex keys compare by real part,
then imaginary part.  The implementation is always stable, so `is_stable=False`
gives the same (allowed) result.
"""
import operator

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import Primitive, ShapedArray, get_aval, register
from pyjax._src.interpreters.ad import Zero, is_undefined


def _L():
    from pyjax._src.lax import lax
    return lax


def _sort_abstract(*operands, dimension, is_stable, num_keys):
    if not operands:
        raise TypeError("sort requires at least one operand")
    shape = operands[0].shape
    for o in operands[1:]:
        if o.shape != shape:
            raise TypeError("sort: all operands must have the same shape, got "
                            + ", ".join(a.str_short() for a in operands))
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"sort: num_keys={num_keys} must be between 1 and the number of "
                         f"operands ({len(operands)})")
    if not 0 <= dimension < max(len(shape), 1) or not shape:
        raise ValueError(f"sort: dimension {dimension} is out of bounds for operands of shape {shape}")
    # Weak types follow core's default rule (weak only if all operands are), as in eager mode.
    return [(o.shape, o.dtype) for o in operands]


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
register(sort_p, impl=_sort_impl, abstract_eval=_sort_abstract, batch=_sort_batch,
         jvp=_sort_jvp, transpose=_sort_transpose)


def _canonical_dimension(dimension, ndim):
    dimension = operator.index(dimension)
    if not -ndim <= dimension < ndim:
        raise ValueError(f"sort: dimension {dimension} is out of bounds for rank {ndim}")
    return dimension % ndim


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """Sort `operand` (an array, or a sequence of arrays sorted together by the first
    `num_keys` of them) along `dimension`, as `jax.lax.sort`."""
    from pyjax._src.lax.lax import asarray
    if isinstance(operand, (list, tuple)):
        ops = [asarray(o) for o in operand]
        if not ops:
            raise TypeError("sort requires at least one operand")
        ndim = get_aval(ops[0]).ndim
        out = sort_p.bind(*ops, dimension=_canonical_dimension(dimension, ndim),
                          is_stable=bool(is_stable), num_keys=operator.index(num_keys))
        return tuple(out)
    if num_keys != 1:
        raise ValueError(f"sort: num_keys={num_keys} needs a sequence of operands")
    x = asarray(operand)
    ndim = get_aval(x).ndim
    if ndim == 0:
        raise ValueError("sort requires an operand of rank >= 1")
    return sort_p.bind(x, dimension=_canonical_dimension(dimension, ndim),
                       is_stable=bool(is_stable), num_keys=1)[0]


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    """Sort `keys` along `dimension` and permute `values` the same way; returns both."""
    k, v = sort((keys, values), dimension=dimension, is_stable=is_stable, num_keys=1)
    return k, v


__all__ = ["sort_p", "sort", "sort_key_val", "sort_permutation_numpy"]
