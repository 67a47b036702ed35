"""pyjax.nn.initializers: weight initializers with jax.nn.initializers' API and numbers.

An initializer is a function ``init(key, shape, dtype=None) -> Array``. For the same
key, the random ones give the same values as JAX's (bit for bit in float32, since
pyjax.random's bits are JAX's), except `orthogonal` / `delta_orthogonal`, whose QR
agrees with JAX's to rounding.
"""
import math
import typing
from typing import Any, Protocol

import numpy as np

import pyjax.numpy as jnp
from pyjax._src import dtypes
from pyjax._src import random
from pyjax._src.lax import lax
from pyjax._src.random_distributions import truncated_normal as _truncated_normal
from pyjax._src.random_linalg import orthogonal as _orthogonal


@typing.runtime_checkable
class Initializer(Protocol):
    def __call__(self, key: Any, shape: Any, dtype: Any = None, out_sharding: Any = None):
        raise NotImplementedError


def _default_dtype(dtype):
    return dtypes.default_float_dtype() if dtype is None else dtype


def _check_sharding(out_sharding, name):
    if out_sharding is not None:
        raise NotImplementedError(f"{name}: out_sharding is not supported by pyjax")


def _shape(shape):
    return lax.canonicalize_shape(shape)


def zeros(key, shape, dtype=None, out_sharding=None):
    """An array of zeros (the key is ignored)."""
    _check_sharding(out_sharding, "zeros")
    return jnp.zeros(shape, _default_dtype(dtype))


def ones(key, shape, dtype=None, out_sharding=None):
    """An array of ones (the key is ignored)."""
    _check_sharding(out_sharding, "ones")
    return jnp.ones(shape, _default_dtype(dtype))


def constant(value, dtype=None):
    """An initializer filling with `value`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _check_sharding(out_sharding, "constant")
        return jnp.full(shape, value, dtype=_default_dtype(dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    """Uniform values in [0, scale)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _check_sharding(out_sharding, "uniform")
        dtype = _default_dtype(dtype)
        return random.uniform(key, shape, dtype) * jnp.array(scale, dtype)
    return init


def normal(stddev=1e-2, dtype=None):
    """Normal values with mean 0 and standard deviation `stddev`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _check_sharding(out_sharding, "normal")
        dtype = _default_dtype(dtype)
        return random.normal(key, shape, dtype) * jnp.array(stddev, dtype)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """stddev * a standard normal truncated to (lower, upper) (no variance correction)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _check_sharding(out_sharding, "truncated_normal")
        dtype = _default_dtype(dtype)
        return (_truncated_normal(key, lower, upper, shape, dtype)
                * jnp.array(stddev, dtype))
    return init


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    """(fan_in, fan_out) of a dense or convolutional kernel; axes outside in/out/batch are
    the receptive field."""
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional "
                         "weights tensor with default in_axis. Must be at least 2D or specify "
                         "in_axis explicitly.")
    if isinstance(in_axis, int):
        in_size = shape[in_axis]
    else:
        in_size = math.prod([shape[i] for i in in_axis])
    if isinstance(out_axis, int):
        out_size = shape[out_axis]
    else:
        out_size = math.prod([shape[i] for i in out_axis])
    if isinstance(batch_axis, int):
        batch_size = shape[batch_axis]
    else:
        batch_size = math.prod([shape[i] for i in batch_axis])
    receptive_field_size = math.prod(shape) / in_size / out_size / batch_size
    fan_in = in_size * receptive_field_size
    fan_out = out_size * receptive_field_size
    return fan_in, fan_out


def _complex_uniform(key, shape, dtype):
    key_r, key_theta = random.split(key)
    real_dtype = np.array(0, dtype).real.dtype
    dtype = dtypes.to_complex_dtype(real_dtype)
    r = jnp.sqrt(2 * random.uniform(key_r, shape, real_dtype)).astype(dtype)
    theta = 2 * np.pi * random.uniform(key_theta, shape, real_dtype).astype(dtype)
    return r * jnp.exp(1j * theta)


def _complex_truncated_normal(key, upper, shape, dtype):
    key_r, key_theta = random.split(key)
    real_dtype = np.array(0, dtype).real.dtype
    dtype = dtypes.to_complex_dtype(real_dtype)
    t = ((1 - jnp.exp(jnp.array(-upper ** 2, dtype)))
         * random.uniform(key_r, shape, real_dtype).astype(dtype))
    r = jnp.sqrt(-jnp.log(1 - t))
    theta = 2 * np.pi * random.uniform(key_theta, shape, real_dtype).astype(dtype)
    return r * jnp.exp(1j * theta)


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None):
    """Samples with standard deviation sqrt(scale / n), n from `mode` ('fan_in', 'fan_out',
    'fan_avg', 'fan_geo_avg'); `distribution` is 'truncated_normal' (cut at 2 standard
    deviations, then rescaled), 'normal' or 'uniform'."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _check_sharding(out_sharding, "variance_scaling")
        shape = _shape(shape)
        dtype = _default_dtype(dtype)
        fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
        if mode == "fan_in":
            denominator = fan_in
        elif mode == "fan_out":
            denominator = fan_out
        elif mode == "fan_avg":
            denominator = (fan_in + fan_out) / 2
        elif mode == "fan_geo_avg":
            denominator = (fan_in * fan_out) ** 0.5
        else:
            raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
        variance = jnp.array(scale / denominator, dtype=dtype)
        if distribution == "truncated_normal":
            if dtypes.issubdtype(dtype, np.floating):
                # constant is the stddev of a standard normal truncated to (-2, 2)
                stddev = jnp.sqrt(variance) / jnp.array(.87962566103423978, dtype)
                return _truncated_normal(key, -2, 2, shape, dtype) * stddev
            stddev = jnp.sqrt(variance) / jnp.array(.95311164380491208, dtype)
            return _complex_truncated_normal(key, 2, shape, dtype) * stddev
        elif distribution == "normal":
            return random.normal(key, shape, dtype) * jnp.sqrt(variance)
        elif distribution == "uniform":
            if dtypes.issubdtype(dtype, np.floating):
                return random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)
            return _complex_uniform(key, shape, dtype) * jnp.sqrt(variance)
        else:
            raise ValueError(f"invalid distribution for variance scaling initializer: "
                             f"{distribution}")
    return init


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1.0, 'fan_avg', 'uniform')."""
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis=in_axis, out_axis=out_axis,
                            batch_axis=batch_axis, dtype=dtype)


xavier_uniform = glorot_uniform


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1.0, 'fan_avg', 'truncated_normal')."""
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis=in_axis,
                            out_axis=out_axis, batch_axis=batch_axis, dtype=dtype)


xavier_normal = glorot_normal


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1.0, 'fan_in', 'uniform')."""
    return variance_scaling(1.0, "fan_in", "uniform", in_axis=in_axis, out_axis=out_axis,
                            batch_axis=batch_axis, dtype=dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(1.0, 'fan_in', 'truncated_normal')."""
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis=in_axis,
                            out_axis=out_axis, batch_axis=batch_axis, dtype=dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(2.0, 'fan_in', 'uniform')."""
    return variance_scaling(2.0, "fan_in", "uniform", in_axis=in_axis, out_axis=out_axis,
                            batch_axis=batch_axis, dtype=dtype)


kaiming_uniform = he_uniform


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """variance_scaling(2.0, 'fan_in', 'truncated_normal')."""
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis=in_axis,
                            out_axis=out_axis, batch_axis=batch_axis, dtype=dtype)


kaiming_normal = he_normal


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """Uniformly distributed (semi-)orthogonal matrices: orthonormal rows or columns,
    whichever side is smaller, over `column_axis` against the other axes flattened."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _check_sharding(out_sharding, "orthogonal")
        dtype = _default_dtype(dtype)
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        if any(dim == 0 for dim in shape):
            return jnp.zeros(shape, dtype=dtype)
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        Q = _orthogonal(key, n_rows, (), dtype, n_cols)
        Q = jnp.reshape(Q, tuple(np.delete(shape, column_axis)) + (shape[column_axis],))
        Q = jnp.moveaxis(Q, -1, column_axis)
        return jnp.array(scale, dtype) * Q
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """Delta-orthogonal convolution kernels (3D, 4D or 5D): zeros except an orthogonal
    matrix at the spatial center."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _check_sharding(out_sharding, "delta_orthogonal")
        dtype = _default_dtype(dtype)
        shape = _shape(shape)
        if len(shape) not in [3, 4, 5]:
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        ortho_init = orthogonal(scale=scale, column_axis=column_axis, dtype=dtype)
        ortho_matrix = ortho_init(key, shape[-2:])
        W = jnp.zeros(shape, dtype=dtype)
        center = tuple((k - 1) // 2 for k in shape[:-2])
        block = lax.reshape(lax.convert_element_type(ortho_matrix, W.dtype),
                            (1,) * len(center) + tuple(shape[-2:]))
        return lax.dynamic_update_slice(W, block, list(center) + [0, 0])
    return init


__all__ = ["Initializer", "zeros", "ones", "constant", "uniform", "normal", "truncated_normal",
           "variance_scaling", "glorot_uniform", "glorot_normal", "xavier_uniform",
           "xavier_normal", "lecun_uniform", "lecun_normal", "he_uniform", "he_normal",
           "kaiming_uniform", "kaiming_normal", "orthogonal", "delta_orthogonal"]
