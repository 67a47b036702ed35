"""mode, rankdata and sem (jax.scipy.stats), with sorts and scans instead of jnp.unique."""
import math
from typing import NamedTuple

import numpy as np

from pyjax._src import dtypes
from pyjax._src.lax import lax
from pyjax._src.numpy.util import canonicalize_axis, check_arraylike, promote_args_inexact
from pyjax._src.scipy.stats._common import jnp


class ModeResult(NamedTuple):
    mode: object
    count: object


def _check_nan_policy(name, nan_policy):
    if nan_policy not in ["propagate", "omit", "raise"]:
        raise ValueError(f"Illegal nan_policy value {nan_policy!r}; expected one of "
                         "{'propagate', 'omit', 'raise'}")
    if nan_policy == "omit":
        raise NotImplementedError(f"Logic for `nan_policy` of {nan_policy} is not implemented")
    if nan_policy == "raise":
        raise NotImplementedError(
            f"In order to best JIT compile `{name}`, we cannot know whether `x` contains nans. "
            f"Please check if nans exist in `x` outside of the `{name}` function.")


def _groups(s):
    """For `s` sorted along axis 0: for each position, the start and end (exclusive) of its
    run of equal values (NaNs equal to each other, as jnp.unique's equal_nan)."""
    n = s.shape[0]
    pos = lax.broadcasted_iota(np.int32, s.shape, 0)
    if n == 1:
        return pos, pos + 1
    head, tail = lax.slice_in_dim(s, 0, n - 1, axis=0), lax.slice_in_dim(s, 1, n, axis=0)
    differ = lax.ne(tail, head)
    if dtypes.issubdtype(s.dtype, np.inexact):
        differ = differ & ~(jnp().isnan(tail) & jnp().isnan(head))
    true1 = lax.full((1,) + s.shape[1:], True, np.bool_)
    is_new = lax.concatenate([true1, differ], 0)
    is_last = lax.concatenate([differ, true1], 0)
    start = lax.cummax(lax.select(is_new, pos, lax.full_like(pos, 0)), axis=0)
    end = lax.cummin(lax.select(is_last, pos + 1, lax.full_like(pos, n)), axis=0, reverse=True)
    return start, end


def mode(a, axis=0, nan_policy="propagate", keepdims=False):
    """The most common value along `axis` (the smallest of equally common ones) and its count."""
    J = jnp()
    check_arraylike("mode", a)
    x = J.atleast_1d(a)
    _check_nan_policy("mode", nan_policy)
    if axis is not None:
        axis = canonicalize_axis(axis, x.ndim)
    input_shape = x.shape
    if keepdims:
        output_shape = (tuple(1 for _ in input_shape) if axis is None else
                        tuple(1 if i == axis else s for i, s in enumerate(input_shape)))
    elif axis is None:
        output_shape = ()
    else:
        output_shape = tuple(s for i, s in enumerate(input_shape) if i != axis)
    if axis is None:
        axis = 0
        x = J.ravel(x)
    x = J.moveaxis(x, axis, 0)
    x = J.reshape(x, (x.shape[0], math.prod(x.shape[1:])))
    if x.size == 0:
        fdt = dtypes.canonicalize_dtype(np.float64)
        return ModeResult(J.full(output_shape, np.nan, fdt), J.full(output_shape, 0, fdt))
    s = lax.sort(x, dimension=0)
    start, end = _groups(s)
    counts = end - start
    best = J.argmax(counts, axis=0)
    pick = lax.eq(lax.broadcasted_iota(best.dtype, s.shape, 0),
                  lax.broadcast_in_dim(best, s.shape, (1,)))
    vals = J.sum(J.where(pick, s, J.zeros_like(s)), axis=0).astype(s.dtype)
    count = lax.reduce_max(counts, (0,))
    return ModeResult(J.reshape(vals, output_shape), J.reshape(count, output_shape))


def _rank_last_axis(a, method):
    """Ranks along the last axis of a 2-d array."""
    J = jnp()
    out_dtype = dtypes.canonicalize_dtype(np.float64)
    n = a.shape[-1]
    iota = lax.broadcasted_iota(np.int32, a.shape, 1)
    arr, sorter = lax.sort_key_val(a, iota, dimension=1)

    def unsort(v):  # v in sorted order -> v in the original order
        return lax.sort_key_val(sorter, v, dimension=1)[1]

    if method == "ordinal":
        out = unsort(iota + 1)
    else:
        start, end = (lax.transpose(g, (1, 0)) for g in _groups(lax.transpose(arr, (1, 0))))
        if method == "dense":
            head = lax.slice_in_dim(arr, 0, n - 1, axis=1)
            tail = lax.slice_in_dim(arr, 1, n, axis=1)
            obs = lax.concatenate([lax.full((a.shape[0], 1), True, np.bool_),
                                   lax.ne(tail, head)], 1)
            out = unsort(lax.cumsum(lax.convert_element_type(obs, np.int32), axis=1))
        elif method == "max":
            out = unsort(end)
        elif method == "min":
            out = unsort(start + 1)
        else:  # average
            out = unsort(lax.convert_element_type(end + start + 1, out_dtype)) * 0.5
    out = lax.convert_element_type(out, out_dtype)
    has_nan = J.any(J.isnan(a), axis=1, keepdims=True) if dtypes.issubdtype(
        a.dtype, np.inexact) else J.zeros((a.shape[0], 1), bool)
    return J.where(has_nan, J.full_like(out, np.nan), out)


def rankdata(a, method="average", *, axis=None, nan_policy="propagate"):
    """Ranks of the data (1-based; ties by `method`), nan everywhere if there is a nan."""
    J = jnp()
    check_arraylike("rankdata", a)
    _check_nan_policy("rankdata", nan_policy)
    if method not in ("average", "min", "max", "dense", "ordinal"):
        raise ValueError(f"unknown method '{method}'")
    a = J.asarray(a)
    if axis is None:
        flat = J.reshape(a, (1, a.size))
        return J.reshape(_rank_last_axis(flat, method), (a.size,))
    axis = canonicalize_axis(axis, a.ndim)
    moved = J.moveaxis(a, axis, -1)
    shape = moved.shape
    ranks = _rank_last_axis(J.reshape(moved, (math.prod(shape[:-1]), shape[-1])), method)
    return J.moveaxis(J.reshape(ranks, shape), -1, axis)


def sem(a, axis=0, ddof=1, nan_policy="propagate", *, keepdims=False):
    """The standard error of the mean."""
    J = jnp()
    b, = promote_args_inexact("sem", a)
    if nan_policy == "propagate":
        size = b.size if axis is None else b.shape[axis]
        return J.std(b, axis, ddof=ddof, keepdims=keepdims) / J.sqrt(
            J.asarray(size)).astype(b.dtype)
    if nan_policy == "omit":
        ok = ~J.isnan(b)
        count = J.sum(ok, axis, keepdims=True)
        zero = J.zeros_like(b)
        mean = J.sum(J.where(ok, b, zero), axis, keepdims=True) / count
        var = J.sum(J.where(ok, J.square(b - mean), zero), axis, keepdims=True) / (count - ddof)
        out = J.sqrt(var) / J.sqrt(count).astype(b.dtype)
        return out if keepdims else J.squeeze(out, axis)
    raise ValueError(f"{nan_policy} is not supported")

