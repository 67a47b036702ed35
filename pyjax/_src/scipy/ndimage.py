"""jax.scipy.ndimage.map_coordinates (orders 0 and 1), as JAX computes it."""
import functools
import itertools
import operator

import numpy as np

from pyjax._src import dtypes
from pyjax._src.lax import lax


def _jnp():
    import pyjax.numpy
    return pyjax.numpy


def _mirror_index_fixer(index, size):
    J = _jnp()
    s = size - 1  # Half-wavelength of triangular wave
    # Scaled, integer-valued version of the triangular wave |x - round(x)|
    return J.abs((index + s) % (2 * s) - s)


def _reflect_index_fixer(index, size):
    J = _jnp()
    return J.floor_divide(_mirror_index_fixer(2 * index + 1, 2 * size + 1) - 1, 2)


_INDEX_FIXERS = {
    "constant": lambda index, size: index,
    "nearest": lambda index, size: _jnp().clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "mirror": _mirror_index_fixer,
    "reflect": _reflect_index_fixer,
}


def _round_half_away_from_zero(a):
    return a if dtypes.issubdtype(a.dtype, np.integer) else lax.round(a)


def _nearest_indices_and_weights(coordinate):
    index = _round_half_away_from_zero(coordinate).astype(np.int32)
    weight = coordinate.dtype.type(1)
    return [(index, weight)]


def _linear_indices_and_weights(coordinate):
    J = _jnp()
    lower = J.floor(coordinate)
    upper_weight = coordinate - lower
    lower_weight = 1 - upper_weight
    index = lower.astype(np.int32)
    return [(index, lower_weight), (index + 1, upper_weight)]


def map_coordinates(input, coordinates, order, mode="constant", cval=0.0):
    """Values of `input` at fractional `coordinates` (one array per axis of `input`), by
    nearest (order=0) or linear (order=1) interpolation; `mode` says how indices outside
    the array map into it ('constant' uses `cval`)."""
    J = _jnp()
    input_arr = J.asarray(input)
    coordinate_arrs = [J.asarray(c) for c in coordinates]
    cval = J.asarray(cval, input_arr.dtype)
    if len(coordinates) != input_arr.ndim:
        raise ValueError("coordinates must be a sequence of length input.ndim, but "
                         f"{len(coordinates)} != {input_arr.ndim}")
    index_fixer = _INDEX_FIXERS.get(mode)
    if index_fixer is None:
        raise NotImplementedError(
            f"jax.scipy.ndimage.map_coordinates does not yet support mode {mode}. Currently "
            f"supported modes are {set(_INDEX_FIXERS)}.")
    if mode == "constant":
        def is_valid(index, size):
            return (0 <= index) & (index < size)
    else:
        def is_valid(index, size):
            return True
    if order == 0:
        interp_fun = _nearest_indices_and_weights
    elif order == 1:
        interp_fun = _linear_indices_and_weights
    else:
        raise NotImplementedError("jax.scipy.ndimage.map_coordinates currently requires order<=1")
    shape = J.broadcast_shapes(*[c.shape for c in coordinate_arrs])
    coordinate_arrs = [J.broadcast_to(c, shape) for c in coordinate_arrs]

    valid_1d_interpolations = []
    for coordinate, size in zip(coordinate_arrs, input_arr.shape):
        valid_interp = []
        for index, weight in interp_fun(coordinate):
            valid_interp.append((index_fixer(index, size), is_valid(index, size), weight))
        valid_1d_interpolations.append(valid_interp)

    outputs = []
    for items in itertools.product(*valid_1d_interpolations):
        indices, validities, weights = zip(*items)
        gathered = input_arr[indices]
        if all(valid is True for valid in validities):
            contribution = gathered
        else:
            all_valid = functools.reduce(operator.and_, validities)
            contribution = J.where(all_valid, gathered, cval)
        outputs.append(functools.reduce(operator.mul, weights) * contribution)
    result = functools.reduce(operator.add, outputs[1:], outputs[0])
    if dtypes.issubdtype(input_arr.dtype, np.integer):
        result = _round_half_away_from_zero(result)
    return result.astype(input_arr.dtype)
