"""jax.numpy array creation, shape manipulation, selection and products, written with lax."""
import builtins
import operator

import numpy as np
import opt_einsum

from pyjax._src import core, dtypes
from pyjax._src.core import ArrayImpl, Tracer, get_aval
from pyjax._src.lax import lax
from pyjax._src.numpy import reductions, ufuncs
from pyjax._src.numpy.util import (broadcast_shapes_of, broadcast_to_shape, canonicalize_axis,
                                   check_arraylike, promote_args, promote_dtypes,
                                   promote_dtypes_inexact, promote_shapes)

# ---------------------------------------------------------------------------
# creation


def _default_dtype(dtype, fill_value=None):
    if dtype is not None:
        return dtypes.canonicalize_dtype(dtype)
    if fill_value is not None:
        return dtypes.dtype(fill_value, canonicalize=True)
    return dtypes.default_float_dtype()


def array(object, dtype=None, copy=True, order="K", ndmin=0, *, device=None):
    """An Array from array-likes: scalars, (nested) sequences, NumPy arrays, Arrays, tracers."""
    if isinstance(object, core.Array):
        out = object if dtype is None else lax.convert_element_type(object, dtype)
    elif isinstance(object, (list, tuple)) and _contains_tracer(object):
        leaves = [array(x) for x in object]
        dt, weak = dtypes.result_type(*leaves, return_weak_type_flag=True)
        if dtype is not None:
            dt, weak = dtypes.canonicalize_dtype(dtype), False
        out = lax.stack([lax.convert_element_type(x, dt, weak) for x in leaves]) if leaves \
            else ArrayImpl(np.zeros((0,), dt))
    else:
        if hasattr(object, "__jax_array__"):
            return array(object.__jax_array__(), dtype, copy, order, ndmin)
        weak = False
        if type(object) in (int, float, complex) and dtype is None:
            weak = True
            dt = dtypes.dtype(object, canonicalize=True)
        elif dtype is not None:
            dt = dtypes.canonicalize_dtype(dtype)
        else:
            dt = _infer_dtype(object)
        try:
            value = np.asarray(object, dtype=dt)
        except (TypeError, ValueError) as e:
            raise TypeError(f"array: cannot convert {type(object).__name__} to an array: {e}") from None
        if value.dtype == np.dtype("O"):
            raise TypeError(f"array: unsupported input of type {type(object).__name__}")
        out = ArrayImpl(value, weak)
    if ndmin > get_aval(out).ndim:
        out = lax.reshape(out, (1,) * (ndmin - get_aval(out).ndim) + get_aval(out).shape)
    return out


def _contains_tracer(obj):
    if isinstance(obj, core.Array) and not type(obj) is ArrayImpl:
        return True
    if isinstance(obj, (list, tuple)):
        return builtins.any(_contains_tracer(o) for o in obj) or builtins.any(
            type(o) is ArrayImpl for o in obj)
    return False


def _infer_dtype(obj):
    """The dtype JAX gives to a (nested) list of Python scalars or NumPy values."""
    if isinstance(obj, (np.ndarray, np.generic)):
        return dtypes.canonicalize_dtype(obj.dtype)
    if isinstance(obj, (list, tuple)):
        leaves = list(_flat(obj))
        if not leaves:
            return dtypes.default_float_dtype()
        return dtypes.result_type(*leaves)
    return dtypes.dtype(obj, canonicalize=True)


def _flat(obj):
    for o in obj:
        if isinstance(o, (list, tuple)):
            yield from _flat(o)
        else:
            yield o


def asarray(a, dtype=None, order=None, *, copy=None, device=None):
    if isinstance(a, core.Array) and dtype is None:
        return a
    return array(a, dtype=dtype, copy=False)


def zeros(shape, dtype=None, *, device=None):
    return lax.full(shape, 0, _default_dtype(dtype))


def ones(shape, dtype=None, *, device=None):
    return lax.full(shape, 1, _default_dtype(dtype))


def empty(shape, dtype=None, *, device=None):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None, *, device=None):
    fill = asarray(fill_value)
    if get_aval(fill).shape:
        return broadcast_to(asarray(fill_value, dtype), shape)
    return lax.full(shape, fill_value, dtype if dtype is None else dtypes.canonicalize_dtype(dtype))


def _like(fill):
    def fn(a, dtype=None, shape=None, *, device=None):
        aval = get_aval(asarray(a))
        dt = aval.dtype if dtype is None else dtypes.canonicalize_dtype(dtype)
        weak = aval.weak_type if dtype is None else False
        return lax.full(aval.shape if shape is None else shape, fill, dt, weak)
    return fn


zeros_like, ones_like, empty_like = _like(0), _like(1), _like(0)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    aval = get_aval(asarray(a))
    dt = aval.dtype if dtype is None else dtypes.canonicalize_dtype(dtype)
    return lax.full(aval.shape if shape is None else shape, fill_value, dt,
                    aval.weak_type if dtype is None else False)


def arange(start, stop=None, step=None, dtype=None, *, device=None):
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if v is not None and isinstance(v, Tracer):
            core.concrete_or_error(v, f"the {name} argument of jnp.arange (it must be static)")
    start = _py(start)
    stop, step = _py(stop), _py(step)
    if dtype is None:
        vals = [v for v in (start, stop, step) if v is not None]
        dtype = dtypes.result_type(*vals)
        if builtins.all(isinstance(v, (int, np.integer)) for v in vals):
            dtype = dtypes.canonicalize_dtype(dtype)
    dtype = dtypes.canonicalize_dtype(dtype)
    if stop is None and step is None:
        n = builtins.max(int(np.ceil(start)), 0)
        return lax.iota(dtype, n)
    return ArrayImpl(np.arange(start, stop, step if step is not None else 1).astype(dtype))


def _py(v):
    if v is None:
        return None
    if isinstance(v, core.Array):
        return np.asarray(core.concrete_or_error(v)).item()
    return v


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start, stop = promote_dtypes_inexact(asarray(start), asarray(stop))
    dt = get_aval(start).dtype if dtype is None else dtypes.canonicalize_dtype(dtype)
    compute = dtypes.to_inexact_dtype(dt)
    start, stop = lax.convert_element_type(start, compute), lax.convert_element_type(stop, compute)
    bshape = broadcast_shapes_of("linspace", get_aval(start).shape, get_aval(stop).shape)
    start, stop = broadcast_to_shape(start, bshape), broadcast_to_shape(stop, bshape)
    div = (num - 1) if endpoint else num
    shape = (num,) + bshape
    s = lax.broadcast_in_dim(start, shape, tuple(range(1, len(shape))))
    e = lax.broadcast_in_dim(stop, shape, tuple(range(1, len(shape))))
    if num > 1 or (num == 1 and not endpoint):
        step = ufuncs.true_divide(ufuncs.subtract(e, s), div)
        it = lax.convert_element_type(lax.broadcasted_iota(np.int32, shape, 0), compute)
        out = ufuncs.add(s, ufuncs.multiply(it, step))
        if endpoint and num > 1:
            out = lax.concatenate([lax.slice_in_dim(out, 0, num - 1), lax.slice_in_dim(e, 0, 1)], 0)
        stepval = lax.slice_in_dim(step, 0, 1) if num else step
    else:
        out = s
        stepval = ufuncs.subtract(e, s)
    out = moveaxis(out, 0, axis)
    if dtypes.issubdtype(dt, np.integer):
        out = ufuncs.floor(out)
    out = lax.convert_element_type(out, dt)
    if retstep:
        return out, reshape(stepval, bshape) if num else stepval
    return out


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    lin = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    out = ufuncs.power(asarray(base, get_aval(lin).dtype), lin)
    return out if dtype is None else lax.convert_element_type(out, dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    start, stop = promote_dtypes_inexact(asarray(start), asarray(stop))
    out = ufuncs.exp(linspace(ufuncs.log(start), ufuncs.log(stop), num, endpoint=endpoint, axis=axis))
    return out if dtype is None else lax.convert_element_type(out, dtype)


def eye(N, M=None, k=0, dtype=None, *, device=None):
    M = N if M is None else M
    dt = _default_dtype(dtype)
    rows = lax.broadcasted_iota(np.int32, (N, M), 0)
    cols = lax.broadcasted_iota(np.int32, (N, M), 1)
    return lax.convert_element_type(lax.eq(lax.add(rows, np.int32(k)), cols), dt)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    M = N if M is None else M
    rows = lax.broadcasted_iota(np.int32, (N, M), 0)
    cols = lax.broadcasted_iota(np.int32, (N, M), 1)
    return lax.convert_element_type(lax.ge(lax.add(rows, np.int32(k)), cols), _default_dtype(dtype))


# ---------------------------------------------------------------------------
# shape manipulation


def shape(a):
    return get_aval(asarray(a)).shape


def ndim(a):
    return get_aval(asarray(a)).ndim


def size(a, axis=None):
    s = shape(a)
    return int(np.prod(s, dtype=np.int64)) if axis is None else s[axis]


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    if shape is None:
        shape = newshape
    a = asarray(a)
    aval = get_aval(a)
    if isinstance(shape, (int, np.integer)) or (isinstance(shape, core.Array) and not shape.shape):
        shape = (shape,)
    shape = [operator.index(d) if not isinstance(d, Tracer) else
             int(core.concrete_or_error(d, "a shape")) for d in shape]
    if shape.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        if known == 0 or aval.size % known:
            raise ValueError(f"cannot reshape array of shape {aval.shape} (size {aval.size}) "
                             f"into shape {tuple(shape)}")
        shape[shape.index(-1)] = aval.size // known
    if order == "F":
        return transpose(lax.reshape(transpose(a), shape[::-1]))
    if order not in ("C", "A"):
        raise ValueError(f"reshape: unsupported order {order!r}")
    return lax.reshape(a, tuple(shape))


def ravel(a, order="C"):
    a = asarray(a)
    return reshape(a, (get_aval(a).size,), order=order)


def transpose(a, axes=None):
    a = asarray(a)
    nd = get_aval(a).ndim
    axes = tuple(range(nd))[::-1] if axes is None else tuple(canonicalize_axis(i, nd) for i in axes)
    return lax.transpose(a, axes)


permute_dims = transpose


def matrix_transpose(x):
    x = asarray(x)
    nd = get_aval(x).ndim
    if nd < 2:
        raise ValueError(f"matrix_transpose requires an array of at least 2 dims, got {nd}")
    return lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def swapaxes(a, axis1, axis2):
    a = asarray(a)
    nd = get_aval(a).ndim
    perm = list(range(nd))
    i, j = canonicalize_axis(axis1, nd), canonicalize_axis(axis2, nd)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, perm)


def moveaxis(a, source, destination):
    a = asarray(a)
    nd = get_aval(a).ndim
    src = [canonicalize_axis(s, nd) for s in (source if isinstance(source, (tuple, list)) else [source])]
    dst = [canonicalize_axis(d, nd) for d in (destination if isinstance(destination, (tuple, list)) else [destination])]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination must have the same number of elements")
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return lax.transpose(a, order)


def squeeze(a, axis=None):
    a = asarray(a)
    s = get_aval(a).shape
    if axis is None:
        axes = tuple(i for i, d in enumerate(s) if d == 1)
    else:
        axes = tuple(canonicalize_axis(x, len(s)) for x in (axis if isinstance(axis, (tuple, list)) else (axis,)))
        for x in axes:
            if s[x] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not equal "
                                 f"to one: axis {x} of shape {s}")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    a = asarray(a)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    nd = get_aval(a).ndim + len(axes)
    axes = [canonicalize_axis(x, nd) for x in axes]
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in expand_dims: {axis}")
    return lax.expand_dims(a, axes)


def broadcast_to(array, shape):
    a = asarray(array)
    shape = lax.canonicalize_shape(shape)
    s = get_aval(a).shape
    if len(shape) < len(s) or builtins.any(
            d not in (1, n) for d, n in zip(s[::-1], shape[::-1])):
        raise ValueError(f"Incompatible shapes for broadcasting: {s} and requested shape {shape}")
    return broadcast_to_shape(a, shape)


def broadcast_arrays(*args):
    args = [asarray(a) for a in args]
    shape = broadcast_shapes_of("broadcast_arrays", *[get_aval(a).shape for a in args])
    return [broadcast_to_shape(a, shape) for a in args]


def broadcast_shapes(*shapes):
    return broadcast_shapes_of("broadcast_shapes", *shapes)


def atleast_1d(*arys):
    out = [reshape(a, (1,)) if ndim(a) == 0 else asarray(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        out.append(reshape(a, (1,) * (2 - ndim(a)) + shape(a)) if ndim(a) < 2 else a)
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = []
    for a in arys:
        a = asarray(a)
        nd = ndim(a)
        if nd == 0:
            a = reshape(a, (1, 1, 1))
        elif nd == 1:
            a = reshape(a, (1, shape(a)[0], 1))
        elif nd == 2:
            a = reshape(a, shape(a) + (1,))
        out.append(a)
    return out[0] if len(out) == 1 else out


def concatenate(arrays, axis=0, dtype=None):
    if isinstance(arrays, core.Array):
        arrays = [arrays[i] for i in range(get_aval(arrays).shape[0])]
    arrays = list(arrays)
    if not arrays:
        raise ValueError("Need at least one array to concatenate.")
    check_arraylike("concatenate", *arrays)
    arrays = promote_dtypes(*arrays)
    if dtype is not None:
        arrays = [lax.convert_element_type(a, dtype) for a in arrays]
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    nd = get_aval(arrays[0]).ndim
    if nd == 0:
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    for a in arrays:
        if get_aval(a).ndim != nd:
            raise ValueError("concatenate: all the input arrays must have the same number of "
                             "dimensions, got shapes " + ", ".join(str(get_aval(x).shape) for x in arrays))
    return lax.concatenate(arrays, canonicalize_axis(axis, nd))


concat = concatenate


def stack(arrays, axis=0, out=None, dtype=None):
    arrays = [asarray(a) for a in arrays]
    if not arrays:
        raise ValueError("Need at least one array to stack.")
    shapes = {get_aval(a).shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"All input arrays must have the same shape, got {sorted(shapes)}")
    nd = get_aval(arrays[0]).ndim + 1
    axis = canonicalize_axis(axis, nd)
    return concatenate([lax.expand_dims(a, (axis,)) for a in arrays], axis, dtype=dtype)


def hstack(tup, dtype=None):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if ndim(arrs[0]) == 1 else 1, dtype=dtype)


def vstack(tup, dtype=None):
    return concatenate([atleast_2d(a) for a in tup], 0, dtype=dtype)


row_stack = vstack


def dstack(tup, dtype=None):
    return concatenate([atleast_3d(a) for a in tup], 2, dtype=dtype)


def column_stack(tup):
    arrs = [asarray(a) for a in tup]
    arrs = [reshape(a, (-1, 1)) if ndim(a) < 2 else a for a in arrs]
    return concatenate(arrs, 1)


def flip(m, axis=None):
    m = asarray(m)
    nd = get_aval(m).ndim
    axes = range(nd) if axis is None else (axis if isinstance(axis, (tuple, list)) else (axis,))
    return lax.rev(m, tuple(canonicalize_axis(a, nd) for a in axes))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


# ---------------------------------------------------------------------------
# selection


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    if x is None and y is None:
        raise NotImplementedError("jnp.where with one argument (nonzero) needs a static size; "
                                  "use jnp.nonzero")
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided "
                         "to jnp.where.")
    check_arraylike("where", condition, x, y)
    condition = asarray(condition)
    if get_aval(condition).dtype != np.bool_:
        condition = lax.ne(condition, lax.full_like(condition, 0))
    x, y = promote_dtypes(x, y)
    condition, x, y = promote_shapes("where", condition, x, y)
    return lax.select(condition, x, y)


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length, got "
                         f"{len(condlist)} and {len(choicelist)}")
    out = default
    for c, v in reversed(list(zip(condlist, choicelist))):
        out = where(c, v, out)
    return asarray(out)


def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):
    arr = a if arr is None else arr
    min = a_min if min is None else min
    max = a_max if max is None else max
    check_arraylike("clip", arr)
    arr = asarray(arr)
    if min is not None:
        arr = ufuncs.maximum(min, arr)
    if max is not None:
        arr = ufuncs.minimum(max, arr)
    return arr


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = promote_args("isclose", a, b)
    dt = get_aval(a).dtype
    if not dtypes.issubdtype(dt, np.inexact):
        return ufuncs.equal(a, b)
    rdt = np.finfo(dt).dtype if dtypes.issubdtype(dt, np.complexfloating) else dt
    rtol = lax.convert_element_type(rtol, rdt)
    atol = lax.convert_element_type(atol, rdt)
    diff = ufuncs.absolute(ufuncs.subtract(a, b))
    close = ufuncs.less_equal(diff, ufuncs.add(atol, ufuncs.multiply(rtol, ufuncs.absolute(b))))
    # Infinities are close only to themselves; NaN is close to nothing unless equal_nan.
    finite = ufuncs.logical_and(ufuncs.isfinite(a), ufuncs.isfinite(b))
    out = where(finite, close, ufuncs.equal(a, b))
    if equal_nan:
        out = ufuncs.logical_or(out, ufuncs.logical_and(ufuncs.isnan(a), ufuncs.isnan(b)))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return reductions.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if shape(a1) != shape(a2):
        return asarray(False)
    eq = ufuncs.equal(a1, a2)
    if equal_nan:
        eq = ufuncs.logical_or(eq, ufuncs.logical_and(ufuncs.isnan(a1), ufuncs.isnan(a2)))
    return reductions.all(eq)


# ---------------------------------------------------------------------------
# products


def matmul(a, b, *, precision=None, preferred_element_type=None):
    check_arraylike("matmul", a, b)
    a, b = promote_dtypes(a, b)
    sa, sb = get_aval(a).shape, get_aval(b).shape
    if not sa or not sb:
        raise ValueError(f"matmul: operands must not be scalars, got shapes {sa} and {sb}")
    a_vec, b_vec = len(sa) == 1, len(sb) == 1
    if a_vec:
        a = lax.expand_dims(a, (0,))
    if b_vec:
        b = lax.expand_dims(b, (1,))
    sa, sb = get_aval(a).shape, get_aval(b).shape
    if sa[-1] != sb[-2]:
        raise ValueError(f"matmul: contracting dimensions differ: {sa[-1]} and {sb[-2]} "
                         f"(shapes {sa} and {sb})")
    batch = broadcast_shapes_of("matmul", sa[:-2], sb[:-2])
    a = broadcast_to_shape(a, batch + sa[-2:])
    b = broadcast_to_shape(b, batch + sb[-2:])
    nb = len(batch)
    out = lax.dot_general(a, b, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))),
                          preferred_element_type=preferred_element_type)
    if a_vec:
        out = lax.squeeze(out, (nb,))
    if b_vec:
        out = lax.squeeze(out, (get_aval(out).ndim - 1,))
    return out


def dot(a, b, *, precision=None, preferred_element_type=None):
    check_arraylike("dot", a, b)
    a, b = promote_dtypes(a, b)
    na, nb = get_aval(a).ndim, get_aval(b).ndim
    if na == 0 or nb == 0:
        return ufuncs.multiply(a, b)
    contract_b = 0 if nb == 1 else nb - 2
    return lax.dot_general(a, b, (((na - 1,), (contract_b,)), ((), ())),
                           preferred_element_type=preferred_element_type)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    a, b = asarray(a), asarray(b)
    if dtypes.issubdtype(get_aval(a).dtype, np.complexfloating):
        a = ufuncs.conj(a)
    return dot(ravel(a), ravel(b), preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    x1, x2 = promote_args("vecdot", x1, x2)
    if dtypes.issubdtype(get_aval(x1).dtype, np.complexfloating):
        x1 = ufuncs.conj(x1)
    return reductions.sum(ufuncs.multiply(x1, x2), axis=axis)


def inner(a, b, *, precision=None, preferred_element_type=None):
    a, b = promote_dtypes(a, b)
    na, nb = get_aval(a).ndim, get_aval(b).ndim
    if na == 0 or nb == 0:
        return ufuncs.multiply(a, b)
    return lax.dot_general(a, b, (((na - 1,), (nb - 1,)), ((), ())),
                           preferred_element_type=preferred_element_type)


def outer(a, b, out=None):
    a, b = ravel(a), ravel(b)
    return ufuncs.multiply(lax.expand_dims(a, (1,)), b)


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    a, b = promote_dtypes(a, b)
    na, nb = get_aval(a).ndim, get_aval(b).ndim
    if isinstance(axes, int):
        if axes > builtins.min(na, nb):
            raise TypeError(f"tensordot: axes={axes} exceeds the operand ranks {na}, {nb}")
        ca, cb = tuple(range(na - axes, na)), tuple(range(axes))
    else:
        ca, cb = axes
        ca = (ca,) if isinstance(ca, int) else tuple(ca)
        cb = (cb,) if isinstance(cb, int) else tuple(cb)
        ca = tuple(canonicalize_axis(x, na) for x in ca)
        cb = tuple(canonicalize_axis(x, nb) for x in cb)
    return lax.dot_general(a, b, ((ca, cb), ((), ())), preferred_element_type=preferred_element_type)


def kron(a, b):
    a, b = promote_dtypes(a, b)
    nd = builtins.max(ndim(a), ndim(b))
    a = reshape(a, (1,) * (nd - ndim(a)) + shape(a))
    b = reshape(b, (1,) * (nd - ndim(b)) + shape(b))
    a_exp = reshape(a, [d for s in shape(a) for d in (s, 1)])
    b_exp = reshape(b, [d for s in shape(b) for d in (1, s)])
    return reshape(ufuncs.multiply(a_exp, b_exp), [x * y for x, y in zip(shape(a), shape(b))])


def einsum(subscripts, *operands, optimize="auto", precision=None, preferred_element_type=None,
           _dot_general=None):
    """Einstein summation: opt_einsum picks the pairwise order, each pair is one dot_general."""
    operands = [asarray(o) for o in operands]
    operands = promote_dtypes(*operands)
    shapes = [get_aval(o).shape for o in operands]
    opt = "greedy" if optimize in ("auto", True) else ("optimal" if optimize == "optimal" else False)
    if opt is False:
        opt = "greedy"
    try:
        _, contractions = opt_einsum.contract_path(subscripts, *[np.empty(s, np.int8) for s in shapes],
                                                   einsum_call=True, optimize=opt)
    except ValueError as e:
        raise ValueError(f"einsum: {e} (subscripts {subscripts!r}, shapes {shapes})") from None
    ops = list(operands)
    for contraction in contractions:
        idx, _, eq = contraction[:3]
        # opt_einsum pops operands in the order of `idx`; `eq` lists them in that order.
        args = [ops.pop(i) for i in idx]
        ins, out = eq.split("->")
        in_specs = ins.split(",")
        if len(in_specs) == 1:
            ops.append(_einsum_unary(args[0], in_specs[0], out))
        else:
            ops.append(_einsum_pair(args[0], args[1], in_specs[0], in_specs[1], out,
                                    preferred_element_type))
    return ops[0]


def _einsum_unary(x, spec, out):
    # Diagonals (repeated letters) are taken first, then sums over letters not in `out`.
    while len(set(spec)) != len(spec):
        for c in spec:
            if spec.count(c) > 1:
                break
        i, j = spec.index(c), spec.index(c, spec.index(c) + 1)
        x = _diagonal(x, i, j)
        spec = spec[:i] + spec[i + 1:j] + spec[j + 1:] + c
    summed = tuple(i for i, c in enumerate(spec) if c not in out)
    if summed:
        x = lax.reduce_sum(x, summed)
        spec = "".join(c for c in spec if c in out)
    return lax.transpose(x, tuple(spec.index(c) for c in out))


def _diagonal(x, i, j):
    """The diagonal over axes i and j, moved to the last axis."""
    n = get_aval(x).shape[i]
    nd = get_aval(x).ndim
    eye_mask = eye(n, dtype=np.bool_)
    mask = lax.broadcast_in_dim(eye_mask, get_aval(x).shape, (i, j))
    x = lax.select(mask, x, lax.full_like(x, 0))
    x = lax.reduce_sum(x, (j,))
    return moveaxis(x, i, nd - 2)


def _einsum_pair(a, b, sa, sb, out, preferred_element_type):
    a = _einsum_unary(a, sa, "".join(c for c in dict.fromkeys(sa) if c in sb or c in out))
    sa = "".join(c for c in dict.fromkeys(sa) if c in sb or c in out)
    b = _einsum_unary(b, sb, "".join(c for c in dict.fromkeys(sb) if c in sa or c in out))
    sb = "".join(c for c in dict.fromkeys(sb) if c in sa or c in out)
    batch = [c for c in sa if c in sb and c in out]
    contract = [c for c in sa if c in sb and c not in out]
    dims = ((tuple(sa.index(c) for c in contract), tuple(sb.index(c) for c in contract)),
            (tuple(sa.index(c) for c in batch), tuple(sb.index(c) for c in batch)))
    # Size-1 vs size-n letters broadcast: expand to the common size first.
    for c in batch + contract:
        na, nb = get_aval(a).shape[sa.index(c)], get_aval(b).shape[sb.index(c)]
        if na != nb:
            if na == 1:
                shp = list(get_aval(a).shape)
                shp[sa.index(c)] = nb
                a = broadcast_to_shape_at(a, shp)
            else:
                shp = list(get_aval(b).shape)
                shp[sb.index(c)] = na
                b = broadcast_to_shape_at(b, shp)
    res = lax.dot_general(a, b, dims, preferred_element_type=preferred_element_type)
    rspec = "".join(batch) + "".join(c for c in sa if c not in sb) + "".join(c for c in sb if c not in sa)
    return lax.transpose(res, tuple(rspec.index(c) for c in out))


def broadcast_to_shape_at(x, shape):
    return lax.broadcast_in_dim(x, tuple(shape), tuple(range(len(shape))))


# ---------------------------------------------------------------------------
# small helpers users expect


def iscomplexobj(x):
    return dtypes.issubdtype(get_aval(asarray(x)).dtype, np.complexfloating)


def isscalar(element):
    if isinstance(element, core.Array):
        return get_aval(element).ndim == 0
    return np.isscalar(element)


def result_type(*args):
    return dtypes.result_type(*args)


def promote_types(a, b):
    return dtypes.promote_types(a, b)


def can_cast(from_, to, casting="safe"):
    return np.can_cast(from_, to, casting)


def astype(x, dtype, /, *, copy=False, device=None):
    return lax.convert_element_type(asarray(x), dtype)


def copy(a, order=None):
    return asarray(a).copy() if type(asarray(a)) is ArrayImpl else asarray(a)


def diagonal(a, offset=0, axis1=0, axis2=1):
    a = asarray(a)
    nd = get_aval(a).ndim
    i, j = canonicalize_axis(axis1, nd), canonicalize_axis(axis2, nd)
    a = moveaxis(a, (i, j), (nd - 2, nd - 1))
    n, m = get_aval(a).shape[-2:]
    if offset >= 0:
        a = lax.slice_in_dim(a, 0, builtins.min(n, m - offset), axis=nd - 2) if m - offset > 0 else a
        a = lax.slice_in_dim(a, offset, offset + builtins.min(n, m - offset), axis=nd - 1)
    else:
        k = builtins.min(n + offset, m)
        a = lax.slice_in_dim(a, -offset, -offset + k, axis=nd - 2)
        a = lax.slice_in_dim(a, 0, k, axis=nd - 1)
    return _diagonal(a, nd - 2, nd - 1)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    return reductions.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)

