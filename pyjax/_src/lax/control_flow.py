"""Structured control flow: cond/switch, while_loop, fori_loop, scan, map, associative_scan.

Each primitive carries closed jaxprs of its user functions.  Functions that close over
values of enclosing transformations are staged with those values hoisted into explicit
inputs (`pe.stage`), so every transformation sees them.  Each primitive has its rules
beside it: eager implementation (a Python loop over the compiled body), abstract eval,
jvp (a jvp of the body; for loops, with a fixed point on which carries have tangents),
partial evaluation for reverse mode, transpose, and batching.
"""
import itertools

import numpy as np

from pyjax._src import backend, core, dtypes
from pyjax._src.core import Primitive, ShapedArray, get_aval
from pyjax._src.interpreters import ad, batching
from pyjax._src.interpreters import partial_eval as pe
from pyjax._src.interpreters.ad import Zero
from pyjax._src.lax import tokens
from pyjax._src.tree_util import tree_flatten, tree_map, tree_unflatten


def _L():
    from pyjax._src.lax import lax
    return lax


def _stage(fun, in_tree, in_avals):
    """Stage `fun` (of the pytree `in_tree`) → (closed jaxpr with hoisted consts first,
    the hoisted consts, the output tree)."""
    flat_fun, store = pe.flatten_fun(fun, in_tree)
    closed, consts = pe.stage(flat_fun, in_avals)
    return closed, consts, store["tree"]


def _wrap(fun, in_avals):
    """A closed jaxpr of a Python function of flat arguments (no closures over tracers)."""
    closed, consts = pe.stage(fun, in_avals)
    assert not consts
    return closed


def _run(closed, *args):
    return core.eval_jaxpr(closed.jaxpr, closed.consts, *args)


def _types_str(avals):
    return "(" + ", ".join(a.str_short() for a in avals) + ")"


def _same_type(a, b):
    """Equal types up to weak typing (works for arrays and tokens alike)."""
    return a.strip_weak_type() == b.strip_weak_type()


def _check_same_types(what, tree_a, avals_a, tree_b, avals_b):
    if tree_a != tree_b:
        raise TypeError(f"{what} must have identical structure, got {tree_a} and {tree_b}.")
    for a, b in zip(avals_a, avals_b):
        if not _same_type(a, b):
            raise TypeError(f"{what} must have identical types, got {_types_str(avals_a)} "
                            f"and {_types_str(avals_b)}.")


def _raw(closed):
    return backend.compile(closed).fn


def _out_weak(closed):
    return [a.weak_type for a in closed.out_avals]


# ===========================================================================
# cond / switch


def switch(index, branches, *operands, operand=None):
    """Apply branches[index](*operands), with index clamped into range (as JAX does)."""
    if operand is not None:
        operands = (operand,)
    branches = list(branches)
    if not branches:
        raise ValueError("switch: empty list of branches")
    index = _L().asarray(index)
    if get_aval(index).shape or not dtypes.issubdtype(get_aval(index).dtype, np.integer):
        raise TypeError(f"switch: index must be a scalar integer, got {get_aval(index).str_short()}")
    index = _L().convert_element_type(index, np.int32)
    index = _L().clamp(np.int32(0), index, np.int32(len(branches) - 1))
    return _cond_call(index, branches, operands, "switch")


def cond(pred, true_fun, false_fun, *operands, operand=None):
    """true_fun(*operands) if pred else false_fun(*operands), both staged (both must return
    the same types)."""
    if operand is not None:
        operands = (operand,)
    # The legacy form cond(pred, true_operand, true_fun, false_operand, false_fun).
    if not callable(true_fun) and callable(false_fun) and len(operands) == 2 and callable(operands[1]):
        t_op, t_fun, f_op, f_fun = true_fun, false_fun, operands[0], operands[1]
        return cond(pred, lambda ops: t_fun(ops[0]), lambda ops: f_fun(ops[1]), (t_op, f_op))
    if not callable(true_fun) or not callable(false_fun):
        raise TypeError("cond: true_fun and false_fun arguments should be callable.")
    pred = _L().asarray(pred)
    pa = get_aval(pred)
    if pa.shape:
        raise TypeError(f"cond: pred must be a scalar, got {pa.str_short()}.")
    if pa.dtype != np.bool_ and not dtypes.issubdtype(pa.dtype, np.integer):
        raise TypeError(f"cond: pred must be a boolean or integer scalar, got {pa.str_short()}.")
    if pa.dtype != np.bool_:
        pred = _L().ne(pred, _L().full_like(pred, 0))
    index = _L().convert_element_type(pred, np.int32)
    return _cond_call(index, [false_fun, true_fun], operands, "cond")


def _cond_call(index, branches, operands, name):
    leaves, in_tree = tree_flatten(tuple(operands))
    avals = [pe.shaped_abstractify(x) for x in leaves]
    staged = [_stage(b, in_tree, avals) for b in branches]
    out_tree0, out_avals0 = staged[0][2], staged[0][0].out_avals
    for i, (closed, _, tree) in enumerate(staged[1:], 1):
        if name == "cond":  # branches are [false_fun, true_fun]; name them as the user did
            _check_same_types("cond: true_fun and false_fun output", tree, closed.out_avals,
                              out_tree0, out_avals0)
        else:
            _check_same_types(f"switch: branch 0 and {i} outputs", out_tree0, out_avals0, tree,
                              closed.out_avals)
    # Every branch receives the hoisted constants of all branches (each uses its own).
    all_consts = [c for _, consts, _ in staged for c in consts]
    const_avals = [get_aval(c) for c in all_consts]
    jaxprs, start = [], 0
    for closed, consts, _ in staged:
        n = len(consts)
        jaxprs.append(_with_extra_inputs(closed, const_avals, start, n))
        start += n
    jaxprs = _join_weak_types(jaxprs)
    outs = cond_p.bind(index, *all_consts, *leaves, branches=tuple(jaxprs))
    return tree_unflatten(out_tree0, outs)


def _with_extra_inputs(closed, const_avals, start, n):
    """A jaxpr taking all branches' constants, of which it uses slots [start, start+n)."""
    def fun(*args):
        consts = args[start:start + n]
        return _run(closed, *consts, *args[len(const_avals):])
    return _wrap(fun, const_avals + closed.in_avals[n:])


def _join_weak_types(jaxprs):
    """Outputs are weakly typed only where every branch's is (as JAX joins them)."""
    weak = [all(w) for w in zip(*[_out_weak(j) for j in jaxprs])]
    if all(_out_weak(j) == weak for j in jaxprs):
        return jaxprs
    out = []
    for j in jaxprs:
        def fun(*args, j=j):
            return [_L().convert_element_type(o, a.dtype, w)
                    for o, a, w in zip(_run(j, *args), j.out_avals, weak)]
        out.append(_wrap(fun, j.in_avals))
    return out


cond_p = Primitive("cond", multiple_results=True)


def _cond_impl(index, *args, branches):
    return _raw(branches[int(index)])(*args)


def _cond_abstract(index, *avals, branches):
    return branches[0].out_avals


def _cond_jvp(primals, tangents, branches):
    index, ops = primals[0], primals[1:]
    tops = tangents[1:]
    nonzeros = [type(t) is not Zero for t in tops]
    out_nz = [any(nz) for nz in zip(*[ad.jvp_jaxpr(b, nonzeros, False)[1] for b in branches])]
    jvps = [ad.jvp_jaxpr(b, nonzeros, out_nz)[0] for b in branches]
    outs = cond_p.bind(index, *ops, *[t for t in tops if type(t) is not Zero], branches=tuple(jvps))
    n = len(branches[0].out_avals)
    keep = ad.jvp_jaxpr(branches[0], nonzeros, out_nz)[1]
    it = iter(outs[n:])
    t_out = [next(it) if k else Zero(ad.tangent_aval(a))
             for k, a in zip(keep, branches[0].out_avals)]
    return outs[:n], t_out


def _cond_partial_eval(trace, args, params):
    branches = params["branches"]
    index, ops = args[0], args[1:]
    if trace.is_ours(index):
        return trace.record_all(cond_p, args, params)
    unknowns = [trace.is_ours(x) for x in ops]
    out_uk = [any(u) for u in zip(*[pe.partial_eval_jaxpr(b, unknowns)[2] for b in branches])]
    splits = [pe.partial_eval_jaxpr(b, unknowns, out_uk) for b in branches]
    res_avals = [a for s in splits for a in s[3]]
    known_ops = [x for x, u in zip(ops, unknowns) if not u]
    n_known_out = out_uk.count(False)

    # Known branches output their known values and their residuals in their own slots
    # of a shared residual list (zeros in the other branches' slots).
    known_jaxprs, unknown_jaxprs, start = [], [], 0
    for known, unknown, _, r_avals in splits:
        n = len(r_avals)

        def k_fun(*xs, known=known, start=start, n=n):
            outs = _run(known, *xs)
            res = [ad.zeros_like_aval(a) for a in res_avals]
            res[start:start + n] = outs[n_known_out:]
            return list(outs[:n_known_out]) + res

        def u_fun(*xs, unknown=unknown, start=start, n=n):
            return _run(unknown, *xs[start:start + n], *xs[len(res_avals):])

        known_jaxprs.append(_wrap(k_fun, [get_aval(x) for x in known_ops]))
        unknown_jaxprs.append(_wrap(u_fun, res_avals + [a for a, u in zip(branches[0].in_avals, unknowns) if u]))
        start += n
    with core.set_current_trace(trace.parent):
        known_outs = cond_p.bind(index, *known_ops, branches=tuple(known_jaxprs))
    residuals = known_outs[n_known_out:]
    unknown_ops = [x for x, u in zip(ops, unknowns) if u]
    u_outs = trace.record_all(cond_p, [index] + list(residuals) + unknown_ops,
                              {"branches": tuple(unknown_jaxprs)})
    k_it, u_it = iter(known_outs[:n_known_out]), iter(u_outs)
    return [next(u_it) if u else next(k_it) for u in out_uk]


def _cond_transpose(cts, index, *ops, branches):
    linear = [ad.is_undefined(x) for x in ops]
    cts = [ad.zeros_like_aval(ad.tangent_aval(a)) if type(c) is Zero else c
           for c, a in zip(cts, branches[0].out_avals)]
    transposed = tuple(ad.transpose_jaxpr(b, linear) for b in branches)
    res = [x for x, lin in zip(ops, linear) if not lin]
    outs = iter(cond_p.bind(index, *res, *cts, branches=transposed))
    return [None] + [next(outs) if lin else None for lin in linear]


@batching.axis_rule
def _cond_batch(trace, vals, dims, branches):
    size, name = trace.axis_size, trace.axis_name
    index, idim = vals[0], dims[0]
    ops = [batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(vals[1:], dims[1:])]
    in_b = [d is not None for d in dims[1:]]
    if idim is None:
        out_b = [any(b) for b in zip(*[batching.batch_jaxpr(br, size, in_b, False, name)[1]
                                       for br in branches])]
        batched = tuple(batching.batch_jaxpr(br, size, in_b, out_b, name)[0] for br in branches)
        outs = cond_p.bind(index, *ops, branches=batched)
        return outs, [0 if b else None for b in out_b]
    # A batched predicate: every branch runs on every lane, then a select picks per lane.
    # Each branch sees its own lanes' operands and stop_gradient(operand) elsewhere, so a
    # branch that is singular on lanes it does not own (1/x at 0) leaves no NaN in their
    # derivatives (as JAX does).
    L = _L()
    index = batching.moveaxis(index, idim, 0)
    ops = [x if b or type(get_aval(x)) is core.AbstractToken else batching.bdim_at_front(x, None, size)
           for x, b in zip(ops, in_b)]
    in_b = [type(get_aval(x)) is not core.AbstractToken for x in ops]
    results = []
    for i, br in enumerate(branches):
        mine = L.eq(index, L.full_like(index, i))
        ops_i = [L.select(L.broadcast_in_dim(mine, get_aval(x).shape, (0,)), x, L.stop_gradient(x))
                 if b and dtypes.issubdtype(get_aval(x).dtype, np.inexact) else x
                 for x, b in zip(ops, in_b)]
        results.append(_run(batching.batch_jaxpr(br, size, in_b, True, name)[0], *ops_i))
    outs, out_dims = [], []
    for per_branch in zip(*results):
        if type(get_aval(per_branch[0])) is core.AbstractToken:
            # A token is unbatched: the result follows every branch's token.
            outs.append(tokens.after_all(*per_branch))
            out_dims.append(None)
            continue
        shape = get_aval(per_branch[0]).shape
        which = L.broadcast_in_dim(index, shape, (0,))
        outs.append(L.select_n(which, *per_branch))
        out_dims.append(0)
    return outs, out_dims


core.register(cond_p, impl=_cond_impl, abstract_eval=_cond_abstract, jvp=_cond_jvp,
              transpose=_cond_transpose, batch=_cond_batch, partial_eval=_cond_partial_eval,
              weak_type=lambda *w, branches: _out_weak(branches[0]))


# ===========================================================================
# while_loop


def while_loop(cond_fun, body_fun, init_val):
    """Repeat body_fun on the carry while cond_fun(carry) holds."""
    leaves, tree = tree_flatten(init_val)
    avals = [pe.shaped_abstractify(x) for x in leaves]
    cond_closed, cond_consts, cond_tree = _stage(lambda c: cond_fun(c), _single_arg_tree(tree), avals)
    pred_avals = cond_closed.out_avals
    if len(pred_avals) != 1 or pred_avals[0].shape or pred_avals[0].dtype != np.bool_:
        raise TypeError(f"while_loop: cond_fun must return a boolean scalar, but got output "
                        f"type(s) {_types_str(pred_avals)}.")
    body_closed, body_consts, body_tree = _stage(lambda c: body_fun(c), _single_arg_tree(tree), avals)
    if body_tree == tree:
        leaves, changed = _promote_weak_carry(leaves, body_closed.out_avals)
        if changed:
            return while_loop(cond_fun, body_fun, tree_unflatten(tree, leaves))
    if body_tree != tree:
        raise TypeError(f"while_loop: body_fun output and input must have identical types; the "
                        f"input carry has structure {tree} but body_fun returned {body_tree}.")
    for a, b in zip(avals, body_closed.out_avals):
        if not _same_type(a, b):
            raise TypeError(f"while_loop: body_fun output and input must have identical types, "
                            f"got input carry {_types_str(avals)} and output "
                            f"{_types_str(body_closed.out_avals)}.")
    body_closed = _match_weak(body_closed, avals)
    outs = while_p.bind(*cond_consts, *body_consts, *leaves, cond_jaxpr=cond_closed,
                        body_jaxpr=body_closed, cond_nconsts=len(cond_consts),
                        body_nconsts=len(body_consts))
    return tree_unflatten(tree, outs)


def _promote_weak_carry(leaves, out_avals):
    """A weakly typed initial carry takes the type the body gives it (as in JAX): a weak
    0.0 carried through `c + x` with float32 x becomes a float32 carry.  Returns the new
    leaves and whether any changed (then the body is staged again)."""
    new, changed = [], False
    for x, o in zip(leaves, out_avals):
        a = get_aval(x)
        if a.weak_type and (a.dtype != o.dtype or not o.weak_type):
            dt, weak = dtypes.result_type(a, o, return_weak_type_flag=True)
            x = _L().convert_element_type(x, dt, weak)
            changed = True
        new.append(x)
    return new, changed


def _single_arg_tree(tree):
    """The tree of a one-argument call `f(carry)` whose carry has structure `tree`."""
    from pyjax._src.tree_util import tree_structure
    proxy = tree_unflatten(tree, [0] * tree.num_leaves)
    return tree_structure((proxy,))


def _match_weak(closed, avals):
    """Loop carries keep the init's weak types (a weak carry stays weak, as in JAX)."""
    if [a.weak_type for a in closed.out_avals] == [a.weak_type for a in avals]:
        return closed
    return _wrap(lambda *xs: [_L().convert_element_type(o, a.dtype, a.weak_type)
                              for o, a in zip(_run(closed, *xs), avals)], closed.in_avals)


while_p = Primitive("while", multiple_results=True)


def _while_impl(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cc, bc = args[:cond_nconsts], args[cond_nconsts:cond_nconsts + body_nconsts]
    carry = list(args[cond_nconsts + body_nconsts:])
    cond_fn, body_fn = _raw(cond_jaxpr), _raw(body_jaxpr)
    while cond_fn(*cc, *carry)[0]:
        carry = list(body_fn(*bc, *carry))
    return carry


def _while_jvp(primals, tangents, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    nc, nb = cond_nconsts, body_nconsts
    cc, bc, carry = primals[:nc], primals[nc:nc + nb], primals[nc + nb:]
    bct, ct = tangents[nc:nc + nb], tangents[nc + nb:]
    bc_nz = [type(t) is not Zero for t in bct]
    carry_nz = [type(t) is not Zero for t in ct]
    while True:  # which carries have tangents: a fixed point
        _, out_nz = ad.jvp_jaxpr(body_jaxpr, bc_nz + carry_nz, carry_nz)
        new = [a or b for a, b in zip(carry_nz, out_nz)]
        if new == carry_nz:
            break
        carry_nz = new
    body_jvp, _ = ad.jvp_jaxpr(body_jaxpr, bc_nz + carry_nz, carry_nz)
    n_bc, n_c = len(bc), len(carry)
    n_bct, n_ct = sum(bc_nz), sum(carry_nz)
    # The while primitive wants (consts, carry): reorder (bc, carry, bct, ct) accordingly.
    body_avals = body_jvp.in_avals

    def body(*xs):
        b, bt = xs[:n_bc], xs[n_bc:n_bc + n_bct]
        c, t = xs[n_bc + n_bct:n_bc + n_bct + n_c], xs[n_bc + n_bct + n_c:]
        return _run(body_jvp, *b, *c, *bt, *t)

    new_body = _wrap(body, body_avals[:n_bc] + body_avals[n_bc + n_c:n_bc + n_c + n_bct]
                     + body_avals[n_bc:n_bc + n_c] + body_avals[n_bc + n_c + n_bct:])
    t_avals = [ad.tangent_aval(get_aval(c)) for c, nz in zip(carry, carry_nz) if nz]
    new_cond = _wrap(lambda *xs: _run(cond_jaxpr, *xs[:nc + n_c]),
                     cond_jaxpr.in_avals + t_avals)
    tans = [ad.instantiate(t) if type(t) is Zero else t for t, nz in zip(ct, carry_nz) if nz]
    bts = [t for t in bct if type(t) is not Zero]
    outs = while_p.bind(*cc, *bc, *bts, *carry, *tans, cond_jaxpr=new_cond, body_jaxpr=new_body,
                        cond_nconsts=nc, body_nconsts=n_bc + n_bct)
    it = iter(outs[n_c:])
    return outs[:n_c], [next(it) if nz else Zero(ad.tangent_aval(get_aval(c)))
                        for c, nz in zip(carry, carry_nz)]


def _while_partial_eval(trace, args, params):
    raise ValueError("Reverse-mode differentiation does not work for lax.while_loop or "
                     "lax.fori_loop with dynamic start/stop values. Try using lax.scan, or "
                     "using fori_loop with static start/stop.")


@batching.axis_rule
def _while_batch(trace, vals, dims, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    size, name = trace.axis_size, trace.axis_name
    nc, nb = cond_nconsts, body_nconsts
    vals = [batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(vals, dims)]
    b = [d is not None for d in dims]
    cc_b, bc_b, carry_b = b[:nc], b[nc:nc + nb], b[nc + nb:]
    while True:
        _, out_b = batching.batch_jaxpr(body_jaxpr, size, bc_b + carry_b, carry_b, name)
        new = [x or y for x, y in zip(carry_b, out_b)]
        if new == carry_b:
            break
        carry_b = new
    _, pred_b = batching.batch_jaxpr(cond_jaxpr, size, cc_b + carry_b, False, name)
    if pred_b[0]:
        # Lanes stop at different times: all carries per lane (but tokens, never batched).
        carry_b = [type(a) is not core.AbstractToken for a in body_jaxpr.out_avals]
    body_b, _ = batching.batch_jaxpr(body_jaxpr, size, bc_b + carry_b, carry_b, name)
    cond_b, _ = batching.batch_jaxpr(cond_jaxpr, size, cc_b + carry_b, pred_b, name)
    carry = [batching.bdim_at_front(v, 0 if vb else None, size) if cb and not vb else v
             for v, vb, cb in zip(vals[nc + nb:], b[nc + nb:], carry_b)]
    cc, bc = vals[:nc], vals[nc:nc + nb]
    if pred_b[0]:
        # Keep iterating while any lane runs; finished lanes keep their carry.
        L = _L()

        def body(*xs):
            ccs, bcs, cs = xs[:nc], xs[nc:nc + nb], xs[nc + nb:]
            pred = _run(cond_b, *ccs, *cs)[0]
            new = _run(body_b, *bcs, *cs)
            return [n if type(get_aval(n)) is core.AbstractToken else
                    L.select(L.broadcast_in_dim(pred, get_aval(n).shape, (0,)), n, c)
                    for n, c in zip(new, cs)]

        def cond(*xs):
            return [L.reduce_or(_run(cond_b, *xs)[0], (0,))]

        carry_avals = [get_aval(c) for c in carry]
        cc_avals = [get_aval(c) for c in cc]
        body_j = _wrap(body, cc_avals + [get_aval(x) for x in bc] + carry_avals)
        cond_j = _wrap(cond, cc_avals + carry_avals)
        outs = while_p.bind(*cc, *cc, *bc, *carry, cond_jaxpr=cond_j, body_jaxpr=body_j,
                            cond_nconsts=nc, body_nconsts=nc + nb)
    else:
        outs = while_p.bind(*cc, *bc, *carry, cond_jaxpr=cond_b, body_jaxpr=body_b,
                            cond_nconsts=nc, body_nconsts=nb)
    return outs, [0 if x else None for x in carry_b]


core.register(while_p, impl=_while_impl, jvp=_while_jvp, batch=_while_batch,
              partial_eval=_while_partial_eval,
              abstract_eval=lambda *avals, body_jaxpr, **_: body_jaxpr.out_avals,
              weak_type=lambda *w, body_jaxpr, **_: _out_weak(body_jaxpr))


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """body_fun(i, val) for i in [lower, upper).  With static bounds this is a scan (so it
    can be reverse-differentiated), otherwise a while_loop, as in JAX."""
    lo, hi = _static_int(lower), _static_int(upper)
    if lo is not None and hi is not None:
        # Python int bounds give a weakly typed counter, as in JAX.
        dt, weak = dtypes.result_type(lower, upper, return_weak_type_flag=True)

        def step(carry, _):
            i, val = carry
            return (_L().add(i, _L().full_like(i, 1)), body_fun(i, val)), None

        (_, out), _ = scan(step, (_L().full((), lo, dt, weak), init_val), None, length=max(hi - lo, 0))
        return out
    lower, upper = _L().asarray(lower), _L().asarray(upper)
    dt = dtypes.result_type(lower, upper)
    lower, upper = _L().convert_element_type(lower, dt), _L().convert_element_type(upper, dt)

    def cond_fn(c):
        return _L().lt(c[0], c[2])

    def body_fn(c):
        i, val, hi = c
        return _L().add(i, _L().full_like(i, 1)), body_fun(i, val), hi

    return while_loop(cond_fn, body_fn, (lower, init_val, upper))[1]


def _static_int(x):
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, core.ArrayImpl) and not x.shape:
        return int(x._value)
    return None


# ===========================================================================
# scan


def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    """Loop f(carry, x) -> (carry, y) over the leading axis of xs, stacking the ys."""
    carry_leaves, carry_tree = tree_flatten(init)
    xs_leaves, xs_tree = tree_flatten(xs)
    if any(type(get_aval(x)) is core.AbstractToken for x in xs_leaves):
        raise TypeError("scan: xs cannot contain tokens (there is no axis of a token to scan "
                        "over); pass a token in the carry instead.")
    lengths = {get_aval(x).shape[0] if get_aval(x).shape else None for x in xs_leaves}
    if None in lengths:
        raise ValueError("scan got an xs value with no leading axis to scan over (a scalar)")
    if length is not None:
        length = int(core.concrete_or_error(length, "the length of scan")) \
            if isinstance(length, core.Tracer) else int(length)
        lengths.add(length)
    if len(lengths) > 1:
        raise ValueError(f"scan got values with different leading axis sizes: "
                         f"{sorted(lengths)} (the length and the xs leading axes must agree)")
    if not lengths:
        raise ValueError("scan got no values to scan over and `length` not provided.")
    n = lengths.pop()
    carry_avals = [pe.shaped_abstractify(x) for x in carry_leaves]
    x_avals = [ShapedArray(get_aval(x).shape[1:], get_aval(x).dtype, get_aval(x).weak_type)
               for x in xs_leaves]
    from pyjax._src.tree_util import tree_structure
    proxy_c = tree_unflatten(carry_tree, [0] * carry_tree.num_leaves)
    proxy_x = tree_unflatten(xs_tree, [0] * xs_tree.num_leaves)
    in_tree = tree_structure((proxy_c, proxy_x))
    closed, consts, out_tree = _stage(lambda c, x: f(c, x), in_tree, carry_avals + x_avals)
    try:
        new_carry_tree, ys_tree = out_tree.children()
        if out_tree.num_nodes and len(out_tree.children()) != 2:
            raise ValueError
    except ValueError:
        raise TypeError("scan body output must be a pair (carry, y)") from None
    n_c = carry_tree.num_leaves
    c_out = closed.out_avals[:new_carry_tree.num_leaves]
    if any(type(a) is core.AbstractToken for a in closed.out_avals[new_carry_tree.num_leaves:]):
        raise TypeError("scan: the body function's ys outputs cannot be tokens (ys are "
                        "stacked into arrays); return a token in the carry instead.")
    if new_carry_tree == carry_tree:
        carry_leaves, changed = _promote_weak_carry(carry_leaves, c_out)
        if changed:
            return scan(f, tree_unflatten(carry_tree, carry_leaves), xs, length, reverse, unroll)
    if new_carry_tree != carry_tree or any(
            not _same_type(a, b) for a, b in zip(carry_avals, c_out)):
        raise TypeError(f"scan body function carry input and carry output must have equal "
                        f"types (structure and shape/dtype); the input carry is "
                        f"{_types_str(carry_avals)} with structure {carry_tree}, the output "
                        f"carry is {_types_str(c_out)} with structure {new_carry_tree}.")
    closed = _match_weak_carry(closed, len(consts), carry_avals)
    outs = scan_p.bind(*consts, *carry_leaves, *xs_leaves, jaxpr=closed, num_consts=len(consts),
                       num_carry=n_c, length=n, reverse=bool(reverse))
    return tree_unflatten(new_carry_tree, outs[:n_c]), tree_unflatten(ys_tree, outs[n_c:])


def _match_weak_carry(closed, n_consts, carry_avals):
    n_c = len(carry_avals)
    outs_w = _out_weak(closed)[:n_c]
    if outs_w == [a.weak_type for a in carry_avals]:
        return closed

    def fun(*xs):
        outs = _run(closed, *xs)
        return [_L().convert_element_type(o, a.dtype, a.weak_type)
                for o, a in zip(outs[:n_c], carry_avals)] + list(outs[n_c:])
    return _wrap(fun, closed.in_avals)


scan_p = Primitive("scan", multiple_results=True)


def _scan_impl(*args, jaxpr, num_consts, num_carry, length, reverse):
    consts = args[:num_consts]
    carry = list(args[num_consts:num_consts + num_carry])
    xs = args[num_consts + num_carry:]
    fn = _raw(jaxpr)
    ys = []
    order = range(length - 1, -1, -1) if reverse else range(length)
    for i in order:
        outs = fn(*consts, *carry, *[x[i] for x in xs])
        carry = list(outs[:num_carry])
        ys.append(outs[num_carry:])
    y_avals = jaxpr.out_avals[num_carry:]
    if reverse:
        ys = ys[::-1]
    stacked = [np.stack([np.asarray(y[j]) for y in ys]) if ys else np.zeros((0,) + a.shape, a.dtype)
               for j, a in enumerate(y_avals)]
    return carry + stacked


def _scan_abstract(*avals, jaxpr, num_consts, num_carry, length, reverse):
    outs = jaxpr.out_avals
    return list(outs[:num_carry]) + [a.update(shape=(length,) + a.shape) for a in outs[num_carry:]]


def _permute(xs, order):
    return [xs[i] for i in order]


def _scan_jvp(primals, tangents, jaxpr, num_consts, num_carry, length, reverse):
    nk, nc = num_consts, num_carry
    nx = len(primals) - nk - nc
    nz = [type(t) is not Zero for t in tangents]
    const_nz, carry_nz, xs_nz = nz[:nk], nz[nk:nk + nc], nz[nk + nc:]
    while True:
        _, out_nz = ad.jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + [False] * (
            len(jaxpr.out_avals) - nc))
        new = [a or b for a, b in zip(carry_nz, out_nz[:nc])]
        if new == carry_nz:
            break
        carry_nz = new
    n_y = len(jaxpr.out_avals) - nc
    jvp, keep = ad.jvp_jaxpr(jaxpr, const_nz + carry_nz + xs_nz, carry_nz + [False] * n_y)
    kc, ky = keep[:nc], keep[nc:]
    nkt, nct, nxt = sum(const_nz), sum(carry_nz), sum(xs_nz)
    # jvp's inputs are (consts, carry, xs, consts_t, carry_t, xs_t); scan wants
    # (consts, consts_t, carry, carry_t, xs, xs_t).  Outputs likewise (carry, carry_t, ys, ys_t).
    base = nk + nc + nx
    order = (list(range(nk)) + list(range(base, base + nkt))
             + list(range(nk, nk + nc)) + list(range(base + nkt, base + nkt + nct))
             + list(range(nk + nc, base)) + list(range(base + nkt + nct, base + nkt + nct + nxt)))
    inv = np.argsort(order)
    n_ct, n_yt = sum(kc), sum(ky)

    def body(*xs):
        outs = _run(jvp, *[xs[i] for i in inv])
        c, y = outs[:nc], outs[nc:nc + n_y]
        ct, yt = outs[nc + n_y:nc + n_y + n_ct], outs[nc + n_y + n_ct:]
        return list(c) + list(ct) + list(y) + list(yt)

    new_jaxpr = _wrap(body, _permute(jvp.in_avals, order))
    consts, carry, xs = primals[:nk], primals[nk:nk + nc], primals[nk + nc:]
    kt = [t for t in tangents[:nk] if type(t) is not Zero]
    ctans = [ad.instantiate(t) for t, z in zip(tangents[nk:nk + nc], carry_nz) if z]
    xt = [t for t in tangents[nk + nc:] if type(t) is not Zero]
    outs = scan_p.bind(*consts, *kt, *carry, *ctans, *xs, *xt, jaxpr=new_jaxpr,
                       num_consts=nk + nkt, num_carry=nc + n_ct, length=length, reverse=reverse)
    c_out, ct_out = outs[:nc], outs[nc:nc + n_ct]
    y_out, yt_out = outs[nc + n_ct:nc + n_ct + n_y], outs[nc + n_ct + n_y:]
    ct_it, yt_it = iter(ct_out), iter(yt_out)
    out_avals = _scan_abstract(jaxpr=jaxpr, num_consts=nk, num_carry=nc,
                               length=length, reverse=reverse)
    tans = [next(ct_it) if k else Zero(ad.tangent_aval(a)) for k, a in zip(kc, out_avals[:nc])]
    tans += [next(yt_it) if k else Zero(ad.tangent_aval(a)) for k, a in zip(ky, out_avals[nc:])]
    return list(c_out) + list(y_out), tans


def _scan_partial_eval(trace, args, params):
    jaxpr, nk, nc = params["jaxpr"], params["num_consts"], params["num_carry"]
    length, reverse = params["length"], params["reverse"]
    uk = [trace.is_ours(x) for x in args]
    const_uk, carry_uk, xs_uk = uk[:nk], uk[nk:nk + nc], uk[nk + nc:]
    n_y = len(jaxpr.out_avals) - nc
    while True:
        out_uk = pe.partial_eval_jaxpr(jaxpr, const_uk + carry_uk + xs_uk)[2]
        new = [a or b for a, b in zip(carry_uk, out_uk[:nc])]
        if new == carry_uk:
            break
        carry_uk = new
    known, unknown, out_uk, res_avals = pe.partial_eval_jaxpr(
        jaxpr, const_uk + carry_uk + xs_uk, carry_uk + [False] * n_y)
    in_uk = const_uk + carry_uk + xs_uk
    known_args = [x for x, u in zip(args, in_uk) if not u]
    nk_k, nc_k = const_uk.count(False), carry_uk.count(False)
    # Known scan: residuals are extra per-iteration outputs (ys).
    with core.set_current_trace(trace.parent):
        k_outs = scan_p.bind(*known_args, jaxpr=known, num_consts=nk_k, num_carry=nc_k,
                             length=length, reverse=reverse)
    n_res = len(res_avals)
    n_known_out = out_uk.count(False)
    k_carry = k_outs[:nc_k]
    k_ys = k_outs[nc_k:n_known_out]
    residuals = k_outs[n_known_out:]
    # Unknown scan: consts_uk, carry_uk, then the residuals and xs_uk as xs.
    nk_u, nc_u = sum(const_uk), sum(carry_uk)
    u_avals = unknown.in_avals  # (res, consts_uk, carry_uk, xs_uk)

    def body(*xs):
        kc, c = xs[:nk_u], xs[nk_u:nk_u + nc_u]
        res, x = xs[nk_u + nc_u:nk_u + nc_u + n_res], xs[nk_u + nc_u + n_res:]
        return _run(unknown, *res, *kc, *c, *x)

    u_jaxpr = _wrap(body, u_avals[n_res:n_res + nk_u + nc_u] + u_avals[:n_res]
                    + u_avals[n_res + nk_u + nc_u:])
    u_args = ([x for x, u in zip(args[:nk], const_uk) if u]
              + [x for x, u in zip(args[nk:nk + nc], carry_uk) if u] + list(residuals)
              + [x for x, u in zip(args[nk + nc:], xs_uk) if u])
    u_outs = trace.record_all(scan_p, u_args, dict(jaxpr=u_jaxpr, num_consts=nk_u, num_carry=nc_u,
                                                   length=length, reverse=reverse))
    k_it = iter(list(k_carry) + list(k_ys))
    u_it = iter(u_outs)
    return [next(u_it) if u else next(k_it) for u in out_uk]


def _scan_transpose(cts, *args, jaxpr, num_consts, num_carry, length, reverse):
    nk, nc = num_consts, num_carry
    lin = [ad.is_undefined(x) for x in args]
    const_lin, xs_lin = lin[:nk], lin[nk + nc:]
    # The body is linear in the whole carry, even where its initial value is a known
    # (instantiated zero) tangent rather than an undefined one.
    init_lin = lin[nk:nk + nc]
    lin = const_lin + [True] * nc + xs_lin
    out_avals = _scan_abstract(jaxpr=jaxpr, num_consts=nk, num_carry=nc, length=length,
                               reverse=reverse)
    cts = [ad.zeros_like_aval(ad.tangent_aval(a)) if type(c) is Zero else c
           for c, a in zip(cts, out_avals)]
    ct_carry, ct_ys = cts[:nc], cts[nc:]
    nl_consts = [x for x, l in zip(args[:nk], const_lin) if not l]
    nl_xs = [x for x, l in zip(args[nk + nc:], xs_lin) if not l]
    lin_const_avals = [x.aval for x, l in zip(args[:nk], const_lin) if l]
    body_t = ad.transpose_jaxpr(jaxpr, lin)  # (nl consts, nl xs, ct carry, ct ys) -> cts of linear
    n_nlk, n_lk, n_nlx = len(nl_consts), len(lin_const_avals), len(nl_xs)
    y_avals = [a.update(shape=a.shape[1:]) for a in out_avals[nc:]]

    def body(*xs):
        k = xs[:n_nlk]
        acc, c = xs[n_nlk:n_nlk + n_lk], xs[n_nlk + n_lk:n_nlk + n_lk + nc]
        x, y = xs[n_nlk + n_lk + nc:n_nlk + n_lk + nc + n_nlx], xs[n_nlk + n_lk + nc + n_nlx:]
        res = _run(body_t, *k, *x, *c, *y)
        d_consts, d_carry, d_xs = res[:n_lk], res[n_lk:n_lk + nc], res[n_lk + nc:]
        return ([ad.add_tangents(a, b) for a, b in zip(acc, d_consts)] + list(d_carry)
                + list(d_xs))

    t_jaxpr = _wrap(body, [get_aval(x) for x in nl_consts] + lin_const_avals
                    + [ad.tangent_aval(a) for a in out_avals[:nc]]
                    + [get_aval(x).update(shape=get_aval(x).shape[1:]) for x in nl_xs] + y_avals)
    zeros = [ad.zeros_like_aval(a) for a in lin_const_avals]
    outs = scan_p.bind(*nl_consts, *zeros, *ct_carry, *nl_xs, *ct_ys, jaxpr=t_jaxpr,
                       num_consts=n_nlk, num_carry=n_lk + nc, length=length, reverse=not reverse)
    ct_consts, ct_init, ct_xs = outs[:n_lk], outs[n_lk:n_lk + nc], outs[n_lk + nc:]
    kc, kx = iter(ct_consts), iter(ct_xs)
    return ([next(kc) if l else None for l in const_lin]
            + [c if l else None for c, l in zip(ct_init, init_lin)]
            + [next(kx) if l else None for l in xs_lin])


@batching.axis_rule
def _scan_batch(trace, vals, dims, jaxpr, num_consts, num_carry, length, reverse):
    size, name = trace.axis_size, trace.axis_name
    nk, nc = num_consts, num_carry
    b = [d is not None for d in dims]
    const_b, carry_b, xs_b = b[:nk], b[nk:nk + nc], b[nk + nc:]
    n_y = len(jaxpr.out_avals) - nc
    while True:
        _, out_b = batching.batch_jaxpr(jaxpr, size, const_b + carry_b + xs_b,
                                        carry_b + [False] * n_y, name)
        new = [x or y for x, y in zip(carry_b, out_b[:nc])]
        if new == carry_b:
            break
        carry_b = new
    body_b, out_b = batching.batch_jaxpr(jaxpr, size, const_b + carry_b + xs_b,
                                         carry_b + [False] * n_y, name)
    consts = [batching.moveaxis(v, d, 0) if d is not None else v
              for v, d in zip(vals[:nk], dims[:nk])]
    carry = [batching.bdim_at_front(v, d, size) if cb else v
             for v, d, cb in zip(vals[nk:nk + nc], dims[nk:nk + nc], carry_b)]
    # xs are scanned over their axis 0, so their batch axis goes to 1 (and the body sees 0).
    xs = [batching.moveaxis(v, d, 1) if d is not None else v
          for v, d in zip(vals[nk + nc:], dims[nk + nc:])]
    outs = scan_p.bind(*consts, *carry, *xs, jaxpr=body_b, num_consts=nk, num_carry=nc,
                       length=length, reverse=reverse)
    out_dims = [0 if x else None for x in out_b[:nc]] + [1 if x else None for x in out_b[nc:]]
    return outs, out_dims


core.register(scan_p, impl=_scan_impl, abstract_eval=_scan_abstract, jvp=_scan_jvp,
              transpose=_scan_transpose, batch=_scan_batch, partial_eval=_scan_partial_eval,
              weak_type=lambda *w, jaxpr, **_: _out_weak(jaxpr))


def map(f, xs, *, batch_size=None):
    """f applied to each slice of xs along the leading axis (a scan without a carry)."""
    if batch_size is not None:
        leaves, tree = tree_flatten(xs)
        n = get_aval(leaves[0]).shape[0]
        nb, rem = divmod(n, batch_size)
        L = _L()
        from pyjax._src.api import vmap
        main = [L.reshape(L.slice_in_dim(x, 0, nb * batch_size), (nb, batch_size) + get_aval(x).shape[1:])
                for x in leaves]
        out = map(lambda chunk: vmap(f)(chunk), tree_unflatten(tree, main))
        out = tree_map(lambda y: L.reshape(y, (nb * batch_size,) + get_aval(y).shape[2:]), out)
        if rem:
            tail = vmap(f)(tree_unflatten(tree, [L.slice_in_dim(x, nb * batch_size, n) for x in leaves]))
            out = tree_map(lambda a, b: L.concatenate([a, b], 0), out, tail)
        return out
    _, ys = scan(lambda c, x: (c, f(x)), (), xs)
    return ys


# ===========================================================================
# associative_scan


def associative_scan(fn, elems, reverse=False, axis=0):
    """Inclusive prefix scan with an associative fn over pytrees, in O(log n) lax steps."""
    leaves, tree = tree_flatten(elems)
    if not leaves:
        return elems
    L = _L()
    nd = get_aval(leaves[0]).ndim
    axis = axis % nd
    n = get_aval(leaves[0]).shape[axis]
    for x in leaves:
        if get_aval(x).shape[axis] != n:
            raise ValueError(f"associative_scan: array inputs must all have the same size along "
                             f"axis {axis}, got shapes {[get_aval(v).shape for v in leaves]}")

    def combine(a, b):
        out = fn(tree_unflatten(tree, a), tree_unflatten(tree, b))
        out_leaves, out_tree = tree_flatten(out)
        if out_tree != tree:
            raise TypeError(f"associative_scan: fn must return the structure of its inputs "
                            f"{tree}, got {out_tree}")
        return out_leaves

    def sl(vs, start, stop, step=1):
        return [L.slice_in_dim(v, start, stop, step, axis) for v in vs]

    def scan_rec(vs):
        m = get_aval(vs[0]).shape[axis]
        if m < 2:
            return vs
        odd = scan_rec(combine(sl(vs, 0, m - 1, 2), sl(vs, 1, m, 2)))
        even = [L.concatenate([a, b], axis) for a, b in
                zip(sl(vs, 0, 1), combine(sl(odd, 0, (m + 1) // 2 - 1), sl(vs, 2, m, 2)))]
        if m % 2:
            odd = [L.concatenate([o, e], axis) for o, e in zip(odd, sl(even, 0, 1))]
        out = []
        for e, o in zip(even, odd):
            both = L.concatenate([L.expand_dims(e, (axis + 1,)), L.expand_dims(o, (axis + 1,))], axis + 1)
            shape = list(get_aval(e).shape)
            shape[axis] *= 2
            out.append(L.slice_in_dim(L.reshape(both, shape), 0, m, axis=axis))
        return out

    if reverse:
        leaves = [L.rev(x, (axis,)) for x in leaves]
    out = scan_rec(leaves)
    if reverse:
        out = [L.rev(x, (axis,)) for x in out]
    return tree_unflatten(tree, out)

