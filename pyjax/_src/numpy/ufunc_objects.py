"""jax.numpy's ufunc objects: `jnp.ufunc`, `jnp.frompyfunc`, and the built-in ufuncs
(`jnp.add`, `jnp.multiply`, `jnp.maximum`, `jnp.logical_and`, ...) with their methods
`reduce`, `accumulate`, `outer`, `at` and `reduceat`.

Calling a built-in ufunc costs what calling the plain function of `ufuncs.py` costs: each
built-in is an instance of a one-off subclass of `ufunc` whose `__call__` is that function
itself (a staticmethod), so `jnp.add(x, y)` makes no extra Python frame. Array operators
(`x + y`) call the plain functions directly.
"""
import math
import operator

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import Array, get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import reductions
from pyjax._src.numpy.lax_numpy import where as _jnp_where
from pyjax._src.numpy import ufuncs as _uf
from pyjax._src.numpy.util import (asarray_arg, broadcast_shapes_of, broadcast_to_shape,
                                   canonicalize_axis, check_arraylike, promote_dtypes)

__all__ = ["ufunc", "frompyfunc", "add", "subtract", "multiply", "maximum", "minimum",
           "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and", "logical_or",
           "logical_xor", "logaddexp", "logaddexp2", "negative"]

_AT_INPLACE_WARNING = """\
Because JAX arrays are immutable, jnp.ufunc.at() cannot operate inplace like
np.ufunc.at(). Instead, you can pass inplace=False and capture the result; e.g.
>>> arr = jnp.add.at(arr, ind, val, inplace=False)
"""


def _api():
    from pyjax._src import api
    return api


def _one(x):
    """A scalar 1 of x's dtype and weak type (JAX's lax._one)."""
    aval = get_aval(x)
    return lax.full((), 1, aval.dtype, aval.weak_type)


def _moveaxis(x, src, dst):
    nd = get_aval(x).ndim
    src, dst = src % nd, dst % nd
    if src == dst:
        return x
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return lax.transpose(x, perm)


def _astype(x, dt):
    return lax.convert_element_type(x, dt)


def _index(arr, i):
    """arr[i] along axis 0 for a (possibly traced) scalar integer i."""
    return lax.dynamic_index_in_dim(arr, i, 0, keepdims=False)


class ufunc:
    """Universal functions which operate element-by-element on arrays (jax.numpy.ufunc).

    Built-in ufuncs (`jnp.add`, ...) and `jnp.frompyfunc(...)` results are instances.
    Attributes `nin`, `nout`, `nargs`, `identity`; methods `reduce`, `accumulate`, `outer`,
    `at` (with `inplace=False`) and `reduceat`.
    """

    def __init__(self, func, /, nin, nout, *, name=None, nargs=None, identity=None,
                 call=None, reduce=None, accumulate=None, at=None, reduceat=None):
        self.__doc__ = func.__doc__
        self.__name__ = name or func.__name__
        # Read-only properties, so that a ufunc marked static keeps its hash.
        self.__static_props = {
            'func': func, 'nin': operator.index(nin), 'nout': operator.index(nout),
            'nargs': operator.index(nargs or nin), 'identity': identity, 'call': call,
            'reduce': reduce, 'accumulate': accumulate, 'at': at, 'reduceat': reduceat,
        }
        self._jitted_call = None
        if call is not None:
            # The fast path: this instance's class calls `call` with no intermediate frame.
            cls = type(self)
            self.__class__ = type(cls.__name__, (cls,), {
                "__call__": staticmethod(call), "__module__": cls.__module__,
                "__qualname__": cls.__qualname__, "__doc__": cls.__doc__})

    _func = property(lambda self: self.__static_props['func'])
    nin = property(lambda self: self.__static_props['nin'])
    nout = property(lambda self: self.__static_props['nout'])
    nargs = property(lambda self: self.__static_props['nargs'])
    identity = property(lambda self: self.__static_props['identity'])

    def __hash__(self):
        return hash((self._func, self.__name__, self.identity, self.nin, self.nout, self.nargs))

    def __eq__(self, other):
        return isinstance(other, ufunc) and (
            (self._func, self.__name__, self.identity, self.nin, self.nout, self.nargs) ==
            (other._func, other.__name__, other.identity, other.nin, other.nout, other.nargs))

    def __repr__(self):
        return f"<jnp.ufunc '{self.__name__}'>"

    def __reduce__(self):
        # Built-in ufuncs pickle by name, so the fast-call subclass is never pickled.
        import pyjax.numpy as jnp
        if getattr(jnp, self.__name__, None) is self:
            return (_builtin_by_name, (self.__name__,))
        return (_rebuild, (self._func, self.nin, self.nout, self.__name__, self.nargs,
                           self.identity))

    def __call__(self, *args, out=None, where=None):
        check_arraylike(self.__name__, *args)
        if out is not None:
            raise NotImplementedError(f"out argument of {self}")
        if where is not None:
            raise NotImplementedError(f"where argument of {self}")
        call = self.__static_props['call'] or self._call_vectorized
        return call(*args)

    def _call_vectorized(self, *args):
        if self._jitted_call is None:
            self._jitted_call = _api().jit(_vectorize_scalar(self._func, self.nout))
        return self._jitted_call(*args)

    # --- reduce --------------------------------------------------------------------

    def reduce(self, a, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=None):
        """Reduce `a` along `axis` (default 0) with this binary ufunc (numpy.ufunc.reduce)."""
        check_arraylike(f"{self.__name__}.reduce", a)
        if self.nin != 2:
            raise ValueError("reduce only supported for binary ufuncs")
        if self.nout != 1:
            raise ValueError("reduce only supported for functions returning a single value")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.reduce()")
        if initial is not None:
            check_arraylike(f"{self.__name__}.reduce", initial)
        if where is not None:
            check_arraylike(f"{self.__name__}.reduce", where)
            if self.identity is None and initial is None:
                raise ValueError(f"reduction operation {self.__name__!r} does not have an "
                                 "identity, so to use a where mask one has to specify 'initial'.")
            wdt = get_aval(asarray_arg(where)).dtype
            if wdt != np.bool_:
                raise ValueError(f"where argument must have dtype=bool; got dtype={wdt}")
        axis = _static_axis(axis)
        reduce = self.__static_props['reduce'] or self._reduce_via_scan
        return reduce(a, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)

    def _reduce_via_scan(self, arr, axis=0, dtype=None, keepdims=False, initial=None,
                         where=None):
        from pyjax._src.lax.control_flow import fori_loop
        arr = asarray_arg(arr)
        if initial is None:
            initial = self.identity
        if dtype is None:
            dtype = _api().eval_shape(self._func, _one(arr), _one(arr)).dtype
        shape = get_aval(arr).shape
        if where is not None:
            where = broadcast_to_shape(asarray_arg(where), shape)
        if isinstance(axis, tuple):
            for ax in axis:  # out-of-bounds axes are reported first, as in JAX
                canonicalize_axis(ax, len(shape))
            raise NotImplementedError("tuple of axes")
        if axis is None:
            final_shape = (1,) * len(shape) if keepdims else ()
            arr = lax.reshape(arr, (math.prod(shape),))
            if where is not None:
                where = lax.reshape(where, (math.prod(shape),))
            axis = 0
        else:
            axis = canonicalize_axis(axis, len(shape))
            final_shape = (shape[:axis] + (1,) + shape[axis + 1:]) if keepdims \
                else shape[:axis] + shape[axis + 1:]
        if axis != 0:
            arr = _moveaxis(arr, axis, 0)
            if where is not None:
                where = _moveaxis(where, axis, 0)
        n = get_aval(arr).shape[0]
        if n == 0:
            if initial is None:
                raise ValueError(f"zero-size array to reduction operation {self.__name__} "
                                 "which has no identity")
            return lax.full(final_shape, initial, dtype)

        def body_fun(i, val):
            new = self(val, _astype(_index(arr, i), dtype))
            if where is None:
                return new
            return lax.select(_index(where, i), new, val)

        if initial is None:
            start_index, start_value = 1, _index(arr, 0)
        else:
            start_index, start_value = 0, initial
        start_value = broadcast_to_shape(_astype(asarray_arg(start_value), dtype),
                                         get_aval(arr).shape[1:])
        result = fori_loop(start_index, n, body_fun, start_value)
        if keepdims:
            result = lax.reshape(result, final_shape)
        return result

    # --- accumulate ----------------------------------------------------------------

    def accumulate(self, a, axis=0, dtype=None, out=None):
        """Cumulative reduction along `axis` with this binary ufunc (numpy.ufunc.accumulate)."""
        if self.nin != 2:
            raise ValueError("accumulate only supported for binary ufuncs")
        if self.nout != 1:
            raise ValueError("accumulate only supported for functions returning a single value")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.accumulate()")
        axis = _static_axis(axis)
        accumulate = self.__static_props['accumulate'] or self._accumulate_via_scan
        return accumulate(a, axis=axis, dtype=dtype)

    def _accumulate_via_scan(self, arr, axis=0, dtype=None):
        from pyjax._src.lax.control_flow import scan
        check_arraylike(f"{self.__name__}.accumulate", arr)
        arr = asarray_arg(arr)
        if dtype is None:
            dtype = _api().eval_shape(self._func, _one(arr), _one(arr)).dtype
        if axis is None or isinstance(axis, tuple):
            raise ValueError("accumulate does not allow multiple axes")
        aval = get_aval(arr)
        axis = canonicalize_axis(axis, aval.ndim)
        if aval.size == 0:
            return lax.full(aval.shape, 0, dtype)
        arr = _moveaxis(arr, axis, 0)
        first = _astype(_index(arr, 0), dtype)

        def scan_fun(carry, _):
            i, x = carry
            new = _astype(self(_astype(x, dtype), _astype(_index(arr, i), dtype)), dtype)
            y = lax.select(lax.eq(i, lax.full_like(i, 0)), first, new)
            return (lax.add(i, lax.full_like(i, 1)), y), y

        i0 = lax.full((), 0, dtypes.default_int_dtype(), True)
        _, result = scan(scan_fun, (i0, first), None, length=get_aval(arr).shape[0])
        return _moveaxis(result, 0, axis)

    # --- at ------------------------------------------------------------------------

    def at(self, a, indices, b=None, /, *, inplace=True):
        """An updated copy of `a` with `a[indices] = ufunc(a[indices], b)` (numpy.ufunc.at);
        `inplace=False` is required. Repeated indices apply the ufunc repeatedly."""
        if inplace:
            raise NotImplementedError(_AT_INPLACE_WARNING)
        at = self.__static_props['at'] or self._at_via_scan
        return at(a, indices) if b is None else at(a, indices, b)

    def _at_via_scan(self, a, indices, *args):
        assert len(args) in {0, 1}
        check_arraylike(f"{self.__name__}.at", a, *args)
        api = _api()
        dtype = api.eval_shape(self._func, _one(asarray_arg(a)),
                               *(_one(asarray_arg(arg)) for arg in args)).dtype
        a = _astype(asarray_arg(a), dtype)
        args = tuple(_astype(asarray_arg(arg), dtype) for arg in args)
        return _scan_update(a, indices, lambda old, *xs: self(old, *xs), args)

    # --- reduceat ------------------------------------------------------------------

    def reduceat(self, a, indices, axis=0, dtype=None, out=None):
        """Reductions of `a` between consecutive `indices` along `axis`
        (numpy.ufunc.reduceat)."""
        if self.nin != 2:
            raise ValueError("reduceat only supported for binary ufuncs")
        if self.nout != 1:
            raise ValueError("reduceat only supported for functions returning a single value")
        if out is not None:
            raise NotImplementedError(f"out argument of {self.__name__}.reduceat()")
        reduceat = self.__static_props['reduceat'] or self._reduceat_via_scan
        return reduceat(a, indices, axis=axis, dtype=dtype)

    def _reduceat_via_scan(self, a, indices, axis=0, dtype=None):
        from pyjax._src.lax.control_flow import fori_loop
        check_arraylike(f"{self.__name__}.reduceat", a, indices)
        a, indices = asarray_arg(a), asarray_arg(indices)
        aval, iaval = get_aval(a), get_aval(indices)
        if aval.ndim == 0:
            raise ValueError(f"reduceat: a must have 1 or more dimension, got a.shape={aval.shape}")
        if iaval.ndim != 1:
            raise ValueError(f"reduceat: indices must be one-dimensional, got "
                             f"indices.shape={iaval.shape}")
        if dtype is None:
            dtype = aval.dtype
        if axis is None or isinstance(axis, (tuple, list)):
            raise ValueError("reduceat requires a single integer axis.")
        axis = canonicalize_axis(_static_axis(axis), aval.ndim)
        n = aval.shape[axis]
        take = _lax_take()
        out = take(a, indices, axis=axis) if take is not None else \
            _take_along_axis_1d(a, indices, axis)
        ind = lax.concatenate([indices, lax.full((1,), n, iaval.dtype)], 0)
        others = [d for d in range(get_aval(out).ndim) if d != axis]
        ind = lax.expand_dims(ind, others)
        m = get_aval(ind).shape[axis]
        ind_start = lax.slice_in_dim(ind, 0, m - 1, axis=axis)
        ind_end = lax.slice_in_dim(ind, 1, m, axis=axis)

        def loop_body(i, out):
            ii = lax.broadcast_in_dim(lax.convert_element_type(i, iaval.dtype),
                                      get_aval(ind_start).shape, ())
            keep = lax.bitwise_and(lax.gt(ii, ind_start), lax.lt(ii, ind_end))
            new = self(out, lax.dynamic_slice_in_dim(a, i, 1, axis))
            return _jnp_where(keep, new, out)
        return fori_loop(0, n, loop_body, out)

    # --- outer ---------------------------------------------------------------------

    def outer(self, A, B, /):
        """The ufunc applied to all pairs: result shape A.shape + B.shape (numpy.ufunc.outer)."""
        if self.nin != 2:
            raise ValueError("outer only supported for binary ufuncs")
        if self.nout != 1:
            raise ValueError("outer only supported for functions returning a single value")
        check_arraylike(f"{self.__name__}.outer", A, B)
        A, B = asarray_arg(A), asarray_arg(B)
        sa, sb = get_aval(A).shape, get_aval(B).shape
        if self.__static_props['call'] is not None:
            # Elementwise built-ins: broadcasting gives what the nested vmaps give.
            A2 = lax.reshape(A, sa + (1,) * len(sb))
            B2 = lax.reshape(B, (1,) * len(sa) + sb)
            return self(A2, B2)
        api = _api()
        ra, rb = lax.reshape(A, (math.prod(sa),)), lax.reshape(B, (math.prod(sb),))
        result = api.vmap(api.vmap(self, (None, 0)), (0, None))(ra, rb)
        return lax.reshape(result, sa + sb)


def _builtin_by_name(name):
    import pyjax.numpy as jnp
    return getattr(jnp, name)


def _rebuild(func, nin, nout, name, nargs, identity):
    return ufunc(func, nin, nout, name=name, nargs=nargs, identity=identity)


def _static_axis(axis):
    if isinstance(axis, core.Tracer):
        axis = core.concrete_or_error(axis, "to read the axis argument of a ufunc method")
    if isinstance(axis, list):
        axis = tuple(axis)
    return axis


def frompyfunc(func, /, nin, nout, *, identity=None):
    """A jnp.ufunc from a scalar JAX-compatible function of `nin` inputs and `nout` outputs."""
    return ufunc(func, nin, nout, identity=identity)


# ---------------------------------------------------------------------------------
# Helpers: vectorizing a scalar function, gathers and indexed updates in lax terms.


def _vectorize_scalar(func, nout):
    """func applied elementwise to broadcast arguments (jnp.vectorize of a scalar function)."""
    def vectorized(*args):
        args = [asarray_arg(a) for a in args]
        shape = broadcast_shapes_of("vectorize", *[get_aval(a).shape for a in args])
        if not shape:
            return func(*args)
        api = _api()
        size = math.prod(shape)
        flat = [lax.reshape(broadcast_to_shape(a, shape), (size,)) for a in args]
        if size == 0:
            outs = api.eval_shape(func, *[_one(a) for a in args])
            if nout == 1 and not isinstance(outs, (tuple, list)):
                return lax.full(shape, 0, outs.dtype)
            return tuple(lax.full(shape, 0, o.dtype) for o in outs)
        out = api.vmap(func)(*flat)
        if isinstance(out, (tuple, list)):
            return type(out)(lax.reshape(o, shape) for o in out)
        return lax.reshape(out, shape)
    return vectorized


def _lax_take():
    """jnp.take where pyjax has it (a gather; out-of-bounds indices fill, as JAX's); else
    None, and a select-based gather is used."""
    try:
        from pyjax._src.numpy import indexing
    except ImportError:
        return None
    return getattr(indexing, "take", None)


def _array_at():
    """Array.at (scatter updates) where pyjax has it; else None."""
    return getattr(Array, "at", None)


def _take_along_axis_1d(a, idx, axis):
    """a indexed by the 1-D integer array idx along axis (a gather written with selects:
    one comparison per pair of output and input positions; indices are clamped)."""
    aval = get_aval(a)
    n = aval.shape[axis]
    idx = asarray_arg(idx)
    m = get_aval(idx).shape[0]
    idt = get_aval(idx).dtype
    idx = lax.select(lax.lt(idx, lax.full_like(idx, 0)), lax.add(idx, lax.full_like(idx, n)), idx)
    idx = lax.clamp(lax.full((), 0, idt), idx, lax.full((), max(n - 1, 0), idt))
    # mask[j, k] = idx[j] == k, placed at dims (axis, axis + 1) of a with a new axis.
    onehot = lax.eq(lax.broadcast_in_dim(idx, (m, n), (0,)), lax.broadcasted_iota(idt, (m, n), 1))
    shape = aval.shape[:axis] + (m, n) + aval.shape[axis + 1:]
    mask = lax.broadcast_in_dim(onehot, shape, (axis, axis + 1))
    big = lax.broadcast_in_dim(a, shape, tuple(d for d in range(len(shape)) if d != axis))
    zero = lax.full(shape, 0, aval.dtype)
    if aval.dtype == np.bool_:
        return lax.reduce_or(lax.select(mask, big, zero), (axis + 1,))
    return lax.reduce_sum(lax.select(mask, big, zero), (axis + 1,))


def _normalize_at_indices(indices, shape):
    """indices as a tuple of per-dimension entries: static slices, or integer arrays."""
    if not isinstance(indices, tuple):
        indices = (indices,)
    out = []
    for i in indices:
        if isinstance(i, list):
            i = np.asarray(i)
        if i is None:
            raise NotImplementedError("ufunc.at with None (newaxis) indices is not supported")
        if isinstance(i, (np.ndarray, Array)) and get_aval(asarray_arg(i)).dtype == np.bool_:
            raise NotImplementedError("ufunc.at with boolean mask indices is not supported")
        out.append(i)
    n_real = sum(1 for i in out if i is not Ellipsis)
    if n_real > len(shape):
        raise IndexError(f"Too many indices for array: {n_real} non-None/Ellipsis indices for "
                         f"dim {len(shape)}.")
    if Ellipsis in [i for i in out if i is Ellipsis]:
        k = [j for j, i in enumerate(out) if i is Ellipsis][0]
        out = out[:k] + [slice(None)] * (len(shape) - n_real) + out[k + 1:]
    return tuple(out)


def _scan_update(a, indices, fn, args, numpy_broadcast=False):
    """a with a[idx] = fn(a[idx], *args[k]) applied for each index k in turn (JAX's
    _at_via_scan): integer array indices broadcast together and are walked one by one;
    out-of-bounds reads clamp and out-of-bounds writes are dropped, as JAX's gather and
    scatter do. The value's leading dimensions run over the index positions, unless
    `numpy_broadcast`, where it broadcasts against a[indices] as NumPy's (and a scatter's)."""
    from pyjax._src.lax.control_flow import scan
    shape = get_aval(a).shape
    indices = _normalize_at_indices(indices, shape)
    if not indices:
        return a
    arrs = [asarray_arg(i) for i in indices if not isinstance(i, slice)]
    for x in arrs:
        if not dtypes.issubdtype(get_aval(x).dtype, np.integer):
            raise IndexError(f"Indexer must have integer or boolean type, got indexer with "
                             f"type {get_aval(x).dtype}")
    ishape = broadcast_shapes_of("at", *[get_aval(x).shape for x in arrs]) if arrs else ()
    if not ishape:
        idx = tuple(i if isinstance(i, slice) else asarray_arg(i) for i in indices)
        old = _get_at(a, idx)
        if numpy_broadcast:
            args = tuple(broadcast_to_shape(x, get_aval(old).shape) for x in args)
        return _set_at(a, idx, fn(old, *args))
    count = math.prod(ishape)
    full_idx = tuple(indices) + (slice(None),) * (len(shape) - len(indices))
    slice_dims = tuple(len(range(*s.indices(n))) for s, n in zip(full_idx, shape)
                       if isinstance(s, slice))
    if args:
        b = args[0]
        if numpy_broadcast:
            # a[indices]'s shape: the index dimensions go where the first array index is
            # when the array indices are adjacent, else in front (NumPy's rule).
            kinds = [isinstance(i, slice) for i in full_idx]
            first = kinds.index(False)
            last = len(kinds) - 1 - kinds[::-1].index(False)
            adjacent = all(not k for k in kinds[first:last + 1])
            pos = sum(kinds[:first]) if adjacent else 0
            gshape = slice_dims[:pos] + ishape + slice_dims[pos:]
            b = broadcast_to_shape(b, gshape)
            nd_i = len(ishape)
            perm = list(range(pos, pos + nd_i)) + [d for d in range(len(gshape))
                                                   if not pos <= d < pos + nd_i]
            b = lax.transpose(b, perm)
            args = (lax.reshape(b, (count,) + slice_dims),)
        else:
            bshape = get_aval(b).shape
            tail = bshape[len(ishape):]
            b = broadcast_to_shape(b, ishape + tail)
            args = (lax.reshape(b, (count,) + tail),)
    flat = [i if isinstance(i, slice) else
            lax.reshape(broadcast_to_shape(asarray_arg(i), ishape), (count,)) for i in indices]
    if count == 0:
        return a

    def body(arr, k):
        idx = tuple(i if isinstance(i, slice) else _index(i, k) for i in flat)
        xs = tuple(_index(x, k) for x in args)
        return _set_at(arr, idx, fn(_get_at(arr, idx), *xs)), None

    ks = lax.iota(dtypes.default_int_dtype(), count)
    out, _ = scan(body, a, ks)
    return out


def _get_at(a, idx):
    """a[idx] for idx of static slices and scalar integer arrays (clamped, as JAX's gather)."""
    from pyjax._src.numpy.array_methods import rewriting_take
    return rewriting_take(a, tuple(idx))


def _set_at(a, idx, value):
    """a with a[idx] = value (value broadcast to a[idx]'s shape); an out-of-bounds scalar
    index drops the update (JAX's scatter)."""
    aval = get_aval(a)
    shape = aval.shape
    idx = tuple(idx) + (slice(None),) * (len(shape) - len(idx))
    value = lax.convert_element_type(asarray_arg(value), aval.dtype)
    sub_shape = tuple(len(range(*s.indices(n))) for s, n in zip(idx, shape)
                      if isinstance(s, slice))
    value = broadcast_to_shape(value, sub_shape)
    # Re-insert the scalar-indexed dimensions as size 1, then spread each dimension out to
    # the full array: interior padding places strided slices, broadcasting fills integer
    # indexed dimensions (the mask then picks the indexed position).
    full_value = lax.reshape(value, tuple(len(range(*s.indices(n))) if isinstance(s, slice)
                                          else 1 for s, n in zip(idx, shape)))
    mask = None
    vals = full_value
    for d, (s, n) in enumerate(zip(idx, shape)):
        if isinstance(s, slice):
            start, stop, step = s.indices(n)
            r = range(start, stop, step)
            if len(r) == 0:
                return a
            if step < 0:
                vals = lax.rev(vals, (d,))
                r = r[::-1]
                step = -step
            lo, hi = r[0], n - 1 - r[-1]
            cfg = [(0, 0, 0)] * len(shape)
            cfg[d] = (lo, hi, step - 1)
            vals = lax.pad(vals, lax.full((), 0, aval.dtype), cfg)
            dmask = np.zeros(n, bool)
            dmask[list(r)] = True
            dm = lax.broadcast_in_dim(lax.asarray(dmask), shape, (d,))
        else:
            cur = list(get_aval(vals).shape)
            cur[d] = n
            vals = lax.broadcast_in_dim(lax.reshape(vals, tuple(c for j, c in enumerate(
                get_aval(vals).shape) if j != d)), tuple(cur),
                tuple(j for j in range(len(shape)) if j != d))
            i = asarray_arg(s)
            it = get_aval(i).dtype
            i = lax.select(lax.lt(i, lax.full_like(i, 0)), lax.add(i, lax.full_like(i, n)), i)
            dm = lax.eq(lax.broadcasted_iota(it, shape, d), lax.broadcast_in_dim(i, shape, ()))
        mask = dm if mask is None else lax.bitwise_and(mask, dm)
    return lax.select(mask, vals, a)


def _scatter_binop(name, op, a, indices, b):
    """a.at[indices].<op>(b) with JAX's scatter semantics: a Python int that fits takes a's
    dtype, otherwise the update is computed in the promoted dtype and cast back to a's.
    Uses Array.at (scatter) where pyjax has it, else a scan of indexed updates."""
    check_arraylike(f"{name}.at", a, b)
    a = asarray_arg(a)
    aval = get_aval(a)
    dt = aval.dtype
    use_scatter = _array_at() is not None
    if dt == np.bool_:
        # JAX adds (multiplies) in int32 and casts back: logical or (and).
        b = asarray_arg(b)
        b = lax.ne(b, lax.full_like(b, 0)) if get_aval(b).dtype != np.bool_ else b
        if use_scatter:
            ai = lax.convert_element_type(a, np.int32)
            bi = lax.convert_element_type(b, np.int32)
            out = getattr(ai.at[indices], name)(bi)
            return lax.convert_element_type(out, np.bool_)
        fn = lax.bitwise_or if name == "add" else lax.bitwise_and
        return _scan_update(a, indices, fn, (b,), True)
    if use_scatter:
        return getattr(a.at[indices], name)(b)
    if type(b) is int and dtypes.issubdtype(dt, np.integer) and \
            np.iinfo(dt).min <= b <= np.iinfo(dt).max:
        b = lax.full((), b, dt)
    a_p, b_p = promote_dtypes(a, asarray_arg(b))
    out = _scan_update(a_p, indices, op, (b_p,), True)
    return lax.convert_element_type(out, dt, aval.weak_type)


def _add_at(a, indices, b):
    return _scatter_binop("add", lax.add, a, indices, b)


def _multiply_at(a, indices, b):
    return _scatter_binop("multiply", lax.mul, a, indices, b)


def _subtract_at(a, indices, b):
    check_arraylike("subtract.at", a, b)
    if get_aval(asarray_arg(a)).dtype == np.bool_:
        raise TypeError("subtract does not accept dtype bool. Use logical operations instead.")
    return _scatter_binop("subtract", lax.sub, a, indices, b)


# ---------------------------------------------------------------------------------
# Reductions of the built-in ufuncs (JAX's reductions._reduce_* helpers).


def _reduction(a, name, prim, combine, init, *, preproc=None, has_identity=True, axis=None,
               dtype=None, keepdims=False, initial=None, where=None):
    """JAX's _reduction with promote_integers=False: reduce with `prim`, identity `init`."""
    check_arraylike(name, a)
    a = asarray_arg(a)
    where = reductions._check_where(name, where)
    if initial is None and not has_identity and where is not None:
        raise ValueError(f"reduction operation {name} does not have an identity, so to use a "
                         "where mask one has to specify 'initial'")
    a = preproc(a) if preproc else a
    aval = get_aval(a)
    axes = reductions.canonicalize_axes(axis, aval.ndim)
    if initial is None and not has_identity and any(aval.shape[d] == 0 for d in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    result_dtype = aval.dtype if dtype is None else reductions._user_dtype(dtype)
    a = lax.convert_element_type(a, result_dtype)
    init_val = reductions._init_value(result_dtype, init)
    if where is not None:
        a = lax.select(broadcast_to_shape(where, aval.shape), a,
                       lax.full(aval.shape, init_val, result_dtype))
    out_shape = tuple(n for i, n in enumerate(aval.shape) if i not in axes)
    if any(aval.shape[d] == 0 for d in axes):
        result = lax.full(out_shape, init_val, result_dtype)
    else:
        result = prim(a, axes) if axes else a
    if initial is not None:
        init_arr = lax.convert_element_type(asarray_arg(initial), result_dtype)
        if get_aval(init_arr).shape:
            raise ValueError(f"initial value must be a scalar. Got array of shape "
                             f"{get_aval(init_arr).shape}")
        result = combine(broadcast_to_shape(init_arr, get_aval(result).shape), result)
    if keepdims:
        result = lax.expand_dims(result, axes)
    return lax.convert_element_type(result, result_dtype)


def _require_integer(arr):
    dt = get_aval(arr).dtype
    if not (dt == np.bool_ or dtypes.issubdtype(dt, np.integer)):
        raise ValueError(f"integer argument required; got dtype={dt}")
    return arr


def _cast_to_bool(arr):
    dt = get_aval(arr).dtype
    if dtypes.issubdtype(dt, np.complexfloating):
        arr = lax.real(arr)
    return lax.convert_element_type(arr, np.bool_)


def _reducer(name, prim, combine, init, preproc=None, has_identity=True):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
        if out is not None:
            raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
        return _reduction(a, name, prim, combine, init, preproc=preproc,
                          has_identity=has_identity, axis=axis, dtype=dtype, keepdims=keepdims,
                          initial=initial, where=where)
    reduce.__name__ = name
    return reduce


_reduce_bitwise_and = _reducer("reduce_bitwise_and", lax.reduce_and, lax.bitwise_and, -1,
                               _require_integer)
_reduce_bitwise_or = _reducer("reduce_bitwise_or", lax.reduce_or, lax.bitwise_or, 0,
                              _require_integer)
_reduce_bitwise_xor = _reducer("reduce_bitwise_xor", lax.reduce_xor, lax.bitwise_xor, 0,
                               _require_integer)
_reduce_logical_and = _reducer("reduce_logical_and", lax.reduce_and, lax.bitwise_and, True,
                               _cast_to_bool)
_reduce_logical_or = _reducer("reduce_logical_or", lax.reduce_or, lax.bitwise_or, False,
                              _cast_to_bool)
_reduce_logical_xor = _reducer("reduce_logical_xor", lax.reduce_xor, lax.bitwise_xor, False,
                               _cast_to_bool)


def _bool_or(prim_bool, prim):
    def p(a, axes):
        return (prim_bool if get_aval(a).dtype == np.bool_ else prim)(a, axes)
    return p


def _comb_bool(op_bool, op):
    def c(x, y):
        return (op_bool if get_aval(x).dtype == np.bool_ else op)(x, y)
    return c


_reduce_max = _reducer("max", _bool_or(lax.reduce_or, lax.reduce_max),
                       _comb_bool(lax.bitwise_or, lax.max), -np.inf, has_identity=False)
_reduce_min = _reducer("min", _bool_or(lax.reduce_and, lax.reduce_min),
                       _comb_bool(lax.bitwise_and, lax.min), np.inf, has_identity=False)


def _logsumexp(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """log(sum(exp(a))) without overflow (jnp.logaddexp.reduce; `dtype` is checked and
    unused, as in JAX)."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.logaddexp.reduce is not supported.")
    if dtype is not None:
        reductions._user_dtype(dtype)
    check_arraylike("logsumexp", a)
    where = reductions._check_where("logsumexp", where)
    a, = _uf.promote_dtypes_inexact(asarray_arg(a))
    aval = get_aval(a)
    axes = reductions.canonicalize_axes(axis, aval.ndim)
    amax = reductions.max(_uf.real(a), axis=axes, keepdims=keepdims, where=where,
                          initial=-np.inf)
    amax = lax.stop_gradient(lax.select(lax.is_finite(amax), amax, lax.full_like(amax, 0)))
    amax_dims = amax if keepdims else lax.expand_dims(amax, axes)
    amax_dims = broadcast_to_shape(lax.convert_element_type(amax_dims, aval.dtype), aval.shape)
    exp_a = lax.exp(lax.sub(a, amax_dims))
    sumexp = reductions.sum(exp_a, axis=axes, keepdims=keepdims, where=where)
    result = lax.add(lax.log(sumexp),
                     lax.convert_element_type(amax, get_aval(sumexp).dtype))
    if initial is None:
        return result
    init = lax.convert_element_type(asarray_arg(initial), get_aval(result).dtype)
    init = broadcast_to_shape(init, get_aval(result).shape)
    return _uf._logaddexp_raw(init, result)


def _logsumexp2(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """log2(sum(2 ** a)) via logsumexp (jnp.logaddexp2.reduce)."""
    if out is not None:
        raise NotImplementedError(
            "The 'out' argument to jnp.logaddexp2.reduce is not supported.")
    if dtype is not None:
        reductions._user_dtype(dtype)
    check_arraylike("logsumexp2", a)
    where = reductions._check_where("logsumexp2", where)
    ln2 = float(np.log(2))
    if initial is not None:
        initial = initial * ln2
    a = asarray_arg(a)
    r = _logsumexp(_uf.multiply(a, ln2), axis=axis, keepdims=keepdims, where=where,
                   initial=initial)
    return _uf.true_divide(r, ln2)


# ---------------------------------------------------------------------------------
# The built-in ufuncs.


def _builtin(func, nin, identity=None, **kw):
    return ufunc(func, nin, 1, name=func.__name__, call=func, identity=identity, **kw)


add = _builtin(_uf.add, 2, 0, reduce=reductions.sum, accumulate=reductions.cumsum, at=_add_at)
multiply = _builtin(_uf.multiply, 2, 1, reduce=reductions.prod, accumulate=reductions.cumprod,
                    at=_multiply_at)
subtract = _builtin(_uf.subtract, 2, None, at=_subtract_at)
bitwise_and = _builtin(_uf.bitwise_and, 2, -1, reduce=_reduce_bitwise_and)
bitwise_or = _builtin(_uf.bitwise_or, 2, 0, reduce=_reduce_bitwise_or)
bitwise_xor = _builtin(_uf.bitwise_xor, 2, 0, reduce=_reduce_bitwise_xor)
minimum = _builtin(_uf.minimum, 2, None, reduce=_reduce_min)
maximum = _builtin(_uf.maximum, 2, None, reduce=_reduce_max)
logical_and = _builtin(_uf.logical_and, 2, True, reduce=_reduce_logical_and)
logical_or = _builtin(_uf.logical_or, 2, False, reduce=_reduce_logical_or)
logical_xor = _builtin(_uf.logical_xor, 2, False, reduce=_reduce_logical_xor)
logaddexp = _builtin(_uf.logaddexp, 2, -np.inf, reduce=_logsumexp)
logaddexp2 = _builtin(_uf.logaddexp2, 2, -np.inf, reduce=_logsumexp2)
negative = _builtin(_uf.negative, 1)
