"""Gaussian kernel density estimation (jax.scipy.stats.gaussian_kde), a pytree."""
import numpy as np

from pyjax._src import dtypes
from pyjax._src import scipy_linalg
from pyjax._src.numpy.util import check_arraylike, promote_dtypes_inexact
from pyjax._src.scipy import special
from pyjax._src.scipy.stats._common import jnp
from pyjax._src.tree_util import register_pytree_node_class


@register_pytree_node_class
class gaussian_kde:
    """A Gaussian KDE of a (d, n) dataset (as scipy.stats.gaussian_kde)."""
    __slots__ = ("neff", "dataset", "weights", "covariance", "inv_cov")

    def __init__(self, dataset, bw_method=None, weights=None):
        J = jnp()
        check_arraylike("gaussian_kde", dataset)
        dataset = J.atleast_2d(dataset)
        if dtypes.issubdtype(dataset.dtype, np.complexfloating):
            raise NotImplementedError("gaussian_kde does not support complex data")
        if not dataset.size > 1:
            raise ValueError("`dataset` input should have multiple elements.")
        d, n = dataset.shape
        if weights is not None:
            check_arraylike("gaussian_kde", weights)
            dataset, weights = promote_dtypes_inexact(dataset, weights)
            weights = J.atleast_1d(weights)
            weights = weights / J.sum(weights)
            if weights.ndim != 1:
                raise ValueError("`weights` input should be one-dimensional.")
            if len(weights) != n:
                raise ValueError("`weights` input should be of length n")
        else:
            dataset, = promote_dtypes_inexact(dataset)
            weights = J.full(n, 1.0 / n, dtype=dataset.dtype)
        self.dataset = dataset
        self.weights = weights
        self.neff = neff = 1 / J.sum(weights ** 2)
        bw_method = "scott" if bw_method is None else bw_method
        if isinstance(bw_method, str) and bw_method == "scott":
            factor = J.power(neff, -1.0 / (d + 4))
        elif isinstance(bw_method, str) and bw_method == "silverman":
            factor = J.power(neff * (d + 2) / 4.0, -1.0 / (d + 4))
        elif J.isscalar(bw_method) and not isinstance(bw_method, str):
            factor = bw_method
        elif callable(bw_method):
            factor = bw_method(self)
        else:
            raise ValueError("`bw_method` should be 'scott', 'silverman', a scalar, or a callable.")
        data_covariance = J.atleast_2d(J.cov(dataset, rowvar=True, bias=False, aweights=weights))
        data_inv_cov = J.linalg.inv(data_covariance)
        self.covariance = data_covariance * factor ** 2
        self.inv_cov = data_inv_cov / factor ** 2

    def tree_flatten(self):
        return (self.neff, self.dataset, self.weights, self.covariance, self.inv_cov), None

    @classmethod
    def tree_unflatten(cls, aux_data, children):
        kde = cls.__new__(cls)
        kde.neff, kde.dataset, kde.weights, kde.covariance, kde.inv_cov = children
        return kde

    @property
    def d(self):
        return self.dataset.shape[0]

    @property
    def n(self):
        return self.dataset.shape[1]

    def evaluate(self, points):
        """The density at (d, m) points."""
        check_arraylike("evaluate", points)
        points = self._reshape_points(points)
        return _gaussian_kernel_eval(False, self.dataset.T, self.weights, points.T,
                                     self.inv_cov)

    def __call__(self, points):
        return self.evaluate(points)

    def pdf(self, x):
        return self.evaluate(x)

    def logpdf(self, x):
        check_arraylike("logpdf", x)
        x = self._reshape_points(x)
        return _gaussian_kernel_eval(True, self.dataset.T, self.weights, x.T, self.inv_cov)

    def integrate_gaussian(self, mean, cov):
        J = jnp()
        mean = J.atleast_1d(J.squeeze(mean))
        cov = J.atleast_2d(cov)
        if mean.shape != (self.d,):
            raise ValueError(f"mean does not have dimension {self.d}")
        if cov.shape != (self.d, self.d):
            raise ValueError(f"covariance does not have dimension {self.d}")
        chol = scipy_linalg.cho_factor(self.covariance + cov)
        norm = 1.0 / (J.sqrt(2 * np.pi) ** self.d * J.prod(J.diagonal(chol[0])))
        return _gaussian_kernel_convolve(chol, norm, self.dataset, self.weights, mean)

    def integrate_box_1d(self, low, high):
        J = jnp()
        if self.d != 1:
            raise ValueError("integrate_box_1d() only handles 1D pdfs")
        if np.ndim(low) != 0 or np.ndim(high) != 0:
            raise ValueError("the limits of integration in integrate_box_1d must be scalars")
        sigma = J.squeeze(J.sqrt(self.covariance))
        low = J.squeeze((low - self.dataset) / sigma)
        high = J.squeeze((high - self.dataset) / sigma)
        return J.sum(self.weights * (special.ndtr(high) - special.ndtr(low)))

    def integrate_kde(self, other):
        J = jnp()
        if other.d != self.d:
            raise ValueError("KDEs are not the same dimensionality")
        chol = scipy_linalg.cho_factor(self.covariance + other.covariance)
        norm = 1.0 / (J.sqrt(2 * np.pi) ** self.d * J.prod(J.diagonal(chol[0])))
        sm, lg = (self, other) if self.n < other.n else (other, self)
        total = 0.0
        for i in range(sm.n):
            total = total + sm.weights[i] * _gaussian_kernel_convolve(
                chol, norm, lg.dataset, lg.weights, sm.dataset[:, i])
        return total

    def resample(self, key, shape=()):
        """Draw samples (d, *shape) from the estimated density."""
        from pyjax import random
        J = jnp()
        ind_key, eps_key = random.split(key)
        ind = random.choice(ind_key, self.n, shape=shape, p=self.weights)
        normal = random.normal(eps_key, tuple(shape) + (self.d,), self.dataset.dtype)
        factor = scipy_linalg.cholesky(self.covariance, lower=True)
        eps = J.einsum("ij,...j->...i", factor, normal).T
        data = self.dataset[:, ind]
        return data + eps

    def integrate_box(self, low_bounds, high_bounds, maxpts=None):
        raise NotImplementedError("only 1D box integrations are supported; use "
                                  "`integrate_box_1d`")

    def set_bandwidth(self, bw_method=None):
        raise NotImplementedError("dynamically changing the bandwidth method is not supported")

    def _reshape_points(self, points):
        J = jnp()
        points = J.asarray(points)
        if dtypes.issubdtype(points.dtype, np.complexfloating):
            raise NotImplementedError("gaussian_kde does not support complex coordinates")
        points = J.atleast_2d(points)
        d, m = points.shape
        if d != self.d:
            if d == 1 and m == self.d:
                points = J.reshape(points, (self.d, 1))
            else:
                raise ValueError(f"points have dimension {d}, dataset has dimension {self.d}")
        return points


def _gaussian_kernel_convolve(chol, norm, target, weights, mean):
    J = jnp()
    diff = target - mean[:, None]
    alpha = scipy_linalg.cho_solve(chol, diff)
    arg = 0.5 * J.sum(diff * alpha, axis=0)
    return norm * J.sum(J.exp(-arg) * weights)


def _gaussian_kernel_eval(in_log, points, weights, xi, precision):
    """sum_j w_j N(xi_i; points_j, precision^-1) for each row xi_i (or its log)."""
    J = jnp()
    points, weights, xi, precision = promote_dtypes_inexact(points, weights, xi, precision)
    d = points.shape[1]
    if xi.shape[1] != d:
        raise ValueError("points and xi must have same trailing dim")
    if precision.shape != (d, d):
        raise ValueError("precision matrix must match data dims")
    whitening = scipy_linalg.cholesky(precision, lower=True)
    points = J.dot(points, whitening)
    xi = J.dot(xi, whitening)
    log_norm = J.sum(J.log(J.diagonal(whitening))) - 0.5 * d * float(np.log(2 * np.pi))
    arg = log_norm - 0.5 * J.sum(J.square(points[None, :, :] - xi[:, None, :]), axis=-1)
    if in_log:
        return special.logsumexp(J.log(weights)[None, :] + arg, axis=1)
    return J.sum(weights[None, :] * J.exp(arg), axis=1)
