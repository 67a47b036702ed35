"""Reductions of jax.numpy: sum, prod, max, min, mean, var, std, all, any, argmax, argmin, cumsum...
and the nan-reductions (nansum, nanprod, nanmax, nanmin, nanmean, nanvar, nanstd, nanargmax,
nanargmin), each following JAX's own composition of them.

As in JAX, reductions return strongly typed arrays (a weak Python scalar summed is
a strong int32/float32), small integers accumulate in the default integer for
sum/prod (not for cumsum/cumprod), and float16/bfloat16 sums and means are
accumulated in float32.
"""
import builtins

import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy.util import (asarray_arg, broadcast_to_shape, canonicalize_axes,
                                   canonicalize_axis, check_arraylike, compare, lax_const,
                                   numeric_dtype)


def _promote_integer_dtype(dt):
    """sum/prod accumulate bools and small integers in the default integer (as JAX)."""
    if dt == np.bool_:
        return dtypes.default_int_dtype()
    if dtypes.issubdtype(dt, np.unsignedinteger):
        u = np.dtype(dtypes.default_uint_dtype())
        return u if dt.itemsize < u.itemsize else dt
    if dtypes.issubdtype(dt, np.integer):
        i = np.dtype(dtypes.default_int_dtype())
        return i if dt.itemsize < i.itemsize else dt
    return dt


def _upcast_f16(dt):
    if dt in (np.dtype(np.float16), np.dtype(dtypes.bfloat16)):
        return np.dtype(np.float32)
    return dt


def _user_dtype(dtype):
    return dtypes.canonicalize_dtype(dtypes.dtype(dtype))


def _init_value(dt, init):
    """The identity `init` (0, 1, +-inf, True...) as a value of dtype `dt`."""
    if dt == np.bool_:
        return bool(init > 0)
    if dtypes.issubdtype(dt, np.integer) and np.isinf(init):
        info = dtypes.iinfo(dt)
        return info.min if init < 0 else info.max
    return init


_BOOL_PRIM = {"sum": lax.reduce_or, "prod": lax.reduce_and, "max": lax.reduce_or,
              "min": lax.reduce_and, "all": lax.reduce_and, "any": lax.reduce_or}
_PRIM = {"sum": lax.reduce_sum, "prod": lax.reduce_prod, "max": lax.reduce_max,
         "min": lax.reduce_min, "all": lax.reduce_and, "any": lax.reduce_or}
_COMBINE = {"sum": lax.add, "prod": lax.mul, "max": lax.max, "min": lax.min,
            "all": lax.bitwise_and, "any": lax.bitwise_or}
_BOOL_COMBINE = {"sum": lax.bitwise_or, "prod": lax.bitwise_and, "max": lax.bitwise_or,
                 "min": lax.bitwise_and, "all": lax.bitwise_and, "any": lax.bitwise_or}


def _check_where(name, where):
    """JAX's check_where: None, or a boolean array (else a ValueError naming the function)."""
    if where is None:
        return None
    check_arraylike(name, where)
    where = asarray_arg(where)
    if get_aval(where).dtype != np.bool_:
        raise ValueError(f"jnp.{name}: where must be None or a boolean array; got "
                         f"where.dtype={get_aval(where).dtype!r}.")
    return where


def _where_mask(where, shape):
    where = asarray_arg(where)
    if get_aval(where).dtype != np.bool_:
        raise ValueError(f"where must be None or a boolean array; got "
                         f"where.dtype={get_aval(where).dtype!r}.")
    return broadcast_to_shape(where, shape)


def _reduction(a, name, init, *, has_identity=True, preproc=None, upcast_f16=False,
               axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
               promote_integers=True):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
    check_arraylike(name, a)
    a = asarray_arg(a)
    where = _check_where(name, where)
    if initial is None and not has_identity and where is not None:
        raise ValueError(f"reduction operation {name} does not have an identity, so to use a "
                         "where mask one has to specify 'initial'")
    a = preproc(a) if preproc else a
    aval = get_aval(a)
    axes = canonicalize_axes(axis, aval.ndim)
    if initial is None and not has_identity and builtins.any(aval.shape[d] == 0 for d in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    if dtype is None:
        result_dtype = aval.dtype
        if promote_integers:
            result_dtype = _promote_integer_dtype(result_dtype)
    else:
        result_dtype = _user_dtype(dtype)
    comp = _upcast_f16(result_dtype) if upcast_f16 and dtypes.issubdtype(result_dtype, np.inexact) \
        else result_dtype
    a = lax.convert_element_type(a, comp)
    is_bool = comp == np.bool_
    if where is not None:
        a = lax.select(_where_mask(where, aval.shape), a,
                       lax.full(aval.shape, _init_value(comp, init), comp))
    prim = (_BOOL_PRIM if is_bool else _PRIM)[name]
    if builtins.any(aval.shape[d] == 0 for d in axes):
        # An empty reduction is its identity (lax reductions of empty arrays are avoided).
        out_shape = tuple(n for i, n in enumerate(aval.shape) if i not in axes)
        result = lax.full(out_shape, _init_value(comp, init), comp)
    else:
        result = prim(a, axes) if axes else a
    if initial is not None:
        init_arr = lax.convert_element_type(asarray_arg(initial), comp)
        if get_aval(init_arr).shape:
            raise ValueError(f"initial value must be a scalar. Got array of shape "
                             f"{get_aval(init_arr).shape}")
        init_arr = broadcast_to_shape(init_arr, get_aval(result).shape)
        result = (_BOOL_COMBINE if is_bool else _COMBINE)[name](init_arr, result)
    if keepdims:
        result = lax.expand_dims(result, axes)
    return lax.convert_element_type(result, result_dtype)


def _cast_to_numeric(a):
    return lax.convert_element_type(a, numeric_dtype(get_aval(a).dtype))


def _cast_to_bool(a):
    # x != 0 (NumPy's truth value; for complex numbers both parts count).
    return a if get_aval(a).dtype == np.bool_ else lax.ne(a, lax.full_like(a, 0))


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
        promote_integers=True):
    return _reduction(a, "sum", 0, preproc=_cast_to_numeric, upcast_f16=dtype is None,
                      axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial,
                      where=where, promote_integers=promote_integers)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
         promote_integers=True):
    return _reduction(a, "prod", 1, preproc=_cast_to_numeric, upcast_f16=dtype is None,
                      axis=axis, dtype=dtype, out=out, keepdims=keepdims, initial=initial,
                      where=where, promote_integers=promote_integers)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _reduction(a, "max", -np.inf, has_identity=False, axis=axis, out=out,
                      keepdims=keepdims, initial=initial, where=where, promote_integers=False)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _reduction(a, "min", np.inf, has_identity=False, axis=axis, out=out,
                      keepdims=keepdims, initial=initial, where=where, promote_integers=False)


amax, amin = max, min


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    return _reduction(a, "all", True, preproc=_cast_to_bool, axis=axis, out=out,
                      keepdims=keepdims, where=where, promote_integers=False)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    return _reduction(a, "any", False, preproc=_cast_to_bool, axis=axis, out=out,
                      keepdims=keepdims, where=where, promote_integers=False)


def _count(shape, axes, keepdims, where, dt):
    """Number of elements reduced over (per output element when there is a mask)."""
    if where is None:
        n = int(np.prod([shape[i] for i in axes], dtype=np.int64))
        return lax.full((), n, dt)
    return sum(_where_mask(where, shape), axis=axes, dtype=dt, keepdims=keepdims)


def _div_by_count(total, n, where, count):
    """total / n; a static count divides by multiplying with its reciprocal, as XLA folds
    the constant inside JAX's jitted mean/var (so results match JAX to the bit)."""
    shape = get_aval(total).shape
    dt = get_aval(total).dtype
    if where is None and not dtypes.issubdtype(dt, np.inexact):
        # An integer `dtype`: XLA's integer division (a reciprocal would be 0).
        return lax.div(total, lax.full(shape, count, dt))
    if where is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.array(1, dt) / np.array(count, dt)
        return lax.mul(total, lax.full(shape, r, dt))
    return lax.div(total, broadcast_to_shape(n, shape))


def _static_count(shape, axes):
    return int(np.prod([shape[i] for i in axes], dtype=np.int64))


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.mean is not supported.")
    check_arraylike("mean", a)
    a = asarray_arg(a)
    where = _check_where("mean", where)
    aval = get_aval(a)
    axes = canonicalize_axes(axis, aval.ndim)
    if dtype is None:
        result_dtype = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(aval.dtype))
        comp = _upcast_f16(result_dtype)
    else:
        result_dtype = comp = _user_dtype(dtype)
    n = _count(aval.shape, axes, keepdims, where, comp)
    total = sum(a, axis=axes, dtype=comp, keepdims=keepdims, where=where)
    return lax.convert_element_type(_div_by_count(total, n, where, _static_count(aval.shape, axes)),
                                    result_dtype)


_mean = mean


def _var_promote_types(a_dtype, dtype):
    if dtype is not None:
        if not dtypes.issubdtype(dtype, np.complexfloating) and \
                dtypes.issubdtype(a_dtype, np.complexfloating):
            raise ValueError("jnp.var does not support a real dtype for the variance of complex "
                             "values (as JAX).")
        comp = dtype
    elif not dtypes.issubdtype(a_dtype, np.inexact):
        dtype = comp = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(a_dtype))
    else:
        dtype = np.array(0, a_dtype).real.dtype
        comp = a_dtype
    return _upcast_f16(np.dtype(comp)), np.dtype(dtype)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
    if correction is None:
        correction = ddof
    elif not isinstance(ddof, int) or ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    check_arraylike("var", a)
    return _var(asarray_arg(a), axis, dtype, out, correction, keepdims, where, mean)


def _centered_like(a, a_mean, name, comp):
    check_arraylike(name, a_mean)
    a_mean = lax.convert_element_type(asarray_arg(a_mean), comp)
    shape = np.broadcast_shapes(get_aval(a).shape, get_aval(a_mean).shape)
    return broadcast_to_shape(a, shape), broadcast_to_shape(a_mean, shape)


def _var(a, axis, dtype, out, correction, keepdims, where, a_mean):
    from pyjax._src.numpy.lax_numpy import where as _jnp_where
    where = _check_where("var", where)
    if dtype is not None:
        dtype = _user_dtype(dtype)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.var is not supported.")
    aval = get_aval(a)
    axes = canonicalize_axes(axis, aval.ndim)
    comp, dtype = _var_promote_types(aval.dtype, dtype)
    a = lax.convert_element_type(a, comp)
    if a_mean is None:
        a_mean = broadcast_to_shape(_mean(a, axes, dtype=comp, keepdims=True, where=where),
                                    aval.shape)
    else:
        a, a_mean = _centered_like(a, a_mean, "var", comp)
    centered = lax.sub(a, a_mean)
    if dtypes.issubdtype(comp, np.complexfloating):
        centered = lax.real(lax.mul(centered, lax.conj(centered)))
        comp = get_aval(centered).dtype
    else:
        centered = lax.integer_pow(centered, 2)
    n = _count(aval.shape, axes, keepdims, where, comp)
    n = lax.sub(n, broadcast_to_shape(lax.convert_element_type(asarray_arg(correction), comp),
                                      get_aval(n).shape))
    total = sum(centered, axes, dtype=comp, keepdims=keepdims, where=where)
    # A true division here: in JAX the correction is traced, so XLA cannot fold the divisor.
    result = lax.convert_element_type(lax.div(total, broadcast_to_shape(n, get_aval(total).shape)),
                                      dtype)
    # JAX's jnp.where with a Python nan: an integer `dtype` becomes a weak float (as JAX).
    return _jnp_where(lax.gt(n, lax.full_like(n, 0)), result, np.nan)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        mean=None, correction=None):
    if correction is None:
        correction = ddof
    elif not isinstance(ddof, int) or ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    check_arraylike("std", a)
    where = _check_where("std", where)
    if dtype is not None:
        dtype = _user_dtype(dtype)
        if not dtypes.issubdtype(dtype, np.inexact):
            raise ValueError(f"dtype argument to jnp.std must be inexact; got {dtype}")
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.std is not supported.")
    return lax.sqrt(var(a, axis=axis, dtype=dtype, keepdims=keepdims, where=where, mean=mean,
                        correction=correction))


def _arg(name, prim_fn):
    def fn(a, axis=None, out=None, keepdims=False):
        if out is not None:
            raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
        check_arraylike(name, a)
        a = asarray_arg(a)
        aval = get_aval(a)
        if dtypes.issubdtype(aval.dtype, np.complexfloating):
            raise TypeError(f"{name} does not accept dtype {aval.dtype} (complex numbers are "
                            "not ordered).")
        idx = dtypes.default_int_dtype()
        if axis is None:
            if aval.size == 0:
                raise ValueError(f"attempt to get {name} of an empty sequence")
            res = prim_fn(lax.reshape(a, (aval.size,)), 0, idx)
            return lax.reshape(res, (1,) * aval.ndim) if keepdims else res
        ax = canonicalize_axis(axis, aval.ndim)
        if aval.shape[ax] == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        res = prim_fn(a, ax, idx)
        return lax.expand_dims(res, (ax,)) if keepdims else res
    fn.__name__ = fn.__qualname__ = name
    return fn


argmax = _arg("argmax", lax.argmax)
argmin = _arg("argmin", lax.argmin)


def _cumulative(name, prim_fn, a, axis, dtype, out, promote_integers=False, fill_nan=None):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
    check_arraylike(name, a)
    a = asarray_arg(a)
    if axis is None or get_aval(a).ndim == 0:
        a = lax.reshape(a, (get_aval(a).size,))
    if axis is None:
        axis = 0
    aval = get_aval(a)
    ax = canonicalize_axis(axis, aval.ndim)
    if fill_nan is not None:
        a = _nan_to(a, fill_nan)
    if dtype is None:
        result_dtype = _promote_integer_dtype(aval.dtype) \
            if promote_integers or aval.dtype == np.bool_ else aval.dtype
        comp = result_dtype
    elif np.dtype(dtype) == np.bool_:
        result_dtype = np.dtype(np.bool_)
        if aval.dtype != np.bool_:
            a = compare(lax.ne, a, lax_const(a, 0))
        comp = _promote_integer_dtype(result_dtype)
    else:
        result_dtype = comp = _user_dtype(dtype)
    a = lax.convert_element_type(a, comp)
    return lax.convert_element_type(prim_fn(a, axis=ax), result_dtype)


def cumsum(a, axis=None, dtype=None, out=None):
    return _cumulative("cumsum", lax.cumsum, a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    return _cumulative("cumprod", lax.cumprod, a, axis, dtype, out)


def cummax(a, axis=None, dtype=None, out=None):
    return _cumulative("cummax", lax.cummax, a, axis, dtype, out)


def cummin(a, axis=None, dtype=None, out=None):
    return _cumulative("cummin", lax.cummin, a, axis, dtype, out)



def ptp(a, axis=None, out=None, keepdims=False):
    x = max(a, axis=axis, out=out, keepdims=keepdims)
    y = min(a, axis=axis, keepdims=keepdims)
    return lax.sub(x, y)


def count_nonzero(a, axis=None, keepdims=False):
    check_arraylike("count_nonzero", a)
    a = asarray_arg(a)
    return sum(lax.ne(a, lax.full_like(a, 0)), axis=axis, dtype=dtypes.default_int_dtype(),
               keepdims=keepdims)


def _nan_to(a, value):
    a = asarray_arg(a)
    if not dtypes.issubdtype(get_aval(a).dtype, np.inexact):
        return a
    return lax.select(lax.ne(a, a), lax.full_like(a, value), a)


def _isnan(a):
    return lax.ne(a, a)


def _nan_reduction(a, name, reduction, init, nan_if_all_nan, axis, keepdims, where, **kwargs):
    """JAX's _nan_reduction: NaNs replaced by the identity; all-NaN slices give NaN."""
    check_arraylike(name, a)
    a = asarray_arg(a)
    where = _check_where(name, where)
    if not dtypes.issubdtype(get_aval(a).dtype, np.inexact):
        return reduction(a, axis=axis, keepdims=keepdims, where=where, **kwargs)
    out = reduction(_nan_to(a, init), axis=axis, keepdims=keepdims, where=where, **kwargs)
    if nan_if_all_nan:
        all_nan = all(_isnan(a), axis=axis, keepdims=keepdims)
        return lax.select(all_nan, lax.full_like(out, np.nan), out)
    return out


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction(a, "nansum", sum, 0, False, axis, keepdims, where, dtype=dtype,
                          out=out, initial=initial)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction(a, "nanprod", prod, 1, False, axis, keepdims, where, dtype=dtype,
                          out=out, initial=initial)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction(a, "nanmax", max, -np.inf, initial is None, axis, keepdims, where,
                          out=out, initial=initial)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction(a, "nanmin", min, np.inf, initial is None, axis, keepdims, where,
                          out=out, initial=initial)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    check_arraylike("nanmean", a)
    a = asarray_arg(a)
    where = _check_where("nanmean", where)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.nanmean is not supported.")
    dt = get_aval(a).dtype
    if dt == np.bool_ or dtypes.issubdtype(dt, np.integer):
        return mean(a, axis, dtype, out, keepdims, where=where)
    dtype = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt)) if dtype is None \
        else _user_dtype(dtype)
    # As JAX: both sums in `dtype` itself (no float32 accumulation of float16 here).
    normalizer = sum(lax.bitwise_not(_isnan(a)), axis, dtype=dtype, keepdims=keepdims, where=where)
    total = nansum(a, axis, dtype=dtype, keepdims=keepdims, where=where)
    return lax.div(total, normalizer)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    from pyjax._src.numpy.lax_numpy import where as _jnp_where
    check_arraylike("nanvar", a)
    a = asarray_arg(a)
    where = _check_where("nanvar", where)
    if dtype is not None:
        dtype = _user_dtype(dtype)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.nanvar is not supported.")
    aval = get_aval(a)
    comp, dtype = _var_promote_types(aval.dtype, dtype)
    a = lax.convert_element_type(a, comp)
    if mean is None:
        a_mean = broadcast_to_shape(nanmean(a, axis, dtype=comp, keepdims=True, where=where),
                                    aval.shape)
    else:
        a, a_mean = _centered_like(a, mean, "nanvar", comp)
    nan = _isnan(a)
    diff = lax.sub(a, a_mean)
    centered = lax.select(nan, lax.full_like(diff, 0), diff)  # the double-where trick for grads
    if dtypes.issubdtype(get_aval(centered).dtype, np.complexfloating):
        centered = lax.real(lax.mul(centered, lax.conj(centered)))
    else:
        centered = lax.integer_pow(centered, 2)
    normalizer = sum(lax.bitwise_not(_isnan(asarray_arg(a))), axis=axis, keepdims=keepdims,
                     where=where)
    normalizer = normalizer - ddof
    mask = lax.le(normalizer, lax.full_like(normalizer, 0))
    result = sum(centered, axis, keepdims=keepdims, where=where)
    result = _jnp_where(mask, np.nan, result)
    divisor = _jnp_where(mask, 1, normalizer)
    result = lax.div(result, lax.convert_element_type(divisor, get_aval(result).dtype))
    return lax.convert_element_type(result, dtype)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    check_arraylike("nanstd", a)
    where = _check_where("nanstd", where)
    if dtype is not None:
        dtype = _user_dtype(dtype)
        if not dtypes.issubdtype(dtype, np.inexact):
            # JAX fails in lax.sqrt; say so the same way.
            raise TypeError(f"sqrt does not accept dtype {np.dtype(dtype).name}. Accepted dtypes "
                            "are subtypes of floating, complexfloating.")
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.nanstd is not supported.")
    return lax.sqrt(nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                           mean=mean))


def _nanarg(name, fn, fill):
    def nanarg(a, axis=None, out=None, keepdims=None):
        from pyjax._src.numpy.lax_numpy import where as _jnp_where
        if out is not None:
            raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
        check_arraylike(name, a)
        a = asarray_arg(a)
        keepdims = bool(keepdims)
        if not dtypes.issubdtype(get_aval(a).dtype, np.inexact):
            return fn(a, axis=axis, keepdims=keepdims)
        nan_mask = _isnan(a)
        res = fn(lax.select(nan_mask, lax.full_like(a, fill), a), axis=axis, keepdims=keepdims)
        return _jnp_where(all(nan_mask, axis=axis, keepdims=keepdims), -1, res)
    nanarg.__name__ = nanarg.__qualname__ = name
    return nanarg


nanargmax = _nanarg("nanargmax", argmax, -np.inf)
nanargmin = _nanarg("nanargmin", argmin, np.inf)
