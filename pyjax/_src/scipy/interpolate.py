"""jax.scipy.interpolate.RegularGridInterpolator (linear and nearest), a pytree."""
import itertools

import numpy as np

from pyjax._src.numpy.util import check_arraylike, promote_dtypes_inexact
from pyjax._src.tree_util import register_pytree_node


def _jnp():
    import pyjax.numpy
    return pyjax.numpy


def _ndim_coords_from_arrays(points, ndim=None):
    """Points as an array of shape (..., ndim)."""
    J = _jnp()
    if isinstance(points, tuple) and len(points) == 1:
        points = points[0]
    if isinstance(points, tuple):
        p = J.broadcast_arrays(*points)
        for p_other in p[1:]:
            if p_other.shape != p[0].shape:
                raise ValueError("coordinate arrays do not have the same shape")
        p = promote_dtypes_inexact(*p)
        return J.stack(p, axis=-1)
    check_arraylike("_ndim_coords_from_arrays", points)
    points = J.asarray(points)
    if points.ndim == 1:
        points = J.reshape(points, (-1, 1) if ndim is None else (-1, ndim))
    return points


class RegularGridInterpolator:
    """Interpolation on a rectilinear grid in any number of dimensions (as SciPy's).

    `points` is a tuple of 1-d (ascending) grids and `values` has those sizes as its
    leading axes.  method: 'linear' or 'nearest'; points outside the grid get
    `fill_value` (or are extrapolated when it is None).  bounds_error must be False.
    """

    def __init__(self, points, values, method="linear", bounds_error=False, fill_value=np.nan):
        J = _jnp()
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        self.method = method
        self.bounds_error = bounds_error
        if self.bounds_error:
            raise NotImplementedError("`bounds_error` takes no effect under JIT")
        check_arraylike("RegularGridInterpolator", values)
        if len(points) > J.ndim(values):
            raise ValueError(f"there are {len(points)} point arrays, but values has "
                             f"{J.ndim(values)} dimensions")
        values, = promote_dtypes_inexact(values)
        if fill_value is not None:
            check_arraylike("RegularGridInterpolator", fill_value)
            fill_value = J.asarray(fill_value)
            if not np.can_cast(fill_value.dtype, values.dtype, casting="same_kind"):
                raise ValueError("fill_value must be either 'None' or of a type compatible "
                                 "with values")
        self.fill_value = fill_value
        check_arraylike("RegularGridInterpolator", *points)
        self.grid = tuple(J.asarray(p) for p in points)
        self.values = values

    def __call__(self, xi, method=None):
        J = _jnp()
        method = self.method if method is None else method
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        ndim = len(self.grid)
        xi = _ndim_coords_from_arrays(xi, ndim=ndim)
        if xi.shape[-1] != len(self.grid):
            raise ValueError(f"the requested sample points xi have dimension {xi.shape[-1]}, "
                             f"but this RegularGridInterpolator has dimension {ndim}")
        xi_shape = xi.shape
        xi = J.reshape(xi, (-1, xi_shape[-1]))
        indices, norm_distances, out_of_bounds = self._find_indices(xi.T)
        if method == "linear":
            result = self._evaluate_linear(indices, norm_distances)
        else:
            result = self._evaluate_nearest(indices, norm_distances)
        if not self.bounds_error and self.fill_value is not None:
            bc_shp = result.shape[:1] + (1,) * (result.ndim - 1)
            result = J.where(J.reshape(out_of_bounds, bc_shp), self.fill_value, result)
        return J.reshape(result, xi_shape[:-1] + self.values.shape[ndim:])

    def _evaluate_linear(self, indices, norm_distances):
        J = _jnp()
        trailing = self.values.ndim - len(indices)
        values = J.asarray(0.0)
        for edge_indices in itertools.product(*[[i, i + 1] for i in indices]):
            weight = J.asarray(1.0)
            for ei, i, yi in zip(edge_indices, indices, norm_distances):
                weight = weight * J.where(ei == i, 1 - yi, yi)
            w = J.reshape(weight, weight.shape + (1,) * trailing)
            values = values + self.values[edge_indices] * w
        return values

    def _evaluate_nearest(self, indices, norm_distances):
        J = _jnp()
        idx_res = [J.where(yi <= 0.5, i, i + 1) for i, yi in zip(indices, norm_distances)]
        return self.values[tuple(idx_res)]

    def _find_indices(self, xi):
        J = _jnp()
        indices = []
        norm_distances = []
        out_of_bounds = J.zeros((xi.shape[1],), dtype=bool)
        for k, g in enumerate(self.grid):
            x = xi[k]
            i = J.searchsorted(g, x) - 1
            i = J.where(i < 0, 0, i)
            i = J.where(i > g.size - 2, g.size - 2, i)
            indices.append(i)
            g_i = g[i]
            g_i1 = g[i + 1]
            norm_distances.append((x - g_i) / (g_i1 - g_i))
            if not self.bounds_error:
                out_of_bounds = out_of_bounds | (x < g[0]) | (x > g[-1])
        return indices, norm_distances, out_of_bounds


register_pytree_node(
    RegularGridInterpolator,
    lambda obj: ((obj.grid, obj.values, obj.fill_value), (obj.method, obj.bounds_error)),
    lambda aux, children: RegularGridInterpolator(*children[:2], *aux, *children[2:]),
)
