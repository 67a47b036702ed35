"""check_grads: numerical verification of a function's derivatives, for users' tests.

Forward mode is compared against central finite differences along a random direction,
reverse mode against forward mode through the transpose identity <u, J v> = <J^T u, v>,
and both recursively up to `order`.
"""
import numpy as np

from pyjax._src import dtypes
from pyjax._src.tree_util import tree_flatten, tree_map, tree_unflatten

_DEFAULT_TOL = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 2e-2, np.dtype(np.float64): 1e-5,
                np.dtype(np.complex64): 2e-2, np.dtype(np.complex128): 1e-5}
_DEFAULT_EPS = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-5}


def _tol(x, given):
    if given is not None:
        return given
    return _DEFAULT_TOL.get(np.dtype(np.asarray(x).dtype), 2e-2)


def _rand_like(rng, x):
    x = np.asarray(x)
    v = rng.normal(size=x.shape)
    if np.iscomplexobj(x):
        v = v + 1j * rng.normal(size=x.shape)
    return v.astype(x.dtype)


def _inner(a, b):
    """Re sum(a * conj(b)) over all leaves: the real inner product, for which a complex
    function's (R-linear) derivative has an adjoint even when it is not holomorphic."""
    return sum(np.sum(np.asarray(x, np.complex128) * np.conj(np.asarray(y, np.complex128))).real
               for x, y in zip(tree_flatten(a)[0], tree_flatten(b)[0]))


def _add(a, b, scale):
    return tree_map(lambda x, y: np.asarray(x) + scale * np.asarray(y).astype(np.asarray(x).dtype), a, b)


def _assert_close(name, a, b, atol, rtol):
    for x, y in zip(tree_flatten(a)[0], tree_flatten(b)[0]):
        x, y = np.asarray(x), np.asarray(y)
        tol_a = _tol(x, atol)
        tol_r = _tol(x, rtol)
        if not np.allclose(x, y, atol=tol_a, rtol=tol_r):
            raise AssertionError(f"check_grads: {name} mismatch (atol={tol_a}, rtol={tol_r}):\n"
                                 f"{x}\nvs\n{y}")


def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=None, rng=None):
    rng = rng or np.random.default_rng(0)
    leaves, tree = tree_flatten(args)
    eps = eps or _DEFAULT_EPS.get(np.dtype(np.asarray(leaves[0]).dtype), 1e-4)
    tangent = tree_unflatten(tree, [_rand_like(rng, x) for x in leaves])
    out, t_out = f_jvp(args, tangent)
    plus = f(*_add(args, tangent, eps))
    minus = f(*_add(args, tangent, -eps))
    numeric = tree_map(lambda p, m: (np.asarray(p) - np.asarray(m)) / (2 * eps), plus, minus)
    _assert_close("JVP vs finite differences", t_out, numeric, atol, rtol)


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=None, rng=None):
    from pyjax._src import api
    rng = rng or np.random.default_rng(1)
    leaves, tree = tree_flatten(args)
    out, vjp_fn = f_vjp(*args)
    v = tree_unflatten(tree, [_rand_like(rng, x) for x in leaves])
    u = tree_map(lambda o: _rand_like(rng, o), out)
    _, jv = api.jvp(f, tuple(args), tuple(v))
    # JAX's vjp is the plain transpose; conjugating around it gives the adjoint.
    ju = tree_map(np.conj, vjp_fn(tree_map(np.conj, u)))
    lhs, rhs = _inner(jv, u), _inner(v, ju)
    tol = _tol(leaves[0], atol)
    if not np.isclose(lhs, rhs, atol=tol, rtol=_tol(leaves[0], rtol)):
        raise AssertionError(f"check_grads: VJP is not the transpose of the JVP: "
                             f"<u, J v> = {lhs} but <J^T u, v> = {rhs}")


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check f's derivatives at args up to `order`, in forward ("fwd") and reverse ("rev")
    mode; raises AssertionError naming the failing check."""
    from pyjax._src import api
    args = tuple(args)
    for x in tree_flatten(args)[0]:
        if not dtypes.issubdtype(np.asarray(x).dtype, np.inexact):
            raise TypeError(f"check_grads needs floating-point arguments, got {np.asarray(x).dtype}")

    def check(f, args, order):
        if "fwd" in modes:
            check_jvp(f, lambda a, t: api.jvp(f, a, t), args, atol, rtol, eps)
            if order > 1:
                t = tree_map(lambda x: np.ones_like(np.asarray(x)), args)
                check(lambda *a: api.jvp(f, a, t)[1], args, order - 1)
        if "rev" in modes:
            check_vjp(f, lambda *a: api.vjp(f, *a), args, atol, rtol, eps)
            if order > 1:
                out = f(*args)
                u = tree_map(lambda o: np.ones_like(np.asarray(o)), out)
                check(lambda *a: api.vjp(f, *a)[1](u), args, order - 1)

    check(f, args, order)
