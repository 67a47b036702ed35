"""jax.numpy array creation, shape manipulation, selection and products, written with lax."""
import builtins
import collections
import operator

import numpy as np
import opt_einsum

from pyjax._src import core, dtypes
from pyjax._src.core import ArrayImpl, Tracer, get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import reductions, ufuncs
from pyjax._src.numpy.util import (asarray_arg, broadcast_shapes_of, broadcast_to_shape,
                                   canonicalize_axis, check_arraylike, promote_args_inexact,
                                   promote_dtypes, promote_shapes)

# ---------------------------------------------------------------------------
# creation


def _user_dtype(dtype, default=None):
    """A dtype argument as the dtype values will have (64-bit narrowed unless x64)."""
    if dtype is None:
        dtype = default
    return dtypes.canonicalize_dtype(dtypes.dtype(dtype))


def _flatten_leaves(obj):
    for o in obj:
        if isinstance(o, (list, tuple)):
            yield from _flatten_leaves(o)
        else:
            yield o


def array(object, dtype=None, copy=True, order="K", ndmin=0, *, device=None):
    """An Array from array-likes: scalars, (nested) sequences, NumPy arrays, Arrays, tracers.

    dtypes follow JAX: Python ints/floats/complexes are weak scalars (int32/float32/complex64,
    64-bit with x64), lists take the promoted dtype of their elements without weak types,
    NumPy's 64-bit types are narrowed to 32 bits unless x64 is enabled."""
    if order is not None and order not in ("K", "A", "C"):
        raise NotImplementedError(f"jnp.array: only order='K' is implemented, got {order!r}")
    dt = None if dtype is None else _user_dtype(dtype)
    if hasattr(object, "__jax_array__") and not isinstance(object, core.Array):
        object = object.__jax_array__()
    if isinstance(object, core.Array):
        aval = get_aval(object)
        out = lax.convert_element_type(object, dt or aval.dtype, aval.weak_type and dt is None)
        if copy and out is object and type(out) is ArrayImpl:
            out = out.copy()
    elif type(object) in (bool, int, float, complex):
        weak = dt is None and type(object) is not bool
        dt = dt or dtypes.dtype(object, canonicalize=True)
        if type(object) is int and dt.kind in "iu":
            info = np.iinfo(dt)
            if not info.min <= object <= info.max:
                raise OverflowError(f"Python int {object} too large to convert to {dt}")
        out = ArrayImpl(np.asarray(object, dt), weak)
    elif isinstance(object, (list, tuple)):
        out = _array_from_sequence(object, dt)
    elif object is None:
        raise ValueError("None is not a valid value for jnp.array")
    else:
        if not isinstance(object, (np.ndarray, np.generic)):
            if not hasattr(object, "__array__") and not hasattr(object, "__array_interface__") \
                    and not isinstance(object, (memoryview, bytearray)):
                raise TypeError(f"Unexpected input type for array: {type(object)}")
            object = np.asarray(object)
        _check_numeric(object.dtype, object)
        dt = dt or dtypes.canonicalize_dtype(object.dtype)
        out = ArrayImpl(_np_convert(object, dt))
    nd = get_aval(out).ndim
    if ndmin > nd:
        out = lax.expand_dims(out, tuple(range(ndmin - nd)))
    return out


def _check_numeric(dt, obj):
    try:
        dtypes.dtype(dt)
    except TypeError:
        raise TypeError(f"pyjax arrays hold numbers and booleans only, got dtype {dt} in a "
                        f"value of type {type(obj).__name__}") from None


def _np_convert(value, dt):
    """A fresh NumPy array of dtype `dt` (copied: our arrays are immutable)."""
    value = np.asarray(value)
    if value.dtype == dt:
        return np.array(value, copy=True)
    if value.dtype.kind == "c" and dt.kind != "c":
        value = value.real
    with np.errstate(invalid="ignore", over="ignore"):
        return value.astype(dt)


def _array_from_sequence(obj, dt):
    leaves = [leaf.__jax_array__() if hasattr(leaf, "__jax_array__")
              and not isinstance(leaf, core.Array) else leaf for leaf in _flatten_leaves(obj)]
    if builtins.any(leaf is None for leaf in leaves):
        raise ValueError("None is not a valid value for jnp.array")
    for leaf in leaves:
        if not isinstance(leaf, (core.Array, np.ndarray, np.generic, bool, int, float, complex)):
            raise TypeError(f"jnp.array: unsupported element of type {type(leaf).__name__}")
    if dt is None:
        dt = dtypes.result_type(*leaves) if leaves else dtypes.default_float_dtype()
    if not builtins.any(isinstance(leaf, core.Array) for leaf in leaves):
        try:
            value = np.asarray(obj, dtype=_wide(dt) if _has_py_int(leaves) else dt)
        except ValueError as e:
            raise ValueError(f"jnp.array: could not build an array from the sequence: {e}") from None
        _check_numeric(value.dtype, obj)
        return ArrayImpl(_np_convert(value, dt))
    # Some elements are Arrays (maybe tracers): stack them with lax.
    if not obj:
        return ArrayImpl(np.zeros((0,), dt))
    parts = [array(elt, dtype=dt) for elt in obj]
    shapes = {get_aval(p).shape for p in parts}
    if len(shapes) != 1:
        raise ValueError(f"jnp.array: the elements of the sequence have different shapes "
                         f"{sorted(shapes)} (ragged nested sequences are not arrays)")
    return lax.concatenate([lax.expand_dims(p, (0,)) for p in parts], 0)


def _has_py_int(leaves):
    return builtins.any(type(x) is int for x in leaves)


def _wide(dt):
    # Python ints of a list are converted through 64 bits, then narrowed (wrapping), as JAX.
    if dt.kind == "i":
        return np.dtype(np.int64)
    if dt.kind == "u":
        return np.dtype(np.uint64)
    return dt


def asarray(a, dtype=None, order=None, *, copy=None, device=None):
    if isinstance(a, core.Array) and dtype is None:
        return a
    return array(a, dtype=dtype, copy=False, order=order)


def _shape(shape, name):
    if shape is None or isinstance(shape, (float, str)):
        raise TypeError(f"jnp.{name}: expected a shape (a sequence of ints or an int), got "
                        f"{shape!r}")
    return lax.canonicalize_shape(shape)


def zeros(shape, dtype=None, *, device=None):
    return lax.full(_shape(shape, "zeros"), 0, _user_dtype(dtype, float))


def ones(shape, dtype=None, *, device=None):
    return lax.full(_shape(shape, "ones"), 1, _user_dtype(dtype, float))


def empty(shape, dtype=None, *, device=None):
    return lax.full(_shape(shape, "empty"), 0, _user_dtype(dtype, float))


def _full_scalar(shape, fill_value, dtype):
    """lax.full with JAX's weak-type rule: weak iff no dtype is given and the fill is weak."""
    weak = dtype is None and dtypes.is_weakly_typed(fill_value)
    dt = dtype if dtype is not None else dtypes.dtype(fill_value, canonicalize=True)
    fill = asarray_arg(fill_value)
    if isinstance(fill, Tracer):
        return broadcast_to_shape(lax.convert_element_type(fill, dt, weak), shape)
    return lax.full(shape, core.to_numpy(fill), dt, weak)


def full(shape, fill_value, dtype=None, *, device=None):
    check_arraylike("full", fill_value)
    dt = None if dtype is None else _user_dtype(dtype)
    if not get_aval(asarray_arg(fill_value)).shape:
        return _full_scalar(_shape(shape, "full"), fill_value, dt)
    return broadcast_to(asarray(fill_value, dtype=dt), shape)


def _like(name, fill):
    def fn(a, dtype=None, shape=None, *, device=None):
        return full_like(a, fill, dtype=dtype, shape=shape)
    fn.__name__ = fn.__qualname__ = name
    return fn


zeros_like, ones_like, empty_like = _like("zeros_like", 0), _like("ones_like", 1), _like("empty_like", 0)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    check_arraylike("full_like", a, fill_value)
    aval = get_aval(asarray_arg(a))
    dt = aval.dtype if dtype is None else _user_dtype(dtype)
    shape = aval.shape if shape is None else _shape(shape, "full_like")
    fill = asarray_arg(fill_value)
    if get_aval(fill).shape:
        return broadcast_to(asarray(fill, dtype=dt), shape)
    weak = aval.weak_type and dtype is None
    if isinstance(fill, Tracer):
        return broadcast_to_shape(lax.convert_element_type(fill, dt, weak), shape)
    return lax.full(shape, core.to_numpy(fill), dt, weak)


def _static_scalar(v, name):
    if v is None:
        return None
    if isinstance(v, Tracer):
        v = core.concrete_or_error(
            v, f"to read the jnp.arange argument '{name}' (it must be static)")
    if np.ndim(v) != 0:
        raise ValueError(f"jax.numpy.arange: arguments must be scalars; got {name}={v}")
    if isinstance(v, core.Array):
        return core.to_numpy(v)[()]
    return v


def arange(start, stop=None, step=None, dtype=None, *, device=None):
    start_name = "stop" if stop is None and step is None else "start"
    start = _static_scalar(start, start_name)
    stop, step = _static_scalar(stop, "stop"), _static_scalar(step, "step")
    if dtype is None:
        dt = dtypes.result_type(start, *(x for x in (stop, step) if x is not None))
    else:
        dt = _user_dtype(dtype)
    if builtins.any(np.iscomplexobj(v) for v in (start, stop, step) if v is not None):
        raise ValueError("Passing complex start/stop/step to jnp.arange is not supported.")
    if stop is None:
        start, stop = 0, start
    if step is not None:
        if step == 0:
            raise ValueError("jnp.arange: step must not be zero")
        work = np.dtype(np.float32) if dtypes.issubdtype(dt, np.floating) and \
            dtypes.itemsize_bits(dt) < 32 else dt
        size = builtins.max(0, int(np.ceil((stop - start) / step)))
        it = lax.iota(work, size)
        out = lax.add(lax.full((size,), start, work), lax.mul(lax.full((size,), step, work), it))
        return lax.convert_element_type(out, dt)
    if start == 0:
        return lax.iota(dt, builtins.max(0, int(np.ceil(stop))))
    size = builtins.max(0, int(np.ceil(stop - start)))
    return lax.add(lax.full((size,), start, dt), lax.iota(dt, size))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    num = operator.index(core.concrete_or_error(num, "to read the 'num' argument of jnp.linspace")
                         if isinstance(num, Tracer) else num)
    axis = operator.index(axis)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    check_arraylike("linspace", start, stop)
    start, stop = asarray_arg(start), asarray_arg(stop)
    if dtype is None:
        dt = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtypes.result_type(start, stop)))
    else:
        dt = _user_dtype(dtype)
    comp = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt))
    start, stop = lax.convert_element_type(start, comp), lax.convert_element_type(stop, comp)
    bshape = list(broadcast_shapes_of("linspace", get_aval(start).shape, get_aval(stop).shape))
    bstart, bstop = broadcast_to_shape(start, bshape), broadcast_to_shape(stop, bshape)
    axis = len(bshape) + axis + 1 if axis < 0 else axis
    if not 0 <= axis <= len(bshape):
        raise ValueError(f"linspace: axis {axis} out of range for {len(bshape) + 1} dimensions")
    shape1 = bshape[:axis] + [1] + bshape[axis:]
    div = (num - 1) if endpoint else num
    if num > 1:
        # Divisions by the constant `div` are multiplications by its reciprocal, as XLA
        # compiles them inside JAX's jitted linspace (this gives JAX's exact values).
        delta = lax.mul(lax.sub(bstop, bstart), lax.full(bshape, _reciprocal(div, comp), comp))
        real = np.dtype(dtypes.finfo(comp).dtype)
        iota_shape = [1] * len(shape1)
        iota_shape[axis] = div
        step = lax.mul(lax.iota(real, div), lax.full((div,), _reciprocal(div, real), real))
        step = lax.convert_element_type(lax.reshape(step, iota_shape), comp)
        out_shape = list(shape1)
        out_shape[axis] = div
        s = broadcast_to_shape(lax.reshape(bstart, shape1), out_shape)
        e = broadcast_to_shape(lax.reshape(bstop, shape1), out_shape)
        st = broadcast_to_shape(step, out_shape)
        out = lax.add(lax.mul(s, lax.sub(lax.full(out_shape, 1, comp), st)), lax.mul(e, st))
        if endpoint:
            out = lax.concatenate([out, lax.reshape(bstop, shape1)], axis)
    elif num == 1:
        delta = lax.full(bshape, np.nan, comp) if endpoint else lax.sub(bstop, bstart)
        out = lax.reshape(bstart, shape1)
    else:
        delta = lax.full((), np.nan, comp)
        empty_shape = list(shape1)
        empty_shape[axis] = 0
        out = lax.full(empty_shape, 0, dt)
    if dtypes.issubdtype(dt, np.integer) and not dtypes.issubdtype(get_aval(out).dtype, np.integer):
        out = lax.floor(out)
    out = lax.convert_element_type(out, dt)
    return (out, delta) if retstep else out


def _reciprocal(n, dt):
    """1/n rounded in dtype `dt` (as XLA folds a division by a constant)."""
    with np.errstate(divide="ignore"):
        return np.array(1, dt) / np.array(n, dt)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    check_arraylike("logspace", start, stop)
    if dtype is None:
        dt = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtypes.result_type(start, stop)))
    else:
        dt = _user_dtype(dtype)
    comp = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt))
    start = lax.convert_element_type(asarray_arg(start), comp)
    stop = lax.convert_element_type(asarray_arg(stop), comp)
    lin = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    return lax.convert_element_type(ufuncs.power(base, lin), dt)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    check_arraylike("geomspace", start, stop)
    if dtype is None:
        dt = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dtypes.result_type(start, stop)))
    else:
        dt = _user_dtype(dtype)
    comp = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt))
    start = lax.convert_element_type(asarray_arg(start), comp)
    stop = lax.convert_element_type(asarray_arg(stop), comp)
    sign = ufuncs.sign(start)
    res = ufuncs.multiply(sign, logspace(ufuncs.log10(ufuncs.divide(start, sign)),
                                         ufuncs.log10(ufuncs.divide(stop, sign)), num,
                                         endpoint=endpoint, base=10.0, dtype=comp, axis=0))
    res = moveaxis(res, 0, axis)
    return lax.convert_element_type(res, dt)


def _dim(n, what):
    if isinstance(n, Tracer):
        n = core.concrete_or_error(n, what)
    try:
        return operator.index(n)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {n!r}") from None


def eye(N, M=None, k=0, dtype=None, *, device=None):
    dt = _user_dtype(dtype, float)
    n = _dim(N, "argument 'N' of jnp.eye()")
    m = n if M is None else _dim(M, "argument 'M' of jnp.eye()")
    if n < 0 or m < 0:
        raise ValueError(f"negative dimensions are not allowed, got {N} and {M}")
    if isinstance(k, int):
        k = int(np.clip(k, np.iinfo(np.int32).min, np.iinfo(np.int32).max))
    offset = asarray_arg(k)
    if get_aval(offset).shape or not dtypes.issubdtype(get_aval(offset).dtype, np.integer):
        raise ValueError(f"k must be a scalar integer; got {k}")
    odt = get_aval(offset).dtype
    rows = lax.broadcasted_iota(odt, (n, m), 0)
    cols = lax.broadcasted_iota(odt, (n, m), 1)
    return lax.convert_element_type(lax.eq(lax.add(rows, broadcast_to_shape(offset, (n, m))), cols), dt)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def _tri_mask(n, m, k):
    rows = lax.broadcasted_iota(np.int32, (n, m), 0)
    cols = lax.broadcasted_iota(np.int32, (n, m), 1)
    return lax.ge(lax.add(rows, lax.full((n, m), k, np.int32)), cols)


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    dt = np.dtype(np.float32) if dtype is None else _user_dtype(dtype)
    return lax.convert_element_type(_tri_mask(_dim(N, "N"), _dim(M, "M"), operator.index(k)), dt)


def tril(m, k=0):
    m = asarray(m)
    s = shape(m)
    if len(s) < 2:
        raise ValueError("Argument to jax.numpy.tril must be at least 2D")
    mask = broadcast_to_shape(_tri_mask(s[-2], s[-1], operator.index(k)), s)
    return lax.select(mask, m, lax.full_like(m, 0))


def triu(m, k=0):
    m = asarray(m)
    s = shape(m)
    if len(s) < 2:
        raise ValueError("Argument to jax.numpy.triu must be at least 2D")
    mask = broadcast_to_shape(_tri_mask(s[-2], s[-1], operator.index(k) - 1), s)
    return lax.select(mask, lax.full_like(m, 0), m)


# ---------------------------------------------------------------------------
# shape manipulation


def shape(a):
    return get_aval(asarray_arg(a)).shape


def ndim(a):
    return get_aval(asarray_arg(a)).ndim


def size(a, axis=None):
    s = shape(a)
    return int(np.prod(s, dtype=np.int64)) if axis is None else s[canonicalize_axis(axis, len(s))]


def _index_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _compute_newshape(aval, shape):
    if isinstance(shape, (list, tuple)):
        dims = list(shape)
    else:
        dims = [shape]
    out = []
    for d in dims:
        if isinstance(d, Tracer):
            d = core.concrete_or_error(d, "to read a shape (shapes must be static)")
        try:
            out.append(operator.index(d))
        except TypeError:
            raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, "
                            f"got {shape!r}.") from None
    if out.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if builtins.any(d < -1 for d in out):
        raise ValueError(f"reshape: negative dimensions are not allowed, got {tuple(out)}")
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1], dtype=np.int64))
        if known == 0 or aval.size % known:
            raise TypeError(f"cannot reshape array of shape {aval.shape} (size {aval.size}) "
                            f"into shape {tuple(out)} because the product of specified axis "
                            "sizes does not evenly divide the array size")
        out[out.index(-1)] = aval.size // known
    if int(np.prod(out, dtype=np.int64)) != aval.size:
        raise TypeError(f"cannot reshape array of shape {aval.shape} (size {aval.size}) into "
                        f"shape {tuple(out)} (size {int(np.prod(out, dtype=np.int64))})")
    return tuple(out)


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    check_arraylike("reshape", a)
    if shape is None:
        if newshape is None:
            raise TypeError("reshape() missing required argument 'shape'")
        shape = newshape
    a = asarray_arg(a)
    aval = get_aval(a)
    new = _compute_newshape(aval, shape)
    if order in ("C", "A"):
        return lax.reshape(a, new)
    if order == "F":
        nd = aval.ndim
        t = lax.transpose(a, tuple(range(nd))[::-1])
        return lax.transpose(lax.reshape(t, new[::-1]), tuple(range(len(new)))[::-1])
    raise ValueError(f"Unexpected value for 'order' argument: {order}.")


def ravel(a, order="C"):
    check_arraylike("ravel", a)
    a = asarray_arg(a)
    if order == "K":
        order = "C"
    return reshape(a, (get_aval(a).size,), order=order)


def transpose(a, axes=None):
    check_arraylike("transpose", a)
    a = asarray_arg(a)
    nd = get_aval(a).ndim
    if axes is None:
        perm = tuple(range(nd))[::-1]
    else:
        perm = tuple(canonicalize_axis(i, nd) for i in _index_tuple(axes))
        if sorted(perm) != list(range(nd)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {nd} "
                             "dimensions")
    return lax.transpose(a, perm)


def permute_dims(a, /, axes):
    return transpose(a, axes)


def matrix_transpose(x, /):
    x = asarray(x)
    nd = get_aval(x).ndim
    if nd < 2:
        raise ValueError(f"x must be at least two-dimensional for matrix_transpose; got ndim={nd}")
    return lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def swapaxes(a, axis1, axis2):
    check_arraylike("swapaxes", a)
    a = asarray_arg(a)
    nd = get_aval(a).ndim
    perm = list(range(nd))
    i, j = canonicalize_axis(axis1, nd), canonicalize_axis(axis2, nd)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, perm)


def moveaxis(a, source, destination):
    check_arraylike("moveaxis", a)
    a = asarray_arg(a)
    nd = get_aval(a).ndim
    src = [canonicalize_axis(s, nd) for s in _index_tuple(source)]
    dst = [canonicalize_axis(d, nd) for d in _index_tuple(destination)]
    if len(src) != len(dst):
        raise ValueError(f"Inconsistent number of elements: {len(src)} vs {len(dst)}")
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError("moveaxis: repeated axis in source or destination")
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return lax.transpose(a, order)


def squeeze(a, axis=None):
    check_arraylike("squeeze", a)
    a = asarray_arg(a)
    s = get_aval(a).shape
    if axis is None:
        axes = tuple(i for i, d in enumerate(s) if d == 1)
    else:
        axes = tuple(canonicalize_axis(x, len(s)) for x in _index_tuple(axis))
        for x in axes:
            if s[x] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not equal "
                                 f"to one, got shape={s} and dimensions={axes}")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    check_arraylike("expand_dims", a)
    a = asarray_arg(a)
    axes = _index_tuple(axis)
    nd = get_aval(a).ndim + len(axes)
    axes = [canonicalize_axis(x, nd) for x in axes]
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in expand_dims: {axis}")
    return lax.expand_dims(a, axes)


def broadcast_to(array, shape):
    check_arraylike("broadcast_to", array)
    a = asarray_arg(array)
    shape = lax.canonicalize_shape(shape)
    s = get_aval(a).shape
    if len(shape) < len(s) or builtins.any(d not in (1, n) for d, n in zip(s[::-1], shape[::-1])):
        raise ValueError(f"Incompatible shapes for broadcasting: {s} and requested shape {shape}")
    return broadcast_to_shape(a, shape)


def broadcast_arrays(*args):
    check_arraylike("broadcast_arrays", *args)
    args = [asarray_arg(a) for a in args]
    if not args:
        return []
    shape = broadcast_shapes_of("broadcast_arrays", *[get_aval(a).shape for a in args])
    return [broadcast_to_shape(a, shape) for a in args]


def broadcast_shapes(*shapes):
    shapes = [_index_tuple(s) for s in shapes]
    return broadcast_shapes_of("broadcast_shapes", *shapes)


def atleast_1d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        out.append(lax.reshape(a, (1,)) if ndim(a) == 0 else a)
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        out.append(lax.reshape(a, (1,) * (2 - ndim(a)) + shape(a)) if ndim(a) < 2 else a)
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        nd = ndim(a)
        if nd == 0:
            a = lax.reshape(a, (1, 1, 1))
        elif nd == 1:
            a = lax.reshape(a, (1, shape(a)[0], 1))
        elif nd == 2:
            a = lax.reshape(a, shape(a) + (1,))
        out.append(a)
    return out[0] if len(out) == 1 else out


def _unstack(x):
    x = asarray(x)
    if not get_aval(x).shape:
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    return [lax.index_in_dim(x, i, 0, keepdims=False) for i in range(get_aval(x).shape[0])]


def concatenate(arrays, axis=0, dtype=None):
    if isinstance(arrays, (core.Array, np.ndarray)):
        arrays = _unstack(arrays)
    arrays = list(arrays)
    if not arrays:
        raise ValueError("Need at least one array to concatenate.")
    check_arraylike("concatenate", *arrays)
    if axis is None:
        return concatenate([ravel(a) for a in arrays], 0, dtype=dtype)
    nd = ndim(arrays[0])
    if nd == 0:
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    axis = canonicalize_axis(axis, nd)
    if dtype is None:
        arrays = promote_dtypes(*arrays)
    else:
        arrays = [asarray(a, dtype=dtype) for a in arrays]
    shapes = [get_aval(a).shape for a in arrays]
    shapes_str = ", ".join(map(str, shapes))
    # TypeError with these messages, as JAX's (lax.concatenate's shape rule).
    if builtins.any(len(s) != nd for s in shapes):
        raise TypeError("jnp.concatenate: Cannot concatenate arrays with different numbers of "
                        f"dimensions: got {shapes_str}.")
    if builtins.any(s[:axis] + s[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:]
                    for s in shapes):
        raise TypeError("jnp.concatenate: Cannot concatenate arrays with shapes that differ in "
                        "dimensions other than the one being concatenated: concatenating along "
                        f"dimension {axis} for shapes {shapes_str}.")
    return lax.concatenate(arrays, axis)


concat = concatenate


def stack(arrays, axis=0, out=None, dtype=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.stack is not supported.")
    if isinstance(arrays, (core.Array, np.ndarray)):
        arrays = _unstack(arrays)
    arrays = list(arrays)
    if not arrays:
        raise ValueError("Need at least one array to stack.")
    check_arraylike("stack", *arrays)
    arrays = [asarray_arg(a) for a in arrays]
    shapes = {get_aval(a).shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"All input arrays must have the same shape, got {sorted(shapes)}.")
    arrays = promote_dtypes(*arrays) if dtype is None else [asarray(a, dtype=dtype) for a in arrays]
    axis = canonicalize_axis(axis, get_aval(arrays[0]).ndim + 1)
    return lax.concatenate([lax.expand_dims(a, (axis,)) for a in arrays], axis)


def _seq(name, tup):
    if isinstance(tup, (core.Array, np.ndarray)):
        return _unstack(tup)
    tup = list(tup)
    check_arraylike(name, *tup)
    return tup


def hstack(tup, dtype=None):
    arrs = [atleast_1d(a) for a in _seq("hstack", tup)]
    if not arrs:
        raise ValueError("Need at least one array to concatenate.")
    return concatenate(arrs, 0 if ndim(arrs[0]) == 1 else 1, dtype=dtype)


def vstack(tup, dtype=None):
    return concatenate([atleast_2d(a) for a in _seq("vstack", tup)], 0, dtype=dtype)


row_stack = vstack


def dstack(tup, dtype=None):
    return concatenate([atleast_3d(a) for a in _seq("dstack", tup)], 2, dtype=dtype)


def column_stack(tup):
    arrs = [asarray(a) for a in _seq("column_stack", tup)]
    arrs = [lax.reshape(a, (get_aval(a).size, 1)) if ndim(a) < 2 else a for a in arrs]
    return concatenate(arrs, 1)


def flip(m, axis=None):
    check_arraylike("flip", m)
    m = asarray_arg(m)
    nd = get_aval(m).ndim
    axes = range(nd) if axis is None else _index_tuple(axis)
    return lax.rev(m, tuple(canonicalize_axis(a, nd) for a in axes))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


# ---------------------------------------------------------------------------
# selection


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """where(condition, x, y): x where condition holds, else y (broadcast, promoted).
    where(condition): nonzero(condition), with `size` and `fill_value` as nonzero has them."""
    if x is None and y is None:
        from pyjax._src.numpy import indexing
        return indexing.where_one_argument(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        # As JAX: the missing operand fails the array-like check, naming its position.
        check_arraylike("where", condition, x, y)
    if size is not None or fill_value is not None:
        raise ValueError("size and fill_value arguments cannot be used in three-term where "
                         "function.")
    check_arraylike("where", condition, x, y)
    condition = asarray_arg(condition)
    if get_aval(condition).dtype != np.bool_:
        condition = lax.ne(condition, lax.full_like(condition, 0))
    x, y = promote_dtypes(x, y)
    condition, x, y = promote_shapes("where", condition, x, y)
    return lax.select(condition, x, y)


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist ({len(condlist)} vs "
                         f"{len(choicelist)})")
    if not condlist:
        raise ValueError("condlist must be non-empty")
    out = default
    for c, v in reversed(list(zip(condlist, choicelist))):
        out = where(c, v, out)
    return out


def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):
    arr = a if arr is None else arr
    min = a_min if min is None else min
    max = a_max if max is None else max
    if arr is None:
        raise ValueError("No input was provided to the clip function.")
    check_arraylike("clip", arr)
    if builtins.any(v is not None and np.iscomplexobj(v if not isinstance(v, core.Array)
                                                      else np.empty((), v.dtype))
                    for v in (arr, min, max)):
        raise ValueError("Clip received a complex value either through the input or the min/max "
                         "keywords. Complex values have no ordering and cannot be clipped.")
    if min is not None:
        arr = ufuncs.maximum(min, arr)
    if max is not None:
        arr = ufuncs.minimum(max, arr)
    return asarray(arr)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = promote_args_inexact("isclose", a, b)
    dt = get_aval(a).dtype
    if dtypes.issubdtype(dt, np.complexfloating):
        dt = np.array(0, dt).real.dtype
    shp = get_aval(a).shape
    rtol = broadcast_to_shape(lax.convert_element_type(asarray_arg(rtol), dt), shp)
    atol = broadcast_to_shape(lax.convert_element_type(asarray_arg(atol), dt), shp)
    both_nan = ufuncs.logical_and(ufuncs.isnan(a), ufuncs.isnan(b))
    in_range = lax.le(lax.abs(lax.sub(a, b)), lax.add(atol, lax.mul(rtol, lax.abs(b))))
    out = ufuncs.logical_or(lax.eq(a, b), ufuncs.logical_and(ufuncs.isfinite(b), in_range))
    return ufuncs.logical_or(out, both_nan) if equal_nan else out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    check_arraylike("allclose", a, b)
    return reductions.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if shape(a1) != shape(a2):
        return asarray(False)
    eq = ufuncs.equal(a1, a2)
    if equal_nan:
        eq = ufuncs.logical_or(eq, ufuncs.logical_and(ufuncs.isnan(a1), ufuncs.isnan(a2)))
    return reductions.all(eq)


def array_equiv(a1, a2):
    a1, a2 = asarray(a1), asarray(a2)
    try:
        eq = ufuncs.equal(a1, a2)
    except ValueError:
        return asarray(False)
    return reductions.all(eq)


# ---------------------------------------------------------------------------
# products


def _result_dtype(preferred_element_type, *args):
    """(dtype, weak) of a product: JAX's promotion, or the requested element type (strong)."""
    if preferred_element_type is None:
        return dtypes.result_type(*args, return_weak_type_flag=True)
    return _user_dtype(preferred_element_type), False


def _dot_general(a, b, dims, dt, weak):
    """dot_general of a and b converted to dtype `dt`, with the result typed (dt, weak)."""
    a = lax.convert_element_type(a, dt, get_aval(a).weak_type)
    b = lax.convert_element_type(b, dt, get_aval(b).weak_type)
    out = lax.dot_general(a, b, dims)
    return lax.convert_element_type(out, dt, weak)


def matmul(a, b, *, precision=None, preferred_element_type=None):
    check_arraylike("matmul", a, b)
    a, b = asarray_arg(a), asarray_arg(b)
    for i, x in enumerate((a, b)):
        if get_aval(x).ndim < 1:
            raise ValueError(f"matmul input operand {i} must have ndim at least 1, but it has "
                             f"ndim {get_aval(x).ndim}")
    dt, weak = _result_dtype(preferred_element_type, a, b)
    sa, sb = get_aval(a).shape, get_aval(b).shape
    a_mat, b_mat = len(sa) > 1, len(sb) > 1
    a_batch = sa[:-2] if a_mat else ()
    b_batch = sb[:-2] if b_mat else ()
    nb = builtins.max(len(a_batch), len(b_batch))
    a_batch = (None,) * (nb - len(a_batch)) + tuple(a_batch)
    b_batch = (None,) * (nb - len(b_batch)) + tuple(b_batch)
    a_squeeze, b_squeeze, both_squeeze = [], [], []
    batch_a, batch_b = [], []
    idx_batch, idx_a_other, idx_b_other = [], [], []
    for i, (da, db) in enumerate(zip(a_batch, b_batch)):
        if da is None:
            idx_b_other.append(i)
        elif db is None:
            idx_a_other.append(i)
        elif da == 1 and db == 1:
            a_squeeze.append(len(idx_batch) + len(idx_a_other) + len(a_squeeze))
            b_squeeze.append(len(idx_batch) + len(idx_b_other) + len(b_squeeze))
            both_squeeze.append(i)
        elif da == 1:
            idx_b_other.append(i)
            a_squeeze.append(len(idx_batch) + len(idx_a_other) + len(a_squeeze))
        elif db == 1:
            idx_a_other.append(i)
            b_squeeze.append(len(idx_batch) + len(idx_b_other) + len(b_squeeze))
        elif da == db:
            batch_a.append(len(idx_batch) + len(idx_a_other))
            batch_b.append(len(idx_batch) + len(idx_b_other))
            idx_batch.append(i)
        else:
            raise ValueError(f"Incompatible shapes for matmul arguments: {sa} and {sb}")
    if a_mat:
        idx_a_other.append(nb)
    if b_mat:
        idx_b_other.append(nb + a_mat)
    if sa[-1] != sb[-2 if b_mat else -1]:
        raise ValueError(f"matmul: contracting dimensions differ: {sa[-1]} and "
                         f"{sb[-2 if b_mat else -1]} (shapes {sa} and {sb})")
    perm = tuple(int(p) for p in np.argsort(idx_batch + idx_a_other + idx_b_other))
    a = lax.squeeze(a, tuple(a_squeeze))
    b = lax.squeeze(b, tuple(b_squeeze))
    na, nbd = get_aval(a).ndim, get_aval(b).ndim
    out = _dot_general(a, b, (((na - 1,), (nbd - 1 - b_mat,)), (tuple(batch_a), tuple(batch_b))),
                       dt, weak)
    out = lax.transpose(out, perm)
    if both_squeeze:
        out = lax.expand_dims(out, tuple(both_squeeze))
    return out


def dot(a, b, *, precision=None, preferred_element_type=None):
    check_arraylike("dot", a, b)
    a, b = asarray_arg(a), asarray_arg(b)
    dt, weak = _result_dtype(preferred_element_type, a, b)
    na, nb = get_aval(a).ndim, get_aval(b).ndim
    if na == 0 or nb == 0:
        contract = ((), ())
    elif nb == 1:
        contract = ((na - 1,), (0,))
    else:
        contract = ((na - 1,), (nb - 2,))
    return _dot_general(a, b, (contract, ((), ())), dt, weak)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    check_arraylike("vdot", a, b)
    a, b = asarray_arg(a), asarray_arg(b)
    if dtypes.issubdtype(get_aval(a).dtype, np.complexfloating):
        a = ufuncs.conj(a)
    return dot(ravel(a), ravel(b), preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    check_arraylike("vecdot", x1, x2)
    x1, x2 = asarray_arg(x1), asarray_arg(x2)
    s1, s2 = get_aval(x1).shape, get_aval(x2).shape
    a1, a2 = canonicalize_axis(axis, len(s1)), canonicalize_axis(axis, len(s2))
    if s1[a1] != s2[a2]:
        raise ValueError(f"axes must match; got shapes {s1} and {s2} with axis={axis}")
    x1, x2 = moveaxis(x1, a1, -1), moveaxis(x2, a2, -1)
    if dtypes.issubdtype(get_aval(x1).dtype, np.complexfloating):
        x1 = ufuncs.conj(x1)
    out = matmul(lax.expand_dims(x1, (get_aval(x1).ndim - 1,)),
                 lax.expand_dims(x2, (get_aval(x2).ndim,)),
                 preferred_element_type=preferred_element_type)
    return lax.squeeze(out, (get_aval(out).ndim - 2, get_aval(out).ndim - 1))


def inner(a, b, *, precision=None, preferred_element_type=None):
    check_arraylike("inner", a, b)
    a, b = asarray_arg(a), asarray_arg(b)
    if get_aval(a).ndim == 0 or get_aval(b).ndim == 0:
        if preferred_element_type is not None:
            a = lax.convert_element_type(a, _user_dtype(preferred_element_type))
            b = lax.convert_element_type(b, _user_dtype(preferred_element_type))
        return ufuncs.multiply(a, b)
    return tensordot(a, b, (-1, -1), preferred_element_type=preferred_element_type)


def outer(a, b, out=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.outer is not supported.")
    check_arraylike("outer", a, b)
    a, b = promote_dtypes(a, b)
    a, b = ravel(a), ravel(b)
    return ufuncs.multiply(lax.expand_dims(a, (1,)), lax.expand_dims(b, (0,)))


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    check_arraylike("tensordot", a, b)
    a, b = asarray_arg(a), asarray_arg(b)
    na, nb = get_aval(a).ndim, get_aval(b).ndim
    dt, weak = _result_dtype(preferred_element_type, a, b)
    if type(axes) is int:
        if axes > builtins.min(na, nb) or axes < 0:
            raise TypeError(f"Number of tensordot axes (axes {axes}) exceeds input ranks "
                            f"({get_aval(a).shape} and {get_aval(b).shape})")
        ca, cb = tuple(range(na - axes, na)), tuple(range(axes))
    elif isinstance(axes, (tuple, list)) and len(axes) == 2:
        ax1, ax2 = axes
        if isinstance(ax1, int) and isinstance(ax2, int):
            ca, cb = (canonicalize_axis(ax1, na),), (canonicalize_axis(ax2, nb),)
        elif isinstance(ax1, (tuple, list)) and isinstance(ax2, (tuple, list)):
            if len(ax1) != len(ax2):
                raise TypeError(f"tensordot requires axes lists to have equal length, got {ax1} "
                                f"and {ax2}.")
            ca = tuple(canonicalize_axis(i, na) for i in ax1)
            cb = tuple(canonicalize_axis(i, nb) for i in ax2)
        else:
            raise TypeError("tensordot requires both axes lists to be either ints, tuples or "
                            f"lists, got {ax1} and {ax2}")
    else:
        raise TypeError("tensordot axes argument must be an int, a pair of ints, or a pair of "
                        "lists/tuples of ints.")
    return _dot_general(a, b, ((ca, cb), ((), ())), dt, weak)


def kron(a, b):
    check_arraylike("kron", a, b)
    a, b = promote_dtypes(a, b)
    nd = builtins.max(ndim(a), ndim(b))
    a = lax.reshape(a, (1,) * (nd - ndim(a)) + shape(a))
    b = lax.reshape(b, (1,) * (nd - ndim(b)) + shape(b))
    a_exp = lax.reshape(a, [d for s in shape(a) for d in (s, 1)])
    b_exp = lax.reshape(b, [d for s in shape(b) for d in (1, s)])
    return lax.reshape(ufuncs.multiply(a_exp, b_exp), [x * y for x, y in zip(shape(a), shape(b))])


# --- einsum --------------------------------------------------------------------------


def _sublist_to_str(sub):
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
        else:
            s = operator.index(s)
            if not 0 <= s < 52:
                raise ValueError(f"einsum: subscript {s} out of range [0, 52)")
            out.append(opt_einsum.get_symbol(s))
    return "".join(out)


def _parse_interleaved(args):
    """einsum(op0, sub0, op1, sub1, ..., [sub_out]) -> ("..,..->..", operands)."""
    args = list(args)
    out_sub = args.pop() if len(args) % 2 == 1 else None
    ops, subs = args[0::2], args[1::2]
    spec = ",".join(_sublist_to_str(s) for s in subs)
    if out_sub is not None:
        spec += "->" + _sublist_to_str(out_sub)
    return spec, ops


def einsum(subscripts, *operands, out=None, optimize="auto", precision=None,
           preferred_element_type=None, _dot_general=None):
    """Einstein summation: opt_einsum picks the pairwise order, each pair is one dot_general.

    Supports repeated indices (diagonals and traces), '...' with broadcasting, size-1
    broadcasting of named dimensions and the implicit output (no '->')."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.einsum is not supported.")
    if not isinstance(subscripts, str):
        subscripts, operands = _parse_interleaved((subscripts,) + operands)
    operands = [o.__jax_array__() if hasattr(o, "__jax_array__") and not isinstance(o, core.Array)
                else o for o in operands]
    check_arraylike("einsum", *operands)
    operands = [asarray_arg(o) for o in operands]
    shapes = [get_aval(o).shape for o in operands]
    if optimize is True:
        path = "optimal"
    elif optimize is False or optimize is None:
        path = [(0, 1)] * (len(operands) - 1) if len(operands) > 1 else [(0,)]
    else:
        path = optimize
    try:
        _, contractions = opt_einsum.contract_path(subscripts, *shapes, shapes=True,
                                                   einsum_call=True, use_blas=True, optimize=path)
    except (ValueError, TypeError) as e:
        raise ValueError(f"einsum: {e} (subscripts {subscripts!r}, shapes {shapes})") from None
    dt, weak = _result_dtype(preferred_element_type, *operands)
    ops = [lax.convert_element_type(o, dt, get_aval(o).weak_type) for o in operands]
    for contraction in contractions:
        idx, contracted, eq = contraction[0], contraction[1], contraction[2]
        ins, result_names = eq.split("->")
        in_names = ins.split(",")
        args = [ops.pop(i) for i in idx]
        if len(args) == 1:
            x, names = args[0], in_names[0]
            counts = collections.Counter(names)
            uniques = [c for c in sorted(contracted) if counts[c] == 1]
            x, names = _sum_names(x, names, uniques)
            x, names = _sum_repeats(x, names, counts, result_names)
        elif len(args) == 2:
            x, names = _einsum_pair(args[0], args[1], in_names[0], in_names[1], sorted(contracted),
                                    result_names)
        else:
            raise NotImplementedError("einsum: contractions of 3 or more operands at once are "
                                      "not supported; pass another `optimize` path.")
        if names != result_names:
            x = lax.transpose(x, tuple(names.index(c) for c in result_names))
        ops.append(x)
    return lax.convert_element_type(ops[0], dt, weak)


def _remove(names, chars):
    return "".join(c for c in names if c not in chars)


def _sum_names(x, names, chars):
    if not chars:
        return x, names
    axes = tuple(names.index(c) for c in chars)
    prim = lax.reduce_or if get_aval(x).dtype == np.bool_ else lax.reduce_sum
    return prim(x, axes), _remove(names, chars)


def _sum_repeats(x, names, counts, keep_names):
    """Take the diagonal of each repeated letter (summing it out unless it is kept)."""
    for name, count in counts.items():
        if count <= 1:
            continue
        axes = [i for i, n in enumerate(names) if n == name]
        shp = get_aval(x).shape
        first = lax.broadcasted_iota(np.int32, shp, axes[0])
        mask = None
        for ax in axes[1:]:
            m = lax.eq(first, lax.broadcasted_iota(np.int32, shp, ax))
            mask = m if mask is None else lax.bitwise_and(mask, m)
        x = lax.select(mask, x, lax.full_like(x, 0))
        prim = lax.reduce_or if get_aval(x).dtype == np.bool_ else lax.reduce_sum
        if name not in keep_names:
            x = prim(x, tuple(axes))
            names = names.replace(name, "")
        else:
            x = prim(x, tuple(axes[:-1]))
            names = names.replace(name, "", count - 1)
    return x, names


def _filter_singleton_dims(x, names, other_shape, other_names):
    """Drop size-1 dims whose letter has a larger size on the other operand (broadcasting)."""
    shp = get_aval(x).shape
    drop = []
    for i, c in enumerate(names):
        j = other_names.find(c)
        if shp[i] == 1 and j != -1 and other_shape[j] != 1:
            drop.append(i)
    if not drop:
        return x, names
    return lax.squeeze(x, tuple(drop)), "".join(c for i, c in enumerate(names) if i not in drop)


def _einsum_pair(lhs, rhs, lhs_names, rhs_names, contracted, result_names):
    lhs, lhs_names = _filter_singleton_dims(lhs, lhs_names, get_aval(rhs).shape, rhs_names)
    rhs, rhs_names = _filter_singleton_dims(rhs, rhs_names, get_aval(lhs).shape, lhs_names)
    lc, rc = collections.Counter(lhs_names), collections.Counter(rhs_names)
    lhs, lhs_names = _sum_names(lhs, lhs_names, [c for c in contracted if lc[c] == 1 and rc[c] == 0])
    rhs, rhs_names = _sum_names(rhs, rhs_names, [c for c in contracted if rc[c] == 1 and lc[c] == 0])
    lhs, lhs_names = _sum_repeats(lhs, lhs_names, lc, result_names + rhs_names)
    rhs, rhs_names = _sum_repeats(rhs, rhs_names, rc, result_names + lhs_names)
    both = set(lhs_names) & set(rhs_names)
    contracted = [c for c in contracted if c in both]
    batch = [c for c in result_names if c in both]
    # A letter on both sides that is neither contracted nor in the output cannot happen
    # (opt_einsum lists it as contracted), so every shared letter is batch or contracted.
    dims = ((tuple(lhs_names.index(c) for c in contracted), tuple(rhs_names.index(c) for c in contracted)),
            (tuple(lhs_names.index(c) for c in batch), tuple(rhs_names.index(c) for c in batch)))
    out = lax.dot_general(lhs, rhs, dims)
    deleted = "".join(batch) + "".join(contracted)
    names = "".join(batch) + _remove(lhs_names, deleted) + _remove(rhs_names, deleted)
    return out, names


def einsum_path(subscripts, *operands, optimize="greedy"):
    shapes = [shape(o) for o in operands]
    return opt_einsum.contract_path(subscripts, *shapes, shapes=True, optimize=optimize)


# ---------------------------------------------------------------------------
# small helpers users expect


def iscomplexobj(x):
    if x is None:
        return False
    try:
        dt = get_aval(asarray_arg(x)).dtype
    except TypeError:
        dt = np.asarray(x).dtype
    return dtypes.issubdtype(dt, np.complexfloating)


def isrealobj(x):
    return not iscomplexobj(x)


def isscalar(element):
    if hasattr(element, "__jax_array__") and not isinstance(element, core.Array):
        element = element.__jax_array__()
    if isinstance(element, core.Array):
        return get_aval(element).ndim == 0
    return np.isscalar(element)


def result_type(*args):
    return dtypes.result_type(*args)


def promote_types(a, b):
    return dtypes.promote_types(a, b)


def can_cast(from_, to, casting="safe"):
    if isinstance(from_, core.Array):
        from_ = get_aval(from_).dtype
    return np.can_cast(from_, to, casting)


def astype(x, dtype, /, *, copy=False, device=None):
    check_arraylike("astype", x)
    return lax.convert_element_type(asarray_arg(x), _user_dtype(dtype))


def copy(a, order=None):
    a = asarray(a)
    return a.copy() if type(a) is ArrayImpl else a


def diagonal(a, offset=0, axis1=0, axis2=1):
    a = asarray(a)
    nd = get_aval(a).ndim
    if nd < 2:
        raise ValueError("diagonal requires an array of at least two dimensions.")
    i, j = canonicalize_axis(axis1, nd), canonicalize_axis(axis2, nd)
    if i == j:
        raise ValueError("axis1 and axis2 cannot be the same")
    a = moveaxis(a, (i, j), (nd - 2, nd - 1))
    n, m = get_aval(a).shape[-2:]
    offset = operator.index(offset)
    k = builtins.max(0, builtins.min(n + builtins.min(offset, 0), m - builtins.max(offset, 0)))
    r0, c0 = builtins.max(-offset, 0), builtins.max(offset, 0)
    a = lax.slice_in_dim(a, r0, r0 + k, axis=nd - 2)
    a = lax.slice_in_dim(a, c0, c0 + k, axis=nd - 1)
    shp = get_aval(a).shape
    mask = lax.eq(lax.broadcasted_iota(np.int32, shp, nd - 2), lax.broadcasted_iota(np.int32, shp, nd - 1))
    a = lax.select(mask, a, lax.full_like(a, 0))
    prim = lax.reduce_or if get_aval(a).dtype == np.bool_ else lax.reduce_sum
    return prim(a, (nd - 2,))


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.trace is not supported.")
    return reductions.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v, k=0):
    v = asarray(v)
    nd = ndim(v)
    if nd == 1:
        n = shape(v)[0] + builtins.abs(k)
        cols = lax.broadcasted_iota(np.int32, (n, n), 1)
        rows = lax.broadcasted_iota(np.int32, (n, n), 0)
        mask = lax.eq(lax.add(rows, lax.full((n, n), k, np.int32)), cols)
        pad = [(builtins.max(k, 0), builtins.max(-k, 0), 0)]
        vp = lax.pad(v, lax.full((), 0, get_aval(v).dtype), pad)
        return lax.select(mask, broadcast_to_shape(vp, (n, n)), lax.full((n, n), 0, get_aval(v).dtype,
                                                                         get_aval(v).weak_type))
    if nd == 2:
        return diagonal(v, k)
    raise ValueError("diag input must be 1d or 2d")
