"""jax.numpy: sorting (sort, argsort, lexsort, partition, argpartition, sort_complex).

All of them are written with the multi-operand `sort` primitive and `top_k`, as in
JAX: floating-point keys sort NaNs last with -0.0 equal to 0.0, `descending=True`
reverses the ascending result (so NaNs come first), and `partition`/`argpartition`
follow JAX's top_k-based semantics (not NumPy's introselect).
"""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax
from pyjax._src.lax.sorting import _top_k_key, sort_p, top_k
from pyjax._src.numpy.util import asarray_arg, canonicalize_axis, check_arraylike

__all__ = ["sort", "argsort", "lexsort", "partition", "argpartition", "sort_complex"]


def _arraylike(name, a):
    check_arraylike(name, a)
    return asarray_arg(a)


def _ravel(a):
    return lax.reshape(a, (get_aval(a).size,))


def _index_dtype(n):
    """JAX's index dtype for a dimension of size n: the default integer (int64 for huge n)."""
    if n > np.iinfo(np.int32).max:
        return np.dtype(np.int64)
    return np.dtype(dtypes.default_int_dtype())


def _check_kind_order(name, kind, order):
    if kind is not None:
        raise TypeError(f"'kind' argument to {name} is not supported. Use"
                        " stable=True or stable=False to specify sort stability.")
    if order is not None:
        raise TypeError(f"'order' argument to {name} is not supported.")


def _user_dtype(dtype, name):
    dt = dtypes.dtype(dtype)
    return np.dtype(dtypes.canonicalize_dtype(dt))


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """A sorted copy of `a` along `axis` (None: the flattened array), as jnp.sort."""
    arr = _arraylike("sort", a)
    _check_kind_order("sort", kind, order)
    if axis is None:
        arr = _ravel(arr)
        axis = 0
    dimension = canonicalize_axis(axis, get_aval(arr).ndim)
    result = sort_p.bind(arr, dimension=dimension, is_stable=bool(stable), num_keys=1)[0]
    return lax.rev(result, (dimension,)) if descending else result


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False, dtype=None):
    """Indices that sort `a` along `axis`, as jnp.argsort (stable by default)."""
    arr = _arraylike("argsort", a)
    _check_kind_order("argsort", kind, order)
    if axis is None:
        arr = _ravel(arr)
        axis = 0
    shape = get_aval(arr).shape
    dimension = canonicalize_axis(axis, len(shape))
    idx_dtype = _index_dtype(shape[dimension]) if dtype is None else _user_dtype(dtype, "argsort")
    iota = lax.broadcasted_iota(idx_dtype, shape, dimension)
    # A stable descending sort reverses the operand and the indices first, so that equal
    # entries keep their original order once the result is reversed.
    if descending and stable:
        arr = lax.rev(arr, (dimension,))
        iota = lax.rev(iota, (dimension,))
    indices = sort_p.bind(arr, iota, dimension=dimension, is_stable=bool(stable), num_keys=1)[1]
    return lax.rev(indices, (dimension,)) if descending else indices


def lexsort(keys, axis=-1):
    """Indices sorting by several keys, the LAST key primary, as jnp.lexsort."""
    if isinstance(keys, (list, tuple)):
        check_arraylike("lexsort", *keys)
        key_arrays = tuple(asarray_arg(k) for k in keys)
    else:
        k = _arraylike("lexsort", keys)
        if not get_aval(k).ndim:
            raise TypeError("iteration over a 0-d array")
        key_arrays = tuple(lax.index_in_dim(k, i, 0, keepdims=False)
                           for i in range(get_aval(k).shape[0]))
    if len(key_arrays) == 0:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if len({get_aval(k).shape for k in key_arrays}) > 1:
        raise ValueError("all keys need to be the same shape")
    shape = get_aval(key_arrays[0]).shape
    if not shape:
        return lax.full((), 0, dtypes.default_int_dtype())
    axis = canonicalize_axis(axis, len(shape))
    iota = lax.broadcasted_iota(_index_dtype(shape[axis]), shape, axis)
    return sort_p.bind(*key_arrays[::-1], iota, dimension=axis, is_stable=True,
                       num_keys=len(key_arrays))[-1]


def _swap_last(x, axis):
    nd = get_aval(x).ndim
    if axis == nd - 1:
        return x
    perm = list(range(nd))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return lax.transpose(x, perm)


def _partition_prep(name, a, kth, axis):
    arr = _arraylike(name, a)
    if dtypes.issubdtype(get_aval(arr).dtype, np.complexfloating):
        raise NotImplementedError(f"jnp.{name} for complex dtype is not implemented.")
    axis = canonicalize_axis(axis, get_aval(arr).ndim)
    kth = canonicalize_axis(kth, get_aval(arr).shape[axis])
    return _swap_last(arr, axis), kth, axis


def _negated_for_bottom(arr):
    # The k smallest are the top k of -arr; unsigned integers use -(arr + 1) (JAX's trick).
    if dtypes.isdtype(get_aval(arr).dtype, "unsigned integer"):
        return -(arr + 1), True
    return -arr, False


def partition(a, kth, axis=-1):
    """JAX's jnp.partition: along `axis`, the kth+1 smallest entries in ascending order
    (the kth at index kth), then the others in descending order."""
    arr, kth, axis = _partition_prep("partition", a, kth, axis)
    n = get_aval(arr).shape[-1]
    neg, unsigned = _negated_for_bottom(arr)
    bottom = -top_k(neg, kth + 1)[0]
    if unsigned:
        bottom = bottom - 1
    top = top_k(arr, n - kth - 1)[0]
    out = lax.concatenate([bottom, top], get_aval(arr).ndim - 1)
    return _swap_last(out, axis)


def argpartition(a, kth, axis=-1):
    """Indices of jnp.partition's arrangement (int32, as JAX's top_k indices)."""
    arr, kth, axis = _partition_prep("partition", a, kth, axis)
    shape = get_aval(arr).shape
    nd, n = len(shape), shape[-1]
    neg, _ = _negated_for_bottom(arr)
    bottom_ind = top_k(neg, kth + 1)[1]
    # The rest, in index order: the top entries of a proxy that is 0 at the bottom indices
    # and 1 elsewhere (JAX scatters zeros; here an entry is at the bottom when its rank in
    # top_k's own order of `neg` -- a stable sort by top_k's key -- is at most kth).
    last = nd - 1
    iota = lax.broadcasted_iota(np.int32, shape, last)
    perm = sort_p.bind(_top_k_key(neg), iota, dimension=last, is_stable=True, num_keys=1)[1]
    rank = sort_p.bind(perm, iota, dimension=last, is_stable=True, num_keys=1)[1]
    taken = lax.lt(rank, lax.full(shape, kth + 1, np.int32))
    proxy = lax.select(taken, lax.full(shape, 0.0, np.float32), lax.full(shape, 1.0, np.float32))
    top_ind = top_k(proxy, n - kth - 1)[1]
    out = lax.concatenate([bottom_ind, top_ind], nd - 1)
    return _swap_last(out, axis)


def sort_complex(a):
    """`a` sorted along its last axis (real part first, then imaginary), as complex."""
    arr = _arraylike("sort_complex", a)
    nd = get_aval(arr).ndim
    if nd == 0:
        raise ValueError("axis -1 is out of bounds for array of dimension 0")
    out = sort_p.bind(arr, dimension=nd - 1, is_stable=True, num_keys=1)[0]
    return lax.convert_element_type(out, dtypes.to_complex_dtype(get_aval(arr).dtype))
