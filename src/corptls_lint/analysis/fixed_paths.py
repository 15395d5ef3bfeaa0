"""Whether a path expression is built only from fixed parts: string literals, the module's own
`__file__`, and the functions and operators that join or normalise paths
(`os.path.join(BASE, "certs", "ca.pem")`, `str(Path(__file__).parent / "ca.pem")`,
`f"{HERE}/ca.pem"`), following names bound once.

Such a path names the same file wherever the code runs (next to the module, or at one place
on the disk); a part that comes from elsewhere (a parameter, `os.environ`, `certifi.where()`,
`tempfile`) makes it configuration, not a fixed path.
"""

from __future__ import annotations

from typing import cast

import libcst as cst

from corptls_lint.analysis import values
from corptls_lint.analysis.scopes import Scope
from corptls_lint.ftypes import identifier

_MAX_DEPTH = 12
_JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})
# Functions of one path that give a path of the same fixed file or folder.
_ONE_PATH = frozenset({"os.path.dirname", "os.path.abspath", "os.path.realpath",
                       "os.path.normpath", "os.path.expanduser", "os.fspath",
                       "posixpath.dirname", "posixpath.abspath", "posixpath.realpath"})
_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
                           "pathlib.PurePosixPath", "pathlib.WindowsPath",
                           "pathlib.PureWindowsPath"})
# pathlib methods and attributes whose result is fixed when the path and arguments are.
_PATH_METHODS = frozenset({"resolve", "absolute", "expanduser", "joinpath", "with_name",
                           "with_suffix", "as_posix"})
_PATH_ATTRIBUTES = frozenset({"parent"})
_BUILTINS = frozenset({"str", "os.fspath"})
# The names of certificate files (`root.crt`, `ca.pem`).
CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".cert", ".der", ".bundle", ".p7b")
# Modules whose functions given a file's name do not find a file shipped with the code.
_NOT_SHIPPED = frozenset({"os", "tempfile", "shutil", "pathlib", "glob", "fnmatch"})


def is_fixed_path(expr: cst.BaseExpression, scope: Scope) -> bool:
    """A non-empty path built only from fixed parts."""
    return _fixed(expr, scope, 0) and values.literal(expr, scope) != ""


def _fixed(expr: cst.BaseExpression, scope: Scope, depth: int) -> bool:
    if depth > _MAX_DEPTH:
        return False
    if isinstance(values.literal(expr, scope), str):
        return True
    expr, scope = values.origin(expr, scope)
    depth += 1
    if isinstance(expr, cst.Name):
        # the module's own file, unless something rebinds the name
        return identifier(expr.value) == "__file__" and scope.lookup("__file__") is None
    if isinstance(expr, cst.FormattedString):
        return all(isinstance(part, cst.FormattedStringText) or _fixed(
            cast(cst.FormattedStringExpression, part).expression, scope, depth)
            for part in expr.parts)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Add,
                                                                           cst.Divide)):
        return _fixed(expr.left, scope, depth) and _fixed(expr.right, scope, depth)
    if isinstance(expr, cst.Attribute):
        return (identifier(expr.attr.value) in _PATH_ATTRIBUTES
                and _fixed(expr.value, scope, depth))
    if isinstance(expr, cst.Call) and not any(arg.star or arg.keyword for arg in expr.args):
        return _fixed_call(expr, scope, depth)
    return False


def _fixed_call(call: cst.Call, scope: Scope, depth: int) -> bool:
    arguments = [arg.value for arg in call.args]
    qualified = scope.qualify(call.func)
    if qualified is None and isinstance(call.func, cst.Name) and scope.lookup(
            call.func.value) is None:
        qualified = identifier(call.func.value)  # a builtin: str(...)
    if qualified in _JOINS or qualified in _PATH_CLASSES:  # `Path()` is the working folder
        return bool(arguments) and all(_fixed(value, scope, depth) for value in arguments)
    if qualified in _ONE_PATH or qualified in _BUILTINS:
        return len(arguments) == 1 and _fixed(arguments[0], scope, depth)
    if qualified is None and isinstance(call.func, cst.Attribute) and identifier(
            call.func.attr.value) in _PATH_METHODS:
        return _fixed(call.func.value, scope, depth) and all(
            _fixed(value, scope, depth) for value in arguments)
    return False


def names_shipped_file(expr: cst.BaseExpression, scope: Scope) -> bool:
    """A function of the code's own (imported, or defined in the module) given nothing but a
    certificate file's name (`test_utils.get_config_file_path("server-cert.pem")`): it finds
    a file that ships with the code, as a join of fixed parts does. A method of a local object
    (`tmp_path.joinpath("ca.pem")`) or a standard module's function is not one."""
    expr, scope = values.origin(expr, scope)
    if not isinstance(expr, cst.Call) or len(expr.args) != 1 or expr.args[0].star or expr.args[
            0].keyword is not None:
        return False
    name = values.literal(expr.args[0].value, scope)
    qualified = scope.qualify(expr.func)
    return (isinstance(name, str) and name.lower().endswith(CERTIFICATE_SUFFIXES)
            and qualified is not None and qualified.split(".")[0] not in _NOT_SHIPPED)
