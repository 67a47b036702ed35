"""Finding the user's source line for an operation, for jaxprs and error messages."""
import os
import sys

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_name_stack = []  # names pushed by named_scope / named_call, outermost first


class SourceInfo:
    __slots__ = ("file", "line", "function", "name_stack")

    def __init__(self, file, line, function, name_stack=()):
        self.file, self.line, self.function = file, line, function
        self.name_stack = name_stack

    def __str__(self):
        return f"{self.file}:{self.line} ({self.function})"


class named_scope:
    """Context manager naming the operations staged inside it (shown by
    `jaxpr.pretty_print(name_stack=True)` and in the equations' source_info)."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError(f"named_scope name must be a string, got {name!r}")
        self.name = name

    def __enter__(self):
        _name_stack.append(self.name)

    def __exit__(self, *exc):
        _name_stack.pop()


def user_frame():
    """The innermost stack frame outside the pyjax package (None if there is none)."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return None
    return SourceInfo(f.f_code.co_filename, f.f_lineno, f.f_code.co_name, tuple(_name_stack))


def user_line():
    """`file:line (function)` of the user's code now running, or '' when unknown."""
    info = user_frame()
    return str(info) if info else ""
