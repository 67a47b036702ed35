"""Convolutions: the `conv_general_dilated` primitive and its public wrappers.

`conv_general_dilated` is one primitive with all its rules here: shape/dtype rules with
JAX's errors, a vectorised NumPy implementation, a bilinear jvp, transposes for both
operands (as JAX: the lhs transpose is a convolution of the cotangent with the flipped
kernel, strides becoming lhs dilation; the rhs transpose convolves lhs with the
cotangent, feature groups becoming batch groups and vice versa) and a batching rule that
folds the vmapped axis into the batch or feature dimensions.

The eager implementation is im2col: the padded, dilated input is viewed (`as_strided`,
no copy) as windows of shape (groups, batch, out spatial..., kernel spatial..., channels);
chunks of those windows are copied into a matrix and multiplied with the kernel by one
BLAS matmul per chunk (a batched matmul over groups).
"""
import enum
import operator
from typing import NamedTuple, Sequence, Tuple, Union

import numpy as np
from numpy.lib.stride_tricks import as_strided

from pyjax._src import core, dtypes
from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import Zero, add_tangents, is_undefined


def _L():
    from pyjax._src.lax import lax
    return lax


# ---------------------------------------------------------------------------
# Dimension numbers and padding


class ConvDimensionNumbers(NamedTuple):
    """Describes batch, spatial, and feature dimensions of a convolution.

    Args:
      lhs_spec: a tuple of nonnegative integer dimension numbers containing
        `(batch dimension, feature dimension, spatial dimensions...)`.
      rhs_spec: a tuple of nonnegative integer dimension numbers containing
        `(out feature dimension, in feature dimension, spatial dimensions...)`.
      out_spec: a tuple of nonnegative integer dimension numbers containing
        `(batch dimension, feature dimension, spatial dimensions...)`.
    """
    lhs_spec: Sequence[int]
    rhs_spec: Sequence[int]
    out_spec: Sequence[int]


ConvGeneralDilatedDimensionNumbers = Union[Tuple[str, str, str], ConvDimensionNumbers, None]


class PaddingType(enum.Enum):
    VALID = 1
    SAME = 2
    SAME_LOWER = 3


def _ceil_divide(x1, x2):
    return -np.floor_divide(np.negative(x1), x2)


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """Convert a padding specification ('SAME', 'SAME_LOWER', 'VALID') to a list of
    (low, high) pairs, one per spatial dimension (as jax.lax.padtype_to_pads)."""
    if isinstance(padding, str):
        try:
            padding = PaddingType[padding.upper()]
        except KeyError as err:
            raise RuntimeError("Unrecognized padding type: expected 'VALID', 'SAME', or "
                               f"'SAME_LOWER', got {padding}.") from err
    if padding in (PaddingType.SAME, PaddingType.SAME_LOWER):
        in_shape = np.asarray(in_shape, dtype=np.int64)
        window_shape = np.asarray(window_shape, dtype=np.int64)
        window_strides = np.asarray(window_strides, dtype=np.int64)
        if not (len(in_shape) == len(window_shape) == len(window_strides)):
            raise ValueError(f"padtype_to_pads: in_shape {tuple(in_shape)}, window_shape "
                             f"{tuple(window_shape)} and window_strides {tuple(window_strides)} "
                             "must have the same length")
        out_shape = _ceil_divide(in_shape, window_strides)
        pad_sizes = [max(int(d), 0) for d in
                     (out_shape - 1) * window_strides + window_shape - in_shape]
        if padding == PaddingType.SAME:
            return [(p // 2, p - p // 2) for p in pad_sizes]
        return [(p - p // 2, p // 2) for p in pad_sizes]
    if padding == PaddingType.VALID:
        return [(0, 0)] * len(in_shape)
    raise TypeError(f"Unknown padding type: {padding}.")


def conv_general_permutations(dimension_numbers):
    """Utility for convolution dimension permutations relative to Conv HLO."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    charpairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(charpairs):
        if not dimension_numbers[i].count(a) == dimension_numbers[i].count(b) == 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters "
                            f"'{a}' and '{b}' exactly once, got {dimension_numbers[i]}.")
        if len(dimension_numbers[i]) != len(set(dimension_numbers[i])):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate "
                            f"characters, got {dimension_numbers[i]}.")
    if not (set(lhs_spec) - set(charpairs[0]) == set(rhs_spec) - set(charpairs[1])
            == set(out_spec) - set(charpairs[2])):
        raise TypeError("convolution dimension_numbers elements must each have the same "
                        f"set of spatial characters, got {dimension_numbers}.")

    def getperm(spec, charpair):
        spatial = (i for i, c in enumerate(spec) if c not in charpair)
        if spec is not rhs_spec:
            spatial = sorted(spatial, key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(charpair[0]), spec.index(charpair[1])) + tuple(spatial)

    return tuple(map(getperm, dimension_numbers, charpairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """Converts convolution `dimension_numbers` to a `ConvDimensionNumbers`.

    `dimension_numbers` is None (the default, ('NCHW', 'OIHW', 'NCHW') for 2-D), a
    ConvDimensionNumbers, or a 3-tuple of strings such as ('NHWC', 'HWIO', 'NHWC').
    """
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError("convolution requires lhs and rhs ndim to be equal, got "
                        f"{len(lhs_shape)} and {len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if isinstance(dimension_numbers, (list, tuple)):
        if len(dimension_numbers) != 3:
            raise TypeError("convolution dimension_numbers list/tuple must be length 3, got "
                            f"{len(dimension_numbers)}.")
        if not all(isinstance(elt, str) for elt in dimension_numbers):
            raise TypeError("convolution dimension_numbers elements must be strings, got "
                            f"{tuple(map(type, dimension_numbers))}.")
        for i, elt in enumerate(dimension_numbers):
            if len(elt) != len(lhs_shape):
                raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the "
                                f"ndim of lhs and rhs, got {len(elt)} for lhs and rhs shapes "
                                f"{tuple(lhs_shape)} and {tuple(rhs_shape)}.")
        lhs_spec, rhs_spec, out_spec = conv_general_permutations(dimension_numbers)
        return ConvDimensionNumbers(lhs_spec, rhs_spec, out_spec)
    raise TypeError("convolution dimension_numbers must be tuple/list or None, got "
                    f"{type(dimension_numbers)}.")


def _dilate_dim(d, dilation):
    return d if dilation == 1 else max(0, 1 + dilation * (d - 1))


def _stride_dim(d, window, stride):
    return max(0, (d - window) // stride + 1)


def _dilate_shape(shape, dilation):
    if not all(d > 0 for d in dilation):
        raise TypeError(f"All dilations must be positive, got {tuple(dilation)}.")
    dilation = (1,) * (len(shape) - len(dilation)) + tuple(dilation)
    return tuple(map(_dilate_dim, shape, dilation))


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """Compute the shape tuple of a conv given input shapes in canonical order."""
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError("Wrong number of explicit pads for convolution: expected "
                        f"{len(lhs_shape) - 2}, got {len(pads)}.")
    lhs_padded = [int(d) + int(lo) + int(hi) for d, (lo, hi) in zip(lhs_shape[2:], pads)]
    if any(d < 0 for d in lhs_padded):
        raise ValueError("Negative padding is larger than the size of the corresponding "
                         f"dimension: got padding={pads} for lhs_shape[2:]={tuple(lhs_shape[2:])}")
    out_space = tuple(map(_stride_dim, lhs_padded, rhs_shape[2:], strides))
    n = lhs_shape[0] // batch_group_count if batch_group_count > 1 else lhs_shape[0]
    return (int(n), int(rhs_shape[0])) + tuple(int(d) for d in out_space)


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    lhs_trans = np.take(lhs_shape, lhs_perm)
    rhs_trans = np.take(rhs_shape, rhs_perm)
    out_trans = conv_shape_tuple(lhs_trans, rhs_trans, window_strides, padding)
    return tuple(int(d) for d in np.take(out_trans, np.argsort(out_perm)))


def _conv_transpose_padding(k, s, padding):
    """Before and after padding of one dimension of a transposed convolution."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else int(np.ceil(pad_len / 2))
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        pad_a = pads[0]
        pad_len = sum(pads)
    else:
        raise ValueError(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    lhs_trans = np.take(lhs_shape, lhs_perm)
    rhs_trans = np.take(rhs_shape, rhs_perm)
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(k, s, padding)
                   for k, s in zip(rhs_trans[2:], window_strides)]
    padding = list(map(np.sum, padding))
    unpad_out_space = [(i - 1) * s - k + 2
                       for i, k, s in zip(lhs_trans[2:], rhs_trans[2:], window_strides)]
    out_space = np.sum([unpad_out_space, padding], axis=0).tolist()
    out_trans = tuple((lhs_trans[0], rhs_trans[0]) + tuple(out_space))
    return tuple(int(d) for d in np.take(out_trans, np.argsort(out_perm)))


def _canonicalize_precision(precision):
    """Precision is accepted and recorded (the CPU always computes at full precision)."""
    if precision is None:
        return None
    if isinstance(precision, (list, tuple)):
        if len(precision) != 2:
            raise ValueError(f"Precision argument must be None, a precision, or a tuple of two "
                             f"precisions, but got {precision}.")
        return tuple(precision)
    return (precision, precision)


# ---------------------------------------------------------------------------
# Public functions


def _as_array(x):
    return x if isinstance(x, core.Array) else _L().asarray(x)


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
                         batch_group_count=1, precision=None, preferred_element_type=None,
                         out_sharding=None):
    """General n-dimensional convolution operator, with optional dilation (jax.lax's).

    `padding` is 'SAME', 'SAME_LOWER', 'VALID' or a sequence of (low, high) pairs;
    `dimension_numbers` is None, a ConvDimensionNumbers or strings like
    ('NHWC', 'HWIO', 'NHWC').
    """
    lhs, rhs = _as_array(lhs), _as_array(rhs)
    lhs_shape, rhs_shape = get_aval(lhs).shape, get_aval(rhs).shape
    dnums = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    if lhs_dilation is None:
        lhs_dilation = (1,) * (len(lhs_shape) - 2)
    elif isinstance(padding, str) and not len(lhs_dilation) == list(lhs_dilation).count(1):
        raise ValueError(
            "String padding is not implemented for transposed convolution "
            "using this op. Please either exactly specify the required padding or "
            "use conv_transpose.")
    if rhs_dilation is None:
        rhs_dilation = (1,) * (len(rhs_shape) - 2)
    if isinstance(padding, str):
        lhs_perm, rhs_perm, _ = dnums
        k_shape = np.take(rhs_shape, rhs_perm)[2:]
        effective = [_dilate_dim(int(k), int(r)) for k, r in zip(k_shape, rhs_dilation)]
        padding = padtype_to_pads(np.take(lhs_shape, lhs_perm)[2:], effective,
                                  window_strides, padding)
    else:
        try:
            padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
        except (ValueError, TypeError) as e:
            raise ValueError("padding argument to conv_general_dilated should be a string or a "
                             f"sequence of (low, high) pairs, got {padding}") from e
    if preferred_element_type is not None:
        preferred_element_type = dtypes.canonicalize_dtype(preferred_element_type)
    ints = lambda xs: tuple(operator.index(x) for x in xs)  # noqa: E731
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=ints(window_strides),
        padding=tuple((int(lo), int(hi)) for lo, hi in padding),
        lhs_dilation=ints(lhs_dilation), rhs_dilation=ints(rhs_dilation),
        dimension_numbers=ConvDimensionNumbers(*(ints(s) for s in dnums)),
        feature_group_count=operator.index(feature_group_count),
        batch_group_count=operator.index(batch_group_count),
        precision=_canonicalize_precision(precision),
        preferred_element_type=preferred_element_type)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """Convenience wrapper around `conv_general_dilated` (NCHW / OIHW layouts)."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    """Convenience wrapper around `conv_general_dilated` with dilations."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None,
                   use_consistent_padding=False):
    """The N-d convolution "transpose" (a fractionally strided convolution), as jax.lax's.

    By default the kernel is not flipped; `transpose_kernel=True` flips its spatial axes
    and swaps its input/output feature axes (the gradient of a forward convolution)."""
    L = _L()
    lhs, rhs = _as_array(lhs), _as_array(rhs)
    lhs_shape, rhs_shape = get_aval(lhs).shape, get_aval(rhs).shape
    assert len(lhs_shape) == len(rhs_shape) and len(lhs_shape) >= 2
    ndims = len(lhs_shape)
    one = (1,) * (ndims - 2)
    if dimension_numbers is None:
        defaults = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                    4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}
        if ndims not in defaults:
            raise ValueError("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = defaults[ndims]
    dn = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    k_sdims = np.take(rhs_shape, dn.rhs_spec)[2:]
    if rhs_dilation is None:
        rhs_dilation = (1,) * (ndims - 2)
    if use_consistent_padding or (isinstance(padding, str) and padding in {"SAME", "VALID"}):
        effective = [_dilate_dim(int(k), int(r)) for k, r in zip(k_sdims, rhs_dilation)]
        replicated = [padding] * len(strides) if isinstance(padding, str) else padding
        pads = tuple(_conv_transpose_padding(k, s, tuple(p) if not isinstance(p, str) else p)
                     for k, s, p in zip(effective, strides, replicated))
    else:
        pads = padding
    if transpose_kernel:
        rhs = L.rev(rhs, tuple(int(d) for d in dn.rhs_spec[2:]))
        perm = list(range(ndims))
        perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = perm[dn.rhs_spec[1]], perm[dn.rhs_spec[0]]
        rhs = L.transpose(rhs, perm)
    return conv_general_dilated(lhs, rhs, one, pads, strides, rhs_dilation, dn,
                                precision=precision,
                                preferred_element_type=preferred_element_type)


# ---------------------------------------------------------------------------
# The primitive: shape and dtype rules

_NAME = "conv_general_dilated"


def _conv_sdims(spec):
    return spec[2:]


def _conv_shape(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                dimension_numbers, feature_group_count, batch_group_count):
    if len(lhs.shape) != len(rhs.shape):
        raise ValueError("conv_general_dilated lhs and rhs must have the same number of "
                         f"dimensions, but got {lhs.shape} and {rhs.shape}.")
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    if not feature_group_count > 0:
        raise ValueError("conv_general_dilated feature_group_count must be a positive integer, "
                         f"got {feature_group_count}.")
    lhs_feature_count = lhs.shape[lhs_spec[1]]
    quot, rem = divmod(lhs_feature_count, feature_group_count)
    if rem:
        raise ValueError("conv_general_dilated feature_group_count must divide lhs feature "
                         f"dimension size, but {feature_group_count} does not divide "
                         f"{lhs_feature_count}.")
    if quot != rhs.shape[rhs_spec[1]]:
        raise ValueError("conv_general_dilated lhs feature dimension size divided by "
                         "feature_group_count must equal the rhs input feature dimension "
                         f"size, but {lhs_feature_count} // {feature_group_count} != "
                         f"{rhs.shape[rhs_spec[1]]}.")
    if rhs.shape[rhs_spec[0]] % feature_group_count:
        raise ValueError("conv_general_dilated rhs output feature dimension size must be a "
                         f"multiple of feature_group_count, but {rhs.shape[rhs_spec[0]]} is not "
                         f"a multiple of {feature_group_count}.")
    if not batch_group_count > 0:
        raise ValueError("conv_general_dilated batch_group_count must be a positive integer, "
                         f"got {batch_group_count}.")
    lhs_batch_count = lhs.shape[lhs_spec[0]]
    if batch_group_count > 1 and lhs_batch_count % batch_group_count != 0:
        raise ValueError("conv_general_dilated batch_group_count must divide lhs batch "
                         f"dimension size, but {batch_group_count} does not divide "
                         f"{lhs_batch_count}.")
    if rhs.shape[rhs_spec[0]] % batch_group_count:
        raise ValueError("conv_general_dilated rhs output feature dimension size must be a "
                         f"multiple of batch_group_count, but {rhs.shape[rhs_spec[0]]} is not "
                         f"a multiple of {batch_group_count}.")
    if batch_group_count > 1 and feature_group_count > 1:
        raise ValueError("At most one of batch_group_count and feature_group_count may be > 1, "
                         f"got batch_group_count={batch_group_count} and "
                         f"feature_group_count={feature_group_count}")
    if len(_conv_sdims(rhs_spec)) != len(window_strides):
        raise ValueError("conv_general_dilated window and window_strides must have the same "
                         f"number of dimensions, but got {len(_conv_sdims(rhs_spec))} and "
                         f"{len(window_strides)}")
    for name, v in (("lhs_dilation", lhs_dilation), ("rhs_dilation", rhs_dilation)):
        if len(v) != len(window_strides):
            raise ValueError(f"conv_general_dilated {name} must have one entry per spatial "
                             f"dimension ({len(window_strides)}), got {tuple(v)}")
    if any(s <= 0 for s in window_strides):
        raise ValueError(f"conv_general_dilated window_strides must be positive, got "
                         f"{tuple(window_strides)}")
    lhs_trans = _dilate_shape(np.take(lhs.shape, lhs_spec).tolist(), lhs_dilation)
    rhs_trans = _dilate_shape(np.take(rhs.shape, rhs_spec).tolist(), rhs_dilation)
    out_trans = conv_shape_tuple(lhs_trans, rhs_trans, window_strides, padding,
                                 batch_group_count)
    return tuple(int(d) for d in np.take(out_trans, np.argsort(out_spec)))


def _validate_preferred_element_type(input_dtype, preferred):
    if dtypes.issubdtype(input_dtype, np.integer) and dtypes.issubdtype(preferred, np.floating):
        pass
    else:
        allowed = (np.integer, np.floating, np.complexfloating)
        if any(dtypes.issubdtype(input_dtype, t) and not dtypes.issubdtype(preferred, t)
               for t in allowed):
            raise TypeError("Input type is incompatible with `preferred_element_type`. The "
                            "compatible combinations of (input_type, preferred_element_type) "
                            "are (integral, integral), (integral, floating), "
                            "(floating, floating), (complex, complex.")
        if (dtypes.issubdtype(input_dtype, np.signedinteger)
                and not dtypes.issubdtype(preferred, np.signedinteger)):
            raise TypeError("`preferred_element_type` must have the same signedness as the "
                            "original type.")
    if np.dtype(preferred).itemsize < np.dtype(input_dtype).itemsize:
        raise TypeError("`preferred_element_type` must not be narrower than the original type.")


def _conv_abstract(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count, precision=None,
                   preferred_element_type=None):
    # JAX checks shapes first, then dtypes.
    shape = _conv_shape(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                        dimension_numbers, feature_group_count, batch_group_count)
    for i, a in enumerate((lhs, rhs)):
        if dtypes.is_float0(a.dtype):
            raise TypeError(f"Called {_NAME} with a float0 at position {i}. float0s do not "
                            "support any operations by design.")
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"lax.{_NAME} requires arguments to have the same dtypes, got "
                        f"{lhs.dtype}, {rhs.dtype}.")
    if preferred_element_type is None:
        return shape, lhs.dtype
    _validate_preferred_element_type(lhs.dtype, preferred_element_type)
    return shape, np.dtype(preferred_element_type)


# ---------------------------------------------------------------------------
# The eager implementation

# Elements of one im2col chunk: bounds the memory of the patch matrix and keeps it in cache.
_CHUNK_ELEMENTS = 1 << 21
# ...unless that leaves fewer than this many rows, up to this many elements.
_MIN_ROWS = 512
_MAX_CHUNK_ELEMENTS = 1 << 24


def _balanced(n, size):
    """A chunk size <= size splitting n into equal-as-possible chunks."""
    size = max(1, min(n, size))
    chunks = -(-n // size)
    return -(-n // chunks)


def _compute_dtype(in_dtype, out_dtype):
    compute = out_dtype if (out_dtype.itemsize > in_dtype.itemsize
                            or in_dtype == np.bool_) else in_dtype
    if dtypes.issubdtype(compute, np.floating) and compute.itemsize <= 2:
        compute = np.dtype(np.float32)  # NumPy has no fast half-precision matmul
    return np.dtype(compute)


def _conv_impl(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
               dimension_numbers, feature_group_count, batch_group_count, precision=None,
               preferred_element_type=None):
    from pyjax._src.lax.shape import _pad_impl
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    # Eager evaluation skips abstract evaluation: check the arguments here.
    _conv_abstract(core.ShapedArray(lhs.shape, lhs.dtype), core.ShapedArray(rhs.shape, rhs.dtype),
                   window_strides=window_strides, padding=padding, lhs_dilation=lhs_dilation,
                   rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers,
                   feature_group_count=feature_group_count, batch_group_count=batch_group_count,
                   preferred_element_type=preferred_element_type)
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    nsp = len(lhs_spec) - 2
    out_dtype = np.dtype(preferred_element_type) if preferred_element_type is not None \
        else lhs.dtype
    compute = _compute_dtype(lhs.dtype, out_dtype)
    B, G = batch_group_count, feature_group_count

    # Input as (N, spatial..., C), dilated and padded; kernel as (spatial..., I, O).
    x = np.transpose(lhs, (lhs_spec[0],) + tuple(lhs_spec[2:]) + (lhs_spec[1],))
    w = np.transpose(rhs, tuple(rhs_spec[2:]) + (rhs_spec[1], rhs_spec[0]))
    x = x.astype(compute, copy=False)
    w = w.astype(compute, copy=False)
    if any(d != 1 for d in lhs_dilation) or any(p != (0, 0) for p in padding):
        config = [(0, 0, 0)] + [(lo, hi, d - 1) for (lo, hi), d in zip(padding, lhs_dilation)] \
            + [(0, 0, 0)]
        x = _pad_impl(x, np.zeros((), compute), config)
    N, C = x.shape[0], x.shape[-1]
    ksize = w.shape[:nsp]
    I, O = w.shape[nsp], w.shape[nsp + 1]
    eff_k = [_dilate_dim(k, r) for k, r in zip(ksize, rhs_dilation)]
    out_sp = [_stride_dim(d, k, s) for d, k, s in zip(x.shape[1:-1], eff_k, window_strides)]
    Nb, Cg, Og = N // B, C // G, O // (B * G)
    K = int(np.prod(ksize, dtype=np.int64))
    out = np.zeros([Nb] + out_sp + [O], compute)

    if out.size and K * Cg:
        # Windows of the input, without copying: (B, Nb, out..., k..., G, Cg).
        xs = x.strides
        view = as_strided(
            x, shape=(B, Nb, *out_sp, *ksize, G, Cg),
            strides=(Nb * xs[0], xs[0], *[xs[1 + i] * window_strides[i] for i in range(nsp)],
                     *[xs[1 + i] * rhs_dilation[i] for i in range(nsp)], Cg * xs[-1], xs[-1]),
            writeable=False)
        # Kernel as (B*G, K*Cg, Og): output feature o = (b*G + g)*Og + j.
        wk = w.reshape(K, I, B * G, Og).transpose(2, 0, 1, 3).reshape(B * G, K * Cg, Og)
        one_group = B * G == 1
        if one_group:
            wk = wk[0]
        # Chunks along the batch and the first output spatial dimension: small enough to
        # bound memory, with enough rows for an efficient matmul (BLAS is slow on skinny
        # products with long contractions, e.g. the kernel gradient).
        per_row = B * G * K * Cg
        rest = int(np.prod(out_sp[1:], dtype=np.int64))
        first = out_sp[0] if nsp else 1
        rows_per_n = first * rest
        total = Nb * rows_per_n
        cap = max(_CHUNK_ELEMENTS // per_row, min(total, _MIN_ROWS))
        cap = max(1, min(cap, _MAX_CHUNK_ELEMENTS // per_row))
        if rows_per_n <= cap:
            nb, ob = _balanced(Nb, cap // rows_per_n), first
        else:
            nb, ob = 1, _balanced(first, max(1, cap // rest))
        # Axis order for the patch matrix: (B, G, n, out..., k..., Cg).
        nd = view.ndim
        perm = (0, nd - 2, 1) + tuple(range(2, nd - 2)) + (nd - 1,)
        buf = np.empty(nb * (ob if nsp else 1) * rest * per_row, compute)  # reused per chunk
        for n0 in range(0, Nb, nb):
            n1 = min(Nb, n0 + nb)
            for o0 in range(0, first, ob):
                o1 = min(first, o0 + ob)
                sub = (view[:, n0:n1, o0:o1] if nsp else view[:, n0:n1]).transpose(perm)
                rows = (n1 - n0) * ((o1 - o0) if nsp else 1) * rest
                target = buf[:sub.size].reshape(sub.shape)
                np.copyto(target, sub)
                patches = target.reshape(B * G, rows, K * Cg)
                if one_group:
                    res = patches[0] @ wk
                else:
                    res = np.matmul(patches, wk)       # (B*G, rows, Og)
                    res = res.reshape(B * G, rows, Og).transpose(1, 0, 2)
                shape = [n1 - n0] + ([o1 - o0] + out_sp[1:] if nsp else []) + [O]
                if nsp:
                    out[n0:n1, o0:o1] = res.reshape(shape)
                else:
                    out[n0:n1] = res.reshape(shape)

    # (N, spatial..., C) -> the output layout of out_spec.
    cur = [0, nsp + 1] + list(range(1, nsp + 1))   # current axis of logical dim j
    perm = [0] * (nsp + 2)
    for j, pos in enumerate(out_spec):
        perm[pos] = cur[j]
    res = np.transpose(out, perm)
    if res.dtype != out_dtype:
        res = res.astype(out_dtype)
    return np.ascontiguousarray(res)


# ---------------------------------------------------------------------------
# Derivatives

# Ignoring spatial dimensions, with m = batch, j = input feature, k = output feature,
# the convolution is the contraction [m, j] [j, k] -> [m, k]; its transposes are those of
# a matmul: lhs [m, k] [k, j] -> [m, j] and rhs [j, m] [m, k] -> [j, k].  Feature groups
# turn into batch groups in the rhs transpose and vice versa.


def _conv_spec_transpose(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def _reshape_axis_into(src, dst, x):
    # `dst` counts dimensions after `src` is removed from x's dimensions.
    shape = get_aval(x).shape
    perm = [i for i in range(len(shape)) if i != src]
    perm.insert(dst, src)
    new_shape = [shape[i] for i in range(len(shape)) if i != src]
    new_shape[dst] *= shape[src]
    return _L().reshape(x, new_shape, perm)


def _reshape_axis_out_of(src, size1, x):
    shape = list(get_aval(x).shape)
    size2, ragged = divmod(shape[src], size1)
    assert not ragged
    shape[src:src + 1] = [size1, size2]
    return _L().reshape(x, shape)


def _conv_general_vjp_lhs_padding(in_shape, window_dimensions, window_strides, out_shape,
                                  padding, lhs_dilation, rhs_dilation):
    lhs_dilated = _dilate_shape(in_shape, lhs_dilation)
    rhs_dilated = _dilate_shape(window_dimensions, rhs_dilation)
    out_dilated = _dilate_shape(out_shape, window_strides)
    pad_before = np.subtract(rhs_dilated, [lo for lo, _ in padding]) - 1
    pad_after = np.add(lhs_dilated, rhs_dilated) - 1 - out_dilated - pad_before
    return [(int(a), int(b)) for a, b in zip(pad_before, pad_after)]


def _conv_general_vjp_rhs_padding(in_shape, window_dimensions, window_strides, out_shape,
                                  padding, lhs_dilation, rhs_dilation):
    if len(in_shape) == 0:
        return []
    lhs_dilated = _dilate_shape(in_shape, lhs_dilation)
    rhs_dilated = _dilate_shape(window_dimensions, rhs_dilation)
    out_dilated = _dilate_shape(out_shape, window_strides)
    pads_lo = [lo for lo, _ in padding]
    pads_from_lhs = [o - i for o, i in zip(out_dilated, lhs_dilated)]
    pads_from_rhs = [rd - pd - 1 for rd, pd in zip(rhs_dilated, pads_lo)]
    pads_hi = [a + b for a, b in zip(pads_from_lhs, pads_from_rhs)]
    return [(int(a), int(b)) for a, b in zip(pads_lo, pads_hi)]


def _transpose_lhs(g, lhs_aval, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count, precision,
                   preferred_element_type):
    L = _L()
    rhs_shape = get_aval(rhs).shape
    lhs_shape = lhs_aval.shape
    lhs_sdims, rhs_sdims, out_sdims = map(_conv_sdims, dimension_numbers)
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    t_rhs_spec = _conv_spec_transpose(rhs_spec)
    if feature_group_count > 1:
        # Move the feature group axis into the transposed rhs's output feature dim.
        rhs = _reshape_axis_out_of(rhs_spec[0], feature_group_count, rhs)
        rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
    elif batch_group_count > 1:
        rhs = _reshape_axis_out_of(rhs_spec[0], batch_group_count, rhs)
        rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
        feature_group_count = batch_group_count
    trans_dnums = ConvDimensionNumbers(out_spec, t_rhs_spec, lhs_spec)
    g_shape = get_aval(g).shape
    pads = _conv_general_vjp_lhs_padding(
        np.take(lhs_shape, lhs_sdims).tolist(), np.take(rhs_shape, rhs_sdims).tolist(),
        window_strides, np.take(g_shape, out_sdims).tolist(), padding, lhs_dilation,
        rhs_dilation)
    revd = L.rev(rhs, tuple(rhs_sdims))
    if get_aval(g).dtype != get_aval(revd).dtype:
        revd = L.convert_element_type(revd, get_aval(g).dtype)
    out = conv_general_dilated(
        g, revd, window_strides=lhs_dilation, padding=pads, lhs_dilation=window_strides,
        rhs_dilation=rhs_dilation, dimension_numbers=trans_dnums,
        feature_group_count=feature_group_count, batch_group_count=1, precision=precision,
        preferred_element_type=preferred_element_type)
    if get_aval(out).dtype != lhs_aval.dtype:
        out = L.convert_element_type(out, lhs_aval.dtype)
    if batch_group_count > 1:
        out = _reshape_axis_out_of(lhs_spec[1], batch_group_count, out)
        out = _reshape_axis_into(lhs_spec[1], lhs_spec[0], out)
    return out


def _transpose_rhs(g, lhs, rhs_aval, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count, precision,
                   preferred_element_type):
    L = _L()
    g_aval = get_aval(g)
    if g_aval.size == 0:
        # Avoids forming degenerate convolutions where the RHS has spatial size 0.
        return Zero(rhs_aval)
    lhs_shape = get_aval(lhs).shape
    rhs_shape = rhs_aval.shape
    lhs_sdims, rhs_sdims, out_sdims = map(_conv_sdims, dimension_numbers)
    lhs_trans, rhs_trans, out_trans = map(_conv_spec_transpose, dimension_numbers)
    if batch_group_count > 1:
        feature_group_count, batch_group_count = batch_group_count, 1
    elif feature_group_count > 1:
        batch_group_count, feature_group_count = feature_group_count, 1
    trans_dnums = ConvDimensionNumbers(lhs_trans, out_trans, rhs_trans)
    pads = _conv_general_vjp_rhs_padding(
        np.take(lhs_shape, lhs_sdims).tolist(), np.take(rhs_shape, rhs_sdims).tolist(),
        window_strides, np.take(g_aval.shape, out_sdims).tolist(), padding, lhs_dilation,
        rhs_dilation)
    if g_aval.dtype != get_aval(lhs).dtype:
        lhs = L.convert_element_type(lhs, g_aval.dtype)
    out = conv_general_dilated(
        lhs, g, window_strides=rhs_dilation, padding=pads, lhs_dilation=lhs_dilation,
        rhs_dilation=window_strides, dimension_numbers=trans_dnums,
        feature_group_count=feature_group_count, batch_group_count=batch_group_count,
        precision=precision, preferred_element_type=preferred_element_type)
    if get_aval(out).dtype != rhs_aval.dtype:
        out = L.convert_element_type(out, rhs_aval.dtype)
    return out


def _conv_transpose_rule(ct, lhs, rhs, **params):
    if is_undefined(lhs) and is_undefined(rhs):
        raise NotImplementedError("conv_general_dilated is bilinear, not linear in both "
                                  "operands at once")
    if type(ct) is Zero:
        return [Zero(lhs.aval) if is_undefined(lhs) else None,
                Zero(rhs.aval) if is_undefined(rhs) else None]
    if is_undefined(lhs):
        return [_transpose_lhs(ct, lhs.aval, rhs, **params), None]
    return [None, _transpose_rhs(ct, lhs, rhs.aval, **params)]


def _conv_jvp(primals, tangents, **params):
    lhs, rhs = primals
    tl, tr = tangents
    out = conv_general_dilated_p.bind(lhs, rhs, **params)
    t = Zero(get_aval(out))
    if type(tl) is not Zero:
        t = add_tangents(t, conv_general_dilated_p.bind(tl, rhs, **params))
    if type(tr) is not Zero:
        t = add_tangents(t, conv_general_dilated_p.bind(lhs, tr, **params))
    return out, t


# ---------------------------------------------------------------------------
# Batching: the vmapped axis folds into the batch or the feature dimensions


def _conv_batch(vals, dims, *, window_strides, padding, lhs_dilation, rhs_dilation,
                dimension_numbers, feature_group_count, batch_group_count, precision,
                preferred_element_type):
    L = _L()
    lhs, rhs = vals
    lhs_bdim, rhs_bdim = dims
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    lhs_shape, rhs_shape = get_aval(lhs).shape, get_aval(rhs).shape
    common = dict(precision=precision, preferred_element_type=preferred_element_type)

    def conv(x, y, fgc, bgc):
        return conv_general_dilated(x, y, window_strides, padding, lhs_dilation, rhs_dilation,
                                    dimension_numbers, feature_group_count=fgc,
                                    batch_group_count=bgc, **common)

    if ((lhs_bdim is not None and lhs_shape[lhs_bdim] == 0)
            or (rhs_bdim is not None and rhs_shape[rhs_bdim] == 0)):
        lu, ru = list(lhs_shape), list(rhs_shape)
        if lhs_bdim is not None:
            lu.pop(lhs_bdim)
        if rhs_bdim is not None:
            ru.pop(rhs_bdim)
        shape, dtype = _conv_abstract(
            core.ShapedArray(lu, get_aval(lhs).dtype), core.ShapedArray(ru, get_aval(rhs).dtype),
            window_strides=window_strides, padding=padding, lhs_dilation=lhs_dilation,
            rhs_dilation=rhs_dilation, dimension_numbers=dimension_numbers,
            feature_group_count=feature_group_count, batch_group_count=batch_group_count,
            preferred_element_type=preferred_element_type)
        return L.full((0,) + shape, 0, dtype), 0

    if lhs_bdim is not None and rhs_bdim is not None:
        size = lhs_shape[lhs_bdim]
        if batch_group_count > 1:
            new_lhs = _reshape_axis_into(lhs_bdim, lhs_spec[0], lhs)
            batch_group_count *= size
        else:
            new_lhs = _reshape_axis_into(lhs_bdim, lhs_spec[1], lhs)
            feature_group_count *= size
        new_rhs = _reshape_axis_into(rhs_bdim, rhs_spec[0], rhs)
        out = conv(new_lhs, new_rhs, feature_group_count, batch_group_count)
        return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]

    if lhs_bdim is not None:
        size = lhs_shape[lhs_bdim]
        if batch_group_count == 1:
            new_lhs = _reshape_axis_into(lhs_bdim, lhs_spec[0], lhs)
            out = conv(new_lhs, rhs, feature_group_count, 1)
            return _reshape_axis_out_of(out_spec[0], size, out), out_spec[0]
        new_lhs = _reshape_axis_out_of(lhs_spec[0] + int(lhs_bdim <= lhs_spec[0]),
                                       batch_group_count, lhs)
        new_lhs = _reshape_axis_into(lhs_bdim + int(lhs_spec[0] < lhs_bdim),
                                     lhs_spec[0] + 1, new_lhs)
        new_lhs = _reshape_axis_into(lhs_spec[0], lhs_spec[0], new_lhs)
        out = conv(new_lhs, rhs, feature_group_count, batch_group_count)
        return _reshape_axis_out_of(out_spec[0], size, out), out_spec[0]

    size = rhs_shape[rhs_bdim]
    if feature_group_count == 1 and batch_group_count == 1:
        new_rhs = _reshape_axis_into(rhs_bdim, rhs_spec[0], rhs)
        out = conv(lhs, new_rhs, 1, 1)
        return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
    # Groups must stay outermost in the rhs output feature dim: factor them out, fold the
    # batch into what remains, put the groups back; the same on the output.
    group_count = feature_group_count if feature_group_count > 1 else batch_group_count
    new_rhs = _reshape_axis_out_of(rhs_spec[0] + int(rhs_bdim <= rhs_spec[0]), group_count, rhs)
    new_rhs = _reshape_axis_into(rhs_bdim + int(rhs_spec[0] < rhs_bdim), rhs_spec[0] + 1, new_rhs)
    new_rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[0], new_rhs)
    out = conv(lhs, new_rhs, feature_group_count, batch_group_count)
    out = _reshape_axis_out_of(out_spec[1], group_count, out)
    out = _reshape_axis_out_of(out_spec[1] + 1, size, out)
    out = _reshape_axis_into(out_spec[1], out_spec[1] + 1, out)
    return out, out_spec[1]


conv_general_dilated_p = Primitive("conv_general_dilated")
register(conv_general_dilated_p, impl=_conv_impl, abstract_eval=_conv_abstract, jvp=_conv_jvp,
         transpose=_conv_transpose_rule, batch=_conv_batch)


# ---------------------------------------------------------------------------
# Patches and locally connected (unshared) convolutions, built on conv_general_dilated


def _move_axes(x, src, dst):
    """np.moveaxis for a lax value."""
    nd = get_aval(x).ndim
    src, dst = [s % nd for s in src], [d % nd for d in dst]
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _L().transpose(x, order)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None,
                                 rhs_dilation=None, dimension_numbers=None, precision=None,
                                 preferred_element_type=None):
    """The patches that a convolution with a `filter_shape` window would see, as features:
    output feature c * prod(filter_shape) + s holds input channel c at window position s
    (row-major over the window)."""
    lhs = _as_array(lhs)
    filter_shape = tuple(operator.index(k) for k in filter_shape)
    lhs_shape = get_aval(lhs).shape
    if len(filter_shape) != len(lhs_shape) - 2:
        raise ValueError(f"conv_general_dilated_patches: filter_shape {filter_shape} needs one "
                         f"entry per spatial dimension of lhs (shape {lhs_shape})")
    dnums = conv_dimension_numbers(lhs_shape, (1, 1) + filter_shape, dimension_numbers)
    lhs_spec, rhs_spec, _ = dnums
    window = int(np.prod(filter_shape, dtype=np.int64))
    channels = lhs_shape[lhs_spec[1]]
    # A one-hot kernel per (channel, window position), applied channel by channel
    # (feature_group_count = channels): logical layout (out features, 1, *filter_shape).
    one_hot = np.eye(window, dtype=get_aval(lhs).dtype).reshape((window, 1) + filter_shape)
    kernel = np.tile(one_hot, (channels,) + (1,) * (1 + len(filter_shape)))
    kernel = np.transpose(kernel, np.argsort(rhs_spec))
    return conv_general_dilated(lhs, kernel, window_strides, padding, lhs_dilation, rhs_dilation,
                                dnums, feature_group_count=channels, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_general_dilated_local(lhs, rhs, window_strides, padding, filter_shape, lhs_dilation=None,
                               rhs_dilation=None, dimension_numbers=None, precision=None):
    """A convolution whose weights differ at every output position (a locally connected
    layer): `rhs` has the output's spatial sizes where a kernel has its window, and
    prod(filter_shape) * in_features input features (channel-major, as the patches)."""
    lhs, rhs = _as_array(lhs), _as_array(rhs)
    patches = conv_general_dilated_patches(lhs, filter_shape, window_strides, padding,
                                           lhs_dilation, rhs_dilation, dimension_numbers,
                                           precision)
    _, rhs_spec, out_spec = conv_dimension_numbers(get_aval(lhs).shape,
                                                   (1, 1) + tuple(filter_shape), dimension_numbers)
    # Contract the patch features; the output's spatial dimensions pair with rhs's.
    pairs = sorted(zip(out_spec[2:], rhs_spec[2:]))
    dn = (((out_spec[1],), (rhs_spec[1],)),
          (tuple(a for a, _ in pairs), tuple(b for _, b in pairs)))
    out = _L().dot_general(patches, rhs, dn, precision=precision)
    return _move_axes(out, (-2, -1), (out_spec[0], out_spec[1]))


__all__ = ["ConvDimensionNumbers", "ConvGeneralDilatedDimensionNumbers", "conv",
           "conv_general_dilated_local", "conv_general_dilated_patches",
           "conv_dimension_numbers", "conv_general_dilated", "conv_general_dilated_p",
           "conv_general_permutations", "conv_general_shape_tuple", "conv_shape_tuple",
           "conv_transpose", "conv_transpose_shape_tuple", "conv_with_general_padding",
           "padtype_to_pads"]
