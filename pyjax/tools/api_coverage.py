"""Which public names of jax.numpy, jax.lax, ... pyjax has, and which it lacks.

    python -m pyjax.tools.api_coverage [--missing] [--module jax.numpy]

The list of JAX's names is a fact about JAX's API, checked in as jax_public_names.json
(made from dir() of jax 0.10.2's modules).  Coverage counts JAX's public *functions*
(callables that are not classes); classes and constants are listed but not counted.
"""
import argparse
import importlib
import json
import os

PYJAX_MODULE = {
    "jax.numpy": "pyjax.numpy",
    "jax.lax": "pyjax.lax",
    "jax.numpy.linalg": "pyjax.numpy.linalg",
    "jax.numpy.fft": "pyjax.numpy.fft",
    "jax.scipy.linalg": "pyjax.scipy.linalg",
}


def load_jax_names():
    with open(os.path.join(os.path.dirname(__file__), "jax_public_names.json")) as f:
        return json.load(f)


def coverage(module_name, names):
    """(present function names, missing function names, missing other names)."""
    try:
        mod = importlib.import_module(PYJAX_MODULE[module_name])
    except ImportError:
        mod = None
    present, missing, missing_other = [], [], []
    for name, kind in sorted(names.items()):
        has = mod is not None and hasattr(mod, name)
        if kind == "function":
            (present if has else missing).append(name)
        elif not has:
            missing_other.append(name)
    return present, missing, missing_other


def report(modules=None, show_missing=False):
    data = load_jax_names()
    lines = [f"pyjax API coverage against jax {data['jax_version']} (public functions)", ""]
    lines.append(f"{'module':20s} {'have':>5s} {'of':>5s} {'coverage':>9s}")
    details = []
    for module_name, names in data["modules"].items():
        if modules and module_name not in modules:
            continue
        present, missing, missing_other = coverage(module_name, names)
        total = len(present) + len(missing)
        pct = 100.0 * len(present) / total if total else 100.0
        lines.append(f"{module_name:20s} {len(present):5d} {total:5d} {pct:8.1f}%")
        if show_missing:
            details.append(f"\n{module_name} lacks {len(missing)} functions: " + ", ".join(missing))
            if missing_other:
                details.append(f"{module_name} lacks {len(missing_other)} other names: "
                               + ", ".join(missing_other))
    return "\n".join(lines + details)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list the missing names")
    parser.add_argument("--module", action="append", help="only this JAX module (repeatable)")
    args = parser.parse_args(argv)
    print(report(args.module, args.missing))


if __name__ == "__main__":
    main()
