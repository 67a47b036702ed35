"""jax.scipy.integrate.trapezoid."""
from pyjax._src.lax import lax
from pyjax._src.numpy.util import check_arraylike, promote_dtypes_inexact


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y(x) along `axis` by the trapezoidal rule (sample spacing `dx`
    when no `x` is given)."""
    import pyjax.numpy as J
    if x is None:
        check_arraylike("trapezoid", y)
        y_arr, = promote_dtypes_inexact(y)
        dx_array = J.asarray(dx)
        if dx_array.ndim > 0:
            dx_array = lax.expand_dims(dx_array, tuple(range(y_arr.ndim - dx_array.ndim)))
            dx_array = J.moveaxis(dx_array, axis, -1)
    else:
        check_arraylike("trapezoid", y, x)
        y_arr, x_arr = promote_dtypes_inexact(y, x)
        if x_arr.ndim == 1:
            dx_array = J.diff(x_arr)
        else:
            dx_array = J.moveaxis(J.diff(x_arr, axis=axis), axis, -1)
    y_arr = J.moveaxis(y_arr, axis, -1)
    if dx_array.ndim == 0 or dx_array.shape[-1] == 1:
        dx_reduced = dx_array if dx_array.ndim == 0 else dx_array[..., 0]
        return dx_reduced * (J.sum(y_arr, -1) - 0.5 * (y_arr[..., 0] + y_arr[..., -1]))
    return 0.5 * J.sum(dx_array * (y_arr[..., 1:] + y_arr[..., :-1]), -1)
