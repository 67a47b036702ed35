"""Argument handling shared by pyjax.numpy: conversion, dtype promotion and broadcasting."""
import numpy as np

from pyjax._src import core, dtypes
from pyjax._src.core import ArrayImpl, get_aval
from pyjax._src.lax import lax


def check_arraylike(name, *args):
    for i, a in enumerate(args):
        if not (isinstance(a, (core.Array, np.ndarray, np.generic, bool, int, float, complex))
                or hasattr(a, "__jax_array__")):
            raise TypeError(f"{name} requires ndarray or scalar arguments, got {type(a).__name__} "
                            f"at position {i}.")


def promote_dtypes(*args):
    """Convert args to one dtype by JAX's promotion rules (weak types respected)."""
    if len(args) < 2:
        return [lax.asarray(a) for a in args]
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [lax.convert_element_type(a, dt, weak) for a in args]


def promote_dtypes_inexact(*args):
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    dt = dtypes.to_inexact_dtype(dt)
    return [lax.convert_element_type(a, dt, weak) for a in args]


def promote_dtypes_numeric(*args):
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    if dt == np.bool_:
        dt = dtypes.default_int_dtype()
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


def promote_args(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(name, *promote_dtypes(*args))


def promote_args_inexact(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(name, *promote_dtypes_inexact(*args))


def promote_args_numeric(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(name, *promote_dtypes_numeric(*args))


def same_fast(x, y):
    """True when x and y are concrete arrays that need no promotion or broadcasting."""
    return (type(x) is ArrayImpl and type(y) is ArrayImpl and x._weak == y._weak
            and x._value.dtype == y._value.dtype and x._value.shape == y._value.shape)


def canonicalize_axis(axis, ndim, name="axis"):
    axis = int(axis)
    if not -ndim <= axis < ndim:
        from numpy.exceptions import AxisError
        raise AxisError(f"{name} {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def canonicalize_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(canonicalize_axis(a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"repeated axis in {axis}")
        return axes
    return (canonicalize_axis(axis, ndim),)
