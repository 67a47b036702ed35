"""jax.numpy: ufunc_objects."""

__all__ = []
