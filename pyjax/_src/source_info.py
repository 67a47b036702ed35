"""Finding the user's source line for an operation, for jaxprs and error messages."""
import os
import sys

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SourceInfo:
    __slots__ = ("file", "line", "function")

    def __init__(self, file, line, function):
        self.file, self.line, self.function = file, line, function

    def __str__(self):
        return f"{self.file}:{self.line} ({self.function})"


def user_frame():
    """The innermost stack frame outside the pyjax package (None if there is none)."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return None
    return SourceInfo(f.f_code.co_filename, f.f_lineno, f.f_code.co_name)


def user_line():
    """`file:line (function)` of the user's code now running, or '' when unknown."""
    info = user_frame()
    return str(info) if info else ""
