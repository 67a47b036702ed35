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

