"""The transformations users call: jit, grad, vjp, jvp, vmap, linearize, make_jaxpr, ...

Each works on pytrees by flattening to lists of leaves and calling the flat
transformation in pyjax._src.interpreters.
"""
import functools
import inspect
import operator

import numpy as np

from pyjax._src import backend, core, dtypes, tree_util
from pyjax._src.config import config
from pyjax._src.core import ShapedArray, get_aval
from pyjax._src.interpreters import ad, batching
from pyjax._src.interpreters import partial_eval as pe
from pyjax._src.interpreters.ad import Zero
from pyjax._src.tree_util import tree_flatten, tree_map, tree_unflatten

# ---------------------------------------------------------------------------
# helpers


def _argnums_tuple(argnums, nargs, fname):
    multiple = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if multiple else (argnums,)
    out = []
    for a in nums:
        a = operator.index(a)
        if not -nargs <= a < nargs:
            raise TypeError(f"{fname}: argnums {argnums} out of range for a function called "
                            f"with {nargs} positional arguments")
        out.append(a % nargs)
    return tuple(out), multiple


def _check_scalar_output(fname, out):
    aval = get_aval(out)
    if type(aval) is core.AbstractToken:
        raise TypeError(f"{fname} requires scalar outputs (Gradient only defined for "
                        f"scalar-output functions). Output had abstract value {aval!r}.")
    if aval.shape:
        raise TypeError(f"{fname} requires scalar outputs (Gradient only defined for "
                        f"scalar-output functions). Output had shape: {aval.shape}.")
    return aval


def _check_input_dtypes(fname, leaves, holomorphic, allow_int):
    for x in leaves:
        if type(x) is core.Token:
            raise TypeError(f"{fname} cannot differentiate with respect to a token: tokens "
                            "have no derivative (pass the token as a non-differentiated "
                            "argument instead).")
        dt = get_aval(x).dtype
        if holomorphic:
            if not dtypes.issubdtype(dt, np.complexfloating):
                raise TypeError(f"{fname} with holomorphic=True requires inputs with complex "
                                f"dtype, but got {dt.name}.")
        elif not allow_int and not dtypes.issubdtype(dt, np.inexact):
            raise TypeError(f"{fname} requires real- or complex-valued inputs (input dtype that "
                            f"is a sub-dtype of np.inexact), but got {dt.name}. If you want to "
                            "use Boolean- or integer-valued inputs, use vjp or set allow_int "
                            "to True.")


def _flatten_primals(primals):
    """Leaves of the primal arguments, as arrays (Python scalars become weak arrays)."""
    from pyjax._src.lax import lax
    leaves, tree = tree_flatten(tuple(primals))
    return [x if type(x) is core.Token else lax.asarray(x) for x in leaves], tree


def _float0_zeros(x):
    return np.zeros(get_aval(x).shape, dtypes.float0)


def _ct_value(ct, primal):
    """A user-facing cotangent: Zero becomes zeros (float0 for integer inputs)."""
    if type(ct) is Zero:
        aval = get_aval(primal)
        if type(aval) is core.AbstractToken:
            return core.Token()
        if not dtypes.issubdtype(aval.dtype, np.inexact):
            return _float0_zeros(primal)
        return ad.zeros_like_aval(aval)
    return ct


# ---------------------------------------------------------------------------
# forward and reverse mode


def jvp(fun, primals, tangents, has_aux=False):
    """(fun(*primals), the directional derivative of fun at primals along tangents)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primal and tangent arguments must be tuples or lists; found "
                        f"{type(primals).__name__} and {type(tangents).__name__}.")
    flat_p, tree_p = _flatten_primals(primals)
    flat_t, tree_t = tree_flatten(tuple(tangents))
    if tree_p != tree_t:
        raise TypeError(f"jvp: primal and tangent arguments must have the same tree structure; "
                        f"got {tree_p} and {tree_t}.")
    tangents_in = []
    for p, t in zip(flat_p, flat_t):
        pa, ta = get_aval(p), get_aval(t)
        want = ad.tangent_aval(pa)
        if type(pa) is core.AbstractToken:  # no derivative: any tangent given is a zero
            tangents_in.append(Zero(want))
            continue
        if pa.shape != ta.shape:
            raise ValueError(f"jvp: primal and tangent shapes must match, got primal "
                             f"{pa.str_short()} and tangent {ta.str_short()}.")
        if want.dtype != ta.dtype:
            raise TypeError(f"jvp: primal dtype {pa.dtype.name} requires tangent dtype "
                            f"{want.dtype.name if not dtypes.is_float0(want.dtype) else 'float0'}, "
                            f"got {ta.dtype.name}.")
        tangents_in.append(Zero(want) if dtypes.is_float0(ta.dtype) else t)
    flat_fun, store = pe.flatten_fun(_aux_splitter(fun, has_aux), tree_p)
    out_p, out_t = ad.jvp_flat(flat_fun, flat_p, tangents_in)
    return _unflatten_aux(store, has_aux, out_p, [_ct_value(t, p) for t, p in zip(out_t, out_p)])


def _aux_splitter(fun, has_aux):
    """Wrap fun so that its aux output (when has_aux) travels as a separate tree."""
    if not has_aux:
        return fun

    def wrapped(*args, **kwargs):
        out = fun(*args, **kwargs)
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError("has_aux=True requires the function to return a pair (output, aux)")
        return out
    return wrapped


def _unflatten_aux(store, has_aux, *flat_lists):
    tree = store["tree"]
    if not has_aux:
        return tuple(tree_unflatten(tree, fl) for fl in flat_lists)
    # The output tree is (out, aux): aux leaves come back as primal values only.
    out_tree, aux_tree = tree.children()
    n = out_tree.num_leaves
    results = tuple(tree_unflatten(out_tree, fl[:n]) for fl in flat_lists)
    return results + (tree_unflatten(aux_tree, flat_lists[0][n:]),)


def _linearize_tree(fun, primals, has_aux):
    """linearize on pytrees: (flat primals, their tree, flat outputs, LinearFunction,
    output tree, aux or None)."""
    flat_p, tree_p = _flatten_primals(primals)
    flat_fun, store = pe.flatten_fun(fun, tree_p)
    out_p, lin = ad.linearize_flat(flat_fun, flat_p)
    out_tree, aux = store["tree"], None
    if has_aux:
        out_tree, aux_tree = out_tree.children()
        aux = tree_unflatten(aux_tree, out_p[out_tree.num_leaves:])
        out_p = out_p[:out_tree.num_leaves]
    return flat_p, tree_p, out_p, lin, out_tree, aux


def linearize(fun, *primals, has_aux=False):
    """(fun(*primals), f_jvp) where f_jvp evaluates the jvp at primals without re-running fun."""
    _, tree_p, out_p, lin, out_tree, aux = _linearize_tree(fun, primals, has_aux)

    def f_jvp(*tangents):
        flat_t, tree_t = tree_flatten(tuple(tangents))
        if tree_t != tree_p:
            raise TypeError(f"linearize: tangent structure {tree_t} does not match the primal "
                            f"structure {tree_p}")
        outs = lin(list(flat_t))[:len(out_p)]
        return tree_unflatten(out_tree, [_ct_value(t, p) for t, p in zip(outs, out_p)])

    primal_out = tree_unflatten(out_tree, out_p)
    return (primal_out, f_jvp, aux) if has_aux else (primal_out, f_jvp)


def vjp(fun, *primals, has_aux=False):
    """(fun(*primals), vjp_fn) where vjp_fn maps output cotangents to input cotangents."""
    flat_p, tree_p, out_p, lin, out_tree, aux = _linearize_tree(fun, primals, has_aux)
    out_avals = [get_aval(o) for o in out_p]

    def apply(residuals, ct):
        flat_ct, ct_tree = tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"vjp: the cotangent must have the output's tree structure "
                            f"{out_tree}, got {ct_tree}")
        cts = []
        for c, a in zip(flat_ct, out_avals):
            if type(a) is core.AbstractToken:  # tokens have no cotangent
                cts.append(Zero(a))
                continue
            ca = get_aval(c)
            if ca.shape != a.shape:
                raise ValueError(f"vjp: cotangent shape {ca.shape} must equal the primal "
                                 f"output shape {a.shape}")
            if dtypes.is_float0(ca.dtype) or not dtypes.issubdtype(a.dtype, np.inexact):
                cts.append(Zero(ad.tangent_aval(a)))
            else:
                if ca.dtype != a.dtype:
                    raise TypeError(f"vjp: cotangent dtype {ca.dtype.name} must equal the primal "
                                    f"output dtype {a.dtype.name}")
                cts.append(c)
        cts = cts + [Zero(ad.tangent_aval(a)) for a in lin.out_avals[len(cts):]]
        in_cts = lin.transpose(cts, residuals)
        return tree_unflatten(tree_p, [_ct_value(c, p) for c, p in zip(in_cts, flat_p)])

    # Like JAX's, the vjp function is a pytree whose leaves are the saved residuals.
    vjp_fn = tree_util.Partial(apply, list(lin.consts))
    primal_out = tree_unflatten(out_tree, out_p)
    return (primal_out, vjp_fn, aux) if has_aux else (primal_out, vjp_fn)


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False,
                   reduce_axes=()):
    """A function computing (fun(*args), gradient of fun with respect to args[argnums])."""
    fname = getattr(fun, "__name__", "fun")

    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        nums, multiple = _argnums_tuple(argnums, len(args), "grad")
        diff_args = tuple(args[i] for i in nums)
        flat_diff, _ = tree_flatten(diff_args)
        _check_input_dtypes("grad", flat_diff, holomorphic, allow_int)

        def f_of_diff(*dargs):
            full = list(args)
            for i, a in zip(nums, dargs):
                full[i] = a
            return fun(*full, **kwargs)

        if has_aux:
            out, vjp_fn, aux = vjp(f_of_diff, *diff_args, has_aux=True)
        else:
            out, vjp_fn = vjp(f_of_diff, *diff_args)
        if tree_util.tree_structure(out).num_leaves != 1 or not tree_util.treedef_is_leaf(
                tree_util.tree_structure(out)):
            raise TypeError(f"Gradient only defined for scalar-output functions; {fname} "
                            f"returned a {type(out).__name__}.")
        aval = _check_scalar_output("grad", out)
        if holomorphic:
            if not dtypes.issubdtype(aval.dtype, np.complexfloating):
                raise TypeError(f"grad with holomorphic=True requires a complex output, got "
                                f"{aval.dtype.name}")
        elif not dtypes.issubdtype(aval.dtype, np.floating):
            raise TypeError(f"grad requires real-valued outputs (output dtype that is a sub-dtype "
                            f"of np.floating), but got {aval.dtype.name}. For holomorphic "
                            "differentiation, pass holomorphic=True. For differentiation of "
                            "non-holomorphic functions involving complex outputs, use "
                            "jax.vjp directly.")
        from pyjax._src.lax import lax
        g = vjp_fn(lax.full((), 1, aval.dtype, weak_type=aval.weak_type))
        g = g if multiple else g[0]
        return ((out, aux), g) if has_aux else (out, g)

    return value_and_grad_f


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    """The gradient of scalar-valued `fun` with respect to args[argnums]."""
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        return vg(*args, **kwargs)[1]

    return grad_f


def _std_basis(leaves):
    """One-hot tangents for every element of every leaf, stacked along a new leading axis."""
    total = sum(int(np.prod(get_aval(x).shape, dtype=np.int64)) for x in leaves)
    out, start = [], 0
    for x in leaves:
        a = get_aval(x)
        n = int(np.prod(a.shape, dtype=np.int64))
        eye = np.zeros((total, n), a.dtype)
        eye[np.arange(start, start + n), np.arange(n)] = 1
        out.append(core.ArrayImpl(eye.reshape((total,) + a.shape)))
        start += n
    return out, total


def _jac_wrapper(fun, argnums, has_aux, holomorphic, allow_int, forward):
    def jac_f(*args, **kwargs):
        nums, multiple = _argnums_tuple(argnums, len(args), "jacfwd" if forward else "jacrev")
        dargs = tuple(args[i] for i in nums)
        flat_in, in_tree = tree_flatten(dargs)
        _check_input_dtypes("jacfwd" if forward else "jacrev", flat_in, holomorphic, allow_int)

        def f_flat(*leaves):
            full = list(args)
            for i, a in zip(nums, tree_unflatten(in_tree, leaves)):
                full[i] = a
            return fun(*full, **kwargs)

        if forward:
            basis, total = _std_basis(flat_in)

            def push(*ts):
                res = jvp(f_flat, tuple(flat_in), tuple(ts), has_aux=has_aux)
                return (res[1], res[2]) if has_aux else res[1]

            pushed = vmap(push, in_axes=0, out_axes=(0, None) if has_aux else 0)(*basis)
            jac_tree, aux = pushed if has_aux else (pushed, None)
            # Each output leaf has the basis axis first; move it to the end and split per input.
            def per_output(o):
                o = _moveaxis0_to_end(o)
                return _split_last(o, flat_in, in_tree, multiple)
            result = tree_map(per_output, jac_tree)
        else:
            if has_aux:
                out, vjp_fn, aux = vjp(f_flat, *flat_in, has_aux=True)
            else:
                out, vjp_fn = vjp(f_flat, *flat_in)
            flat_out, out_tree = tree_flatten(out)
            basis, total = _std_basis(flat_out)
            cts = vmap(lambda *bs: vjp_fn(tree_unflatten(out_tree, list(bs))))(*basis)
            # cts: per input leaf, shape (n_out_total,) + in_shape; split rows per output leaf.
            start, per_out = 0, []
            for o in flat_out:
                oshape = get_aval(o).shape
                n = int(np.prod(oshape, dtype=np.int64))
                from pyjax._src.lax import lax
                leaves = [lax.reshape(lax.slice_in_dim(c, start, start + n), oshape + get_aval(x).shape)
                          for c, x in zip(cts, flat_in)]
                per_out.append(_pack_inputs(leaves, in_tree, multiple))
                start += n
            result = tree_unflatten(out_tree, per_out)
        return (result, aux) if has_aux else result

    return jac_f


def _moveaxis0_to_end(x):
    from pyjax._src.lax import lax
    nd = get_aval(x).ndim
    return lax.transpose(x, tuple(range(1, nd)) + (0,))


def _split_last(o, flat_in, in_tree, multiple):
    from pyjax._src.lax import lax
    oshape = get_aval(o).shape[:-1]
    leaves, start = [], 0
    for x in flat_in:
        shape = get_aval(x).shape
        n = int(np.prod(shape, dtype=np.int64))
        piece = lax.slice_in_dim(o, start, start + n, axis=len(oshape))
        leaves.append(lax.reshape(piece, oshape + shape))
        start += n
    return _pack_inputs(leaves, in_tree, multiple)


def _pack_inputs(leaves, in_tree, multiple):
    tree = tree_unflatten(in_tree, leaves)
    return tree if multiple else tree[0]


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian of fun by forward mode (vmap of jvp over the standard basis)."""
    return functools.wraps(fun)(_jac_wrapper(fun, argnums, has_aux, holomorphic, False, True))


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """The Jacobian of fun by reverse mode (vmap of vjp over the standard basis)."""
    return functools.wraps(fun)(_jac_wrapper(fun, argnums, has_aux, holomorphic, allow_int, False))


jacobian = jacrev


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums,
                  has_aux=has_aux, holomorphic=holomorphic)


def linear_transpose(fun, *primals, reduce_axes=()):
    """The transpose of the linear function `fun`, at inputs shaped like `primals`."""
    flat_p, tree_p = tree_flatten(tuple(primals))
    in_avals = [ShapedArray(get_aval(x).shape, get_aval(x).dtype) for x in flat_p]
    for a in in_avals:
        if not dtypes.issubdtype(a.dtype, np.inexact):
            raise TypeError(f"linear_transpose only supports float and complex inputs, got {a.dtype}")
    flat_fun, store = pe.flatten_fun(fun, tree_p)
    jaxpr, consts = pe.trace_to_jaxpr(flat_fun, in_avals)
    out_tree = store["tree"]
    out_avals = jaxpr.out_avals

    def transposed(*cts):
        out_ct = cts[0] if len(cts) == 1 else cts
        flat_ct, ct_tree = tree_flatten(out_ct)
        if ct_tree != out_tree:
            raise TypeError(f"linear_transpose: cotangent structure {ct_tree} does not match "
                            f"the output structure {out_tree}")
        for c, a in zip(flat_ct, out_avals):
            if get_aval(c).shape != a.shape or get_aval(c).dtype != a.dtype:
                raise TypeError(f"linear_transpose: cotangent {get_aval(c).str_short()} does "
                                f"not match the output type {a.str_short()}")
        res = ad.backward_pass(jaxpr, consts, [ad.UndefinedPrimal(a) for a in in_avals], flat_ct)
        return tree_unflatten(tree_p, [_ct_value(r, p) for r, p in zip(res, flat_p)])

    return transposed


# ---------------------------------------------------------------------------
# vmap


def _flatten_axes(name, tree, axes):
    """in_axes/out_axes (int, None, or a tree prefix of `tree`) as one entry per leaf."""
    if axes is None or isinstance(axes, int):
        return [axes] * tree.num_leaves
    proxy = tree_unflatten(tree, [object()] * tree.num_leaves)
    out = []
    try:
        expanded = tree_util.tree_map(lambda ax, sub: [ax] * tree_util.tree_structure(sub).num_leaves,
                                      axes, proxy, is_leaf=lambda x: x is None)
    except ValueError as e:
        raise ValueError(f"vmap {name} specification must be a tree prefix of the corresponding "
                         f"value, got specification {axes!r} for value tree {tree}.") from e
    for lst in tree_util.tree_leaves(expanded, is_leaf=lambda x: isinstance(x, list)):
        out.extend(lst)
    return out


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """Vectorise `fun` over a leading (or given) axis of its inputs."""
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not (in_axes is None or isinstance(in_axes, (int, tuple, dict)) or
            tree_util.all_leaves([in_axes])):
        raise TypeError(f"vmap in_axes must be an int, None, or a tuple of entries corresponding "
                        f"to the positional arguments passed to the function, got {in_axes}.")

    @functools.wraps(fun)
    def vmap_f(*args, **kwargs):
        # Keyword arguments are always mapped over their leading axis (as in JAX).
        flat_args, in_tree = tree_flatten((args, kwargs))
        from pyjax._src.lax import lax
        # NumPy 64-bit inputs canonicalised; tokens stay tokens.
        flat_args = [x if type(x) is core.Token else lax.asarray(x) for x in flat_args]
        axes_spec = (in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args), 0)
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"vmap in_axes must be an int, None, or a tuple of entries "
                             f"corresponding to the positional arguments passed to the function, "
                             f"but got len(in_axes)={len(in_axes)}, len(args)={len(args)}")
        kw_axes = {k: 0 for k in kwargs}
        dims = _flatten_axes("in_axes", in_tree, (axes_spec[0], kw_axes))
        for d, x in zip(dims, flat_args):
            if d is not None and type(x) is core.Token:
                raise ValueError(f"vmap was requested to map a token argument along axis {d}; "
                                 "tokens cannot be mapped: give them in_axes=None.")
        dims = [None if d is None else batching.canonical_dim(d, get_aval(x).ndim)
                for d, x in zip(dims, flat_args)]
        sizes = {get_aval(x).shape[d] for x, d in zip(flat_args, dims) if d is not None}
        if len(sizes) > 1:
            desc = ", ".join(f"argument with shape {get_aval(x).shape} mapped over axis {d}"
                             for x, d in zip(flat_args, dims) if d is not None)
            raise ValueError(f"vmap got inconsistent sizes for the array axes to be mapped: {desc}")
        if sizes:
            size = sizes.pop()
            if axis_size is not None and axis_size != size:
                raise ValueError(f"vmap: axis_size {axis_size} does not match the mapped size {size}")
        elif axis_size is not None:
            size = axis_size
        else:
            raise ValueError("vmap must have at least one non-None value in in_axes "
                             "(or be given axis_size)")
        store = {}

        def run(*xs):
            args_, kwargs_ = tree_unflatten(in_tree, xs)
            out = fun(*args_, **kwargs_)
            flat_out, store["tree"] = tree_flatten(out)
            store["out_dims"] = _flatten_axes("out_axes", store["tree"], out_axes)
            return flat_out

        class _LazyDims:
            """out_axes are known only once the output tree is."""
            def __iter__(self):
                return iter(store["out_dims"])

        outs = batching.vmap_flat(run, flat_args, dims, _LazyDims(), size, axis_name)
        return tree_unflatten(store["tree"], outs)

    return vmap_f


# ---------------------------------------------------------------------------
# jit


jit_p = core.CallPrimitive("jit")


def _jit_impl(*args, jaxpr, name):
    return backend.execute(jaxpr, args)


def _jit_transpose(cts, *args, jaxpr, name):
    consts = jaxpr.consts
    res = iter(ad.backward_pass(jaxpr.jaxpr, consts, list(args), cts))
    return [next(res) if ad.is_undefined(a) else None for a in args]


core.register(jit_p, impl=_jit_impl, abstract_eval=lambda *avals, jaxpr, name: jaxpr.out_avals,
              transpose=_jit_transpose)


def _arg_signature(x):
    t = type(x)
    if t is core.ArrayImpl:
        v = x._value
        return (v.shape, v.dtype, x._weak)
    if t in (int, float, complex, bool):
        return t
    if isinstance(x, core.Tracer):
        return x.aval
    if isinstance(x, (np.ndarray, np.generic)):
        return (x.shape, x.dtype, False)
    if isinstance(x, core.Array):
        return x.aval
    if t is core.Token:
        return core.abstract_token
    raise TypeError(f"Argument '{x!r}' of type {t} is not a valid JAX type")


class Lowered:
    """What `jit(f).lower(*args)` returns: the staged program, printable and compilable."""

    def __init__(self, jitted, jaxpr, args):
        self._jitted, self.jaxpr, self._args = jitted, jaxpr, args

    def as_text(self):
        return str(self.jaxpr)

    def compile(self):
        return Compiled(self._jitted)

    def cost_analysis(self):
        return {"eqns": len(self.jaxpr.eqns)}


class Compiled:
    def __init__(self, jitted):
        self._jitted = jitted

    def __call__(self, *args, **kwargs):
        return self._jitted(*args, **kwargs)

    def as_text(self):
        from pyjax._src import backend
        return backend.describe()


class JitWrapped:
    """A jitted function: traces once per abstract signature, then runs the cached program."""

    def __init__(self, fun, static_argnums, static_argnames, donate_argnums):
        functools.update_wrapper(self, fun)
        self._fun = fun
        self._name = getattr(fun, "__name__", "fun")
        try:
            self._sig = inspect.signature(fun)
        except (TypeError, ValueError):
            self._sig = None
        static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums or ())
        static_argnames = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames or ())
        # Like JAX, static args may be named by position or by name, and each implies the other.
        if self._sig is not None:
            params = list(self._sig.parameters)
            static_argnames += tuple(params[i] for i in static_argnums
                                     if i < len(params) and params[i] not in static_argnames)
            static_argnums += tuple(params.index(n) for n in static_argnames
                                    if n in params and params.index(n) not in static_argnums)
        self._static_argnums = frozenset(static_argnums)
        self._static_argnames = frozenset(static_argnames)
        self._cache = {}
        self._last_key = None

    def _split(self, args, kwargs):
        static, dyn_args = [], []
        for i, a in enumerate(args):
            if i in self._static_argnums:
                static.append((i, _hashable_static(a, i)))
            else:
                dyn_args.append(a)
        dyn_kwargs = {}
        for k, v in kwargs.items():
            if k in self._static_argnames:
                static.append((k, _hashable_static(v, k)))
            else:
                dyn_kwargs[k] = v
        return tuple(static), tuple(dyn_args), dyn_kwargs

    def _flatten_args(self, args, kwargs):
        """(static values, dynamic leaves, their tree); without kwargs or static arguments
        the tree is that of `args` alone (the common case, kept short: it is every call's
        overhead)."""
        if kwargs or self._static_argnums:
            static, dyn_args, dyn_kwargs = self._split(args, kwargs)
            return (static,) + tuple(tree_flatten((dyn_args, dyn_kwargs)))
        for a in args:
            if type(a) is not core.ArrayImpl:
                return ((),) + tuple(tree_flatten(args))
        return (), args, _flat_tuple_tree(len(args))

    def _trace(self, args, kwargs, leaves, in_tree):
        static = {i: a for i, a in enumerate(args) if i in self._static_argnums}
        n_args = len(args)
        has_kw = bool(kwargs or self._static_argnums)

        def flat_fun(*xs):
            dyn_args, dyn_kwargs = tree_unflatten(in_tree, xs) if has_kw else (
                tree_unflatten(in_tree, xs), {})
            it = iter(dyn_args)
            full = [static[i] if i in static else next(it) for i in range(n_args)]
            full_kwargs = {k: v for k, v in kwargs.items() if k in self._static_argnames}
            full_kwargs.update(dyn_kwargs)
            out = self._fun(*full, **full_kwargs)
            flat_out, store["tree"] = tree_flatten(out)
            return flat_out

        store = {}
        in_avals = [pe.shaped_abstractify(x) for x in leaves]
        closed, tracer_consts = pe.stage(flat_fun, in_avals)
        if config.jax_enable_checks:
            core.check_jaxpr(closed.jaxpr)
        return closed, tracer_consts, store["tree"]

    def __call__(self, *args, **kwargs):
        if config._values["jax_disable_jit"]:
            return self._fun(*args, **kwargs)
        static, leaves, in_tree = self._flatten_args(args, kwargs)
        try:
            sig = tuple(map(_arg_signature, leaves))
        except TypeError as e:
            raise TypeError(f"Error interpreting argument to {self._name} as an abstract array: "
                            f"{e}. Mark it static with static_argnums/static_argnames if it is "
                            "not an array.") from None
        key = (in_tree, sig, static, config.epoch)
        trace = core._ctx.trace
        entry = self._cache.get(key)
        if entry is None:
            self._explain_miss(key)
            closed, tracer_consts, out_tree = self._trace(args, kwargs, leaves, in_tree)
            entry = (closed, tracer_consts, out_tree)
            if not tracer_consts:  # a closure over outer tracers can't be reused later
                self._cache[key] = entry
            self._last_key = key
        closed, tracer_consts, out_tree = entry
        if type(trace) is core.EvalTrace:
            return tree_unflatten(out_tree, backend.execute(closed, leaves))
        outs = jit_p.bind(*tracer_consts, *leaves, jaxpr=closed, name=self._name)
        return tree_unflatten(out_tree, outs)

    def _explain_miss(self, key):
        if not config.jax_explain_cache_misses or self._last_key is None:
            return
        import logging
        old = self._last_key
        reason = "the static arguments changed"
        if old[0] != key[0]:
            reason = f"the argument structure changed from {old[0]} to {key[0]}"
        elif old[1] != key[1]:
            for i, (a, b) in enumerate(zip(old[1], key[1])):
                if a != b:
                    reason = (f"argument {i} changed from {_sig_str(a)} to {_sig_str(b)}")
                    break
        elif old[3] != key[3]:
            reason = "the configuration changed"
        logging.getLogger("pyjax").warning(f"TRACING CACHE MISS at {self._name}: retraced because {reason}")

    def lower(self, *args, **kwargs):
        _, leaves, in_tree = self._flatten_args(args, kwargs)
        closed, _, _ = self._trace(args, kwargs, leaves, in_tree)
        return Lowered(self, closed, args)

    def eval_shape(self, *args, **kwargs):
        return eval_shape(self._fun, *args, **kwargs)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def clear_cache(self):
        self._cache.clear()


@functools.lru_cache(maxsize=None)
def _flat_tuple_tree(n):
    return tree_util.tree_structure((0,) * n)


def _sig_str(s):
    if isinstance(s, tuple):
        return ShapedArray(*s).str_short() + ("{weak}" if s[2] else "")
    if isinstance(s, (ShapedArray, core.AbstractToken)):
        return s.str_short()
    return f"Python {s.__name__}"


def _hashable_static(v, where):
    try:
        hash(v)
    except TypeError:
        raise ValueError(f"Non-hashable static arguments are not supported: static argument "
                         f"{where!r} has type {type(v).__name__}. Make it hashable (e.g. a "
                         "tuple) or pass it as a dynamic argument.") from None
    return (type(v), v)


def jit(fun=None, *, static_argnums=None, static_argnames=None, donate_argnums=None,
        donate_argnames=None, device=None, backend=None, inline=False, keep_unused=False,
        in_shardings=None, out_shardings=None, abstracted_axes=None):
    """Compile `fun`: trace it once per argument signature, then run the cached program."""
    if fun is None:
        return lambda f: jit(f, static_argnums=static_argnums, static_argnames=static_argnames,
                             donate_argnums=donate_argnums)
    if not callable(fun):
        raise TypeError(f"jit expected a callable, got {fun!r}")
    return JitWrapped(fun, static_argnums, static_argnames, donate_argnums)


class disable_jit:
    """Context manager (and decorator) running jitted functions op by op, eagerly."""

    def __init__(self, disable=True):
        self.disable = disable

    def __enter__(self):
        self._old = config.jax_disable_jit
        config.update("jax_disable_jit", self.disable)

    def __exit__(self, *exc):
        config.update("jax_disable_jit", self._old)


# ---------------------------------------------------------------------------
# staging without running


def make_jaxpr(fun, static_argnums=(), axis_env=None, return_shape=False, abstracted_axes=None):
    """A function returning the ClosedJaxpr of `fun` at the given arguments."""
    static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def make_jaxpr_f(*args, **kwargs):
        dyn = [a for i, a in enumerate(args) if i not in static_argnums]
        leaves, in_tree = tree_flatten((tuple(dyn), kwargs))
        store = {}

        def flat_fun(*xs):
            dargs, dkw = tree_unflatten(in_tree, xs)
            it = iter(dargs)
            full = [a if i in static_argnums else next(it) for i, a in enumerate(args)]
            out = fun(*full, **dkw)
            flat, store["tree"] = tree_flatten(out)
            return flat

        jaxpr, consts = pe.trace_to_jaxpr(flat_fun, [pe.shaped_abstractify(x) for x in leaves])
        closed = core.ClosedJaxpr(jaxpr, consts)
        if return_shape:
            shapes = [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type) for a in jaxpr.out_avals]
            return closed, tree_unflatten(store["tree"], shapes)
        return closed

    return make_jaxpr_f


class ShapeDtypeStruct:
    """A shape and dtype standing for an array (eval_shape's result, jit.lower's argument)."""
    __slots__ = ("shape", "dtype", "weak_type", "sharding")

    def __init__(self, shape, dtype, weak_type=False, sharding=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type
        self.sharding = sharding

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.weak_type))

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"


def eval_shape(fun, *args, **kwargs):
    """The output shapes/dtypes of fun(*args) as ShapeDtypeStructs, without computing anything."""
    leaves, in_tree = tree_flatten((args, kwargs))
    store = {}

    def flat_fun(*xs):
        a, k = tree_unflatten(in_tree, xs)
        flat, store["tree"] = tree_flatten(fun(*a, **k))
        return flat

    jaxpr, _ = pe.trace_to_jaxpr(flat_fun, [pe.shaped_abstractify(x) for x in leaves])
    return tree_unflatten(store["tree"], [a if type(a) is core.AbstractToken else
                                          ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                                          for a in jaxpr.out_avals])


# ---------------------------------------------------------------------------
# devices


class Device:
    platform = "cpu"
    device_kind = "cpu"

    def __init__(self, id):
        self.id = id
        self.process_index = 0

    def __repr__(self):
        return f"CpuDevice(id={self.id})"


_DEVICES = [Device(0)]


def devices(backend=None):
    return list(_DEVICES)


def local_devices(process_index=None, backend=None):
    return list(_DEVICES)


def device_count(backend=None):
    return len(_DEVICES)


def local_device_count(backend=None):
    return len(_DEVICES)


def default_backend():
    return "cpu"


def process_index():
    return 0


def process_count():
    return 1


def device_put(x, device=None, *, src=None, donate=False, may_alias=None):
    from pyjax._src.lax import lax
    return tree_map(lambda v: v if isinstance(v, core.Array) else lax.asarray(v), x)


def device_get(x):
    return tree_map(lambda v: np.asarray(v) if isinstance(v, core.Array) else v, x)


def block_until_ready(x):
    return tree_map(lambda v: v.block_until_ready() if isinstance(v, core.Array) else v, x)


def named_call(fun, *, name=None):
    """fun, with the operations it stages named `name` (JAX implements this as a scope too)."""
    from pyjax._src.source_info import named_scope
    scope = name or getattr(fun, "__name__", "named_call")

    @functools.wraps(fun)
    def named_f(*args, **kwargs):
        with named_scope(scope):
            return fun(*args, **kwargs)

    return named_f
