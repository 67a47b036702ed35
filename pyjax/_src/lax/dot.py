"""dot_general: contractions with batch dimensions, on BLAS through NumPy's matmul."""
import numpy as np

from pyjax._src import dtypes

from pyjax._src.core import Primitive, get_aval, register
from pyjax._src.interpreters.ad import Zero, add_tangents, is_undefined
from pyjax._src.interpreters.batching import moveaxis


def _L():
    from pyjax._src.lax import lax
    return lax


def _free(ndim, contract, batch):
    return [i for i in range(ndim) if i not in contract and i not in batch]


def _dot_abstract(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    name = "dot_general"
    if len(lc) != len(rc) or len(lb) != len(rb):
        raise TypeError(f"{name}: contracting dims {lc}/{rc} and batch dims {lb}/{rb} must "
                        "come in pairs of equal length")
    for d in (*lc, *lb):
        if not 0 <= d < lhs.ndim:
            raise TypeError(f"{name}: lhs dimension {d} out of range for shape {lhs.shape}")
    for d in (*rc, *rb):
        if not 0 <= d < rhs.ndim:
            raise TypeError(f"{name}: rhs dimension {d} out of range for shape {rhs.shape}")
    for a, b in zip((*lc, *lb), (*rc, *rb)):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(f"{name} requires contracting and batch dimensions to have equal "
                            f"sizes, got lhs {lhs.shape} dims {lc + lb} and rhs {rhs.shape} "
                            f"dims {rc + rb}")
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"{name} requires operands of one dtype, got {lhs.dtype} and {rhs.dtype}")
    shape = tuple(lhs.shape[i] for i in lb) + tuple(lhs.shape[i] for i in _free(lhs.ndim, lc, lb)) \
        + tuple(rhs.shape[i] for i in _free(rhs.ndim, rc, rb))
    dtype = preferred_element_type if preferred_element_type is not None else lhs.dtype
    return shape, dtype


def _dot_impl(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    out_dtype = np.dtype(preferred_element_type) if preferred_element_type is not None else lhs.dtype
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    lf, rf = _free(lhs.ndim, lc, lb), _free(rhs.ndim, rc, rb)
    bshape = [lhs.shape[i] for i in lb]
    m = int(np.prod([lhs.shape[i] for i in lf], dtype=np.int64))
    n = int(np.prod([rhs.shape[i] for i in rf], dtype=np.int64))
    k = int(np.prod([lhs.shape[i] for i in lc], dtype=np.int64))
    b = int(np.prod(bshape, dtype=np.int64))
    compute = out_dtype if out_dtype.itemsize > lhs.dtype.itemsize or lhs.dtype == np.bool_ else lhs.dtype
    if compute.itemsize <= 2 and dtypes.issubdtype(compute, np.floating):
        compute = np.dtype(np.float32)  # NumPy has no fast half-precision matmul
    a = _blas_operand(np.transpose(lhs, list(lb) + lf + list(lc)), (b, m, k), compute)
    c = _blas_operand(np.transpose(rhs, list(rb) + list(rc) + rf), (b, k, n), compute)
    # Without a batch, a 2-D product is several times faster than a batch of one.
    out = np.matmul(a[0], c[0])[None] if b == 1 else np.matmul(a, c)
    shape = bshape + [lhs.shape[i] for i in lf] + [rhs.shape[i] for i in rf]
    return out.reshape(shape).astype(out_dtype, copy=False)


def _blas_operand(x, shape, dtype):
    """x reshaped for matmul, in memory BLAS can use: broadcast (stride-0) and transposed
    views would send NumPy to its slow generic loop."""
    x = x.reshape(shape).astype(dtype, copy=False)
    strides = x.strides[1:]
    if 0 in strides or not (x[0].flags.c_contiguous or x[0].flags.f_contiguous):
        x = np.ascontiguousarray(x)
    return x


def _ranges_like(*xs):
    start = 0
    for x in xs:
        yield list(range(start, start + len(x)))
        start += len(x)


def _transpose_lhs(ct, x_aval, y, dimension_numbers, swap, **params):
    (xc, yc), (xb, yb) = dimension_numbers
    y_ndim = get_aval(y).ndim
    x_kept = _free(x_aval.ndim, xc, xb)
    y_kept = _free(y_ndim, yc, yb)
    if swap:
        ans_batch, ans_y, _ = _ranges_like(xb, y_kept, x_kept)
    else:
        ans_batch, _, ans_y = _ranges_like(xb, x_kept, y_kept)
    dims = ((tuple(ans_y), tuple(y_kept)), (tuple(ans_batch), tuple(yb)))
    x_contract_sorted_by_y = [xc[i] for i in np.argsort(yc)]
    out_axes = np.argsort(list(xb) + x_kept + x_contract_sorted_by_y)
    out = dot_general_p.bind(ct, y, dimension_numbers=dims, precision=params.get("precision"),
                             preferred_element_type=None)
    out = _L().transpose(out, tuple(int(i) for i in out_axes))
    return _L().convert_element_type(out, x_aval.dtype) if get_aval(out).dtype != x_aval.dtype else out


def _dot_transpose(ct, lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    if is_undefined(lhs) and is_undefined(rhs):
        raise NotImplementedError("dot_general is bilinear, not linear in both operands at once")
    if type(ct) is Zero:
        return [Zero(lhs.aval) if is_undefined(lhs) else None,
                Zero(rhs.aval) if is_undefined(rhs) else None]
    (lc, rc), (lb, rb) = dimension_numbers
    if is_undefined(lhs):
        return [_transpose_lhs(ct, lhs.aval, rhs, dimension_numbers, False, precision=precision),
                None]
    swapped = ((rc, lc), (rb, lb))
    return [None, _transpose_lhs(ct, rhs.aval, lhs, swapped, True, precision=precision)]


def _dot_jvp(primals, tangents, **params):
    lhs, rhs = primals
    tl, tr = tangents
    out = dot_general_p.bind(lhs, rhs, **params)
    t = Zero(get_aval(out))
    if type(tl) is not Zero:
        t = add_tangents(t, dot_general_p.bind(tl, rhs, **params))
    if type(tr) is not Zero:
        t = add_tangents(t, dot_general_p.bind(lhs, tr, **params))
    return out, t


def _dot_batch(vals, dims, dimension_numbers, **params):
    (lhs, rhs), (ld, rd) = vals, dims
    (lc, rc), (lb, rb) = dimension_numbers
    shift = lambda ds: tuple(d + 1 for d in ds)
    if ld is not None and rd is not None:
        lhs, rhs = moveaxis(lhs, ld, 0), moveaxis(rhs, rd, 0)
        new = ((shift(lc), shift(rc)), ((0,) + shift(lb), (0,) + shift(rb)))
        return dot_general_p.bind(lhs, rhs, dimension_numbers=new, **params), 0
    if ld is not None:
        # The batch axis becomes lhs's first free dimension: just after the batch dims.
        lhs = moveaxis(lhs, ld, 0)
        new = ((shift(lc), rc), (shift(lb), rb))
        return dot_general_p.bind(lhs, rhs, dimension_numbers=new, **params), len(lb)
    rhs = moveaxis(rhs, rd, 0)
    new = ((lc, shift(rc)), (lb, shift(rb)))
    n_lhs_free = get_aval(lhs).ndim - len(lc) - len(lb)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=new, **params), len(lb) + n_lhs_free


def _dot_weak(lw, rw, **_):
    return lw and rw


dot_general_p = Primitive("dot_general")
register(dot_general_p, impl=_dot_impl, abstract_eval=_dot_abstract, jvp=_dot_jvp,
         transpose=_dot_transpose, batch=_dot_batch, weak_type=_dot_weak)



# ---------------------------------------------------------------------------
# ragged_dot: a dot_general whose lhs ragged dimension is cut into consecutive groups


class RaggedDotDimensionNumbers:
    """dot_dimension_numbers ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)),
    the lhs ragged dimension and the rhs group dimension (if any), as jax.lax's."""
    __slots__ = ("dot_dimension_numbers", "lhs_ragged_dimensions", "rhs_group_dimensions")

    def __init__(self, dot_dimension_numbers, lhs_ragged_dimensions, rhs_group_dimensions):
        set_ = object.__setattr__
        set_(self, "dot_dimension_numbers",
             tuple(tuple(tuple(int(d) for d in dims) for dims in pair)
                   for pair in dot_dimension_numbers))
        set_(self, "lhs_ragged_dimensions", tuple(int(d) for d in lhs_ragged_dimensions))
        set_(self, "rhs_group_dimensions", tuple(int(d) for d in rhs_group_dimensions))

    def __setattr__(self, name, value):
        raise AttributeError("RaggedDotDimensionNumbers is immutable")

    def _key(self):
        return (self.dot_dimension_numbers, self.lhs_ragged_dimensions, self.rhs_group_dimensions)

    def __eq__(self, other):
        return type(other) is RaggedDotDimensionNumbers and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return (f"RaggedDotDimensionNumbers(dot_dimension_numbers={self.dot_dimension_numbers}, "
                f"lhs_ragged_dimensions={self.lhs_ragged_dimensions}, "
                f"rhs_group_dimensions={self.rhs_group_dimensions})")


_BASIC_RAGGED = RaggedDotDimensionNumbers((((1,), (1,)), ((), ())), (0,), (0,))


def _group_mask(group_sizes, size, dtype):
    """mask[..., p, j] = 1 where position p of the ragged dimension lies in group j (groups
    are consecutive runs of group_sizes[..., j] positions; positions past the last group are
    in none).  Shape: group_sizes.shape[:-1] + (size, g)."""
    L = _L()
    ga = get_aval(group_sizes)
    nd = ga.ndim
    ends = L.cumsum(group_sizes, axis=nd - 1)
    starts = L.sub(ends, group_sizes)
    shape = ga.shape[:-1] + (size, ga.shape[-1])
    keep = tuple(range(nd - 1)) + (nd,)
    pos = L.broadcasted_iota(ga.dtype, shape, nd - 1)
    inside = L.bitwise_and(L.ge(pos, L.broadcast_in_dim(starts, shape, keep)),
                           L.lt(pos, L.broadcast_in_dim(ends, shape, keep)))
    return L.convert_element_type(inside, dtype)


def _group_prefix_dims(name, ga, batch, outer, la):
    """The lhs dimensions that group_sizes' leading dimensions stand for: none for a [g]
    group_sizes (shared by all), else the batch dims then the `outer` dims."""
    if ga.ndim == 1:
        return ()
    dims = tuple(batch) + tuple(outer)
    want = tuple(la.shape[d] for d in dims) + (ga.shape[-1],)
    if ga.shape != want:
        raise TypeError(f"{name}: group_sizes must have shape [g] or {list(want)} (the lhs "
                        f"batch dimensions, then its dimensions outer to the ragged one, then "
                        f"the groups), got {list(ga.shape)}")
    return dims


def ragged_dot_general(lhs, rhs, group_sizes, ragged_dot_dimension_numbers, precision=None,
                       preferred_element_type=None, group_offset=None, out_sharding=None):
    """dot_general where the lhs ragged dimension is split into groups of `group_sizes`:
    ragged non-contracting dim: each group uses its own slice of rhs's group dimension;
    ragged contracting dim: one output per group (a new leading dimension), contracting only
    that group's positions; ragged batch dim: the plain dot_general.  group_sizes is [g]
    (shared) or [batch dims..., dims of the ragged kind outer to the ragged one..., g]."""
    L = _L()
    lhs, rhs, group_sizes = L.asarray(lhs), L.asarray(rhs), L.asarray(group_sizes)
    dn = ragged_dot_dimension_numbers
    name = "ragged_dot_general"
    if group_offset is not None:
        raise TypeError(f"{name}: group_offset is not supported (JAX's CPU lowering rejects it "
                        "too)")
    la, ra, ga = get_aval(lhs), get_aval(rhs), get_aval(group_sizes)
    if not dtypes.issubdtype(ga.dtype, np.integer):
        raise TypeError(f"{name}: group_sizes must have an integer dtype, got {ga.dtype}")
    if ga.ndim < 1:
        raise TypeError(f"{name}: group_sizes must have at least one dimension, got a scalar")
    if len(dn.lhs_ragged_dimensions) != 1:
        raise TypeError(f"{name}: expected exactly one lhs ragged dimension, got "
                        f"{dn.lhs_ragged_dimensions}")
    (lc, rc), (lb, rb) = dn.dot_dimension_numbers
    r = dn.lhs_ragged_dimensions[0]
    if not 0 <= r < la.ndim:
        raise TypeError(f"{name}: lhs ragged dimension {r} out of range for shape {la.shape}")
    g = ga.shape[-1]
    dt = dtypes.result_type(la.dtype, ra.dtype)
    lhs, rhs = L.convert_element_type(lhs, dt), L.convert_element_type(rhs, dt)
    out_dt = dt if preferred_element_type is None else dtypes.canonicalize_dtype(preferred_element_type)
    dims = ((lc, rc), (lb, rb))
    lhs_free = _free(la.ndim, lc, lb)
    if r in lb or r in lc:
        if dn.rhs_group_dimensions:
            raise TypeError(f"{name}: rhs must have no group dimension when the lhs ragged "
                            f"dimension is a batch or contracting dimension, got "
                            f"{dn.rhs_group_dimensions}")
        if r in lb:
            # Groups along a batch dimension pair batch elements one to one: no masking.
            return L.dot_general(lhs, rhs, dims, precision, out_dt)
        # Contracting: one copy of lhs per group, zero outside the group's positions.
        prefix = _group_prefix_dims(name, ga, lb, [d for d in lc if d < r], la)
        mask = _group_mask(group_sizes, la.shape[r], dt)   # prefix dims, r, g
        labels = list(prefix) + [r]
        order = [len(labels)] + sorted(range(len(labels)), key=lambda i: labels[i])
        mask = L.transpose(mask, order)
        shape = (g,) + la.shape
        lhs_g = L.mul(L.broadcast_in_dim(lhs, shape, tuple(range(1, la.ndim + 1))),
                      L.broadcast_in_dim(mask, shape, (0,) + tuple(sorted(d + 1 for d in labels))))
        shifted = ((tuple(d + 1 for d in lc), rc), (tuple(d + 1 for d in lb), rb))
        out = L.dot_general(lhs_g, rhs, shifted, precision, out_dt)
        return moveaxis(out, len(lb), 0)
    if len(dn.rhs_group_dimensions) != 1:
        raise TypeError(f"{name}: rhs needs exactly one group dimension when the lhs ragged "
                        f"dimension is not contracting, got {dn.rhs_group_dimensions}")
    gd = dn.rhs_group_dimensions[0]
    if not 0 <= gd < ra.ndim or gd in rc or gd in rb or ra.shape[gd] != g:
        raise TypeError(f"{name}: rhs group dimension {gd} of shape {ra.shape} must be a free "
                        f"dimension of size {g} (the number of groups)")
    prefix = _group_prefix_dims(name, ga, lb, [d for d in lhs_free if d < r], la)
    # Every group's product, then each row keeps its own group's (a mask summed over groups).
    out = L.dot_general(lhs, rhs, dims, precision, out_dt)
    out_pos = {d: i for i, d in enumerate(lb)}
    out_pos.update({d: len(lb) + i for i, d in enumerate(lhs_free)})
    g_pos = len(lb) + len(lhs_free) + _free(ra.ndim, rc, rb).index(gd)
    mask = _group_mask(group_sizes, la.shape[r], out_dt)   # prefix dims, r, g
    out = L.mul(out, L.broadcast_in_dim(mask, get_aval(out).shape,
                                        tuple(out_pos[d] for d in prefix) + (out_pos[r], g_pos)))
    return L.reduce_sum(out, (g_pos,))


def ragged_dot(lhs, rhs, group_sizes, precision=None, preferred_element_type=None,
               group_offset=None, out_sharding=None):
    """lhs (m, k) times rhs (g, k, n): rows of lhs in group j (consecutive runs of
    group_sizes[j] rows) multiply rhs[j]; rows past the last group give zeros."""
    return ragged_dot_general(lhs, rhs, group_sizes, _BASIC_RAGGED, precision,
                              preferred_element_type, group_offset, out_sharding)


# ---------------------------------------------------------------------------
# scaled_dot: block-scaled operands (e.g. float8 values with float8_e8m0fnu scales)


def _expand_scale(x, scale, contracting, name):
    """`scale` repeated over blocks of the contracting dimensions, to x's shape."""
    L = _L()
    xs, ss = get_aval(x).shape, get_aval(scale).shape
    if len(xs) != len(ss):
        raise TypeError(f"scaled_dot: {name}_scale must have the rank of {name}, got shapes "
                        f"{ss} and {xs}")
    for d, (n, s) in enumerate(zip(xs, ss)):
        if d in contracting:
            if s == 0 or n % s:
                raise TypeError(f"scaled_dot: the contracting dimension {d} of {name} (size {n}) "
                                f"must be a multiple of {name}_scale's (size {s})")
        elif n != s:
            raise TypeError(f"scaled_dot: non-contracting dimension {d} of {name} and "
                            f"{name}_scale must have one size, got shapes {xs} and {ss}")
    # Insert a block axis after each contracting dimension, broadcast, and merge.
    big, dims, pos = [], [], 0
    for d, (n, s) in enumerate(zip(xs, ss)):
        dims.append(pos)
        big.append(s)
        pos += 1
        if d in contracting:
            big.append(n // s)
            pos += 1
    return L.reshape(L.broadcast_in_dim(scale, tuple(big), tuple(dims)), xs)


def scaled_dot(lhs, rhs, *, lhs_scale=None, rhs_scale=None, dimension_numbers=None,
               preferred_element_type=None):
    """dot_general of (lhs * lhs_scale) and (rhs * rhs_scale), each scale repeated over
    equal blocks of the contracting dimensions.  As XLA's CPU decomposition: operands and
    scales are rounded to bfloat16 and multiplied there, then contracted with float32
    accumulation into `preferred_element_type` (bfloat16 by default)."""
    L = _L()
    lhs, rhs = L.asarray(lhs), L.asarray(rhs)
    if dimension_numbers is None:
        n = get_aval(lhs).ndim
        if n < 2:
            raise TypeError("scaled_dot does not support 0-rank and 1-rank operands.")
        dimension_numbers = (((n - 1,), (n - 2,)), (tuple(range(n - 2)), tuple(range(n - 2))))
    (lc, rc), (lb, rb) = dimension_numbers
    lc, rc = tuple(int(d) for d in lc), tuple(int(d) for d in rc)
    lb, rb = tuple(int(d) for d in lb), tuple(int(d) for d in rb)
    out_dt = dtypes.canonicalize_dtype(preferred_element_type if preferred_element_type
                                       is not None else dtypes.bfloat16)
    bf16 = np.dtype(dtypes.bfloat16)

    def scaled(x, scale, contracting, name):
        x = L.convert_element_type(x, bf16)
        if scale is None:
            return x
        scale = L.convert_element_type(L.asarray(scale), bf16)
        return L.mul(x, _expand_scale(x, scale, contracting, name))
    a = scaled(lhs, lhs_scale, lc, "lhs")
    b = scaled(rhs, rhs_scale, rc, "rhs")
    out = L.dot_general(a, b, ((lc, rc), (lb, rb)), preferred_element_type=np.float32)
    return L.convert_element_type(out, out_dt)
