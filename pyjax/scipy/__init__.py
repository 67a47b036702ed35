"""pyjax.scipy: SciPy's API on pyjax arrays, with JAX's semantics (import submodules, e.g.
`import pyjax.scipy.linalg`)."""
