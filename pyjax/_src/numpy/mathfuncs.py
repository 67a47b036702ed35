"""jax.numpy: mathfuncs."""

__all__ = []
