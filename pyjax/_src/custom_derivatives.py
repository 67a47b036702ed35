"""custom_jvp and custom_vjp: user-defined derivative rules.

A call of a custom_jvp function binds `custom_jvp_call` with the function staged
as a jaxpr and the user's rule as a parameter.  Every trace but JVPTrace just
runs the jaxpr; JVPTrace runs the rule instead.  custom_vjp works the same way
with `custom_vjp_call`, whose jvp runs the user's forward function and emits
`custom_lin`, a linear primitive whose transpose is the user's backward function.
"""
import functools
import inspect
import itertools

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import get_aval
from pyjax._src.interpreters import ad, batching
from pyjax._src.interpreters import partial_eval as pe
from pyjax._src.interpreters.ad import Zero
from pyjax._src.tree_util import tree_flatten, tree_map, tree_structure, tree_unflatten


def _resolve_args(fun, args, kwargs):
    if not kwargs:
        return args
    try:
        bound = inspect.signature(fun).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{getattr(fun, '__name__', 'function')}: {e}") from None
    bound.apply_defaults()
    return bound.args


def _split_nondiff(args, nondiff_argnums):
    static = {i: args[i] for i in nondiff_argnums}
    dyn = tuple(a for i, a in enumerate(args) if i not in static)
    return static, dyn


def _merge(static, dyn, n):
    it = iter(dyn)
    return [static[i] if i in static else next(it) for i in range(n)]


def _tangent_zeros(p):
    aval = get_aval(p)
    if not dtypes.issubdtype(aval.dtype, np.inexact):
        return np.zeros(aval.shape, dtypes.float0)
    return ad.zeros_like_aval(aval)


def _is_eager():
    return isinstance(core.current_trace(), core.EvalTrace)


class _Staged:
    """A custom-derivative function's call, staged: its arguments split into static
    (nondiff_argnums) and differentiable leaves, and the function as a closed jaxpr."""

    def __init__(self, fun, nondiff_argnums, args):
        self.static, self.dyn = _split_nondiff(args, nondiff_argnums)
        self.nondiff = [self.static[i] for i in nondiff_argnums]
        self.n = len(args)
        self.leaves, self.in_tree = tree_flatten(self.dyn)
        store = {}

        def flat_fun(*xs):
            flat, store["tree"] = tree_flatten(fun(*self.full_args(xs)))
            return flat

        self.closed, self.consts = pe.stage(flat_fun, [pe.shaped_abstractify(x) for x in self.leaves])
        self.out_tree = store["tree"]

    def full_args(self, flat_dyn):
        """All positional arguments, from the flat differentiable leaves."""
        return _merge(self.static, tree_unflatten(self.in_tree, flat_dyn), self.n)


class custom_jvp:
    """A function with a custom forward-mode derivative (see jax.custom_jvp)."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self.symbolic_zeros = False

    def defjvp(self, jvp, symbolic_zeros=False):
        self.jvp = jvp
        self.symbolic_zeros = symbolic_zeros
        return jvp

    def defjvps(self, *jvps):
        """One tangent rule per argument: rule(tangent, primal_out, *primals)."""
        def jvp(primals, tangents):
            out = self.fun(*primals)
            t_out = None
            for rule, t in zip(jvps, tangents):
                if rule is None:
                    continue
                contrib = rule(t, out, *primals)
                t_out = contrib if t_out is None else tree_map(lambda a, b: a + b, t_out, contrib)
            if t_out is None:
                t_out = tree_map(_tangent_zeros, out)
            return out, t_out
        self.defjvp(jvp)

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        name = getattr(self.fun, "__name__", "custom_jvp")
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
        args = _resolve_args(self.fun, args, kwargs)
        if _is_eager():
            return self.fun(*args)
        st = _Staged(self.fun, self.nondiff_argnums, args)
        in_tree, out_tree, out_avals = st.in_tree, st.out_tree, st.closed.out_avals
        def flat_jvp(primals, tangents):
            p = tree_unflatten(in_tree, primals)
            t = tree_unflatten(in_tree, tangents)
            out, t_out = self.jvp(*st.nondiff, tuple(p), tuple(t))
            flat_out, tree1 = tree_flatten(out)
            flat_t, tree2 = tree_flatten(t_out)
            if tree1 != out_tree or tree2 != out_tree:
                raise TypeError(f"Custom JVP rule of {name} must produce primal and tangent outputs "
                                f"with the same tree structure as the function's output {out_tree}; "
                                f"got {tree1} and {tree2}.")
            for o, tt, a in zip(flat_out, flat_t, out_avals):
                ta = get_aval(tt)
                want = ad.tangent_aval(a)
                if ta.shape != a.shape or (ta.dtype != want.dtype and not dtypes.is_float0(ta.dtype)):
                    raise TypeError(f"Custom JVP rule of {name} must produce primal and tangent "
                                    f"outputs with corresponding shapes and dtypes: primal "
                                    f"{a.str_short()} but tangent {ta.str_short()}.")
            return flat_out, flat_t

        outs = custom_jvp_call_p.bind(*st.consts, *st.leaves, jaxpr=st.closed, jvp=flat_jvp,
                                      num_consts=len(st.consts), name=name)
        return tree_unflatten(out_tree, outs)


custom_jvp_call_p = core.CallPrimitive("custom_jvp_call")


def _custom_jvp_call_jvp(primals, tangents, jaxpr, jvp, num_consts, name):
    primals, tangents = primals[num_consts:], tangents[num_consts:]
    tangents = [_tangent_zeros(p) if type(t) is Zero else t for p, t in zip(primals, tangents)]
    outs, t_outs = jvp(primals, tangents)
    t_outs = [Zero.like(o) if dtypes.is_float0(get_aval(t).dtype) else t for o, t in zip(outs, t_outs)]
    return outs, t_outs


@batching.axis_rule
def _custom_jvp_call_batch(trace, vals, dims, jaxpr, jvp, num_consts, name):
    """vmap keeps the custom rule: batch both the function's jaxpr and the rule."""
    size = trace.axis_size
    vals = [batching.bdim_at_front(v, d, size) if d is not None else v for v, d in zip(vals, dims)]
    dims = [None if d is None else 0 for d in dims]
    n_out = len(jaxpr.out_avals)
    closed, consts = _batched_jaxpr(jaxpr, dims, size, trace.axis_name, [get_aval(v) for v in vals])
    arg_dims = dims[num_consts:]

    def batched_jvp(primals, tangents):
        def one(*pt):
            k = len(pt) // 2
            o, t = jvp(list(pt[:k]), list(pt[k:]))
            return list(o) + [ad.instantiate(x) if type(x) is Zero else x for x in t]
        res = batching.vmap_flat(one, list(primals) + list(tangents), arg_dims + arg_dims,
                                 [0] * (2 * n_out), size, trace.axis_name)
        return res[:n_out], res[n_out:]

    outs = custom_jvp_call_p.bind(*consts, *vals, jaxpr=closed, jvp=batched_jvp,
                                  num_consts=len(consts) + num_consts, name=name)
    return outs, [0] * n_out


core.register(custom_jvp_call_p, abstract_eval=lambda *avals, jaxpr, **_: jaxpr.out_avals,
              jvp=_custom_jvp_call_jvp, batch=_custom_jvp_call_batch)


# ---------------------------------------------------------------------------


class custom_vjp:
    """A function with a custom reverse-mode derivative (see jax.custom_vjp)."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd, symbolic_zeros=False, optimize_remat=False):
        self.fwd, self.bwd = fwd, bwd

    def __get__(self, obj, objtype=None):
        return self if obj is None else functools.partial(self, obj)

    def __call__(self, *args, **kwargs):
        name = getattr(self.fun, "__name__", "custom_vjp")
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
        args = _resolve_args(self.fun, args, kwargs)
        if _is_eager():
            return self.fun(*args)
        st = _Staged(self.fun, self.nondiff_argnums, args)
        out_tree, nondiff, dyn = st.out_tree, st.nondiff, st.dyn
        res_store = {}

        def flat_fwd(*xs):
            out, res = self.fwd(*st.full_args(xs))
            flat_out, tree1 = tree_flatten(out)
            if tree1 != out_tree:
                raise TypeError(f"Custom VJP fwd rule of {name} must produce an output with the "
                                f"same structure as the function ({out_tree}), got {tree1}")
            flat_res, res_store["tree"] = tree_flatten(res)
            return flat_out, flat_res

        def flat_bwd(flat_res, flat_cts):
            res = tree_unflatten(res_store["tree"], flat_res)
            cts = tree_unflatten(out_tree, flat_cts)
            got = self.bwd(*nondiff, res, cts)
            if not isinstance(got, (tuple, list)):
                raise TypeError(f"Custom VJP bwd rule of {name} must return a tuple of cotangents, "
                                f"one per differentiable argument, got {type(got).__name__}")
            got = tuple(got)
            if len(got) != len(dyn):
                raise TypeError(f"Custom VJP bwd rule of {name} must return {len(dyn)} cotangents "
                                f"(one per non-static argument), got {len(got)}")
            flat = []
            for ct, arg in zip(got, dyn):
                sub_leaves = tree_flatten(arg)[0]
                if ct is None:
                    flat.extend(Zero(ad.tangent_aval(get_aval(x))) for x in sub_leaves)
                else:
                    ct_leaves = tree_structure(arg).flatten_up_to(ct)
                    flat.extend(Zero(ad.tangent_aval(get_aval(x))) if c is None else c
                                for c, x in zip(ct_leaves, sub_leaves))
            return flat

        outs = custom_vjp_call_p.bind(*st.consts, *st.leaves, jaxpr=st.closed, fwd=flat_fwd,
                                      bwd=flat_bwd, num_consts=len(st.consts), name=name)
        return tree_unflatten(out_tree, outs)


custom_vjp_call_p = core.CallPrimitive("custom_vjp_call")


def _custom_vjp_call_jvp(primals, tangents, jaxpr, fwd, bwd, num_consts, name):
    primals, tangents = primals[num_consts:], tangents[num_consts:]
    outs, res = fwd(*primals)
    tangents = [ad.instantiate(t) if type(t) is Zero and ad.is_differentiable(get_aval(p))
                else (np.zeros(get_aval(p).shape, dtypes.float0) if type(t) is Zero else t)
                for p, t in zip(primals, tangents)]
    out_avals = [ad.tangent_aval(get_aval(o)) for o in outs]
    t_outs = custom_lin_p.bind(*res, *tangents, num_res=len(res), bwd=bwd, out_avals=out_avals,
                               name=name)
    return outs, t_outs


def _batched_jaxpr(jaxpr, dims, size, axis_name, in_avals):
    n_out = len(jaxpr.out_avals)

    def batched_fun(*xs):
        return batching.vmap_flat(lambda *a: core.eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *a),
                                  xs, dims, [0] * n_out, size, axis_name)

    return pe.stage(batched_fun, in_avals)


@batching.axis_rule
def _custom_vjp_call_batch(trace, vals, dims, jaxpr, fwd, bwd, num_consts, name):
    """vmap keeps the custom rule: fwd and bwd run under vmap.  Every argument is batched
    (broadcast if needed) so that bwd's cotangents come back batched; the broadcast's own
    transpose then sums them for arguments that were not."""
    size, axis_name = trace.axis_size, trace.axis_name
    vals = [batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims)]
    closed, consts = _batched_jaxpr(jaxpr, [0] * len(vals), size, axis_name,
                                    [get_aval(v) for v in vals])
    n_out = len(jaxpr.out_avals)
    n_args = len(vals) - num_consts

    def fwd_b(*xs):
        def one(*a):
            outs, res = fwd(*a)
            return list(outs) + list(res)
        r = batching.vmap_flat(one, xs, [0] * n_args, itertools.repeat(0), size, axis_name)
        return r[:n_out], r[n_out:]

    def bwd_b(res, cts):
        n_res = len(res)

        def one(*a):
            return [ad.instantiate(c) for c in bwd(list(a[:n_res]), list(a[n_res:]))]
        return batching.vmap_flat(one, list(res) + [ad.instantiate(c) for c in cts],
                                  [0] * (n_res + len(cts)), [0] * n_args, size, axis_name)

    outs = custom_vjp_call_p.bind(*consts, *vals, jaxpr=closed, fwd=fwd_b, bwd=bwd_b,
                                  num_consts=len(consts) + num_consts, name=name)
    return outs, [0] * n_out


core.register(custom_vjp_call_p, abstract_eval=lambda *avals, jaxpr, **_: jaxpr.out_avals,
              jvp=_custom_vjp_call_jvp, batch=_custom_vjp_call_batch)


custom_lin_p = core.Primitive("custom_lin", multiple_results=True)


def _custom_lin_impl(*args, num_res, bwd, out_avals, name):
    raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function ({name}). "
                    "custom_vjp functions only support reverse mode; use jax.custom_jvp for a "
                    "function that needs forward-mode differentiation.")


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals, name):
    res = args[:num_res]
    cts = [ad.zeros_like_aval(a) if type(c) is Zero and not dtypes.is_float0(a.dtype) else c
           for c, a in zip(cts, out_avals)]
    cts_in = bwd(list(res), cts)
    return [None] * num_res + list(cts_in)


core.register(custom_lin_p, impl=_custom_lin_impl,
              abstract_eval=lambda *avals, out_avals, **_: out_avals,
              transpose=_custom_lin_transpose)
# Evaluating custom_lin on a JVP trace (jvp of jvp of custom_vjp) is the same error.
core.jvp_rules[custom_lin_p] = lambda primals, tangents, **p: _custom_lin_impl(**p)
