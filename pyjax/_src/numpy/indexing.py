"""jax.numpy: indexing."""

__all__ = []
