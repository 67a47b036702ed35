"""jax.numpy: array_api."""

__all__ = []
