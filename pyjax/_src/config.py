"""Global configuration flags, read lazily at the point of use.

Flags mirror JAX's names (`jax_enable_x64`, ...).  Each flag can be set with
`pyjax.config.update(name, value)`, from the environment variable of the
upper-cased name, or temporarily with `with config.override(name=value)`.
"""
import contextlib
import os

_DEFAULTS = {
    "jax_enable_x64": False,
    "jax_disable_jit": False,
    "jax_debug_nans": False,
    "jax_debug_infs": False,
    "jax_threefry_partitionable": True,
    "jax_default_prng_impl": "threefry2x32",
    "jax_numpy_rank_promotion": "allow",
    "jax_enable_checks": False,
    "jax_explain_cache_misses": False,
    "jax_softmax_custom_jvp": False,
}


def _from_env(name, default):
    raw = os.environ.get(name.upper())
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return type(default)(raw)


class Config:
    """Holds the flag values; attribute access (`config.jax_enable_x64`) reads them."""

    def __init__(self):
        object.__setattr__(self, "_values", {k: _from_env(k, v) for k, v in _DEFAULTS.items()})
        # Bumped on every change so caches keyed on config (jit's trace cache) can
        # include one cheap integer instead of every flag.
        object.__setattr__(self, "epoch", 0)

    def update(self, name, value):
        if name not in self._values:
            raise AttributeError(f"config.update: unknown flag {name!r}; known flags: {sorted(self._values)}")
        self._values[name] = value
        object.__setattr__(self, "epoch", self.epoch + 1)

    def read(self, name):
        return self._values[name]

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"config has no flag {name!r}") from None

    def __setattr__(self, name, value):
        raise AttributeError("use config.update(name, value) to change a flag")

    @contextlib.contextmanager
    def override(self, **flags):
        old = {k: self._values[k] for k in flags}
        for k, v in flags.items():
            self.update(k, v)
        try:
            yield
        finally:
            for k, v in old.items():
                self.update(k, v)


config = Config()


def x64_enabled():
    return config._values["jax_enable_x64"]
