"""Argument handling shared by pyjax.numpy: conversion, dtype promotion and broadcasting."""
import sys

import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import ArrayImpl, Tracer, get_aval
from pyjax._src.lax import lax

_ARRAYLIKE = (core.Array, np.ndarray, np.generic, bool, int, float, complex)


def check_arraylike(name, *args):
    for i, a in enumerate(args):
        if not (isinstance(a, _ARRAYLIKE) or hasattr(a, "__jax_array__")):
            msg = f"{name} requires ndarray or scalar arguments, got {type(a).__name__} at position {i}."
            if isinstance(a, (list, tuple)):
                msg += (" (Lists and tuples are not accepted as array arguments, to avoid silent "
                        "performance costs; convert them with jnp.asarray first.)")
            raise TypeError(msg)


def asarray_arg(a):
    """An Array for an array-like argument (Python scalars become weak arrays)."""
    if isinstance(a, core.Array):
        return a
    if hasattr(a, "__jax_array__"):
        return asarray_arg(a.__jax_array__())
    return lax.asarray(a)


def is_concrete(x):
    """True for values known now (not tracers of a staging transformation)."""
    return not isinstance(x, Tracer)


def numeric_dtype(dt):
    """JAX's to_numeric_dtype: bool becomes int32 (always int32, even with x64)."""
    return np.dtype(np.int32) if dt == np.bool_ else dt


def promote_dtypes(*args):
    """Convert args to one dtype by JAX's promotion rules (weak types respected)."""
    if len(args) < 2:
        return [asarray_arg(a) for a in args]
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [lax.convert_element_type(a, dt, weak) for a in args]


def promote_dtypes_inexact(*args):
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    dt = dtypes.canonicalize_dtype(dtypes.to_inexact_dtype(dt))
    return [lax.convert_element_type(a, dt, weak) for a in args]


def promote_dtypes_numeric(*args):
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    dt = numeric_dtype(dt)
    return [lax.convert_element_type(a, dt, weak) for a in args]


def broadcast_shapes_of(name, *shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"{name}: incompatible shapes for broadcasting: "
                         + ", ".join(str(tuple(s)) for s in shapes)) from None


def broadcast_to_shape(x, shape):
    aval = get_aval(x)
    if aval.shape == tuple(shape):
        return x
    nd = len(shape)
    return lax.broadcast_in_dim(x, shape, tuple(range(nd - aval.ndim, nd)))


def promote_shapes(name, *args):
    shapes = [get_aval(a).shape for a in args]
    if all(s == shapes[0] for s in shapes):
        return list(args)
    shape = broadcast_shapes_of(name, *shapes)
    return [broadcast_to_shape(a, shape) for a in args]


def _unwrap_jax_arrays(args):
    return [a if isinstance(a, _ARRAYLIKE) else asarray_arg(a) for a in args]


def promote_args(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(name, *promote_dtypes(*_unwrap_jax_arrays(args)))


def promote_args_inexact(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(name, *promote_dtypes_inexact(*_unwrap_jax_arrays(args)))


def promote_args_numeric(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(name, *promote_dtypes_numeric(*_unwrap_jax_arrays(args)))


def same_fast(x, y):
    """True when x and y are concrete arrays that need no promotion or broadcasting."""
    return (type(x) is ArrayImpl and type(y) is ArrayImpl and x._weak == y._weak
            and x._value.dtype == y._value.dtype and x._value.shape == y._value.shape)


# --- constants shaped like an operand (lax is strict about shapes and dtypes) -------

def lax_const(x, value):
    """`value` shaped and typed like `x`; weak only when `x` is a weak scalar (JAX's lax._const)."""
    aval = get_aval(x)
    return lax.full(aval.shape, value, aval.dtype, aval.weak_type and aval.ndim == 0)


def strong_const(x, value):
    """`value` shaped and typed like `x`, never weakly typed (JAX's _constant_like)."""
    aval = get_aval(x)
    return lax.full(aval.shape, value, aval.dtype, False)


def compare(op, x, y):
    """A lax comparison whose result is weakly typed when both operands are (as in JAX)."""
    out = op(x, y)
    if get_aval(x).weak_type and get_aval(y).weak_type and not get_aval(out).weak_type:
        out = lax.convert_element_type(out, np.bool_, True)
    return out


def canonicalize_axis(axis, ndim, name="axis"):
    axis = core.concrete_or_error(axis, "to read an axis argument (axes must be static)") \
        if isinstance(axis, Tracer) else axis
    try:
        axis = int(axis.__index__())
    except (AttributeError, TypeError):
        raise TypeError(f"{name} must be an integer, got {axis!r}") from None
    if not -ndim <= axis < ndim:
        # NumPy's AxisError is both a ValueError and an IndexError: JAX raises ValueError for
        # most functions and IndexError for some (mean, var, argmax, swapaxes, ...), so
        # either `except` clause written for JAX catches it.
        from numpy.exceptions import AxisError
        where = _public_caller()
        raise AxisError(f"{name} {axis} is out of bounds for array of dimension {ndim}"
                        + (f" (in {where})" if where else ""))
    return axis % ndim


def _public_caller():
    """The jax.numpy or jax.nn function the user called ("jnp.sum", "jnp.linalg.norm",
    "jax.nn.softmax"), for error messages: the outermost frame of the run of pyjax._src.numpy
    and pyjax._src.nn frames that starts at our caller (helpers shared by many functions
    cannot know which public function they serve)."""
    frame, found = sys._getframe(2), None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("pyjax._src.nn."):
            if not frame.f_code.co_name.startswith("_"):
                found = f"jax.nn.{frame.f_code.co_name}"
        elif module.startswith("pyjax._src.numpy."):
            code = frame.f_code
            fname = code.co_name
            # functions made by a factory (argmax = _arg("argmax", ...)) keep their name in
            # the factory's `name` argument
            if "name" in code.co_freevars and isinstance(frame.f_locals.get("name"), str):
                fname = frame.f_locals["name"]
            if not fname.startswith("_") and fname != "<lambda>":
                sub = module.rsplit(".", 1)[1]
                found = f"jnp.{sub}.{fname}" if sub in ("linalg", "fft") else f"jnp.{fname}"
        elif found is not None:
            break
        frame = frame.f_back
    return found


def canonicalize_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(canonicalize_axis(a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"repeated axis in {axis}")
        return axes
    return (canonicalize_axis(axis, ndim),)
