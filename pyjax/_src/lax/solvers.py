"""Implicitly differentiated solvers: lax.custom_linear_solve and lax.custom_root.

`custom_linear_solve(matvec, b, solve, transpose_solve)` is a primitive carrying four
closed jaxprs (matvec, its transpose vecmat, solve, transpose_solve).  Its rules:

  jvp        A x = b  =>  dx = A^{-1} (db - dA x): one more solve, no differentiation of
             the solver itself
  transpose  linear in b: the transposed solve (the four jaxprs swap roles)
  batching   every jaxpr vectorised, the right-hand side (and so x) batched

`custom_root(f, initial_guess, solve, tangent_solve)` finds f(x) = 0 with `solve` and
differentiates by the implicit function theorem through `tangent_solve`.
"""
from pyjax._src import core
from pyjax._src.core import Primitive, get_aval
from pyjax._src.interpreters import ad, batching
from pyjax._src.interpreters import partial_eval as pe
from pyjax._src.interpreters.ad import Zero, instantiate, is_undefined
from pyjax._src.tree_util import tree_flatten, tree_structure, tree_unflatten


def _L():
    from pyjax._src.lax import lax
    return lax


def _stage(fun, in_tree, in_avals):
    flat_fun, store = pe.flatten_fun(fun, in_tree)
    closed, consts = pe.stage(flat_fun, in_avals)
    return closed, consts, store["tree"]


def _run(closed, *args):
    return core.eval_jaxpr(closed.jaxpr, closed.consts, *args)


def _check_tree(func_name, expected_name, actual_tree, expected_tree, has_aux=False):
    if has_aux:
        children = actual_tree.children() if hasattr(actual_tree, "children") else None
        if not children or len(children) != 2:
            raise TypeError(f"{func_name}() with has_aux=True must return a pair (output, aux), "
                            f"got {actual_tree}")
        actual_tree = children[0]
    if actual_tree != expected_tree:
        raise TypeError(f"{func_name}() output pytree structure must match {expected_name}, got "
                        f"{actual_tree} and {expected_tree}.")


def _check_shapes(func_name, expected_name, actual, expected):
    for a, e in zip(actual, expected):
        a, e = get_aval(a), get_aval(e) if not isinstance(e, core.ShapedArray) else e
        if a.shape != e.shape or a.dtype != e.dtype:
            raise TypeError(f"{func_name}() output shapes must match {expected_name}, got "
                            f"{a.str_short()} and {e.str_short()}")


# ---------------------------------------------------------------------------
# custom_linear_solve


_NAMES = ("matvec", "vecmat", "solve", "transpose_solve")


def _transposed_tuple(t):
    matvec, vecmat, solve, tsolve = t
    return (vecmat, matvec, tsolve, solve)


def _split(args, const_lengths):
    out, start = [], 0
    for n in const_lengths:
        out.append(list(args[start:start + n]))
        start += n
    return out, list(args[start:])


def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False, has_aux=False):
    """Solve matvec(x) = b with `solve(matvec, b)`, differentiated implicitly (see JAX).

    `transpose_solve(vecmat, b)` solves the transposed system; it is needed for reverse
    mode.  With `symmetric=True` matvec is its own transpose.  With `has_aux`, `solve`
    returns (x, aux)."""
    if transpose_solve is None and symmetric:
        transpose_solve = solve
    b_flat, in_args_tree = tree_flatten((b,))
    b_avals = [pe.shaped_abstractify(x).strip_weak_type() for x in b_flat]
    tree = tree_structure(b)

    def shape_checked(fun, name, aux):
        def f(x):
            y = fun(x)
            y_flat = tree_flatten(y[0] if aux else y)[0]
            _check_shapes(name, "b", y_flat, b_avals)
            return y
        return f

    matvec_jaxpr, matvec_consts, out_tree = _stage(shape_checked(matvec, "matvec", False),
                                                   in_args_tree, b_avals)
    _check_tree("matvec", "b", out_tree, tree)
    solve_jaxpr, solve_consts, out_tree = _stage(
        shape_checked(lambda x: solve(matvec, x), "solve", has_aux), in_args_tree, b_avals)
    _check_tree("solve", "b", out_tree, tree, has_aux)
    if transpose_solve is None:
        vecmat_jaxpr = tr_solve_jaxpr = None
        vecmat_consts, tr_solve_consts = [], []
    else:
        if symmetric:
            vecmat = matvec
            vecmat_jaxpr, vecmat_consts = matvec_jaxpr, matvec_consts
        else:
            from pyjax._src.api import linear_transpose

            def vecmat(x):
                (y,) = linear_transpose(matvec, x)(x)
                return y
            vecmat_jaxpr, vecmat_consts, out_tree = _stage(vecmat, in_args_tree, b_avals)
            _check_tree("vecmat", "b", out_tree, tree)
        tr_solve_jaxpr, tr_solve_consts, out_tree = _stage(
            shape_checked(lambda x: transpose_solve(vecmat, x), "transpose_solve", has_aux),
            in_args_tree, b_avals)
        _check_tree("transpose_solve", "b", out_tree, tree, has_aux)
    all_consts = [matvec_consts, vecmat_consts, solve_consts, tr_solve_consts]
    const_lengths = tuple(len(c) for c in all_consts)
    jaxprs = (matvec_jaxpr, vecmat_jaxpr, solve_jaxpr, tr_solve_jaxpr)
    outs = linear_solve_p.bind(*[c for cs in all_consts for c in cs], *b_flat,
                               const_lengths=const_lengths, jaxprs=jaxprs)
    if has_aux:
        n = len(b_flat)
        aux_tree = out_tree.children()[1]
        return tree_unflatten(tree, outs[:n]), tree_unflatten(aux_tree, outs[n:])
    return tree_unflatten(tree, outs)


def _linear_solve_impl(*args, const_lengths, jaxprs):
    params, b = _split(args, const_lengths)
    from pyjax._src import backend
    fn = backend.compile(jaxprs[2]).fn
    return list(fn(*params[2], *b))


def _linear_solve_abstract(*avals, const_lengths, jaxprs):
    return jaxprs[2].out_avals


def _linear_solve_weak(*weak, const_lengths, jaxprs):
    return [a.weak_type for a in jaxprs[2].out_avals]


def _tangent_linear_map(closed, params, params_dot, x):
    """d/dparams of the linear map closed(params, x), applied to params_dot."""
    zeros = [Zero.like(v) for v in x]
    _, out_t = ad.jvp_flat(lambda *a: _run(closed, *a), list(params) + list(x),
                           list(params_dot) + zeros)
    return out_t


def _linear_solve_jvp(primals, tangents, const_lengths, jaxprs):
    # A x = b  =>  dA x + A dx = db  =>  dx = A^{-1} (db - dA x)
    x = linear_solve_p.bind(*primals, const_lengths=const_lengths, jaxprs=jaxprs)
    params, _ = _split(primals, const_lengths)
    params_dot, b_dot = _split(tangents, const_lengths)
    n = len(b_dot)
    x_leaves, aux = x[:n], x[n:]
    if all(type(t) is Zero for t in params_dot[0]):
        rhs = b_dot
    else:
        mv_t = _tangent_linear_map(jaxprs[0], params[0], params_dot[0], x_leaves)
        rhs = [ad.add_tangents(bd, t if type(t) is Zero else _L().neg(t))
               for bd, t in zip(b_dot, mv_t)]
    if all(type(r) is Zero for r in rhs):
        return x, [Zero.like(o) for o in x]
    rhs = [instantiate(r) for r in rhs]
    flat_params = [p for ps in params for p in ps]
    x_dot = linear_solve_p.bind(*flat_params, *rhs, const_lengths=const_lengths, jaxprs=jaxprs)
    return x, list(x_dot[:n]) + [Zero.like(a) for a in aux]


def _linear_solve_transpose(cts, *args, const_lengths, jaxprs):
    if jaxprs[3] is None:
        raise TypeError("transpose_solve required for backwards mode automatic differentiation "
                        "of custom_linear_solve")
    params, b = _split(args, const_lengths)
    if any(is_undefined(p) for ps in params for p in ps):
        raise NotImplementedError("custom_linear_solve is linear in b only; its matvec/solve "
                                  "operands cannot be transposed")
    n = len(b)
    x_ct, aux_ct = cts[:n], cts[n:]
    if any(type(c) is not Zero for c in aux_ct):
        raise NotImplementedError("cotangents of custom_linear_solve's aux outputs")
    if all(type(c) is Zero for c in x_ct):
        return [None] * sum(const_lengths) + [Zero(a.aval) if is_undefined(a) else None for a in b]
    x_ct = [instantiate(c) for c in x_ct]
    t_params = _transposed_tuple(params)
    ct_b = linear_solve_p.bind(*[p for ps in t_params for p in ps], *x_ct,
                               const_lengths=_transposed_tuple(const_lengths),
                               jaxprs=_transposed_tuple(jaxprs))
    return [None] * sum(const_lengths) + list(ct_b[:n])


@batching.axis_rule
def _linear_solve_batch(trace, vals, dims, const_lengths, jaxprs):
    size, name = trace.axis_size, trace.axis_name
    vals = [batching.moveaxis(v, d, 0) if d is not None else v for v, d in zip(vals, dims)]
    batched = [d is not None for d in dims]
    params_b, b_b = _split(batched, const_lengths)
    params, b = _split(vals, const_lengths)
    # Batch every right-hand side (and so every solution): simple and always consistent.
    b = [batching.bdim_at_front(v, 0 if bb else None, size) for v, bb in zip(b, b_b)]
    n = len(b)
    new_jaxprs = []
    for closed, pb in zip(jaxprs, params_b):
        if closed is None:
            new_jaxprs.append(None)
            continue
        jx, _ = batching.batch_jaxpr(closed, size, list(pb) + [True] * n, True, name)
        new_jaxprs.append(jx)
    outs = linear_solve_p.bind(*[p for ps in params for p in ps], *b,
                               const_lengths=const_lengths, jaxprs=tuple(new_jaxprs))
    return outs, [0] * len(outs)


linear_solve_p = Primitive("custom_linear_solve", multiple_results=True)
core.register(linear_solve_p, impl=_linear_solve_impl, abstract_eval=_linear_solve_abstract,
              jvp=_linear_solve_jvp, transpose=_linear_solve_transpose,
              batch=_linear_solve_batch, weak_type=_linear_solve_weak)


# ---------------------------------------------------------------------------
# custom_root


def _is_float0(t):
    from pyjax._src import dtypes
    dt = getattr(t, "dtype", None)
    return dt is not None and dtypes.is_float0(dt)


def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """Find x with f(x) = 0 by `solve(f, initial_guess)`; derivatives come from the implicit
    function theorem: dx = -(df/dx)^{-1} (df/dparams . dparams), the inverse applied by
    `tangent_solve(g, y)` which solves g(x) = y for the linear function g."""
    from pyjax._src.api import linearize
    from pyjax._src.custom_derivatives import custom_jvp

    guess_flat, in_args_tree = tree_flatten((initial_guess,))
    guess_avals = [pe.shaped_abstractify(x).strip_weak_type() for x in guess_flat]
    in_tree = tree_structure(initial_guess)
    f_jaxpr, f_consts, out_tree = _stage(f, in_args_tree, guess_avals)
    _check_tree("f", "initial_guess", out_tree, in_tree)
    solve_jaxpr, solve_consts, solution_tree = _stage(lambda x: solve(f, x), in_args_tree,
                                                      guess_avals)
    _check_tree("solve", "initial_guess", solution_tree, in_tree, has_aux)

    def linearize_and_solve(x, b):
        _, f_jvp = linearize(f, x)
        return tangent_solve(f_jvp, b)

    pair_tree = tree_structure((initial_guess, initial_guess))
    ls_jaxpr, ls_consts, out_tree = _stage(linearize_and_solve, pair_tree, guess_avals * 2)
    _check_tree("tangent_solve", "x", out_tree, in_tree)
    const_lengths = (len(f_consts), len(solve_consts), len(ls_consts))
    n_sol = len(guess_flat)

    def _root(*args):
        params, guess = _split(args, const_lengths)
        return _run(solve_jaxpr, *params[1], *guess)

    root = custom_jvp(_root)

    def root_jvp(primals, tangents):
        params, _ = _split(primals, const_lengths)
        params_dot, _ = _split(tangents, const_lengths)
        sol = root(*primals)
        solution, aux = list(sol[:n_sol]), list(sol[n_sol:])
        # F(m, u*(m)) = 0  =>  du* = -(d_u F)^{-1} (d_m F . dm)
        pd = [Zero.like(p) if _is_float0(t) else t for p, t in zip(params[0], params_dot[0])]
        _, rhs = ad.jvp_flat(lambda *ps: _run(f_jaxpr, *ps, *solution), list(params[0]), pd)
        rhs = [instantiate(r) for r in rhs]
        sol_dot = [_L().neg(t) for t in _run(ls_jaxpr, *params[2], *solution, *rhs)]
        return sol, sol_dot + [_L().zeros_like_array(a) for a in aux]

    root.defjvp(root_jvp)
    out = root(*f_consts, *solve_consts, *ls_consts, *guess_flat)
    return tree_unflatten(solution_tree, out)


__all__ = ["custom_linear_solve", "custom_root", "linear_solve_p"]
