"""Windowed reductions, reductions with a user computation, and reduce_precision.

Primitives, each with all its rules beside it:

- `reduce_window_sum`, `reduce_window_max`, `reduce_window_min`: the monoid windowed
  reductions (pooling).  Sum is linear; its transpose pads the cotangent and sums windows
  again.  Max/min differentiate through `select_and_gather_add` (the tangent at the chosen
  element of each window), whose transpose is `select_and_scatter_add` (the cotangent
  added at the chosen element) and vice versa, as in JAX.
- `reduce_window`: any computation given as a jaxpr, over several operands; its jvp is a
  `reduce_window` of the jvp of the computation over (primals, tangents).
- `reduce`: `lax.reduce` with a computation that is not a known monoid; its jvp reduces by
  halving with the computation (as JAX).
- `reduce_precision`: rounding to fewer exponent/mantissa bits, bit for bit as XLA.

Window semantics follow XLA: the operand is dilated (`base_dilation`) and padded with the
init value, windows are taken with `window_strides` and `window_dilation`, and each
window is reduced in row-major order starting from the init value.  Selection (max/min
gradients) keeps the current element unless `select(current, next)` is false, which
picks the first maximum (minimum) of each window.

The eager implementations view the padded operand as windows without copying
(`as_strided`) and loop over the window offsets with whole-array NumPy operations.
"""
import operator

import numpy as np
from numpy.lib.stride_tricks import as_strided

from pyjax._src import core, dtypes
from pyjax._src.core import ClosedJaxpr, Primitive, ShapedArray, Tracer, get_aval, register
from pyjax._src.interpreters import ad, batching
from pyjax._src.interpreters import partial_eval as pe
from pyjax._src.interpreters.ad import Zero, defjvp, is_undefined
from pyjax._src.lax.convolution import (_conv_general_vjp_lhs_padding, _dilate_shape,
                                        _stride_dim, padtype_to_pads)
from pyjax._src.tree_util import tree_flatten, tree_unflatten


def _L():
    from pyjax._src.lax import lax
    return lax


def _E():
    from pyjax._src.lax import elementwise
    return elementwise


# ---------------------------------------------------------------------------
# Identities and helpers


def _get_max_identity(dtype):
    dtype = np.dtype(dtype)
    if dtypes.issubdtype(dtype, np.inexact):
        return np.array(-np.inf, dtype)
    if dtypes.issubdtype(dtype, np.integer):
        return np.array(np.iinfo(dtype).min, dtype)
    if dtype == np.bool_:
        return np.array(False, np.bool_)
    raise ValueError(f"Unsupported dtype for max: {dtype}")


def _get_min_identity(dtype):
    dtype = np.dtype(dtype)
    if dtypes.issubdtype(dtype, np.inexact):
        return np.array(np.inf, dtype)
    if dtypes.issubdtype(dtype, np.integer):
        return np.array(np.iinfo(dtype).max, dtype)
    if dtype == np.bool_:
        return np.array(True, np.bool_)
    raise ValueError(f"Unsupported dtype for min: {dtype}")


def _get_bitwise_and_identity(dtype):
    return np.array(-1).astype(dtype)


def _get_bitwise_or_identity(dtype):
    return np.array(0, dtype)


def _pad_dilate(x, init, padding, base_dilation):
    """XLA's padded, base-dilated operand of a windowed reduction (holes and edges = init)."""
    if all(d == 1 for d in base_dilation) and all(p == (0, 0) for p in padding):
        return x
    from pyjax._src.lax.shape import _pad_impl
    return _pad_impl(x, np.asarray(init, x.dtype),
                     [(lo, hi, d - 1) for (lo, hi), d in zip(padding, base_dilation)])


def _windows(x, window_dimensions, window_strides, window_dilation, out_shape):
    """A read-only view of x's windows: shape out_shape + window_dimensions."""
    st = x.strides
    return as_strided(x, shape=tuple(out_shape) + tuple(window_dimensions),
                      strides=tuple(s * w for s, w in zip(st, window_strides))
                      + tuple(s * d for s, d in zip(st, window_dilation)),
                      writeable=False)


def _valid_windows(shape, padding, base_dilation, window_dimensions, window_strides,
                   window_dilation, out_shape):
    """Windows of a mask of the operand's real elements (XLA skips padding and holes in
    windowed reductions), or None when every element is real."""
    if all(d == 1 for d in base_dilation) and all(p == (0, 0) for p in padding):
        return None
    mask = _pad_dilate(np.ones(shape, np.bool_), False, padding, base_dilation)
    return _windows(mask, window_dimensions, window_strides, window_dilation, out_shape)


def _check_shapelike(fun_name, arg_name, obj, non_zero_shape=False):
    if not isinstance(obj, (tuple, list, np.ndarray)):
        raise TypeError(f"{fun_name} {arg_name} must be of type tuple/list/ndarray, got "
                        f"{type(obj)}.")
    if not len(obj):
        return
    obj_arr = np.array(obj)
    if obj_arr.ndim != 1:
        raise TypeError(f"{fun_name} {arg_name} must be 1-dimensional, got {obj_arr.ndim}.")
    try:
        [operator.index(d) for d in obj]
    except TypeError as err:
        raise TypeError(f"{fun_name} {arg_name} must have every element be an integer type, "
                        f"got {tuple(map(type, obj))}.") from err
    lower, what = (1, "strictly positive") if non_zero_shape else (0, "nonnegative")
    if not all(d >= lower for d in obj_arr):
        raise TypeError(f"{fun_name} {arg_name} must have every element be {what}, got {obj}.")


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    if base_dilation is not None:
        operand_shape = _dilate_shape(operand_shape, base_dilation)
    if window_dilation is not None:
        window_dimensions = _dilate_shape(window_dimensions, window_dilation)
    padded = tuple(d + pl + ph for d, (pl, ph) in zip(operand_shape, padding))
    return tuple(map(_stride_dim, padded, window_dimensions, window_strides))


def _common_shape(operand, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation):
    _check_shapelike("reduce_window", "window_dimensions", window_dimensions, non_zero_shape=True)
    _check_shapelike("reduce_window", "window_strides", window_strides, non_zero_shape=True)
    _check_shapelike("reduce_window", "base_dilation", base_dilation)
    _check_shapelike("reduce_window", "window_dilation", window_dilation)
    if operand.ndim != len(window_dimensions):
        raise TypeError("reduce_window got the wrong number of window_dimensions for operand: "
                        f"got operand shape {operand.shape} with window_dimensions "
                        f"{window_dimensions}.")
    for name, v in (("window_strides", window_strides), ("base_dilation", base_dilation),
                    ("window_dilation", window_dilation)):
        if len(v) != len(window_dimensions):
            raise TypeError(f"reduce_window got inconsistent {name} and window_dimensions: got "
                            f"{name} {v} and window_dimensions {window_dimensions}.")
    if len(padding) != len(window_dimensions):
        raise TypeError(f"reduce_window got inconsistent padding and window_dimensions: got "
                        f"padding {padding} and window_dimensions {window_dimensions}.")
    padded = [d + lo + hi for d, (lo, hi) in
              zip(_dilate_shape(operand.shape, base_dilation), padding)]
    if any(d < 0 for d in padded):
        raise TypeError(f"reduce_window: padding {padding} removes more than the whole operand "
                        f"of shape {operand.shape}")
    return reduce_window_shape_tuple(operand.shape, window_dimensions, window_strides, padding,
                                     base_dilation, window_dilation)


def _window_params(params, bdim=0):
    """Window params with a size-1 window inserted at `bdim` (for batching)."""
    ins = lambda t, v: tuple(t[:bdim]) + (v,) + tuple(t[bdim:])  # noqa: E731
    out = dict(params)
    out["window_dimensions"] = ins(params["window_dimensions"], 1)
    out["window_strides"] = ins(params["window_strides"], 1)
    out["padding"] = ins(params["padding"], (0, 0))
    if "base_dilation" in params:
        out["base_dilation"] = ins(params["base_dilation"], 1)
        out["window_dilation"] = ins(params["window_dilation"], 1)
    return out


def _aval(x):
    return ShapedArray(np.shape(x), np.asarray(x).dtype)


# ---------------------------------------------------------------------------
# reduce_window_sum / max / min


def _rw_abstract(name, kind):
    def rule(operand, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        if kind == "number" and not dtypes.issubdtype(operand.dtype, np.number):
            raise TypeError(f"operand to {name} must have a number dtype, got "
                            f"{np.dtype(operand.dtype).name}")
        return _common_shape(operand, window_dimensions, window_strides, padding,
                             base_dilation, window_dilation), operand.dtype
    return rule


def _rw_impl(name, init_fn, np_reduce, abstract):
    def impl(operand, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        operand = np.asarray(operand)
        out_shape, _ = abstract(_aval(operand), window_dimensions=window_dimensions,
                                window_strides=window_strides, padding=padding,
                                base_dilation=base_dilation, window_dilation=window_dilation)
        dt = operand.dtype
        compute = np.dtype(np.float32) if dt.itemsize <= 2 and dtypes.issubdtype(dt, np.floating) \
            else dt
        init = init_fn(dt)
        if 0 in out_shape:
            return np.zeros(out_shape, dt)
        x = _pad_dilate(operand, init, padding, base_dilation)
        view = _windows(x, window_dimensions, window_strides, window_dilation, out_shape)
        axes = tuple(range(len(out_shape), view.ndim))
        if not axes:
            return np.array(view, dt)
        if compute != dt:
            view = view.astype(compute)
        out = np_reduce(view, axis=axes, dtype=compute) if np_reduce is np.sum \
            else np_reduce(view, axis=axes)
        return np.asarray(out).astype(dt, copy=False)
    return impl


def _reduce_window_sum_transpose(ct, operand, *, window_dimensions, window_strides, padding,
                                 base_dilation, window_dilation):
    assert is_undefined(operand)
    if type(ct) is Zero:
        return [Zero(operand.aval)]
    L = _L()
    input_shape = operand.aval.shape
    ct_shape = get_aval(ct).shape
    pads = _conv_general_vjp_lhs_padding(input_shape, window_dimensions, window_strides,
                                         ct_shape, padding, base_dilation, window_dilation)
    ones = (1,) * len(input_shape)
    config = [(lo, hi, s - 1) for (lo, hi), s in zip(pads, window_strides)]
    padded = L.pad(ct, L.full((), 0, get_aval(ct).dtype), config)
    result = reduce_window_sum_p.bind(padded, window_dimensions=tuple(window_dimensions),
                                      window_strides=tuple(base_dilation),
                                      padding=((0, 0),) * len(input_shape),
                                      base_dilation=ones, window_dilation=tuple(window_dilation))
    assert get_aval(result).shape == input_shape, (get_aval(result).shape, input_shape)
    return [result]


def _rw_batch(prim):
    def rule(vals, dims, **params):
        x, = vals
        d, = dims
        return prim.bind(x, **_window_params(params, d)), d
    return rule


def _chooser_jvp(select_name):
    def jvp(g, operand, *, window_dimensions, window_strides, padding, base_dilation,
            window_dilation):
        return select_and_gather_add_p.bind(
            g, operand, select_prim=_E().compare[select_name],
            window_dimensions=window_dimensions, window_strides=window_strides, padding=padding,
            base_dilation=base_dilation, window_dilation=window_dilation)
    return jvp


_rw_sum_abstract = _rw_abstract("reduce_window_sum", "number")
_rw_any_abstract = _rw_abstract("reduce_window", "any")

reduce_window_sum_p = Primitive("reduce_window_sum")
register(reduce_window_sum_p,
         impl=_rw_impl("reduce_window_sum", lambda dt: np.zeros((), dt), np.sum, _rw_sum_abstract),
         abstract_eval=_rw_sum_abstract, batch=_rw_batch(reduce_window_sum_p))
ad.deflinear(reduce_window_sum_p, _reduce_window_sum_transpose)

reduce_window_max_p = Primitive("reduce_window_max")
register(reduce_window_max_p,
         impl=_rw_impl("reduce_window_max", _get_max_identity, np.max, _rw_any_abstract),
         abstract_eval=_rw_any_abstract, batch=_rw_batch(reduce_window_max_p))
defjvp(reduce_window_max_p, _chooser_jvp("ge"))

reduce_window_min_p = Primitive("reduce_window_min")
register(reduce_window_min_p,
         impl=_rw_impl("reduce_window_min", _get_min_identity, np.min, _rw_any_abstract),
         abstract_eval=_rw_any_abstract, batch=_rw_batch(reduce_window_min_p))
defjvp(reduce_window_min_p, _chooser_jvp("le"))


def _reduce_window_sum(operand, window_dimensions, window_strides, padding, base_dilation=None,
                       window_dilation=None):
    n = len(window_dimensions)
    return reduce_window_sum_p.bind(
        operand, window_dimensions=tuple(window_dimensions),
        window_strides=tuple(window_strides), padding=tuple(tuple(p) for p in padding),
        base_dilation=tuple(base_dilation or (1,) * n),
        window_dilation=tuple(window_dilation or (1,) * n))


def _reduce_window_max(operand, window_dimensions, window_strides, padding, base_dilation=None,
                       window_dilation=None):
    n = len(window_dimensions)
    return reduce_window_max_p.bind(
        operand, window_dimensions=tuple(window_dimensions),
        window_strides=tuple(window_strides), padding=tuple(tuple(p) for p in padding),
        base_dilation=tuple(base_dilation or (1,) * n),
        window_dilation=tuple(window_dilation or (1,) * n))


def _reduce_window_min(operand, window_dimensions, window_strides, padding, base_dilation=None,
                       window_dilation=None):
    n = len(window_dimensions)
    return reduce_window_min_p.bind(
        operand, window_dimensions=tuple(window_dimensions),
        window_strides=tuple(window_strides), padding=tuple(tuple(p) for p in padding),
        base_dilation=tuple(base_dilation or (1,) * n),
        window_dilation=tuple(window_dilation or (1,) * n))


# ---------------------------------------------------------------------------
# select_and_gather_add / select_and_scatter_add: the derivatives of max/min pooling


def _is_ge(select_prim):
    E = _E()
    if select_prim is E.compare["ge"]:
        return True
    if select_prim is E.compare["le"]:
        return False
    raise TypeError(f"select_prim must be the ge or le primitive, got {select_prim}")


def _select_init(select_prim, dtype):
    return _get_max_identity(dtype) if _is_ge(select_prim) else _get_min_identity(dtype)


def _sga_abstract(tangents, operand, *, select_prim, window_dimensions, window_strides,
                  padding, base_dilation, window_dilation):
    _is_ge(select_prim)
    if tangents.shape != operand.shape:
        raise TypeError("select_and_gather_add tangents and operand shapes must match, got "
                        f"{tangents.shape} and {operand.shape}.")
    return _common_shape(operand, window_dimensions, window_strides, padding, base_dilation,
                         window_dilation), tangents.dtype


def _sga_impl(tangents, operand, *, select_prim, window_dimensions, window_strides, padding,
              base_dilation, window_dilation):
    tangents, operand = np.asarray(tangents), np.asarray(operand)
    out_shape, _ = _sga_abstract(_aval(tangents), _aval(operand), select_prim=select_prim,
                                 window_dimensions=window_dimensions,
                                 window_strides=window_strides, padding=padding,
                                 base_dilation=base_dilation, window_dilation=window_dilation)
    ge = _is_ge(select_prim)
    init = _select_init(select_prim, operand.dtype)
    sel_t = np.zeros(out_shape, tangents.dtype)
    if 0 in out_shape:
        return sel_t
    xo = _windows(_pad_dilate(operand, init, padding, base_dilation), window_dimensions,
                  window_strides, window_dilation, out_shape)
    xt = _windows(_pad_dilate(tangents, np.zeros((), tangents.dtype), padding, base_dilation),
                  window_dimensions, window_strides, window_dilation, out_shape)
    # XLA's pair reduction from (init, 0): keep the accumulator unless select(acc, x) fails.
    valid = _valid_windows(operand.shape, padding, base_dilation, window_dimensions,
                           window_strides, window_dilation, out_shape)
    sel_v = np.full(out_shape, init, operand.dtype)
    for w in np.ndindex(*window_dimensions):
        idx = (Ellipsis,) + w
        v = xo[idx]
        take = ~(sel_v >= v) if ge else ~(sel_v <= v)
        if valid is not None:
            take &= valid[idx]
        sel_v = np.where(take, v, sel_v)
        sel_t = np.where(take, xt[idx], sel_t)
    return sel_t


def _sga_jvp(primals, tangents, **params):
    source, operand = primals
    g_source, _ = tangents
    out = select_and_gather_add_p.bind(source, operand, **params)
    if type(g_source) is Zero:
        return out, Zero(get_aval(out))
    return out, select_and_gather_add_p.bind(g_source, operand, **params)


def _sga_transpose(t, tangents, operand, *, select_prim, window_dimensions, window_strides,
                   padding, base_dilation, window_dilation):
    assert is_undefined(tangents) and not is_undefined(operand)
    if any(d != 1 for d in window_dilation):
        raise NotImplementedError("VJP not implemented for select_and_gather (MaxPool) with "
                                  f"window dilation, got window_dilation={window_dilation}.")
    if type(t) is Zero:
        return [Zero(tangents.aval), None]
    L = _L()
    has_base_dilation = any(d != 1 for d in base_dilation)
    if has_base_dilation:
        init = _select_init(select_prim, get_aval(operand).dtype)
        operand = L.pad(operand, L.full((), init, get_aval(operand).dtype),
                        tuple((0, 0, d - 1) for d in base_dilation))
    result = select_and_scatter_add_p.bind(t, operand, select_prim=select_prim,
                                           window_dimensions=window_dimensions,
                                           window_strides=window_strides, padding=padding)
    if has_base_dilation:
        shape = get_aval(result).shape
        result = L.slice(result, (0,) * len(shape), shape, base_dilation)
    return [result, None]


def _sga_batch(vals, dims, **params):
    size = batching.batch_size_of(vals, dims)
    t, x = (batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims))
    return select_and_gather_add_p.bind(t, x, **_window_params(params)), 0


select_and_gather_add_p = Primitive("select_and_gather_add")
register(select_and_gather_add_p, impl=_sga_impl, abstract_eval=_sga_abstract, jvp=_sga_jvp,
         transpose=_sga_transpose, batch=_sga_batch)


def _sas_abstract(source, operand, *, select_prim, window_dimensions, window_strides, padding):
    _is_ge(select_prim)
    ones = (1,) * len(window_dimensions)
    want = _common_shape(operand, window_dimensions, window_strides, padding, ones, ones)
    if tuple(source.shape) != tuple(want):
        raise TypeError(f"select_and_scatter_add: source shape {source.shape} must be the "
                        f"shape of the windows of the operand, {want}")
    if source.dtype != operand.dtype:
        raise TypeError("select_and_scatter_add requires source and operand of one dtype, got "
                        f"{source.dtype} and {operand.dtype}")
    return operand.shape, operand.dtype


def _sas_impl(source, operand, *, select_prim, window_dimensions, window_strides, padding):
    from pyjax._src.lax.shape import _pad_impl
    source, operand = np.asarray(source), np.asarray(operand)
    _sas_abstract(_aval(source), _aval(operand), select_prim=select_prim,
                  window_dimensions=window_dimensions, window_strides=window_strides,
                  padding=padding)
    ge = _is_ge(select_prim)
    nd = operand.ndim
    ones = (1,) * nd
    dt = operand.dtype
    init = _select_init(select_prim, dt)
    xp = _pad_dilate(operand, init, padding, ones)
    out_shape = source.shape
    if source.size == 0 or xp.size == 0:
        return np.zeros(operand.shape, dt)
    view = _windows(xp, window_dimensions, window_strides, ones, out_shape)
    # XLA's select: start from the window's first element, switch while select(cur, x) fails.
    offsets = list(np.ndindex(*window_dimensions))
    sel_v = np.array(view[(Ellipsis,) + offsets[0]])
    sel_k = np.zeros(out_shape, np.intp)
    for k, w in enumerate(offsets[1:], 1):
        v = view[(Ellipsis,) + w]
        take = ~(sel_v >= v) if ge else ~(sel_v <= v)
        sel_v = np.where(take, v, sel_v)
        sel_k = np.where(take, k, sel_k)
    # Flat index (into the padded operand) of each window's selected element.
    pstrides = [int(np.prod(xp.shape[i + 1:], dtype=np.int64)) for i in range(nd)]
    base = np.zeros(out_shape, np.intp)
    for i in range(nd):
        shp = [1] * nd
        shp[i] = out_shape[i]
        base = base + (np.arange(out_shape[i]) * window_strides[i] * pstrides[i]).reshape(shp)
    off = np.array([sum(w[i] * pstrides[i] for i in range(nd)) for w in offsets], np.intp)
    flat = (base + off[sel_k]).ravel()
    src = source.ravel()
    if dt == np.bool_:
        acc = np.zeros(xp.size, np.bool_)
        acc[flat[src]] = True
    elif dtypes.issubdtype(dt, np.complexfloating):
        acc = (np.bincount(flat, src.real, xp.size) + 1j * np.bincount(flat, src.imag, xp.size))
    elif dtypes.issubdtype(dt, np.floating):
        acc = np.bincount(flat, src.astype(np.float64), xp.size)
    else:
        acc = np.zeros(xp.size, dt)
        np.add.at(acc, flat, src)
    acc = acc.astype(dt, copy=False).reshape(xp.shape)
    return _pad_impl(acc, np.zeros((), dt), [(-lo, -hi, 0) for lo, hi in padding])


def _sas_jvp(primals, tangents, **params):
    source, operand = primals
    g_source, _ = tangents
    out = select_and_scatter_add_p.bind(source, operand, **params)
    if type(g_source) is Zero:
        return out, Zero(get_aval(out))
    return out, select_and_scatter_add_p.bind(g_source, operand, **params)


def _sas_transpose(t, source, operand, *, select_prim, window_dimensions, window_strides,
                   padding):
    assert is_undefined(source) and not is_undefined(operand)
    if type(t) is Zero:
        return [Zero(source.aval), None]
    ones = (1,) * len(window_dimensions)
    return [select_and_gather_add_p.bind(t, operand, select_prim=select_prim,
                                         window_dimensions=window_dimensions,
                                         window_strides=window_strides, padding=padding,
                                         base_dilation=ones, window_dilation=ones), None]


def _sas_batch(vals, dims, **params):
    size = batching.batch_size_of(vals, dims)
    s, x = (batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims))
    return select_and_scatter_add_p.bind(s, x, **_window_params(params)), 0


select_and_scatter_add_p = Primitive("select_and_scatter_add")
register(select_and_scatter_add_p, impl=_sas_impl, abstract_eval=_sas_abstract, jvp=_sas_jvp,
         transpose=_sas_transpose, batch=_sas_batch)


# ---------------------------------------------------------------------------
# Computations given as jaxprs, applied elementwise

# Primitives whose eager implementations are plain elementwise NumPy code: a scalar jaxpr
# made only of them runs unchanged on whole arrays.
def _elementwise_prims():
    E = _E()
    prims = set(E.unary.values()) | set(E.binary.values()) | set(E.compare.values())
    prims |= {E.select_n_p, E.clamp_p, E.convert_element_type_p, E.integer_pow_p, E.round_p,
              E.complex_p, E.stop_gradient_p}
    return prims


_ELEMENTWISE = []


def _is_elementwise(jaxpr):
    if not _ELEMENTWISE:
        _ELEMENTWISE.append(_elementwise_prims())
    ok = _ELEMENTWISE[0]
    return (all(eqn.primitive in ok for eqn in jaxpr.eqns)
            and all(v.aval.shape == () for v in jaxpr.invars + jaxpr.constvars))


def _apply_elementwise(closed, args):
    """Apply the scalar computation `closed` elementwise to arrays (or tracers) of one shape."""
    L = _L()
    shape = get_aval(args[0]).shape
    if shape == ():
        return core.eval_jaxpr(closed.jaxpr, closed.consts, *args)
    n = int(np.prod(shape, dtype=np.int64))
    flat = [L.reshape(a, (n,)) for a in args]
    outs = batching.vmap_flat(lambda *xs: core.eval_jaxpr(closed.jaxpr, closed.consts, *xs),
                              flat, [0] * len(flat), [0] * len(closed.out_avals), n)
    return [L.reshape(o, shape) for o in outs]


def _numpy_computation(closed):
    """A function applying the scalar computation elementwise to NumPy arrays of one shape."""
    out_dtypes = [a.dtype for a in closed.out_avals]
    if _is_elementwise(closed.jaxpr):
        from pyjax._src import backend
        fn = backend.compile(closed).fn

        def run(*xs):
            outs = fn(*xs)
            shape = np.shape(xs[0])
            return [np.broadcast_to(np.asarray(o).astype(d, copy=False), shape)
                    for o, d in zip(outs, out_dtypes)]
        return run

    def run(*xs):
        with core.set_current_trace(core.eval_trace):
            outs = _apply_elementwise(closed, [core.ArrayImpl(np.ascontiguousarray(x))
                                               for x in xs])
        return [np.asarray(core.to_numpy(o)).astype(d, copy=False)
                for o, d in zip(outs, out_dtypes)]
    return run


def _stage_computation(computation, init_avals, init_tree):
    """The closed jaxpr of computation(xs, ys) over flat operands (xs, ys like init)."""
    avals = list(init_avals)

    def flat_computation(*flat_args):
        xs = tree_unflatten(init_tree, flat_args[:len(avals)])
        ys = tree_unflatten(init_tree, flat_args[len(avals):])
        out = computation(xs, ys)
        flat_out, store["tree"] = tree_flatten(out)
        for o in flat_out:
            if not isinstance(o, (core.Array, np.ndarray, np.generic, bool, int, float, complex)):
                raise ValueError(f"Invalid return type from reduction function: {type(o)}\n"
                                 "Reduction functions should only return an array.\n"
                                 f"Full return value: {out}")
        return [_L().asarray(o) for o in flat_out]

    store = {}
    closed, consts = pe.stage(flat_computation, avals + avals)
    if consts:
        raise NotImplementedError("Reduction computations can't close over Tracers. Pass the "
                                  "values as operands instead.")
    return closed, store["tree"]


def _loop_batch(prim, vals, dims, params):
    """Batching by a loop over the batch (for batched init values, which must be scalars)."""
    L = _L()
    size = batching.batch_size_of(vals, dims)
    per = []
    for b in range(size):
        args = [v if d is None else L.index_in_dim(v, b, d, keepdims=False)
                for v, d in zip(vals, dims)]
        per.append(prim.bind(*args, **params))
    outs = [L.stack([p[i] for p in per]) for i in range(len(per[0]))]
    return outs, [0] * len(outs)


# ---------------------------------------------------------------------------
# reduce_window: the generic windowed reduction


def _grw_abstract(*avals, jaxpr, consts, window_dimensions, window_strides, padding,
                  base_dilation, window_dilation):
    n = len(avals) // 2
    ops, inits = avals[:n], avals[n:]
    if any(o.dtype != i.dtype for o, i in zip(ops, inits)):
        raise TypeError("reduce_window got inconsistent dtypes for operands and init_values: got "
                        f"operand dtypes {[o.dtype for o in ops]} and init_value dtypes "
                        f"{[i.dtype for i in inits]}.")
    if any(len(i.shape) != 0 for i in inits):
        raise TypeError("reduce_window expected init_values to be scalars but init_values have "
                        f"shapes {[i.shape for i in inits]}.")
    if any(o.shape != ops[0].shape for o in ops):
        raise TypeError("reduce_window operands must have one shape, got "
                        f"{[o.shape for o in ops]}")
    shape = _common_shape(ops[0], window_dimensions, window_strides, padding, base_dilation,
                          window_dilation)
    return [(shape, o.dtype) for o in ops]


def _grw_impl(*args, jaxpr, consts, window_dimensions, window_strides, padding, base_dilation,
              window_dilation):
    args = [np.asarray(a) for a in args]
    out = _grw_abstract(*[_aval(a) for a in args], jaxpr=jaxpr, consts=consts,
                        window_dimensions=window_dimensions, window_strides=window_strides,
                        padding=padding, base_dilation=base_dilation,
                        window_dilation=window_dilation)
    out_shape = out[0][0]
    n = len(args) // 2
    ops, inits = args[:n], args[n:]
    acc = [np.full(out_shape, i, o.dtype) for o, i in zip(ops, inits)]
    if 0 in out_shape:
        return acc
    views = [_windows(_pad_dilate(o, i, padding, base_dilation), window_dimensions,
                      window_strides, window_dilation, out_shape) for o, i in zip(ops, inits)]
    valid = _valid_windows(ops[0].shape, padding, base_dilation, window_dimensions,
                           window_strides, window_dilation, out_shape)
    fn = _numpy_computation(ClosedJaxpr(jaxpr, list(consts)))
    for w in np.ndindex(*window_dimensions):
        idx = (Ellipsis,) + w
        new = fn(*acc, *[v[idx] for v in views])
        if valid is not None:   # XLA applies the computation to real elements only
            new = [np.where(valid[idx], a, b) for a, b in zip(new, acc)]
        acc = new
    return [np.ascontiguousarray(a) for a in acc]


def _grw_jvp(primals, tangents, *, jaxpr, consts, window_dimensions, window_strides, padding,
             base_dilation, window_dilation):
    n = len(primals) // 2
    ops, inits = primals[:n], primals[n:]
    t_ops, t_inits = tangents[:n], tangents[n:]
    if not all(type(t) is Zero for t in t_inits):
        raise TypeError("reduce_window jvp does not support non-zero init_value_tangent.")
    closed = ClosedJaxpr(jaxpr, list(consts))
    nz = [type(t) is not Zero for t in t_ops]
    while True:  # which operands carry tangents through the reduction: a fixed point
        _, out_nz = ad.jvp_jaxpr(closed, nz + nz, nz)
        new = [a or (b and ad.is_differentiable(get_aval(o)))
               for a, b, o in zip(nz, out_nz, ops)]
        if new == nz:
            break
        nz = new
    jvp_closed, _ = ad.jvp_jaxpr(closed, nz + nz, nz)
    k = sum(nz)

    def wrapper(*args):   # (primals x, tangents x, primals y, tangents y)
        px, tx, py, ty = args[:n], args[n:n + k], args[n + k:2 * n + k], args[2 * n + k:]
        return core.eval_jaxpr(jvp_closed.jaxpr, jvp_closed.consts, *px, *py, *tx, *ty)

    t_nz = [ad.instantiate(t) for t, z in zip(t_ops, nz) if z]
    t_init = [_L().full((), 0, get_aval(o).dtype) for o, z in zip(ops, nz) if z]
    avals = [get_aval(i) for i in inits] + [core.ShapedArray((), get_aval(o).dtype)
                                             for o, z in zip(ops, nz) if z]
    wrapped, _ = pe.stage(wrapper, avals + avals)
    outs = reduce_window_p.bind(*ops, *t_nz, *inits, *t_init, jaxpr=wrapped.jaxpr,
                                consts=tuple(wrapped.consts),
                                window_dimensions=window_dimensions,
                                window_strides=window_strides, padding=padding,
                                base_dilation=base_dilation, window_dilation=window_dilation)
    it = iter(outs[n:])
    return outs[:n], [next(it) if z else Zero(ad.tangent_aval(get_aval(o)))
                      for z, o in zip(nz, outs[:n])]


def _grw_batch(vals, dims, **params):
    n = len(vals) // 2
    if any(d is not None for d in dims[n:]):
        return _loop_batch(reduce_window_p, vals, dims, params)
    size = batching.batch_size_of(vals, dims)
    ops = [batching.bdim_at_front(v, d, size) for v, d in zip(vals[:n], dims[:n])]
    outs = reduce_window_p.bind(*ops, *vals[n:], **_window_params(params))
    return outs, [0] * n


reduce_window_p = Primitive("reduce_window", multiple_results=True)
register(reduce_window_p, impl=_grw_impl, abstract_eval=_grw_abstract, weak_type=core.never_weak,
         jvp=_grw_jvp, batch=_grw_batch)


def _is_concrete(x):
    if isinstance(x, Tracer):
        return x.to_concrete_value() is not None
    return True


def _concrete_value(x):
    if isinstance(x, Tracer):
        return np.asarray(x.to_concrete_value())
    return np.asarray(core.to_numpy(x))


def _get_monoid_window_reducer(monoid_op, xs):
    L = _L()
    if len(xs) != 1:
        return None
    x, = xs
    aval = get_aval(x)
    if _is_concrete(x) and aval.shape == ():
        val = _concrete_value(x)
        if monoid_op is L.add:
            return val == 0 and _reduce_window_sum
        if monoid_op is L.max:
            return val == _get_max_identity(aval.dtype) and _reduce_window_max
        if monoid_op is L.min:
            return val == _get_min_identity(aval.dtype) and _reduce_window_min
    return None


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None,
                  padding="VALID", base_dilation=None, window_dilation=None):
    """Reduction over padded windows (XLA's ReduceWindowWithGeneralPadding), as jax.lax's.

    `operand` and `init_value` are arrays or matching pytrees of arrays; `computation`
    reduces two such trees to one.  `lax.add`, `lax.max` and `lax.min` with their identity
    as init value become the reduce_window_{sum,max,min} primitives."""
    flat_operands, operand_tree = tree_flatten(operand)
    flat_init_values, init_value_tree = tree_flatten(init_value)
    if operand_tree != init_value_tree:
        raise ValueError("Operands must have the same tree structure as init_values: "
                         f"{operand_tree} vs. {init_value_tree}")
    if len(flat_operands) != len(flat_init_values):
        raise ValueError("Must have same total number of operands as init_values: "
                         f" {len(flat_operands)} vs. {len(flat_init_values)}")
    if len(flat_operands) == 0:
        raise ValueError("reduce_window must have at least one operand.")
    window_dimensions = tuple(operator.index(d) for d in window_dimensions)
    shape0 = np.shape(flat_operands[0]) if not isinstance(flat_operands[0], core.Array) \
        else get_aval(flat_operands[0]).shape
    if isinstance(padding, str):
        dilated = (window_dimensions if window_dilation is None
                   else _dilate_shape(window_dimensions, window_dilation))
        padding = tuple(padtype_to_pads(shape0, dilated, window_strides or [], padding))
    else:
        padding = tuple((operator.index(x), operator.index(y)) for x, y in padding)
    n = len(window_dimensions)
    window_strides = (1,) * n if window_strides is None else tuple(window_strides)
    base_dilation = (1,) * n if base_dilation is None else tuple(base_dilation)
    window_dilation = (1,) * n if window_dilation is None else tuple(window_dilation)
    monoid_reducer = _get_monoid_window_reducer(computation, flat_init_values)
    if monoid_reducer:
        return monoid_reducer(operand, window_dimensions, window_strides, padding,
                              base_dilation, window_dilation)
    flat_operands = [_L().asarray(o) for o in flat_operands]
    flat_init_values = [_L().asarray(i) for i in flat_init_values]
    closed, out_tree = _stage_computation(computation, [get_aval(i) for i in flat_init_values],
                                          init_value_tree)
    if operand_tree != out_tree:
        raise ValueError("reduce_window output must have the same tree structure as the "
                         f"operands {operand_tree} vs. {out_tree}")
    out_flat = reduce_window_p.bind(
        *flat_operands, *flat_init_values, jaxpr=closed.jaxpr, consts=tuple(closed.consts),
        window_dimensions=window_dimensions, window_strides=tuple(window_strides),
        padding=padding, base_dilation=tuple(base_dilation),
        window_dilation=tuple(window_dilation))
    return tree_unflatten(out_tree, out_flat)


# ---------------------------------------------------------------------------
# reduce: lax.reduce with a computation that is not a known monoid

# At most this many elements are reduced one after another (XLA's order: row-major over the
# reduced dimensions, from the init value); longer reductions halve repeatedly.
_SEQUENTIAL = 128


def _reduce_abstract(*avals, computation, jaxpr, dimensions):
    n = len(avals) // 2
    ops, inits = avals[:n], avals[n:]
    if any(a.shape != () for a in inits):
        raise ValueError(f"reduce found non-scalar initial value: {[a.shape for a in inits]}")
    if [o.dtype for o in ops] != [i.dtype for i in inits]:
        raise TypeError("reduce operand dtypes should match corresponding initial value dtypes, "
                        f"got operands={list(ops)} and initial_values={list(inits)}")
    if any(o.shape != ops[0].shape for o in ops):
        raise TypeError(f"reduce operands must have one shape, got {[o.shape for o in ops]}")
    for d in dimensions:
        if not 0 <= d < ops[0].ndim:
            raise ValueError(f"reduce: dimension {d} is out of bounds for operands of rank "
                             f"{ops[0].ndim}")
    if len(set(dimensions)) != len(dimensions):
        raise ValueError(f"reduce: duplicate dimensions {dimensions}")
    shape = tuple(s for i, s in enumerate(ops[0].shape) if i not in dimensions)
    return [(shape, o.dtype) for o in ops]


def _reduce_weak(*weak, computation, jaxpr, dimensions):
    n = len(weak) // 2
    return [o and i for o, i in zip(weak[:n], weak[n:])]


def _reduce_impl(*args, computation, jaxpr, dimensions):
    args = [np.asarray(a) for a in args]
    out = _reduce_abstract(*[_aval(a) for a in args], computation=computation, jaxpr=jaxpr,
                           dimensions=dimensions)
    n = len(args) // 2
    ops, inits = args[:n], args[n:]
    shape = out[0][0]
    dims = sorted(dimensions)
    kept = [i for i in range(ops[0].ndim) if i not in dims]
    r = int(np.prod([ops[0].shape[i] for i in dims], dtype=np.int64))
    m = int(np.prod(shape, dtype=np.int64))
    xs = [np.transpose(o, dims + kept).reshape(r, m) for o in ops]
    if r == 1:   # XLA reduces a single element to itself, without the init value
        return [np.array(x[0]).reshape(shape) for x in xs]
    fn = _numpy_computation(jaxpr)
    if r <= _SEQUENTIAL:
        acc = [np.full((m,), i, o.dtype) for o, i in zip(ops, inits)]
        for k in range(r):
            acc = fn(*acc, *[x[k] for x in xs])
    else:
        while xs[0].shape[0] > 1:
            k = xs[0].shape[0]
            h = (k + 1) // 2
            lo = [x[:h] for x in xs]
            hi = [x[h:] for x in xs]
            if k - h != h:
                hi = [np.concatenate([x, np.full((1, m), i, x.dtype)]) for x, i in zip(hi, inits)]
            xs = fn(*lo, *hi)
        acc = [x[0] for x in xs]
    return [np.ascontiguousarray(a).reshape(shape) for a in acc]


def _reduce_tree(closed, init_values, xs, out_shape):
    """Reduce the leading axis of `xs` by repeated halving with the computation (lax ops)."""
    L = _L()
    while get_aval(xs[0]).shape[0] > 1:
        k = get_aval(xs[0]).shape[0]
        h = (k + 1) // 2
        lo = [L.slice_in_dim(x, 0, h) for x in xs]
        hi = [L.slice_in_dim(x, h, k) for x in xs]
        if k - h != h:
            nd = get_aval(xs[0]).ndim
            cfg = [(0, 1, 0)] + [(0, 0, 0)] * (nd - 1)
            hi = [L.pad(x, i, cfg) for x, i in zip(hi, init_values)]
        xs = _apply_elementwise(closed, lo + hi)
    if get_aval(xs[0]).shape[0] == 0:
        return [L.full(out_shape, i, get_aval(x).dtype) for x, i in zip(xs, init_values)]
    return [L.reshape(x, out_shape) for x in xs]


def _reduce_jvp(primals, tangents, *, computation, jaxpr, dimensions):
    L = _L()
    n = len(primals) // 2
    ops, inits = primals[:n], primals[n:]
    t_ops, t_inits = tangents[:n], tangents[n:]
    if any(type(t) is not Zero for t in t_inits):
        raise NotImplementedError("Gradient of general lax.reduce with non-zero tangents for "
                                  "initial values to reduction not implemented")
    shape = get_aval(ops[0]).shape
    dims = sorted(dimensions)
    kept = [i for i in range(len(shape)) if i not in dims]
    r = int(np.prod([shape[i] for i in dims], dtype=np.int64))
    out_shape = tuple(shape[i] for i in kept)
    new_shape = (r,) + out_shape
    ps = [L.reshape(x, new_shape, dims + kept) for x in ops]
    ts = [t if type(t) is Zero else L.reshape(t, new_shape, dims + kept) for t in t_ops]
    ts = [Zero(ad.tangent_aval(get_aval(p))) if type(t) is Zero else t for t, p in zip(ts, ps)]
    out_p, out_t = ad.jvp_flat(lambda *xs: _reduce_tree(jaxpr, inits, list(xs), out_shape),
                               ps, ts)
    return out_p, out_t


def _reduce_batch(vals, dims, *, computation, jaxpr, dimensions):
    n = len(vals) // 2
    params = dict(computation=computation, jaxpr=jaxpr, dimensions=dimensions)
    if any(d is not None for d in dims[n:]):
        return _loop_batch(reduce_p, vals, dims, params)
    size = batching.batch_size_of(vals, dims)
    ops = [batching.bdim_at_front(v, d, size) for v, d in zip(vals[:n], dims[:n])]
    outs = reduce_p.bind(*ops, *vals[n:], computation=computation, jaxpr=jaxpr,
                         dimensions=tuple(d + 1 for d in dimensions))
    return outs, [0] * n


reduce_p = Primitive("reduce", multiple_results=True)
register(reduce_p, impl=_reduce_impl, abstract_eval=_reduce_abstract, weak_type=_reduce_weak,
         jvp=_reduce_jvp, batch=_reduce_batch)


def _get_monoid_reducer(monoid_op, xs):
    L = _L()
    if len(xs) != 1:
        return None
    x, = xs
    aval = get_aval(x)
    dtype = aval.dtype
    if _is_concrete(x) and aval.shape == ():
        val = _concrete_value(x)
        intlike = dtype == np.bool_ or dtypes.issubdtype(dtype, np.integer)
        if monoid_op is L.add:
            return L.reduce_sum if np.equal(val, 0) else None
        if monoid_op is L.mul:
            return L.reduce_prod if np.equal(val, 1) else None
        if monoid_op is L.bitwise_or and intlike:
            return L.reduce_or if np.equal(val, _get_bitwise_or_identity(dtype)) else None
        if monoid_op is L.bitwise_and and intlike:
            return L.reduce_and if np.equal(val, _get_bitwise_and_identity(dtype)) else None
        if monoid_op is L.bitwise_xor and intlike:
            return L.reduce_xor if np.equal(val, _get_bitwise_or_identity(dtype)) else None
        if monoid_op is L.max:
            return L.reduce_max if np.equal(val, _get_max_identity(dtype)) else None
        if monoid_op is L.min:
            return L.reduce_min if np.equal(val, _get_min_identity(dtype)) else None
    return None


def reduce(operands, init_values, computation, dimensions, out_sharding=None):
    """XLA's Reduce, as jax.lax.reduce: `computation` and `init_values` must form a monoid.

    Operands and init values are matching pytrees (several operands reduce together, e.g.
    a value and its index); `lax.add`, `lax.mul`, `lax.max`, `lax.min` and the bitwise
    ops with their identity become the dedicated reduction primitives."""
    L = _L()
    flat_operands, operand_tree = tree_flatten(operands)
    flat_init_values, init_value_tree = tree_flatten(init_values)
    if operand_tree != init_value_tree:
        raise ValueError("Operands must have the same tree structure as init_values: "
                         f"{operand_tree} vs. {init_value_tree}")
    if len(flat_operands) != len(flat_init_values):
        raise ValueError("Must have same total number of operands as init_values: "
                         f" {len(flat_operands)} vs. {len(flat_init_values)}")
    dimensions = tuple(operator.index(d) for d in dimensions)
    monoid_reducer = _get_monoid_reducer(computation, flat_init_values)
    if monoid_reducer:
        weak = (all(dtypes.is_weakly_typed(x) for x in flat_operands)
                and all(dtypes.is_weakly_typed(x) for x in flat_init_values))
        out = monoid_reducer(L.asarray(flat_operands[0]), dimensions)
        return L.convert_element_type(out, get_aval(out).dtype, weak)
    flat_operands = [L.asarray(o) for o in flat_operands]
    flat_init_values = [L.asarray(i) for i in flat_init_values]
    closed, out_tree = _stage_computation(computation, [get_aval(i) for i in flat_init_values],
                                          init_value_tree)
    out = reduce_p.bind(*flat_operands, *flat_init_values, computation=computation,
                        jaxpr=closed, dimensions=dimensions)
    return tree_unflatten(out_tree, out)


# ---------------------------------------------------------------------------
# reduce_precision

_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _reduce_precision_abstract(operand, *, exponent_bits, mantissa_bits):
    if dtypes.is_float0(operand.dtype) or not dtypes.issubdtype(operand.dtype, np.floating):
        raise TypeError(f"reduce_precision does not accept dtype "
                        f"{np.dtype(operand.dtype).name}. Accepted dtypes are subtypes of "
                        "floating.")
    exponent_bits = operator.index(exponent_bits)
    mantissa_bits = operator.index(mantissa_bits)
    if exponent_bits < 1:
        raise ValueError(f"reduce_precision: exponent_bits must be positive; got {exponent_bits}")
    if mantissa_bits < 0:
        raise ValueError("reduce_precision: mantissa_bits must be non-negative; got "
                         f"{mantissa_bits}")
    return operand.shape, operand.dtype


def _float_bits(dtype):
    dtype = np.dtype(dtype)
    import ml_dtypes
    info = ml_dtypes.finfo(dtype)
    nbits = dtype.itemsize * 8
    mant = int(info.nmant)
    return nbits, nbits - 1 - mant, mant


def _reduce_precision_impl(operand, *, exponent_bits, mantissa_bits):
    x = np.asarray(operand)
    _reduce_precision_abstract(_aval(x), exponent_bits=exponent_bits,
                               mantissa_bits=mantissa_bits)
    nbits, src_e, src_m = _float_bits(x.dtype)
    ut = _UINT[x.dtype.itemsize]
    bits = np.ascontiguousarray(x).view(ut).copy()
    if mantissa_bits < src_m:
        shift = src_m - mantissa_bits
        last = ut(1 << shift)
        base_bias = ut((1 << (shift - 1)) - 1)
        x_last = (bits & last) >> ut(shift)
        bits = (bits + x_last + base_bias) & ~ut((1 << shift) - 1)
    if exponent_bits < src_e:
        sign_mask = ut(1 << (nbits - 1))
        exp_mask = ut(((1 << src_e) - 1) << src_m)
        bias = (1 << (src_e - 1)) - 1
        rbias = (1 << (exponent_bits - 1)) - 1
        rmax = ut((bias + rbias) << src_m)
        rmin = ut(max(bias - rbias, 0) << src_m)
        xe = bits & exp_mask
        sign = bits & sign_mask
        over = xe > rmax
        under = xe <= rmin
        bits = np.where(over, sign | exp_mask, np.where(under, sign, bits)).astype(ut)
    out = bits.view(x.dtype).reshape(x.shape)
    return np.where(np.isnan(x), x, out)


def _reduce_precision_transpose(ct, x, **params):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [reduce_precision_p.bind(ct, **params)]


def _reduce_precision_batch(vals, dims, **params):
    return reduce_precision_p.bind(vals[0], **params), dims[0]


reduce_precision_p = Primitive("reduce_precision")
register(reduce_precision_p, impl=_reduce_precision_impl,
         abstract_eval=_reduce_precision_abstract, batch=_reduce_precision_batch)
ad.deflinear(reduce_precision_p, _reduce_precision_transpose)


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """Round to a float format with `exponent_bits` and `mantissa_bits` (XLA's ReducePrecision)."""
    exponent_bits = operator.index(core.concrete_or_error(
        exponent_bits, "exponent_bits argument of lax.reduce_precision").item()) \
        if isinstance(exponent_bits, core.Array) else operator.index(exponent_bits)
    mantissa_bits = operator.index(core.concrete_or_error(
        mantissa_bits, "mantissa_bits argument of lax.reduce_precision").item()) \
        if isinstance(mantissa_bits, core.Array) else operator.index(mantissa_bits)
    return reduce_precision_p.bind(operand, exponent_bits=exponent_bits,
                                   mantissa_bits=mantissa_bits)


__all__ = ["reduce", "reduce_p", "reduce_precision", "reduce_precision_p", "reduce_window",
           "reduce_window_max_p", "reduce_window_min_p", "reduce_window_p",
           "reduce_window_shape_tuple", "reduce_window_sum_p", "select_and_gather_add_p",
           "select_and_scatter_add_p"]
