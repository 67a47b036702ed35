"""jax.numpy: statistics — average, quantiles (median, percentile and their nan forms),
cov and corrcoef; it also exports the nan-reductions that live in reductions.py
(nanvar, nanstd, nanargmax, nanargmin; nancumsum/nancumprod are in mathfuncs.py).

Quantiles follow JAX's algorithm step by step (sort, then the two neighbouring order
statistics picked at floor/ceil of q * (n - 1), combined by `method`), so the results,
dtypes and weak types are JAX's.  Where JAX gathers, this module slices
(`dynamic_slice`, one per quantile) or, when the index differs from lane to lane
(nanquantile, method='inverted_cdf'), picks with a one-hot comparison along the
sorted axis: all of it is lax, so it works under jit, vmap and grad.
"""
import math

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import lax_numpy as jnp
from pyjax._src.numpy import reductions, ufuncs
from pyjax._src.numpy.reductions import nanargmax, nanargmin, nanstd, nanvar
from pyjax._src.numpy.util import (asarray_arg, broadcast_to_shape, canonicalize_axes,
                                   canonicalize_axis, check_arraylike, promote_args_inexact,
                                   promote_dtypes_inexact)

__all__ = ["average", "quantile", "nanquantile", "percentile", "nanpercentile", "median",
           "nanmedian", "cov", "corrcoef", "nanvar", "nanstd", "nanargmax", "nanargmin"]


def _arrays(name, *args):
    check_arraylike(name, *args)
    return [asarray_arg(a) for a in args]


# ---------------------------------------------------------------------------
# average


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """The weighted average along `axis` (and the sum of weights when `returned`)."""
    if weights is None:
        a, = _arrays("average", a)
        ndim = get_aval(a).ndim
        axes = canonicalize_axes(axis, ndim)
        a, = promote_dtypes_inexact(a)
        avg = reductions.mean(a, axis=axis, keepdims=keepdims)
        aval = get_aval(a)
        n = aval.size if axis is None else math.prod(aval.shape[d] for d in axes)
        weights_sum = lax.full((), n, get_aval(avg).dtype)
    else:
        a, weights = _arrays("average", a, weights)
        axes = canonicalize_axes(axis, get_aval(a).ndim)
        a, weights = promote_dtypes_inexact(a, weights)
        a_shape, w_shape = get_aval(a).shape, get_aval(weights).shape
        if a_shape != w_shape:
            if axis is None:
                raise ValueError("Axis must be specified when shapes of a and weights differ.")
            if w_shape != tuple(a_shape[ax] for ax in axes):
                raise ValueError("Shape of weights must be consistent with shape of a along "
                                 "specified axis.")
            new_shape = tuple(d if i in axes else 1 for i, d in enumerate(a_shape))
            weights = lax.reshape(weights, new_shape, tuple(int(i) for i in np.argsort(axes)))
        weights_sum = reductions.sum(weights, axis=axis, keepdims=keepdims)
        avg = ufuncs.true_divide(reductions.sum(ufuncs.multiply(a, weights), axis=axis,
                                                keepdims=keepdims), weights_sum)
    if returned:
        if get_aval(avg).shape != get_aval(weights_sum).shape:
            weights_sum = jnp.broadcast_to(weights_sum, get_aval(avg).shape)
        return avg, weights_sum
    return avg


# ---------------------------------------------------------------------------
# quantiles

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")


def _isnan(x):
    return lax.ne(x, x)


def _const(x, v):
    a = get_aval(x)
    return lax.full(a.shape, v, a.dtype, a.weak_type and a.ndim == 0)


def _moveaxis_last(x, axis):
    nd = get_aval(x).ndim
    if axis == nd - 1:
        return x
    return lax.transpose(x, [i for i in range(nd) if i != axis] + [axis])


def _slice_rows(at, idx):
    """`at[..., idx]` for an index of rank 0 or 1 (one entry per quantile): out Q + R."""
    last = get_aval(at).ndim - 1
    if get_aval(idx).ndim == 0:
        return lax.dynamic_index_in_dim(at, idx, axis=last, keepdims=False)
    m = get_aval(idx).shape[0]
    rows = [lax.dynamic_index_in_dim(at, lax.index_in_dim(idx, j, 0, keepdims=False),
                                     axis=last, keepdims=False) for j in range(m)]
    if not rows:
        return lax.full((0,) + get_aval(at).shape[:-1], 0, get_aval(at).dtype)
    return lax.concatenate([lax.expand_dims(r, (0,)) for r in rows], 0)


def _take_lanes(at, idx):
    """out[q..., r...] = at[r..., idx[q..., r...]]: a one-hot pick along the last axis
    (exact: every other entry contributes -0.0, the additive identity)."""
    a_shape = get_aval(at).shape
    i_shape = get_aval(idx).shape
    qn = len(i_shape) - (len(a_shape) - 1)
    full = i_shape + a_shape[-1:]
    nd = len(full)
    a_b = lax.broadcast_in_dim(at, full, tuple(range(qn, nd)))
    i_b = lax.broadcast_in_dim(idx, full, tuple(range(nd - 1)))
    mask = lax.eq(lax.broadcasted_iota(get_aval(idx).dtype, full, nd - 1), i_b)
    zero = lax.full(full, -0.0, get_aval(at).dtype)
    return lax.reduce_sum(lax.select(mask, a_b, zero), (nd - 1,))


def _cumsum_last(x):
    return reductions.cumsum(x, axis=-1)


def _quantile(name, a, q, axis, method, keepdims, squash_nans, weights):
    if method not in _METHODS:
        raise ValueError("method can only be 'linear', 'lower', 'higher', 'midpoint', 'nearest' "
                         "or 'inverted_cdf'")
    if weights is not None:
        if dtypes.issubdtype(get_aval(weights).dtype, np.complexfloating):
            raise ValueError("Weights cannot be complex types.")
        if method != "inverted_cdf":
            raise NotImplementedError(f"{method} doesn't support weights. Only method "
                                      "'inverted_cdf' supports weights.")
        a, weights = promote_dtypes_inexact(a, weights)
        a_shape, w_shape = get_aval(a).shape, get_aval(weights).shape
        if w_shape != a_shape:
            if axis is None:
                raise ValueError("Weights shape must match 'a' shape when axis is None.")
            ax_tuple = canonicalize_axes(axis, len(a_shape))
            want = tuple(a_shape[ax] for ax in ax_tuple)
            if w_shape != want:
                raise ValueError(f"Weights shape {w_shape} must match reduction axes {want}")
            weights = lax.broadcast_in_dim(weights, a_shape, ax_tuple)
    else:
        a, = promote_dtypes_inexact(a)
    a_dtype = get_aval(a).dtype
    if dtypes.issubdtype(a_dtype, np.complexfloating):
        raise ValueError("quantile does not support complex input, as the operation is poorly "
                         "defined.")
    keepdim = []
    nd = get_aval(a).ndim
    if axis is None:
        if keepdims:
            keepdim = [1] * nd
        a = lax.reshape(a, (get_aval(a).size,))
        if weights is not None:
            weights = lax.reshape(weights, (get_aval(weights).size,))
        axis = 0
    elif isinstance(axis, tuple):
        keepdim = list(get_aval(a).shape)
        axis = tuple(canonicalize_axis(ax, nd) for ax in axis)
        if len(set(axis)) != len(axis):
            raise ValueError("repeated axis")
        for ax in axis:
            keepdim[ax] = 1
        keep = set(range(nd)) - set(axis)
        dimensions = list(range(nd))
        for i, s in enumerate(sorted(keep)):
            dimensions[i], dimensions[s] = dimensions[s], dimensions[i]
        shape = get_aval(a).shape
        kept = tuple(x for i, x in enumerate(shape) if i not in axis)
        touched = math.prod(x for i, x in enumerate(shape) if i in axis)
        a = lax.reshape(a, kept + (touched,), dimensions)
        if weights is not None:
            weights = lax.reshape(weights, kept + (touched,), dimensions)
        axis = len(kept)
    else:
        axis = canonicalize_axis(axis, nd)

    q_shape = get_aval(q).shape
    q_ndim = len(q_shape)
    if q_ndim > 1:
        raise ValueError(f"q must be have rank <= 1, got shape {q_shape}")
    q_dtype = get_aval(q).dtype
    if not dtypes.issubdtype(q_dtype, np.floating):
        # JAX fails in lax.floor(q * (n - 1)); say so the same way.
        raise TypeError(f"floor does not accept dtype {np.dtype(q_dtype).name}. Accepted dtypes "
                        "are subtypes of floating.")
    n = get_aval(a).shape[axis]
    if n == 0:
        if squash_nans:
            raise IndexError(f"index is out of bounds for axis {axis} with size 0")
        raise TypeError(f"Slice size at index {axis} in gather op is out of range, must be "
                        f"within [0, 0 + 1), got 1.")
    # Work with the quantile axis last: a (R..., n); indices and results are (Q..., R...).
    at = _moveaxis_last(a, axis)
    wt = None if weights is None else _moveaxis_last(weights, axis)
    last = get_aval(at).ndim - 1
    r_shape = get_aval(at).shape[:-1]
    q_orig = q
    if squash_nans:
        at = lax.select(_isnan(at), lax.full_like(at, np.nan), at)  # positive NaNs sort last
    else:
        any_nan = reductions.any(_isnan(at), axis=last, keepdims=True)
        at = lax.select(broadcast_to_shape(any_nan, get_aval(at).shape),
                        lax.full_like(at, np.nan), at)
    if wt is not None:
        at, wt = lax.sort((at, wt), dimension=last, num_keys=1)
    else:
        at = lax.sort(at, dimension=last)

    if method != "inverted_cdf":
        if squash_nans:
            counts = reductions.sum(lax.bitwise_not(_isnan(at)), axis=last, dtype=q_dtype)
            qb = lax.broadcast_in_dim(q, q_shape + r_shape, tuple(range(q_ndim)))
            cb = lax.broadcast_in_dim(counts, q_shape + r_shape,
                                      tuple(range(q_ndim, q_ndim + len(r_shape))))
            cm1 = lax.sub(cb, _const(cb, 1))
            qs = lax.mul(qb, cm1)
            low, high = lax.floor(qs), lax.ceil(qs)
            high_weight = lax.sub(qs, low)
            low_weight = lax.sub(_const(high_weight, 1), high_weight)
            low = lax.max(_const(low, 0), lax.min(low, cm1))
            high = lax.max(_const(high, 0), lax.min(high, cm1))
            idx_dt = dtypes.default_int_dtype()
            low_value = _take_lanes(at, lax.convert_element_type(low, idx_dt))
            high_value = _take_lanes(at, lax.convert_element_type(high, idx_dt))
        else:
            nq = lax.convert_element_type(n, q_dtype)
            nm1 = lax.sub(nq, lax.full((), 1, q_dtype))
            qs = lax.mul(q, broadcast_to_shape(nm1, q_shape))
            low, high = lax.floor(qs), lax.ceil(qs)
            high_weight = lax.sub(qs, low)
            low_weight = lax.sub(_const(high_weight, 1), high_weight)
            low = lax.clamp(_const(low, 0), low, broadcast_to_shape(nm1, q_shape))
            high = lax.clamp(_const(high, 0), high, broadcast_to_shape(nm1, q_shape))
            idx_dt = dtypes.default_int_dtype()
            low_value = _slice_rows(at, lax.convert_element_type(low, idx_dt))
            high_value = _slice_rows(at, lax.convert_element_type(high, idx_dt))
            out_shape = get_aval(low_value).shape
            low_weight = lax.broadcast_in_dim(low_weight, out_shape, tuple(range(q_ndim)))
            high_weight = lax.broadcast_in_dim(high_weight, out_shape, tuple(range(q_ndim)))
        if method == "linear":
            result = lax.add(lax.mul(lax.convert_element_type(low_value, q_dtype), low_weight),
                             lax.mul(lax.convert_element_type(high_value, q_dtype), high_weight))
        elif method == "lower":
            result = low_value
        elif method == "higher":
            result = high_value
        elif method == "nearest":
            pred = lax.le(high_weight, _const(high_weight, 0.5))
            result = lax.select(pred, low_value, high_value)
        else:  # midpoint
            result = lax.mul(lax.add(low_value, high_value), _const(low_value, 0.5))
    else:
        result = _inverted_cdf(at, wt, q_orig, n, squash_nans)

    if keepdims:
        if keepdim:
            result = lax.reshape(result, tuple(list(q_shape) + keepdim))
        else:
            result = lax.expand_dims(result, (q_ndim + axis,))
    return lax.convert_element_type(result, a_dtype)


def _inverted_cdf(at, wt, q, n, squash_nans):
    """method='inverted_cdf' (optionally weighted), on `at` sorted along its last axis."""
    last = get_aval(at).ndim - 1
    r_shape = get_aval(at).shape[:-1]
    q_shape = get_aval(q).shape
    q_ndim = len(q_shape)
    q_dtype = get_aval(q).dtype
    if wt is None:
        wt = lax.full_like(at, 1.0)
    zeros = lax.full_like(wt, 0)
    bad_weights = lax.bitwise_or(lax.lt(wt, zeros), _isnan(wt))
    nan_data = _isnan(at)
    clean = lax.select(lax.bitwise_or(bad_weights, nan_data), zeros, wt)
    cum = _cumsum_last(clean)
    total = lax.index_in_dim(cum, get_aval(cum).shape[-1] - 1, axis=last, keepdims=False)
    full = q_shape + r_shape
    tw = lax.broadcast_in_dim(total, full, tuple(range(q_ndim, len(full))))
    qf = lax.broadcast_in_dim(q, full, tuple(range(q_ndim)))
    target = lax.mul(qf, tw)
    full_n = full + (get_aval(at).shape[-1],)
    cw = lax.broadcast_in_dim(cum, full_n, tuple(range(q_ndim, len(full_n))))
    tb = lax.broadcast_in_dim(target, full_n, tuple(range(len(full))))
    idx_dt = dtypes.default_int_dtype()
    idx = reductions.sum(lax.convert_element_type(lax.lt(cw, tb), idx_dt), axis=len(full))
    if squash_nans:
        valid = reductions.sum(lax.bitwise_not(nan_data), axis=last, dtype=q_dtype)
    else:
        valid = lax.full(r_shape, n, q_dtype)
    max_idx = lax.convert_element_type(lax.sub(valid, _const(valid, 1)), idx_dt)
    max_idx = lax.broadcast_in_dim(max_idx, full, tuple(range(q_ndim, len(full))))
    idx = lax.max(_const(idx, 0), lax.min(idx, max_idx))
    result = _take_lanes(at, idx)
    any_bad = reductions.any(bad_weights, axis=last)
    if squash_nans:
        force_nan = lax.bitwise_or(any_bad, lax.eq(valid, _const(valid, 0)))
    else:
        force_nan = lax.bitwise_or(any_bad, reductions.any(nan_data, axis=last))
    force_nan = lax.broadcast_in_dim(force_nan, full, tuple(range(q_ndim, len(full))))
    return lax.select(force_nan, lax.full_like(result, np.nan), result)


def _check_no_out(name, out, overwrite_input):
    if overwrite_input or out is not None:
        raise ValueError(f"jax.numpy.{name} does not support overwrite_input=True or "
                         "out != None")


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None):
    """The q-th quantiles of `a` along `axis`, as jnp.quantile (NaN where a slice has NaN)."""
    a, q = _arrays("quantile", a, q)
    if weights is not None:
        weights, = _arrays("quantile", weights)
    _check_no_out("quantile", out, overwrite_input)
    return _quantile("quantile", a, q, axis, method, keepdims, False, weights)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None):
    """quantile ignoring NaNs (NaN only where a slice is all NaN)."""
    a, q = _arrays("nanquantile", a, q)
    if weights is not None:
        weights, = _arrays("nanquantile", weights)
    _check_no_out("nanquantile", out, overwrite_input)
    return _quantile("nanquantile", a, q, axis, method, keepdims, True, weights)


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, out_sharding=None):
    """The q-th percentiles (q in [0, 100]) of `a` along `axis`."""
    a, q = _arrays("percentile", a, q)
    if weights is not None:
        weights, = _arrays("percentile", weights)
    q, = promote_dtypes_inexact(q)
    return quantile(a, ufuncs.true_divide(q, 100), axis=axis, out=out,
                    overwrite_input=overwrite_input, method=method, keepdims=keepdims,
                    weights=weights)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None):
    """percentile ignoring NaNs."""
    a, q = _arrays("nanpercentile", a, q)
    if weights is not None:
        weights, = _arrays("nanpercentile", weights)
    q, = promote_dtypes_inexact(q)
    return nanquantile(a, ufuncs.true_divide(q, 100), axis=axis, out=out,
                       overwrite_input=overwrite_input, method=method, keepdims=keepdims,
                       weights=weights)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median along `axis` (quantile 0.5, method 'midpoint', as JAX)."""
    a, = _arrays("median", a)
    return quantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input,
                    keepdims=keepdims, method="midpoint")


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """median ignoring NaNs."""
    a, = _arrays("nanmedian", a)
    return nanquantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input,
                       keepdims=keepdims, method="midpoint")


# ---------------------------------------------------------------------------
# cov, corrcoef


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        dtype=None):
    """The covariance matrix of the variables in `m` (and `y`), as jnp.cov."""
    if y is not None:
        m, y = promote_args_inexact("cov", m, y)
        if get_aval(y).ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    else:
        m, = promote_args_inexact("cov", m)
    if get_aval(m).ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    if dtype is not None and not dtypes.issubdtype(dtype, np.inexact):
        raise ValueError(f"cov: dtype must be a subclass of float or complex; got dtype={dtype}")
    X = jnp.atleast_2d(m)
    if not rowvar and get_aval(m).ndim != 1:
        X = jnp.transpose(X)
    if get_aval(X).shape[0] == 0:
        return jnp.reshape(jnp.array([]), (0, 0))
    if y is not None:
        y_arr = jnp.atleast_2d(y)
        if not rowvar and get_aval(y_arr).shape[0] != 1:
            y_arr = jnp.transpose(y_arr)
        X = jnp.concatenate((X, y_arr), axis=0)
    k, nobs = get_aval(X).shape
    if nobs == 0:
        return jnp.full(() if k == 1 else (k, k), np.nan, dtype=get_aval(X).dtype)
    if ddof is None:
        ddof = 1 if bias == 0 else 0

    w = None
    if fweights is not None:
        fweights, = _arrays("cov", fweights)
        if get_aval(fweights).ndim > 1:
            raise RuntimeError("cannot handle multidimensional fweights")
        if get_aval(fweights).shape[0] != nobs:
            raise RuntimeError("incompatible numbers of samples and fweights")
        if not dtypes.issubdtype(get_aval(fweights).dtype, np.integer):
            raise TypeError("fweights must be integer.")
        w = ufuncs.absolute(fweights)
    if aweights is not None:
        aweights, = _arrays("cov", aweights)
        if get_aval(aweights).ndim > 1:
            raise RuntimeError("cannot handle multidimensional aweights")
        if get_aval(aweights).shape[0] != nobs:
            raise RuntimeError("incompatible numbers of samples and aweights")
        aweights = ufuncs.absolute(aweights)
        w = aweights if w is None else ufuncs.multiply(w, aweights)

    if dtype is not None:
        X = jnp.astype(X, dtype)
        w = jnp.astype(w, dtype) if w is not None else w

    avg, w_sum = average(X, axis=1, weights=w, returned=True)
    w_sum = lax.index_in_dim(w_sum, 0, 0, keepdims=False)
    if w is None:
        f = nobs - ddof
    elif ddof == 0:
        f = w_sum
    elif aweights is None:
        f = ufuncs.subtract(w_sum, ddof)
    else:
        f = ufuncs.subtract(w_sum, ufuncs.true_divide(
            ufuncs.multiply(ddof, reductions.sum(ufuncs.multiply(w, aweights))), w_sum))
    X = ufuncs.subtract(X, lax.expand_dims(avg, (1,)))
    X_T = jnp.transpose(X) if w is None else jnp.transpose(
        ufuncs.multiply(X, lax.expand_dims(w, (0,))))
    return jnp.squeeze(ufuncs.true_divide(jnp.dot(X, ufuncs.conj(X_T)), f))


def corrcoef(x, y=None, rowvar=True, dtype=None):
    """Pearson correlation coefficients (clipped to [-1, 1]), as jnp.corrcoef."""
    check_arraylike("corrcoef", x)
    if dtype is not None and not dtypes.issubdtype(dtype, np.inexact):
        raise ValueError(f"corrcoef: dtype must be a subclass of float or complex; got "
                         f"dtype={dtype}")
    c = cov(x, y, rowvar, dtype=dtype)
    if get_aval(c).ndim == 0:
        # A scalar: nan for nan/nan, inf/inf and 0/0, else 1.
        return ufuncs.divide(c, c)
    d = jnp.diag(c)
    stddev = jnp.astype(ufuncs.sqrt(ufuncs.real(d)), get_aval(c).dtype)
    c = ufuncs.true_divide(ufuncs.true_divide(c, lax.expand_dims(stddev, (1,))),
                           lax.expand_dims(stddev, (0,)))
    real_part = jnp.clip(ufuncs.real(c), -1, 1)
    if dtypes.issubdtype(get_aval(c).dtype, np.complexfloating):
        complex_part = jnp.clip(ufuncs.imag(c), -1, 1)
        c = lax.complex(real_part, complex_part)
    else:
        c = real_part
    return c

