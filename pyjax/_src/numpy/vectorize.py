"""jax.numpy: vectorize, apply_along_axis, apply_over_axes -- Python functions mapped over
array axes with vmap (JAX builds them on vmap, not on Python loops, so the function must be
vmap-compatible and the result is one traced computation)."""
import re

import numpy as np

from pyjax._src import config as _config
from pyjax._src.core import get_aval
from pyjax._src.numpy import lax_numpy as _jnp
from pyjax._src.numpy import ufuncs
from pyjax._src.numpy.util import canonicalize_axis, check_arraylike

__all__ = ["vectorize", "apply_along_axis", "apply_over_axes", "matvec", "vecmat"]


def _vmap(*args, **kwargs):
    from pyjax._src import api  # api imports jax.numpy: import it when first used
    return api.vmap(*args, **kwargs)


# ---------------------------------------------------------------------------
# gufunc signatures: "(m,n),(n)->(m)"

_DIM = r"\w+"
_ARG = r"\((?:{0}(?:,{0})*)?\)".format(_DIM)
_ARGS = r"{0}(?:,{0})*".format(_ARG)
_SIGNATURE = r"^{0}->{0}$".format(_ARGS)


def _parse_signature(signature):
    """([core dims of each input], [core dims of each output]) of a gufunc signature."""
    if not re.match(_SIGNATURE, signature):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    ins, outs = signature.split("->")
    return ([tuple(re.findall(_DIM, a)) for a in re.findall(_ARG, ins)],
            [tuple(re.findall(_DIM, a)) for a in re.findall(_ARG, outs)])


def _record_core_sizes(sizes, shape, core_dims, context, *, is_input):
    """Check `shape`'s trailing core dimensions against the sizes seen so far (and record new
    ones); inputs may have extra leading (loop) dimensions, outputs may not."""
    n = len(core_dims)
    if is_input and len(shape) < n:
        raise ValueError(f"input with shape {shape!r} does not have enough dimensions for all "
                         f"core dimensions {core_dims!r} {context}")
    if not is_input and len(shape) != n:
        raise ValueError(f"output shape {shape!r} does not match core dimensions "
                         f"{core_dims!r} {context}")
    for dim, size in zip(core_dims, shape[len(shape) - n:]):
        if sizes.setdefault(dim, size) != size:
            raise ValueError(f"inconsistent size for core dimension {dim!r}: {size!r} vs "
                             f"{sizes[dim]!r} {context}")


def _checking_outputs(func, sizes, out_core_dims, context):
    """func, with its outputs checked against the signature's output core dimensions."""
    def checked(*args):
        out = func(*args)
        outs = out if isinstance(out, tuple) else [out]
        if len(out_core_dims) > 1 and not isinstance(out, tuple):
            raise TypeError("output must be a tuple when multiple outputs are expected, "
                            f"got: {out!r}\n{context}")
        if len(outs) != len(out_core_dims):
            raise TypeError(f"wrong number of output arguments: expected {len(out_core_dims)!r}, "
                            f"got {len(outs)!r} {context}")
        seen = dict(sizes)
        for o, dims in zip(outs, out_core_dims):
            _record_core_sizes(seen, np.shape(o), dims, context, is_input=False)
        return out
    return checked


def _bind_excluded(func, excluded, args, kwargs):
    """(func with the excluded arguments bound, remaining positional args, remaining kwargs)."""
    if not excluded:
        return func, args, kwargs
    fixed = [(i, args[i]) for i in sorted(e for e in excluded if isinstance(e, int))
             if i < len(args)]
    fixed_kw = {k: v for k, v in kwargs.items() if k in excluded}
    rest = [a for i, a in enumerate(args) if i not in excluded]
    rest_kw = {k: v for k, v in kwargs.items() if k not in excluded}

    def bound(*dyn, **kw):
        full = list(dyn)
        for i, v in fixed:
            full.insert(i, v)
        return func(*full, **kw, **fixed_kw)
    return bound, rest, rest_kw


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """A vectorized version of `pyfunc` with NumPy's broadcasting, built with vmap.

    `excluded`: positions (ints) or names (strs) of arguments passed through unvectorized.
    `signature`: a generalized-ufunc signature such as ``"(m,n),(n)->(m)"``; the core
    dimensions are handed whole to `pyfunc` and the leading dimensions are mapped over.
    Without one, `pyfunc` is applied to scalars.  As in JAX, keyword arguments that are not
    in `excluded` are not passed to `pyfunc` (the default values apply), and a None
    positional argument is passed through as None.
    """
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise TypeError("jax.numpy.vectorize can only exclude integer or string arguments, "
                        f"but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise ValueError(f"excluded={excluded!r} contains negative numbers")

    def wrapped(*args, **kwargs):
        context = f"on vectorized function with excluded={excluded!r} and signature={signature!r}"
        func, args, _ = _bind_excluded(pyfunc, excluded, args, kwargs)
        if signature is not None:
            in_core_dims, out_core_dims = _parse_signature(signature)
        else:
            in_core_dims, out_core_dims = [()] * len(args), None
        none_args = {i for i, a in enumerate(args) if a is None}
        if none_args:
            if any(in_core_dims[i] != () for i in none_args):
                raise ValueError(f"Cannot pass None at locations {none_args} with "
                                 f"signature={signature!r}")
            func, args, _ = _bind_excluded(func, none_args, args, {})
            in_core_dims = [d for i, d in enumerate(in_core_dims) if i not in none_args]
        args = tuple(_jnp.asarray(a) for a in args)
        if len(args) != len(in_core_dims):
            raise TypeError(f"wrong number of positional arguments: expected "
                            f"{len(in_core_dims)!r}, got {len(args)!r} {context}")
        sizes, loop_shapes = {}, []
        for a, dims in zip(args, in_core_dims):
            shape = get_aval(a).shape
            _record_core_sizes(sizes, shape, dims, context, is_input=True)
            loop_shapes.append(shape[:len(shape) - len(dims)])
        loop_shape = _jnp.broadcast_shapes(*loop_shapes)
        if out_core_dims is not None:
            func = _checking_outputs(func, sizes, out_core_dims, context)
        _check_rank_promotion(args, in_core_dims, signature)

        # Size-1 loop dimensions are squeezed and not mapped (they broadcast); each loop
        # dimension, innermost first, is one vmap over the arguments that have it.
        squeezed, rev_shapes = [], []
        for a, s in zip(args, loop_shapes):
            rev_shapes.append(((1,) * (len(loop_shape) - len(s)) + s)[::-1])
            squeezed.append(_jnp.squeeze(a, axis=tuple(i for i, n in enumerate(s) if n == 1)))
        mapped, expand = func, []
        for negdim, dim_sizes in enumerate(zip(*rev_shapes)):
            in_axes = tuple(None if n == 1 else 0 for n in dim_sizes)
            if all(ax is None for ax in in_axes):
                expand.append(len(loop_shape) - 1 - negdim)
            else:
                mapped = _vmap(mapped, in_axes)
        out = mapped(*squeezed)
        if not expand:
            return out
        if isinstance(out, tuple):
            return tuple(_jnp.expand_dims(o, expand) for o in out)
        return _jnp.expand_dims(out, expand)

    for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
        if hasattr(pyfunc, attr):
            setattr(wrapped, attr, getattr(pyfunc, attr))
    wrapped.__wrapped__ = pyfunc
    return wrapped


def _check_rank_promotion(args, in_core_dims, signature):
    mode = _config.config.jax_numpy_rank_promotion
    if mode == "allow":
        return
    ranks = {get_aval(a).ndim - len(d) for a, d in zip(args, in_core_dims) if get_aval(a).ndim}
    if len(ranks) > 1:
        msg = (f"operands with shapes {[get_aval(a).shape for a in args]} require rank "
               f"promotion for jnp.vectorize function with signature {signature}. Set the "
               "jax_numpy_rank_promotion config option to 'allow' to disable this message.")
        if mode == "raise":
            raise ValueError(msg)
        import warnings
        warnings.warn(msg)


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d applied to the 1-D slices of `arr` along `axis` (with vmap over the other axes);
    its result's dimensions replace `axis`."""
    check_arraylike("apply_along_axis", arr)
    ndim = np.ndim(arr)
    axis = canonicalize_axis(axis, ndim)

    def func(a):
        return func1d(a, *args, **kwargs)
    # Axes after `axis` are mapped first and put back at the end, then the leading ones.
    for i in range(1, ndim - axis):
        func = _vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = _vmap(func, in_axes=0, out_axes=0)
    return func(arr)


def apply_over_axes(func, a, axes):
    """func(a, axis) applied for each axis in turn; a result with one dimension fewer gets
    it back (size 1), so the result has a's rank."""
    check_arraylike("apply_over_axes", a)
    out = _jnp.asarray(a)
    for axis in axes:
        b = func(out, axis)
        if np.ndim(b) == np.ndim(out):
            out = b
        elif np.ndim(b) == np.ndim(out) - 1:
            out = _jnp.expand_dims(b, axis)
        else:
            raise ValueError("function is not returning an array of the correct shape: "
                             f"apply_over_axes got shape {np.shape(b)} from an input of shape "
                             f"{np.shape(out)} and axis {axis}")
    return out


def matvec(x1, x2, /):
    """Batched matrix-vector product: x1 (..., n, m) times x2 (..., m) is (..., n)."""
    check_arraylike("matvec", x1, x2)
    return vectorize(_jnp.matmul, signature="(n,m),(m)->(n)")(x1, x2)


def vecmat(x1, x2, /):
    """Batched conjugate vector-matrix product: conj(x1) (..., n) times x2 (..., n, m)."""
    check_arraylike("vecmat", x1, x2)
    return vectorize(_jnp.matmul, signature="(n),(n,m)->(m)")(ufuncs.conj(x1), x2)
