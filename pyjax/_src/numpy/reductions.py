"""Reductions of jax.numpy: sum, prod, max, min, mean, var, std, all, any, argmax, argmin, cumsum..."""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.core import get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import ufuncs
from pyjax._src.numpy.util import (broadcast_to_shape, canonicalize_axes, canonicalize_axis,
                                   check_arraylike)


def _upcast_sum_dtype(dt):
    """jnp.sum/prod/cumsum accumulate small ints and bools in the default int (as JAX)."""
    if dt == np.bool_:
        return dtypes.default_int_dtype()
    if dtypes.issubdtype(dt, np.unsignedinteger) and dt.itemsize < np.dtype(dtypes.default_uint_dtype()).itemsize:
        return dtypes.default_uint_dtype()
    if dtypes.issubdtype(dt, np.signedinteger) and dt.itemsize < np.dtype(dtypes.default_int_dtype()).itemsize:
        return dtypes.default_int_dtype()
    return dt


def _keep(out, axes, ndim, keepdims):
    if not keepdims:
        return out
    shape = list(get_aval(out).shape)
    for a in sorted(axes):
        shape.insert(a, 1)
    return lax.reshape(out, shape)


def _reduction(name, prim_fn, identity, upcast=False, bool_fn=None):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
               promote_integers=True):
        check_arraylike(name, a)
        if out is not None:
            raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported (arrays are immutable).")
        a = lax.asarray(a)
        aval = get_aval(a)
        axes = canonicalize_axes(axis, aval.ndim)
        if dtype is not None:
            dt = dtypes.canonicalize_dtype(dtype)
        elif upcast and promote_integers:
            dt = _upcast_sum_dtype(aval.dtype)
        else:
            dt = aval.dtype
        a = lax.convert_element_type(a, dt, aval.weak_type and dtype is None)
        fn = bool_fn if (bool_fn is not None and dt == np.bool_) else prim_fn
        if where is not None:
            if identity is None:
                if initial is None:
                    raise ValueError(f"reduction operation {name} does not have an identity, so "
                                     "to use a where mask one has to specify 'initial'")
                fill = initial
            else:
                fill = identity(dt)
            a = lax.select(_broadcast_to(where, aval.shape), a, lax.full_like(a, fill))
        if identity is None and initial is None and any(aval.shape[i] == 0 for i in axes):
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        out = fn(a, axes) if axes else a
        if initial is not None:
            out = fn(lax.stack([out, lax.full_like(out, initial)]), (0,))
        return _keep(out, axes, aval.ndim, keepdims)
    reduce.__name__ = name
    return reduce


def _broadcast_to(x, shape):
    x = lax.asarray(x)
    if get_aval(x).dtype != np.bool_:
        x = lax.ne(x, lax.full_like(x, 0))
    return broadcast_to_shape(x, shape)


def _min_identity(dt):
    if dt == np.bool_:
        return True
    if dtypes.issubdtype(dt, np.integer):
        return dtypes.iinfo(dt).max
    return np.inf


def _max_identity(dt):
    if dt == np.bool_:
        return False
    if dtypes.issubdtype(dt, np.integer):
        return dtypes.iinfo(dt).min
    return -np.inf


sum = _reduction("sum", lax.reduce_sum, lambda dt: 0, upcast=True, bool_fn=lax.reduce_or)
prod = _reduction("prod", lax.reduce_prod, lambda dt: 1, upcast=True, bool_fn=lax.reduce_and)
max = _reduction("max", lax.reduce_max, None)
min = _reduction("min", lax.reduce_min, None)
amax, amin = max, min
_all = _reduction("all", lax.reduce_and, lambda dt: True)
_any = _reduction("any", lax.reduce_or, lambda dt: False)


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    return _all(_as_bool(a), axis=axis, keepdims=keepdims, where=where)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    return _any(_as_bool(a), axis=axis, keepdims=keepdims, where=where)


def _as_bool(a):
    a = lax.asarray(a)
    return a if get_aval(a).dtype == np.bool_ else lax.ne(a, lax.full_like(a, 0))


def _count(shape, axes, where, dt):
    if where is None:
        n = int(np.prod([shape[i] for i in axes], dtype=np.int64))
        return lax.full((), n, dt)
    w = lax.convert_element_type(_broadcast_to(where, shape), dt)
    return lax.reduce_sum(w, axes)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    check_arraylike("mean", a)
    a = lax.asarray(a)
    aval = get_aval(a)
    axes = canonicalize_axes(axis, aval.ndim)
    if dtype is None:
        dt = dtypes.to_inexact_dtype(aval.dtype)
    else:
        dt = dtypes.canonicalize_dtype(dtype)
    total = sum(a, axis=axes, dtype=dt, keepdims=keepdims, where=where)
    n = _count(aval.shape, axes, where, dt)
    if keepdims and where is not None:
        n = _keep(n, axes, aval.ndim, True)
    return ufuncs.true_divide(total, lax.convert_element_type(n, dt, get_aval(total).weak_type))


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    check_arraylike("var", a)
    if correction is not None:
        ddof = correction
    a = lax.asarray(a)
    aval = get_aval(a)
    axes = canonicalize_axes(axis, aval.ndim)
    dt = dtypes.to_inexact_dtype(aval.dtype) if dtype is None else dtypes.canonicalize_dtype(dtype)
    a = lax.convert_element_type(a, dt, aval.weak_type and dtype is None)
    centered = ufuncs.subtract(a, mean(a, axis=axes, keepdims=True, where=where))
    if dtypes.issubdtype(dt, np.complexfloating):
        sq = lax.real(lax.mul(centered, lax.conj(centered)))
    else:
        sq = lax.mul(centered, centered)
    total = sum(sq, axis=axes, keepdims=keepdims, where=where)
    rdt = get_aval(total).dtype
    n = _count(aval.shape, axes, where, rdt)
    if keepdims and where is not None:
        n = _keep(n, axes, aval.ndim, True)
    n = ufuncs.subtract(lax.convert_element_type(n, rdt, get_aval(total).weak_type),
                        lax.full((), ddof, rdt, get_aval(total).weak_type))
    return ufuncs.true_divide(total, n)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, correction=None):
    return lax.sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                        correction=correction))


def _arg(name, prim_fn):
    def fn(a, axis=None, out=None, keepdims=False):
        check_arraylike(name, a)
        a = lax.asarray(a)
        aval = get_aval(a)
        if axis is None:
            if aval.size == 0:
                raise ValueError(f"attempt to get {name} of an empty sequence")
            res = prim_fn(lax.reshape(a, (aval.size,)), 0, dtypes.default_int_dtype())
            return lax.reshape(res, (1,) * aval.ndim) if keepdims else res
        ax = canonicalize_axis(axis, aval.ndim)
        if aval.shape[ax] == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        res = prim_fn(a, ax, dtypes.default_int_dtype())
        return _keep(res, (ax,), aval.ndim, keepdims)
    fn.__name__ = name
    return fn


argmax = _arg("argmax", lax.argmax)
argmin = _arg("argmin", lax.argmin)


def _cumulative(name, prim_fn, upcast):
    def fn(a, axis=None, dtype=None, out=None):
        check_arraylike(name, a)
        a = lax.asarray(a)
        if axis is None:
            a = lax.reshape(a, (get_aval(a).size,))
            axis = 0
        aval = get_aval(a)
        ax = canonicalize_axis(axis, aval.ndim)
        dt = dtypes.canonicalize_dtype(dtype) if dtype is not None else (
            _upcast_sum_dtype(aval.dtype) if upcast else aval.dtype)
        a = lax.convert_element_type(a, dt, aval.weak_type and dtype is None)
        if dt == np.bool_ and name in ("cumsum", "cumprod"):
            a = lax.convert_element_type(a, dtypes.default_int_dtype())
        return prim_fn(a, axis=ax)
    fn.__name__ = name
    return fn


cumsum = _cumulative("cumsum", lax.cumsum, True)
cumprod = _cumulative("cumprod", lax.cumprod, True)


def cummax(a, axis=None):
    return _cumulative("cummax", lax.cummax, False)(a, axis)


def cummin(a, axis=None):
    return _cumulative("cummin", lax.cummin, False)(a, axis)


def ptp(a, axis=None, out=None, keepdims=False):
    return ufuncs.subtract(max(a, axis=axis, keepdims=keepdims), min(a, axis=axis, keepdims=keepdims))


def count_nonzero(a, axis=None, keepdims=False):
    return sum(_as_bool(a), axis=axis, keepdims=keepdims, dtype=dtypes.default_int_dtype())

