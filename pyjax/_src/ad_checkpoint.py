"""jax.checkpoint (remat): trade memory for recomputation in reverse mode.

`checkpoint(f)` binds `remat` with f's jaxpr.  Only its partial evaluation differs from
an ordinary call: reverse mode saves as residuals just the values the policy allows (and
the inputs); everything else the backward pass needs is recomputed from them inside the
linear part, where the transpose evaluates it as non-linear work.
"""
import functools

from pyjax._src import core
from pyjax._src.core import Jaxpr, JaxprEqn, Primitive, Var, get_aval
from pyjax._src.interpreters import ad, batching
from pyjax._src.interpreters import partial_eval as pe
from pyjax._src.tree_util import tree_flatten, tree_unflatten


# --- policies: fn(prim, *avals, **params) -> may this equation's output be saved? ---------

def nothing_saveable(prim, *_, **__):
    return False


def everything_saveable(prim, *_, **__):
    return True


def dots_saveable(prim, *_, **__):
    return prim.name == "dot_general"


def dots_with_no_batch_dims_saveable(prim, *_, **params):
    return prim.name == "dot_general" and not params["dimension_numbers"][1][0]


def save_any_names_but_these(*names):
    def policy(prim, *_, **params):
        return prim is name_p and params["name"] not in names
    return policy


def save_only_these_names(*names):
    def policy(prim, *_, **params):
        return prim is name_p and params["name"] in names
    return policy


checkpoint_dots = dots_saveable
checkpoint_dots_with_no_batch_dims = dots_with_no_batch_dims_saveable


class checkpoint_policies:  # the namespace JAX users write `jax.checkpoint_policies.X`
    nothing_saveable = staticmethod(nothing_saveable)
    everything_saveable = staticmethod(everything_saveable)
    dots_saveable = staticmethod(dots_saveable)
    checkpoint_dots = staticmethod(dots_saveable)
    dots_with_no_batch_dims_saveable = staticmethod(dots_with_no_batch_dims_saveable)
    checkpoint_dots_with_no_batch_dims = staticmethod(dots_with_no_batch_dims_saveable)
    save_any_names_but_these = staticmethod(save_any_names_but_these)
    save_only_these_names = staticmethod(save_only_these_names)


# --- checkpoint_name ---------------------------------------------------------------

name_p = Primitive("name")
core.register(name_p, impl=lambda x, name: x, abstract_eval=lambda x, name: (x.shape, x.dtype),
              batch=lambda vals, dims, name: (name_p.bind(vals[0], name=name), dims[0]))
ad.deflinear(name_p, lambda ct, x, name: [ct])


def checkpoint_name(x, name):
    """Tag x with a name that save_only_these_names / save_any_names_but_these can refer to."""
    from pyjax._src.tree_util import tree_map
    return tree_map(lambda v: name_p.bind(v, name=name), x)


# --- the primitive -------------------------------------------------------------------

remat_p = core.CallPrimitive("checkpoint")


def _remat_jvp(primals, tangents, jaxpr, prevent_cse, policy):
    nonzeros = [type(t) is not ad.Zero for t in tangents]
    jvp, keep = ad.jvp_jaxpr(jaxpr, nonzeros, False)
    outs = remat_p.bind(*primals, *[t for t in tangents if type(t) is not ad.Zero],
                        jaxpr=jvp, prevent_cse=prevent_cse, policy=policy)
    n = len(jaxpr.out_avals)
    it = iter(outs[n:])
    return outs[:n], [next(it) if k else ad.Zero(ad.tangent_aval(a))
                      for k, a in zip(keep, jaxpr.out_avals)]


def _remat_partial_eval(trace, args, params):
    closed, policy = params["jaxpr"], params["policy"]
    jaxpr = closed.jaxpr
    unknown = {v for v, x in zip(jaxpr.invars, args) if trace.is_ours(x)}
    known_eqns, unknown_eqns, producer = [], [], {}
    for eqn in jaxpr.eqns:
        if any(type(v) is Var and v in unknown for v in eqn.invars):
            unknown.update(eqn.outvars)
            unknown_eqns.append(eqn)
        else:
            known_eqns.append(eqn)
            for v in eqn.outvars:
                producer[v] = eqn
    # Known values the unknown side reads: saved if an input or allowed by the policy,
    # otherwise recomputed (and then what *they* read is needed in turn).
    saveable = {}
    residuals, recompute, seen = [], [], set()
    todo = [v for e in unknown_eqns for v in e.invars if type(v) is Var and v not in unknown]
    while todo:
        v = todo.pop()
        if v in seen:
            continue
        seen.add(v)
        eqn = producer.get(v)
        if eqn is None:
            residuals.append(v)
            continue
        if eqn not in saveable:
            saveable[eqn] = bool(policy(eqn.primitive, *[x.aval for x in eqn.invars], **eqn.params))
        if saveable[eqn]:
            residuals.append(v)
        else:
            if eqn not in recompute:
                recompute.append(eqn)
            todo.extend(x for x in eqn.invars if type(x) is Var)
    out_unknown = [type(v) is Var and v in unknown for v in jaxpr.outvars]
    known_outs = [v for v, u in zip(jaxpr.outvars, out_unknown) if not u]
    in_known = [v for v in jaxpr.invars if v not in unknown]
    known_jaxpr = Jaxpr(jaxpr.constvars, in_known, known_outs + residuals, known_eqns)
    order = {id(e): i for i, e in enumerate(jaxpr.eqns)}
    u_eqns = sorted(recompute + unknown_eqns, key=lambda e: order[id(e)])
    res_vars = [Var(v.aval) for v in residuals]
    rename = dict(zip(residuals, res_vars))
    u_invars = res_vars + [v for v in jaxpr.invars if v in unknown]
    unknown_jaxpr = _rename(Jaxpr([], u_invars, [v for v, u in zip(jaxpr.outvars, out_unknown) if u],
                                  u_eqns), rename)
    with core.set_current_trace(trace.parent):
        k_out = core.eval_jaxpr(known_jaxpr, closed.consts,
                                *[x for v, x in zip(jaxpr.invars, args) if v not in unknown])
    n_known = len(known_outs)
    u_closed = core.ClosedJaxpr(_close_over(unknown_jaxpr, jaxpr.constvars), closed.consts)
    u_args = list(k_out[n_known:]) + [x for v, x in zip(jaxpr.invars, args) if v in unknown]
    u_out = trace.record_all(remat_p, u_args, dict(params, jaxpr=u_closed))
    k_it, u_it = iter(k_out[:n_known]), iter(u_out)
    return [next(u_it) if u else next(k_it) for u in out_unknown]


def _rename(jaxpr, rename):
    def r(v):
        return rename.get(v, v) if type(v) is Var else v
    eqns = [JaxprEqn(e.primitive, [r(v) for v in e.invars], e.outvars, e.params, e.source_info)
            for e in jaxpr.eqns]
    return Jaxpr(jaxpr.constvars, [r(v) for v in jaxpr.invars], [r(v) for v in jaxpr.outvars], eqns)


def _close_over(jaxpr, constvars):
    return Jaxpr(constvars, jaxpr.invars, jaxpr.outvars, jaxpr.eqns)


@batching.axis_rule
def _remat_batch(trace, vals, dims, jaxpr, prevent_cse, policy):
    vals = [batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(vals, dims)]
    batched, out_b = batching.batch_jaxpr(jaxpr, trace.axis_size, [d is not None for d in dims],
                                          False, trace.axis_name)
    outs = remat_p.bind(*vals, jaxpr=batched, prevent_cse=prevent_cse, policy=policy)
    return outs, [0 if b else None for b in out_b]


core.register(remat_p, abstract_eval=lambda *avals, jaxpr, **_: jaxpr.out_avals,
              jvp=_remat_jvp, partial_eval=_remat_partial_eval, batch=_remat_batch,
              transpose=lambda cts, *args, jaxpr, **_: _remat_transpose(cts, args, jaxpr))


def _remat_transpose(cts, args, jaxpr):
    res = iter(ad.backward_pass(jaxpr.jaxpr, jaxpr.consts, list(args), cts))
    return [next(res) if ad.is_undefined(a) else None for a in args]


def checkpoint(fun=None, *, prevent_cse=True, policy=None, static_argnums=()):
    """Recompute fun's intermediate values in the backward pass instead of saving them
    (except those `policy` allows saving)."""
    if fun is None:
        return lambda f: checkpoint(f, prevent_cse=prevent_cse, policy=policy,
                                    static_argnums=static_argnums)
    static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    policy = policy or nothing_saveable

    @functools.wraps(fun)
    def remat_f(*args, **kwargs):
        static = {i: args[i] for i in static_argnums}
        dyn = [a for i, a in enumerate(args) if i not in static]
        leaves, in_tree = tree_flatten((dyn, kwargs))
        store = {}

        def flat(*xs):
            d, kw = tree_unflatten(in_tree, xs)
            it = iter(d)
            full = [static[i] if i in static else next(it) for i in range(len(args))]
            out, store["tree"] = tree_flatten(fun(*full, **kw))
            return out

        closed, consts = pe.stage(flat, [pe.shaped_abstractify(x) for x in leaves])
        outs = remat_p.bind(*consts, *leaves, jaxpr=closed, prevent_cse=prevent_cse, policy=policy)
        return tree_unflatten(store["tree"], outs)

    return remat_f


remat = checkpoint


def saved_residuals(f, *args, **kwargs):
    """The residuals reverse mode saves for f at args: a list of (aval, description)."""
    from pyjax._src.api import vjp
    _, vjp_fn = vjp(lambda *a: f(*a, **kwargs), *args)
    return [(get_aval(r), "residual") for r in vjp_fn.args[0]]

