"""Reductions (sum, max, min, prod, and, or, argmax, argmin) and cumulative reductions."""
import numpy as np

from pyjax._src import core
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters import ad
from pyjax._src.interpreters.ad import Zero, defzero, deflinear
from pyjax._src.interpreters.batching import moveaxis


def _L():
    from pyjax._src.lax import lax
    return lax


def _reduce_abstract(name, kinds):
    from pyjax._src.lax.elementwise import check_dtype

    def rule(x, axes, **_):
        check_dtype(name, kinds, x.dtype)
        for a in axes:
            if not 0 <= a < x.ndim:
                raise TypeError(f"{name}: axis {a} is out of bounds for an array of rank {x.ndim}")
        if len(set(axes)) != len(axes):
            raise TypeError(f"{name}: duplicate axes in {axes}")
        return tuple(s for i, s in enumerate(x.shape) if i not in axes), x.dtype
    return rule


def _reduce_batch(prim):
    def rule(vals, dims, axes, **params):
        x = moveaxis(vals[0], dims[0], 0)
        return prim.bind(x, axes=tuple(a + 1 for a in axes), **params), 0
    return rule


def _np_reduce(fn):
    def impl(x, axes):
        with np.errstate(invalid="ignore", over="ignore"):   # NaNs propagate silently, as in XLA
            return np.asarray(fn(x, axis=axes)).astype(x.dtype, copy=False)
    return impl


def _sum_impl(x, axes):
    return np.asarray(np.sum(x, axis=axes, dtype=x.dtype))


def _sum_transpose(ct, x, axes):
    shape = x.aval.shape
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    return [Zero(x.aval) if type(ct) is Zero else _L().broadcast_in_dim(ct, shape, kept)]


def _chooser_jvp(prim):
    """max/min: the tangent at the chosen locations, shared equally among ties (as JAX)."""

    def rule(primals, tangents, axes):
        L = _L()
        x, = primals
        t, = tangents
        out = prim.bind(x, axes=axes)
        shape = get_aval(x).shape
        kept = tuple(i for i in range(len(shape)) if i not in axes)
        hit = L.convert_element_type(L.eq(x, L.broadcast_in_dim(out, shape, kept)), get_aval(x).dtype)
        counts = L.reduce_sum(hit, axes)
        return out, L.div(L.reduce_sum(L.mul(t, hit), axes), counts)

    return rule


def _prod_jvp(primals, tangents, axes):
    """d prod = sum_i t_i * prod_{j != i} x_j, computed with exclusive cumulative products
    so that zeros in x are handled exactly."""
    L = _L()
    x, = primals
    t, = tangents
    out = reduce_prod_p.bind(x, axes=axes)
    a = get_aval(x)
    kept = [i for i in range(a.ndim) if i not in axes]
    perm = kept + list(axes)
    n = int(np.prod([a.shape[i] for i in axes], dtype=np.int64))
    lead = [a.shape[i] for i in kept]
    xf = L.reshape(L.transpose(x, perm), lead + [n])
    tf = L.reshape(L.transpose(t, perm), lead + [n])
    one = L.full(lead + [1], 1, a.dtype)
    left = L.concatenate([one, L.slice_in_dim(L.cumprod(xf, axis=len(lead)), 0, n - 1, axis=len(lead))],
                         len(lead)) if n else xf
    right = L.concatenate([L.slice_in_dim(L.cumprod(xf, axis=len(lead), reverse=True), 1, n,
                                          axis=len(lead)), one], len(lead)) if n else xf
    return out, L.reduce_sum(L.mul(tf, L.mul(left, right)), (len(lead),))


_REDUCTIONS = [
    # name, impl, dtypes, jvp kind
    ("reduce_sum", _sum_impl, ("number",), "linear"),
    ("reduce_max", _np_reduce(np.max), ("number", "bool"), "chooser"),
    ("reduce_min", _np_reduce(np.min), ("number", "bool"), "chooser"),
    ("reduce_prod", _np_reduce(np.prod), ("number",), "prod"),
    ("reduce_and", _np_reduce(np.bitwise_and.reduce), ("bool", "integer"), None),
    ("reduce_or", _np_reduce(np.bitwise_or.reduce), ("bool", "integer"), None),
    ("reduce_xor", _np_reduce(np.bitwise_xor.reduce), ("bool", "integer"), None),
]

reductions = {}
for _name, _impl, _kinds, _jvp in _REDUCTIONS:
    _p = Primitive(_name)
    register(_p, impl=_impl, abstract_eval=_reduce_abstract(_name, _kinds), batch=_reduce_batch(_p))
    if _jvp == "linear":
        deflinear(_p, _sum_transpose)
    elif _jvp == "chooser":
        core.jvp_rules[_p] = _chooser_jvp(_p)
    elif _jvp == "prod":
        core.jvp_rules[_p] = _prod_jvp
    else:
        defzero(_p)
    reductions[_name] = _p

reduce_sum_p = reductions["reduce_sum"]
reduce_prod_p = reductions["reduce_prod"]


def _arg_abstract(name):
    from pyjax._src.lax.elementwise import check_dtype

    def rule(x, axes, index_dtype):
        # No complex operands (JAX's comparisons reject them too).
        check_dtype(name, ("integer", "floating", "bool"), x.dtype)
        if len(axes) != 1 or not 0 <= axes[0] < x.ndim:
            raise TypeError(f"{name}: needs exactly one axis within the operand rank {x.ndim}, got {axes}")
        if x.shape[axes[0]] == 0:
            raise ValueError(f"{name}: cannot reduce over an empty axis (shape {x.shape})")
        return tuple(s for i, s in enumerate(x.shape) if i != axes[0]), index_dtype
    return rule


def _arg_impl(fn):
    # NumPy's argmax/argmin return the first NaN, as XLA does.
    def impl(x, axes, index_dtype):
        return np.asarray(fn(np.asarray(x), axis=axes[0])).astype(index_dtype)
    return impl


argmax_p = Primitive("argmax")
argmin_p = Primitive("argmin")
for _p, _fn in ((argmax_p, np.argmax), (argmin_p, np.argmin)):
    register(_p, impl=_arg_impl(_fn), abstract_eval=_arg_abstract(_p.name),
             weak_type=core.never_weak, batch=_reduce_batch(_p))
    defzero(_p)


# --- cumulative reductions ---------------------------------------------------


def _cum_abstract(name, kinds):
    from pyjax._src.lax.elementwise import check_dtype

    def rule(x, axis, reverse):
        check_dtype(name, kinds, x.dtype)
        if not 0 <= axis < x.ndim:
            raise TypeError(f"{name}: axis {axis} is out of bounds for an array of rank {x.ndim}")
        return x.shape, x.dtype
    return rule


def _cum_impl(ufunc):
    def impl(x, axis, reverse):
        x = np.asarray(x)
        with np.errstate(invalid="ignore", over="ignore"):
            return _accumulate(x, axis, reverse)

    def _accumulate(x, axis, reverse):
        if reverse:
            return np.flip(ufunc.accumulate(np.flip(x, axis), axis=axis, dtype=x.dtype), axis)
        return ufunc.accumulate(x, axis=axis, dtype=x.dtype)
    return impl


def _cum_jvp_via_scan(op):
    """The jvp of a cumulative op is that of the same prefix scan written in lax ops."""
    def rule(primals, tangents, axis, reverse):
        from pyjax._src.lax.control_flow import associative_scan
        fn = getattr(_L(), op)
        out_p, out_t = ad.jvp_flat(
            lambda v: [associative_scan(fn, v, reverse=reverse, axis=axis)], primals, tangents)
        return out_p[0], out_t[0]
    return rule


def _cumsum_transpose(ct, x, axis, reverse):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [cumsum_p.bind(ct, axis=axis, reverse=not reverse)]


def _cum_batch(prim):
    def rule(vals, dims, axis, reverse):
        x = moveaxis(vals[0], dims[0], 0)
        return prim.bind(x, axis=axis + 1, reverse=reverse), 0
    return rule


_CUMULATIVE = [("cumsum", np.add, ("number",), None),
               ("cumprod", np.multiply, ("number",), "mul"),
               ("cummax", np.maximum, ("number", "bool"), "max"),
               ("cummin", np.minimum, ("number", "bool"), "min"),
               ("cumlogsumexp", np.logaddexp, ("floating",), "logaddexp")]

cumulative = {}
for _name, _ufunc, _kinds, _op in _CUMULATIVE:
    _p = Primitive(_name)
    register(_p, impl=_cum_impl(_ufunc), abstract_eval=_cum_abstract(_name, _kinds),
             batch=_cum_batch(_p))
    if _op is None:
        deflinear(_p, _cumsum_transpose)
    else:
        core.jvp_rules[_p] = _cum_jvp_via_scan(_op)
    cumulative[_name] = _p
cumsum_p = cumulative["cumsum"]
