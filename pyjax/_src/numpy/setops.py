"""jax.numpy: set operations (unique, intersect1d, ...), searchsorted, digitize and histograms.

Output shapes that depend on values need concrete inputs, or a static `size=` (then the
result is padded with `fill_value`), exactly as in JAX.  Gathers and scatters go through
the sort-based helpers of `manipulation.py` (see its docstring).
"""
import builtins
import math
import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Tracer, get_aval
from pyjax._src.lax import lax
from pyjax._src.lax.sorting import sort as _lax_sort
from pyjax._src.numpy import lax_numpy as _np_
from pyjax._src.numpy import reductions, ufuncs
from pyjax._src.numpy.manipulation import (_bcast_rows, _compact_rows, _concrete_index,
                                           _default_int, _int_dtype_for, _inverse_scatter,
                                           _segment_sum, _take_rows, _what, diff)
from pyjax._src.numpy.util import (asarray_arg, canonicalize_axis, check_arraylike,
                                   promote_dtypes, promote_dtypes_inexact)

__all__ = [
    "unique", "union1d", "intersect1d", "setdiff1d", "setxor1d", "isin", "searchsorted",
    "digitize", "bincount", "histogram", "histogram_bin_edges", "histogram2d", "histogramdd",
]


def _shape(x):
    return get_aval(x).shape


def _ndim(x):
    return get_aval(x).ndim


def _dtype(x):
    return get_aval(x).dtype


def _weak(x):
    return get_aval(x).weak_type


def _size(x):
    return math.prod(_shape(x))


def _concrete(x, what):
    """The value of `x` (NumPy), or a ConcretizationTypeError naming `what`."""
    if isinstance(x, Tracer):
        return core.concrete_or_error(x, _what(what))
    return core.to_numpy(x)


def _concrete_array(x, what):
    """`x` itself if concrete, else its concrete value as a new Array (as JAX's
    concrete_or_error(None, x): the result no longer depends on x as a traced value)."""
    if isinstance(x, Tracer):
        return core.ArrayImpl(np.asarray(_concrete(x, what)), _weak(x))
    return x


def _first_rows(x, length, pad_row, valid_count=None):
    """Rows [0, length) of `x` (padded with `pad_row` past its end); rows at positions
    >= valid_count (a traced scalar) are replaced by `pad_row` (shape (1, ...) or scalar)."""
    n = _shape(x)[0]
    rest = _shape(x)[1:]
    full_shape = (length,) + rest
    pad = lax.broadcast_in_dim(pad_row, full_shape, tuple(range(_ndim(pad_row)))
                               if _ndim(pad_row) == len(full_shape) else ())
    if length <= n:
        y = lax.slice_in_dim(x, 0, length, axis=0)
    else:
        y = lax.concatenate([x, lax.slice_in_dim(pad, 0, length - n, axis=0)], 0)
    if valid_count is None:
        return y
    it = _dtype(valid_count)
    valid = lax.lt(lax.iota(it, length), lax.broadcast_in_dim(valid_count, (length,), ()))
    return lax.select(_bcast_rows(valid, full_shape), y, pad)


# ---------------------------------------------------------------------------
# unique

UNIQUE_SIZE_HINT = (
    "To make jnp.unique() compatible with JIT and other transforms, you can specify "
    "a concrete value for the size argument, which will determine the output size.")


def _unique_sorted_mask(ar, axis, equal_nan):
    aux = _np_.moveaxis(ar, axis, 0)
    if dtypes.issubdtype(_dtype(aux), np.complexfloating):
        aux = lax.select(ufuncs.isnan(aux), lax.full_like(aux, np.nan), aux)
    size, *out_shape = _shape(aux)
    it = _default_int()
    if math.prod(out_shape) == 0:
        aux = lax.full((1,) + tuple(out_shape), 0, _dtype(aux), _weak(aux))
        perm = lax.full((1,), 0, it)
        return aux, lax.full((1,), False, np.bool_), perm
    if size == 0:
        return aux, lax.full((0,), False, np.bool_), lax.full((0,), 0, it)
    p = math.prod(out_shape)
    aux2 = lax.reshape(aux, (size, p))
    cols = [lax.slice(aux2, (0, j), (size, j + 1)) for j in range(p)]
    cols = [lax.reshape(c, (size,)) for c in cols]
    out = _lax_sort(cols + [lax.iota(it, size)], dimension=0, num_keys=p)
    perm = out[-1]
    sorted_cols = out[:-1]
    if p == 1:
        aux = lax.reshape(sorted_cols[0], (size,) + tuple(out_shape))
    else:
        aux = lax.reshape(lax.concatenate([lax.reshape(c, (size, 1)) for c in sorted_cols], 1),
                          (size,) + tuple(out_shape))
    hi = lax.slice_in_dim(aux, 1, size, axis=0)
    lo = lax.slice_in_dim(aux, 0, size - 1, axis=0)
    neq = lax.ne(hi, lo)
    if dtypes.issubdtype(_dtype(aux), np.inexact) and equal_nan:
        both_nan = lax.bitwise_and(ufuncs.isnan(hi), ufuncs.isnan(lo))
        neq = lax.bitwise_and(neq, lax.bitwise_not(both_nan))
    if _ndim(neq) > 1:
        neq = lax.reduce_or(neq, tuple(range(1, _ndim(neq))))
    mask = lax.concatenate([lax.full((1,), True, np.bool_), neq], 0)
    return aux, mask, perm


def _unique(ar, axis, return_index=False, return_inverse=False, return_counts=False,
            equal_nan=True, size=None, fill_value=None, return_true_size=False):
    axis = canonicalize_axis(axis, _ndim(ar))
    if _shape(ar)[axis] == 0 and size and fill_value is None:
        raise ValueError("jnp.unique: for zero-sized input with nonzero size argument, "
                         "fill_value must be specified")
    aux, mask, perm = _unique_sorted_mask(ar, axis, equal_nan)
    n = _shape(aux)[0]
    it = _default_int()
    has_values = _size(aux) > 0
    n_true = lax.reduce_sum(lax.convert_element_type(mask, it), (0,)) if n else lax.full((), 0, it)
    if size is None:
        count = int(np.sum(_concrete(mask, "to read the first argument of jnp.unique() (the "
                                     "output size depends on its values). " + UNIQUE_SIZE_HINT)))
        length, valid = count, None
    else:
        length, valid = size, n_true
    if has_values:
        pos = lax.iota(it, n)
        comp_aux, comp_perm, comp_pos = _compact_rows(mask, aux, perm, pos)
        result = _first_rows(comp_aux, length, lax.slice_in_dim(aux, 0, 1, axis=0), valid)
    else:
        result = aux
    if size is not None and fill_value is not None:
        fv = _np_.astype(lax.asarray(fill_value) if not isinstance(fill_value, core.Array)
                         else fill_value, _dtype(result))
        if _shape(result)[0]:
            v = lax.lt(lax.iota(it, size), lax.broadcast_in_dim(n_true, (size,), ()))
            v = lax.expand_dims(v, tuple(range(1, _ndim(result))))
            result = _np_.where(v, result, fv)
        else:
            result = _np_.full_like(result, fv, shape=(size,) + _shape(result)[1:])
    result = _np_.moveaxis(result, 0, axis)
    ret = (result,)
    if return_index:
        if has_values:
            ret += (_first_rows(comp_perm, length, lax.slice_in_dim(perm, 0, 1), valid),)
        else:
            ret += (perm,)
    if return_inverse:
        if has_values:
            imask = lax.sub(lax.cumsum(lax.convert_element_type(mask, it), 0),
                            lax.full((n,), 1, it))
            ret += (_inverse_scatter(perm, imask),)
        else:
            ret += (lax.full((_shape(ar)[axis],), 0, it),)
    if return_counts:
        if has_values:
            idx = _first_rows(comp_pos, length + 1, lax.full((), 0, it),
                              n_true if size is not None else lax.full((), count, it))
            tail = lax.slice_in_dim(idx, 1, length + 1)
            tail = lax.select(lax.ne(tail, lax.full_like(tail, 0)), tail, lax.full_like(tail, n))
            idx = lax.concatenate([lax.slice_in_dim(idx, 0, 1), tail], 0)
            ret += (lax.sub(lax.slice_in_dim(idx, 1, length + 1),
                            lax.slice_in_dim(idx, 0, length)),)
        elif _shape(ar)[axis]:
            ret += (lax.full((1,), _shape(ar)[axis], it),)
        else:
            ret += (lax.full((0,), 0, it),)
    if return_true_size:
        ret += (n_true,)
    return ret[0] if len(ret) == 1 else ret


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):
    check_arraylike("unique", ar)
    arr = asarray_arg(ar)
    if size is None:
        arr = _concrete_array(arr, "to read the first argument of jnp.unique() (the output "
                              "size depends on its values). " + UNIQUE_SIZE_HINT)
    else:
        size = _concrete_index(size, "the size argument of jnp.unique(). " + UNIQUE_SIZE_HINT)
    arr_shape = _shape(arr)
    if axis is None:
        axis_int = 0
        arr = _np_.ravel(arr)
    else:
        axis_int = canonicalize_axis(axis, _ndim(arr))
    result = _unique(arr, axis_int, return_index, return_inverse, return_counts,
                     equal_nan=equal_nan, size=size, fill_value=fill_value)
    if return_inverse and axis is None:
        i = 2 if return_index else 1
        result = (*result[:i], lax.reshape(result[i], arr_shape), *result[i + 1:])
    return result


# ---------------------------------------------------------------------------
# isin and the 1-D set operations


def _in1d(ar1, ar2, invert, method="auto", assume_unique=False):
    check_arraylike("in1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(ar1, ar2)
    arr1, arr2 = _np_.ravel(arr1), _np_.ravel(arr2)
    n1, n2 = _shape(arr1)[0], _shape(arr2)[0]
    if n1 == 0 or n2 == 0:
        return lax.full((n1,), bool(invert), np.bool_)
    if method in ("auto", "compare_all"):
        shape = (n1, n2)
        a = lax.broadcast_in_dim(arr1, shape, (0,))
        b = lax.broadcast_in_dim(arr2, shape, (1,))
        if invert:
            return lax.reduce_and(lax.ne(a, b), (1,))
        return lax.reduce_or(lax.eq(a, b), (1,))
    if method in ("binary_search", "sort"):
        s = _lax_sort(arr2)
        ind = _searchsorted_impl(s, arr1, "left", np.dtype(np.int32))
        ind = lax.clamp(lax.full_like(ind, 0), ind, lax.full_like(ind, n2 - 1))
        found = _take_rows(s, ind)
        return lax.ne(arr1, found) if invert else lax.eq(arr1, found)
    raise ValueError(f"method={method!r} is not implemented; options are 'compare_all', "
                     "'binary_search', 'sort', and 'auto'")


def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    check_arraylike("isin", element, test_elements)
    element = asarray_arg(element)
    result = _in1d(element, test_elements, invert=invert, method=method,
                   assume_unique=assume_unique)
    return lax.reshape(result, _shape(element))


def _static_mask_compact(mask, what, *xs):
    """x[mask] for a mask that must be concrete (its count decides the output size)."""
    count = int(np.sum(_concrete(mask, what)))
    outs = _compact_rows(mask, *xs)
    return [lax.slice_in_dim(o, 0, count, axis=0) for o in outs]


def union1d(ar1, ar2, *, size=None, fill_value=None):
    check_arraylike("union1d", ar1, ar2)
    ar1, ar2 = asarray_arg(ar1), asarray_arg(ar2)
    if size is None:
        ar1 = _concrete_array(ar1, "to read the first argument of union1d() (The error arose "
                              "in union1d())")
        ar2 = _concrete_array(ar2, "to read the second argument of union1d() (The error arose "
                              "in union1d())")
    else:
        size = _concrete_index(size, "the size argument of union1d() (The error arose in "
                               "union1d())")
    return unique(_np_.concatenate((ar1, ar2), axis=None), size=size, fill_value=fill_value)


def _concat_unique(arr1, arr2):
    arr1, arr2 = _np_.ravel(arr1), _np_.ravel(arr2)
    arr1, nu1 = _unique(arr1, 0, size=_size(arr1), return_true_size=True)
    arr2, nu2 = _unique(arr2, 0, size=_size(arr2), return_true_size=True)
    dt = dtypes.result_type(arr1, arr2)
    arr = lax.full((_size(arr1) + _size(arr2),), 0, dt)
    arr = lax.dynamic_update_slice(arr, lax.convert_element_type(arr1, dt), (0,))
    arr = lax.dynamic_update_slice(arr, lax.convert_element_type(arr2, dt), (nu1,))
    return arr, lax.add(nu1, nu2)


def _pad_result(vals, num_results, fill_value):
    """JAX's padding of size-limited set results: the smallest result, or fill_value."""
    n = _shape(vals)[0]
    valid = lax.lt(lax.iota(_dtype(num_results), n), lax.broadcast_in_dim(num_results, (n,), ()))
    if fill_value is None:
        vals = _np_.where(valid, vals, reductions.max(vals))
        return _np_.where(valid, vals, reductions.min(vals))
    return _np_.where(valid, vals, fill_value)


def _compact_padded(mask, x, size, num_results, pad=0):
    """x.at[nonzero(mask, size=size, fill_value=len(x))].get(mode='fill', fill_value=pad)."""
    comp = _compact_rows(mask, x)[0]
    pad_row = lax.full((), pad, _dtype(x), _weak(x))
    return _first_rows(comp, size, pad_row, num_results)


def _setxor1d_size(arr1, arr2, fill_value, *, assume_unique, size):
    it = _default_int()
    if assume_unique:
        arr = _np_.concatenate([arr1, arr2])
        aux = _lax_sort(arr) if _size(arr) else arr
        n = _size(aux)
        neq = lax.ne(lax.slice_in_dim(aux, 1, builtins.max(n, 1)),
                     lax.slice_in_dim(aux, 0, builtins.max(n - 1, 0))) if n else \
            lax.full((0,), False, np.bool_)
        flag = lax.concatenate([lax.full((1,), bool(n), np.bool_), neq,
                                lax.full((1,), True, np.bool_)], 0)
    else:
        arr, num_unique = _concat_unique(arr1, arr2)
        n = _size(arr)
        mask = lax.lt(lax.iota(it, n + 1), lax.broadcast_in_dim(
            lax.add(lax.convert_element_type(num_unique, it), lax.full((), 1, it)), (n + 1,), ()))
        if n:
            aux = _lax_sort([lax.bitwise_not(lax.slice_in_dim(mask, 1, n + 1)), arr],
                            num_keys=2)[1]
            neq = lax.ne(lax.slice_in_dim(aux, 1, n), lax.slice_in_dim(aux, 0, n - 1))
        else:
            aux = arr
            neq = lax.full((0,), False, np.bool_)
        flag = lax.concatenate([lax.full((1,), bool(n), np.bool_), neq,
                                lax.full((1,), False, np.bool_)], 0)
        flag = lax.dynamic_update_slice(flag, lax.full((1,), True, np.bool_),
                                        (lax.convert_element_type(num_unique, it),))
        flag = lax.bitwise_and(mask, flag)
    aux_mask = lax.bitwise_and(lax.slice_in_dim(flag, 1, n + 1), lax.slice_in_dim(flag, 0, n))
    num_results = lax.reduce_sum(lax.convert_element_type(aux_mask, it), (0,)) if n else \
        lax.full((), 0, it)
    if n:
        vals = _compact_padded(aux_mask, aux, size, num_results)
    else:
        vals = lax.full((size,), 0, _dtype(aux))
    return _pad_result(vals, num_results, fill_value)


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    check_arraylike("setxor1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(_np_.ravel(ar1), _np_.ravel(ar2))
    if size is not None:
        size = _concrete_index(size, "the size argument of setxor1d()")
        return _setxor1d_size(arr1, arr2, fill_value, assume_unique=assume_unique, size=size)
    if not assume_unique:
        arr1 = unique(arr1)
        arr2 = unique(arr2)
    aux = _np_.concatenate((arr1, arr2))
    n = _size(aux)
    if n == 0:
        return aux
    aux = _lax_sort(aux)
    neq = lax.ne(lax.slice_in_dim(aux, 1, n), lax.slice_in_dim(aux, 0, n - 1))
    true1 = lax.full((1,), True, np.bool_)
    flag = lax.concatenate([true1, neq, true1], 0)
    keep = lax.bitwise_and(lax.slice_in_dim(flag, 1, n + 1), lax.slice_in_dim(flag, 0, n))
    return _static_mask_compact(keep, "to read the arguments of setxor1d() (the output size "
                                "depends on their values; pass a static size=)", aux)[0]


def _intersect1d_sorted_mask(arr1, arr2, return_indices):
    arr = _np_.concatenate((arr1, arr2))
    n = _size(arr)
    if return_indices:
        iota = lax.iota(_int_dtype_for(n), n)
        aux, indices = _lax_sort([arr, iota], num_keys=1) if n else (arr, iota)
    else:
        aux = _lax_sort(arr) if n else arr
        indices = None
    if n:
        mask = lax.eq(lax.slice_in_dim(aux, 1, n), lax.slice_in_dim(aux, 0, n - 1))
    else:
        mask = lax.full((0,), False, np.bool_)
    return aux, mask, indices


def _intersect1d_size(arr1, arr2, fill_value, assume_unique, size, return_indices):
    it = _default_int()
    n1, n2 = _size(arr1), _size(arr2)
    if assume_unique:
        ind1, num_unique1 = lax.iota(it, n1), lax.full((), n1, it, True)
        ind2, num_unique2 = lax.iota(it, n2), lax.full((), n2, it, True)
        arr = _np_.concatenate([arr1, arr2])
        n = n1 + n2
        if n:
            aux, aux_sort_indices = _lax_sort([arr, lax.iota(it, n)], num_keys=1)
        else:
            aux, aux_sort_indices = arr, lax.iota(it, 0)
        mask = lax.full((n,), True, np.bool_)
    else:
        arr1, ind1, num_unique1 = _unique(arr1, 0, size=n1, return_index=True,
                                          return_true_size=True, fill_value=0)
        arr2, ind2, num_unique2 = _unique(arr2, 0, size=n2, return_index=True,
                                          return_true_size=True, fill_value=0)
        dt = dtypes.result_type(arr1, arr2)
        n = n1 + n2
        arr = lax.full((n,), 0, dt)
        arr = lax.dynamic_update_slice(arr, lax.convert_element_type(arr1, dt), (0,))
        arr = lax.dynamic_update_slice(arr, lax.convert_element_type(arr2, dt), (num_unique1,))
        mask = lax.lt(lax.iota(it, n), lax.broadcast_in_dim(lax.add(num_unique1, num_unique2),
                                                            (n,), ()))
        if n:
            _, aux, aux_sort_indices = _lax_sort([lax.bitwise_not(mask), arr, lax.iota(it, n)],
                                                 num_keys=2)
        else:
            aux, aux_sort_indices = arr, lax.iota(it, 0)
    if n:
        same = lax.eq(lax.slice_in_dim(aux, 1, n), lax.slice_in_dim(aux, 0, n - 1))
        aux_mask = lax.bitwise_and(same, lax.slice_in_dim(mask, 1, n))
        num_results = lax.reduce_sum(lax.convert_element_type(aux_mask, it), (0,))
        vals = _compact_padded(aux_mask, lax.slice_in_dim(aux, 0, n - 1), size, num_results)
    else:
        num_results = lax.full((), 0, it)
        vals = lax.full((size,), 0, _dtype(aux))
    vals = _pad_result(vals, num_results, fill_value)
    if not return_indices:
        return vals
    if n:
        lo = _compact_padded(aux_mask, lax.slice_in_dim(aux_sort_indices, 0, n - 1), size,
                             num_results, pad=n1)
        hi = _compact_padded(aux_mask, lax.slice_in_dim(aux_sort_indices, 1, n), size,
                             num_results, pad=n2)
        hi = lax.sub(hi, lax.broadcast_in_dim(lax.convert_element_type(num_unique1, _dtype(hi)),
                                              (size,), ()))
        valid = lax.lt(lax.iota(it, size), lax.broadcast_in_dim(num_results, (size,), ()))
        arr1_indices = lax.select(valid, lo, lax.full_like(lo, n1))
        arr2_indices = lax.select(valid, hi, lax.full_like(hi, n2))
    else:
        arr1_indices = arr2_indices = lax.iota(it, 0)
    if not assume_unique:
        arr1_indices = _fill_take(ind1, arr1_indices, n1)
        arr2_indices = _fill_take(ind2, arr2_indices, n2)
    return vals, arr1_indices, arr2_indices


def _fill_take(x, idx, fill):
    """x.at[idx].get(mode='fill', fill_value=fill) for 1-D x."""
    n = _shape(x)[0]
    m = _shape(idx)[0]
    if n == 0 or m == 0:
        return lax.full((m,), fill, _dtype(x))
    inb = lax.bitwise_and(lax.ge(idx, lax.full_like(idx, 0)), lax.lt(idx, lax.full_like(idx, n)))
    safe = lax.clamp(lax.full_like(idx, 0), idx, lax.full_like(idx, n - 1))
    return lax.select(inb, _take_rows(x, safe), lax.full((m,), fill, _dtype(x)))


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None,
                fill_value=None):
    check_arraylike("intersect1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(ar1, ar2)
    arr1, arr2 = _np_.ravel(arr1), _np_.ravel(arr2)
    if size is not None:
        size = _concrete_index(size, "the size argument of intersect1d()")
        return _intersect1d_size(arr1, arr2, fill_value, assume_unique, size, return_indices)
    n1 = _size(arr1)
    ind1 = ind2 = None
    if not assume_unique:
        if return_indices:
            arr1, ind1 = unique(arr1, return_index=True)
            arr2, ind2 = unique(arr2, return_index=True)
        else:
            arr1 = unique(arr1)
            arr2 = unique(arr2)
        n1 = _size(arr1)
    aux, mask, aux_sort_indices = _intersect1d_sorted_mask(arr1, arr2, return_indices)
    n = _size(aux)
    what = ("to read the arguments of intersect1d() (the output size depends on their values; "
            "pass a static size=)")
    if n == 0:
        empty = aux
        if return_indices:
            z = lax.iota(_int_dtype_for(0), 0)
            return empty, z, z
        return empty
    if not return_indices:
        return _static_mask_compact(mask, what, lax.slice_in_dim(aux, 0, n - 1))[0]
    int1d, i1, i2 = _static_mask_compact(mask, what, lax.slice_in_dim(aux, 0, n - 1),
                                         lax.slice_in_dim(aux_sort_indices, 0, n - 1),
                                         lax.slice_in_dim(aux_sort_indices, 1, n))
    i2 = lax.sub(i2, lax.full_like(i2, n1))
    if not assume_unique:
        i1 = _take_rows(ind1, i1) if _shape(i1)[0] else lax.convert_element_type(i1, _dtype(ind1))
        i2 = _take_rows(ind2, i2) if _shape(i2)[0] else lax.convert_element_type(i2, _dtype(ind2))
    return int1d, i1, i2


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    check_arraylike("setdiff1d", ar1, ar2)
    arr1 = _np_.ravel(asarray_arg(ar1))
    arr2 = _np_.ravel(asarray_arg(ar2))
    if size is None:
        _concrete(asarray_arg(ar1), "to read the first argument of setdiff1d() (The error "
                  "arose in setdiff1d())")
    else:
        size = _concrete_index(size, "the size argument of setdiff1d() (The error arose in "
                               "setdiff1d())")
    fill = _np_.full_like(arr1, 0 if fill_value is None else fill_value, shape=())
    n1 = _size(arr1)
    if n1 == 0:
        return _np_.full_like(arr1, fill, shape=(size or 0,))
    if not assume_unique:
        arr1 = unique(arr1, size=size and n1)
    mask = _in1d(arr1, arr2, invert=True, assume_unique=assume_unique)
    n1 = _size(arr1)
    if size is None:
        return _static_mask_compact(mask, "to read the arguments of setdiff1d() (pass a static "
                                    "size=)", arr1)[0]
    it = _default_int()
    if not assume_unique:
        first = lax.broadcast_in_dim(lax.slice_in_dim(arr1, 0, 1), (n1,), (0,))
        same = lax.reduce_sum(lax.convert_element_type(lax.eq(arr1, first), it), (0,))
        n_unique = lax.sub(lax.full((), n1 + 1, it), same)
        keep = lax.lt(lax.iota(it, n1), lax.broadcast_in_dim(n_unique, (n1,), ()))
        mask = lax.bitwise_and(mask, keep)
    count = lax.reduce_sum(lax.convert_element_type(mask, it), (0,))
    picked = _first_rows(_compact_rows(mask, arr1)[0], size, lax.slice_in_dim(arr1, 0, 1), count)
    valid = lax.lt(lax.iota(it, size), lax.broadcast_in_dim(count, (size,), ()))
    return _np_.where(valid, picked, fill)


# ---------------------------------------------------------------------------
# searchsorted / digitize


def _total_lt(x, y, or_equal=False):
    """x < y (or <=) in the order of lax.sort: NaNs last, -0.0 == 0.0, complex by parts."""
    dt = _dtype(x)
    if dtypes.issubdtype(dt, np.complexfloating):
        xr, xi, yr, yi = lax.real(x), lax.imag(x), lax.real(y), lax.imag(y)
        req = _total_eq(xr, yr)
        return lax.bitwise_or(_total_lt(xr, yr), lax.bitwise_and(req, _total_lt(xi, yi, or_equal)))
    if dtypes.issubdtype(dt, np.floating):
        ny = ufuncs.isnan(y)
        if or_equal:
            return lax.bitwise_or(lax.le(x, y), ny)
        return lax.bitwise_or(lax.lt(x, y), lax.bitwise_and(ny, lax.bitwise_not(ufuncs.isnan(x))))
    if dt == np.bool_:
        x, y = lax.convert_element_type(x, np.int8), lax.convert_element_type(y, np.int8)
    return lax.le(x, y) if or_equal else lax.lt(x, y)


def _total_eq(x, y):
    return lax.bitwise_or(lax.eq(x, y), lax.bitwise_and(ufuncs.isnan(x), ufuncs.isnan(y)))


def _searchsorted_impl(a, v, side, dtype, method="sort"):
    """Insertion indices of v into the sorted 1-D a (a and v of one dtype)."""
    n = _shape(a)[0]
    vshape = _shape(v)
    m = math.prod(vshape)
    if n == 0 or m == 0:
        return lax.full(vshape, 0, dtype)
    vf = lax.reshape(v, (m,))
    if method == "compare_all":
        shape = (n, m)
        comp = _total_lt(lax.broadcast_in_dim(a, shape, (0,)),
                         lax.broadcast_in_dim(vf, shape, (1,)), or_equal=(side == "right"))
        out = lax.reduce_sum(lax.convert_element_type(comp, dtype), (0,))
        return lax.reshape(out, vshape)
    it = _int_dtype_for(n + m)
    zeros_m, ones_n = lax.full((m,), 0, it), lax.full((n,), 1, it)
    vpos = lax.iota(it, m)
    apos = lax.full((n,), m, it)
    if side == "left":
        # values before equal keys of `a` (stable sort): counts a < v
        keys = lax.concatenate([vf, a], 0)
        is_a = lax.concatenate([zeros_m, ones_n], 0)
        pos = lax.concatenate([vpos, apos], 0)
    else:
        keys = lax.concatenate([a, vf], 0)
        is_a = lax.concatenate([ones_n, zeros_m], 0)
        pos = lax.concatenate([apos, vpos], 0)
    _, is_a_s, pos_s = _lax_sort([keys, is_a, pos], num_keys=1)
    before = lax.sub(lax.cumsum(is_a_s, 0), is_a_s)
    out = _lax_sort([pos_s, before], num_keys=1)[1]
    out = lax.slice_in_dim(out, 0, m)
    return lax.reshape(lax.convert_element_type(out, dtype), vshape)


_SEARCH_METHODS = ("compare_all", "scan", "scan_unrolled", "sort")


def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    if sorter is None:
        check_arraylike("searchsorted", a, v)
    else:
        check_arraylike("searchsorted", a, v, sorter)
    a, v = asarray_arg(a), asarray_arg(v)
    if _ndim(a) != 1:
        raise ValueError("a should be 1-dimensional")
    a, v = promote_dtypes(a, v)
    if sorter is not None:
        s = asarray_arg(sorter)
        if _shape(a)[0]:
            n = _shape(a)[0]
            s = _np_.ravel(s)
            s = lax.select(lax.lt(s, lax.full_like(s, 0)), lax.add(s, lax.full_like(s, n)), s)
            s = lax.clamp(lax.full_like(s, 0), s, lax.full_like(s, n - 1))
            a = _take_rows(a, s)
    if side not in ("left", "right"):
        raise ValueError(f"invalid argument side={side!r}, expected 'left' or 'right'")
    if method not in _SEARCH_METHODS:
        raise ValueError(f"invalid argument method={method!r}, expected one of "
                         f"{list(_SEARCH_METHODS)}")
    dtype = _int_dtype_for(_shape(a)[0])
    # 'scan' (binary search) and 'sort' give the same indices; both use the co-sort here.
    impl = "compare_all" if method == "compare_all" else "sort"
    return _searchsorted_impl(a, v, side, dtype, impl)


def digitize(x, bins, right=False, *, method=None):
    check_arraylike("digitize", x, bins)
    x, bins_arr = asarray_arg(x), asarray_arg(bins)
    right = bool(_concrete(right, "the right argument of jnp.digitize()")) \
        if isinstance(right, core.Array) else bool(right)
    if _ndim(bins_arr) != 1:
        raise ValueError(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    n = _shape(bins_arr)[0]
    if n == 0:
        return lax.full(_shape(x), 0, np.int32)
    side = "right" if not right else "left"
    kw = {} if method is None else {"method": method}
    rising = ufuncs.greater_equal(lax.slice_in_dim(bins_arr, n - 1, n),
                                  lax.slice_in_dim(bins_arr, 0, 1))
    up = searchsorted(bins_arr, x, side=side, **kw)
    down = ufuncs.subtract(n, searchsorted(lax.rev(bins_arr, (0,)), x, side=side, **kw))
    return _np_.where(lax.reshape(rising, ()), up, down)


# ---------------------------------------------------------------------------
# bincount and histograms


def bincount(x, weights=None, minlength=0, *, length=None, out_sharding=None):
    check_arraylike("bincount", x)
    x = asarray_arg(x)
    if _dtype(x) == np.bool_:
        x = lax.convert_element_type(x, np.int32)
    if not dtypes.issubdtype(_dtype(x), np.integer):
        raise TypeError(f"x argument to bincount must have an integer type; got {_dtype(x)}")
    if _ndim(x) != 1:
        raise ValueError("only 1-dimensional input supported.")
    minlength = _concrete_index(minlength, "the argument 'minlength' of jnp.bincount (The "
                                "error occurred because of argument 'minlength' of "
                                "jnp.bincount.)")
    if length is None:
        xv = _concrete(x, "to read the argument 'x' of jnp.bincount (The error occurred because "
                       "of argument 'x' of jnp.bincount. To avoid this error, pass a static "
                       "`length` argument.)")
        length = builtins.max(minlength, xv.size and int(builtins.max(0, xv.max())) + 1)
    else:
        length = _concrete_index(length, "the argument 'length' of jnp.bincount (The error "
                                 "occurred because of argument 'length' of jnp.bincount.)")
    if weights is None:
        w = lax.full(_shape(x), 1, _default_int())
    else:
        check_arraylike("bincount", x, weights)
        w = asarray_arg(weights)
        if _shape(x) != _shape(w):
            raise ValueError(f"type of weights must match type of x. Got typeof(x)="
                             f"{get_aval(x).str_short()} and typeof(weights)="
                             f"{get_aval(w).str_short()}")
        if _dtype(w) == np.bool_:
            raise TypeError("add does not accept dtype bool at position 0. Accepted dtypes at "
                            "position 0 are subtypes of integer, floating, complexfloating.")
        w = lax.convert_element_type(w, _dtype(w), False)
    xc = lax.max(x, lax.full_like(x, 0))
    return _segment_sum(xc, w, length)


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    if isinstance(bins, str):
        raise NotImplementedError("string values for `bins` not implemented.")
    check_arraylike("histogram_bin_edges", a, bins)
    arr = asarray_arg(a)
    dt = dtypes.to_inexact_dtype(_dtype(arr))
    if np.ndim(bins) == 1:
        return _np_.asarray(bins, dtype=dt)
    bins_int = _concrete_index(bins, "the bins argument of histogram_bin_edges")
    if range is None:
        range = [reductions.min(arr), reductions.max(arr)]
    range = _np_.asarray(range, dtype=dt)
    if _shape(range) != (2,):
        raise ValueError(f"`range` must be either None or a sequence of scalars, got {range}")
    r0 = lax.reshape(lax.slice_in_dim(range, 0, 1), ())
    r1 = lax.reshape(lax.slice_in_dim(range, 1, 2), ())
    flat = ufuncs.equal(reductions.ptp(range), 0)
    r0, r1 = (_np_.where(flat, ufuncs.subtract(r0, 0.5), r0),
              _np_.where(flat, ufuncs.add(r1, 0.5), r1))
    return _np_.linspace(r0, r1, bins_int + 1, dtype=dt)


def histogram(a, bins=10, range=None, weights=None, density=None):
    if weights is None:
        check_arraylike("histogram", a, bins)
        a, = promote_dtypes_inexact(asarray_arg(a))
        weights = _np_.ones_like(a)
    else:
        check_arraylike("histogram", a, bins, weights)
        if np.shape(a) != np.shape(weights):
            raise ValueError("weights should have the same shape as a.")
        a, weights = promote_dtypes_inexact(asarray_arg(a), asarray_arg(weights))
    bin_edges = histogram_bin_edges(a, bins, range, weights)
    ne = _shape(bin_edges)[0]
    af = _np_.ravel(a)
    bin_idx = searchsorted(bin_edges, af, side="right")
    last = lax.slice_in_dim(bin_edges, ne - 1, ne)
    bin_idx = _np_.where(ufuncs.equal(af, lax.reshape(last, ())), ne - 1, bin_idx)
    w = lax.convert_element_type(_np_.ravel(weights), _dtype(weights), False)
    counts = _segment_sum(bin_idx, w, ne)
    counts = lax.slice_in_dim(counts, 1, ne)
    if density:
        widths = diff(bin_edges)
        counts = ufuncs.divide(ufuncs.divide(counts, widths), reductions.sum(counts))
    return counts, bin_edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    check_arraylike("histogram2d", x, y)
    try:
        N = len(bins)
    except TypeError:
        N = 1
    if N != 1 and N != 2:
        edges = _np_.asarray(bins)
        bins = [edges, edges]
    sample = _np_.transpose(_np_.asarray([x, y]))
    hist, edges = histogramdd(sample, bins, range, weights, density)
    return hist, edges[0], edges[1]


def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    if weights is None:
        check_arraylike("histogramdd", sample)
        sample, = promote_dtypes_inexact(asarray_arg(sample))
    else:
        check_arraylike("histogramdd", sample, weights)
        if np.shape(weights) != np.shape(sample)[:1]:
            raise ValueError("should have one weight for each sample.")
        sample, weights = promote_dtypes_inexact(asarray_arg(sample), asarray_arg(weights))
    N, D = _shape(sample)
    if range is not None and (len(range) != D or builtins.any(
            r is not None and np.shape(r)[0] != 2 for r in range)):
        raise ValueError(f"For sample.shape={(N, D)}, range must be a sequence of {D} pairs or "
                         f"Nones; got range={range}")
    try:
        bins_per_dim = list(bins)
    except TypeError:
        bins_per_dim = D * [bins]
    else:
        if len(bins_per_dim) != D:
            raise ValueError("should be a bin for each dimension.")
    idx_by_dim, edges_by_dim = [], []
    for i in builtins.range(D):
        col = lax.reshape(lax.slice(sample, (0, i), (N, i + 1)), (N,))
        range_i = None if range is None else range[i]
        edges = histogram_bin_edges(col, bins_per_dim[i], range_i, weights)
        idx = searchsorted(edges, col, side="right")
        ne = _shape(edges)[0]
        at_last = ufuncs.equal(col, lax.reshape(lax.slice_in_dim(edges, ne - 1, ne), ()))
        idx = _np_.where(at_last, ufuncs.subtract(idx, 1), idx)
        idx_by_dim.append(idx)
        edges_by_dim.append(edges)
    nbins = tuple(_shape(e)[0] + 1 for e in edges_by_dim)
    dedges = [diff(e) for e in edges_by_dim]
    it = np.dtype(np.int32)
    flat = lax.full((N,), 0, it)
    stride = 1
    for idx, nb in reversed(list(zip(idx_by_dim, nbins))):
        idx = lax.convert_element_type(idx, it)
        idx = lax.clamp(lax.full_like(idx, 0), idx, lax.full_like(idx, nb - 1))
        flat = lax.add(flat, lax.mul(idx, lax.full_like(idx, stride)))
        stride *= nb
    hist = bincount(flat, weights, length=math.prod(nbins))
    hist = lax.reshape(hist, nbins)
    hist = lax.slice(hist, (1,) * D, tuple(nb - 1 for nb in nbins))
    if density:
        hist = _np_.astype(hist, _dtype(sample))
        hist = ufuncs.divide(hist, reductions.sum(hist))
        for i, d in enumerate(dedges):
            shp = [1] * D
            shp[i] = _shape(d)[0]
            hist = ufuncs.divide(hist, lax.reshape(d, shp))
    return hist, edges_by_dim
