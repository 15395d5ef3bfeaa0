"""The candidate shapes a rule declares (`Rule.candidates`): a call with a keyword, a call to a
name, an attribute or item store, a name use, a value that travels; and the value classes a
shape's value test accepts. Declarations only: `candidates` checks them on a file's `ast` tree.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import (ClassVar, FrozenSet, Iterable, Iterator, Optional, Protocol, Set, Tuple, Type,
                    Union)

# -- value classes: which expressions a rule's value test could accept ---------------------
# They mirror values.py: a literal, or a name that may be bound (once) to such a literal.
ANY = "any"
FALSY = "falsy"  # values.is_falsy: False, 0, "" (also through names, f-strings, `+`)
PATH = "path"  # values.is_hardcoded_path: a non-empty literal string
CERT_NONE = "cert-none"  # ssl.CERT_NONE under any import path, or the string "CERT_NONE"/"NONE"
TRUTHY = "truthy"  # True or a non-zero integer (`insecure=True`)
NONE = "none"  # the literal None (`context=None`)
# redis-py's ssl_cert_reqs: None (redis-py maps it to CERT_NONE), "none", or CERT_NONE
NONE_OR_CERT_NONE = "none-or-cert-none"
# librdkafka's booleans: a falsy literal or the strings it reads as false ("false", "0")
FALSE_WORD = "false-word"
FALSE_WORDS = ("false", "f", "0", "no", "n", "off")
# A plain name (`parametrize("v", CASES)`: the cases are kept elsewhere)
VARIABLE = "variable"
# One of a few strings (`sslmode="require"`): ONE_OF + the strings joined with "|" (one_of).
ONE_OF = "one-of:"


def one_of(*words: str) -> str:
    """The value class of these exact strings."""
    return ONE_OF + "|".join(words)


def one_of_words(kind: str) -> Tuple[str, ...]:
    """The strings of a `one_of` class (empty for any other class)."""
    return tuple(kind[len(ONE_OF):].split("|")) if kind.startswith(ONE_OF) else ()


# A connection string that may set one of a few options (`"rediss://h?ssl_cert_reqs=none"`,
# `"host=h sslmode=require"`): HOLDING + the option names joined with "|" (holding). Any
# case: pymongo reads its URI options so.
HOLDING = "holding:"


def holding(*options: str) -> str:
    return HOLDING + "|".join(sorted({option.lower() for option in options}))


# A query appended to a URL (`"?ssl_cert_reqs=CERT_NONE"`) that may set one of a few options:
# QUERY + the option names joined with "|" (query).
QUERY = "query:"


def query(*options: str) -> str:
    return QUERY + holding(*options)[len(HOLDING):]


# A value of a class, or an option lookup falling back to one (`opts.get("cert_reqs",
# ssl.CERT_NONE)`, also under `bool(...)`): OR_DEFAULT + the class (or_default;
# travel.option_default).
OR_DEFAULT = "or-default:"


def or_default(kind: str) -> str:
    return OR_DEFAULT + kind


def option_default(value: ast.AST) -> Optional[ast.AST]:
    """The default of `x.get(key, default)`, also under `bool(...)`; None for other values."""
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "bool" and len(value.args) == 1):
        value = value.args[0]
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "get" and len(value.args) == 2 and not value.keywords):
        return value.args[1]
    return None


def _query_matches(value: ast.AST, kind: str) -> bool:
    """`value` may be a query (it starts with "?" or "&") holding one of the options of the
    HOLDING class `kind`."""
    first = value.values[0] if isinstance(value, ast.JoinedStr) and value.values else value
    if isinstance(value, ast.BinOp):
        first = value.left
    if isinstance(first, ast.FormattedValue) or isinstance(first, ast.Name):
        return True  # a name the rules may resolve
    if isinstance(first, ast.BinOp):
        return _query_matches(first, kind)
    starts = (isinstance(first, ast.Constant) and isinstance(first.value, str)
              and first.value[:1] in ("?", "&"))
    return starts and literal_matches(value, kind)


def _built_string_holds(value: ast.AST, kind: str) -> bool:
    """An f-string or `+` may set an option when a literal part holds it, or a part is a
    name (which the rules may resolve to a literal that does)."""
    if isinstance(value, ast.JoinedStr):
        return any(literal_matches(part, kind) if isinstance(part, ast.Constant)
                   else isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name)
                   for part in value.values)
    if isinstance(value, ast.BinOp):
        return any(isinstance(side, ast.Name) or literal_matches(side, kind)
                   for side in (value.left, value.right))
    return literal_matches(value, kind)

BUILT_STRINGS = (ast.JoinedStr, ast.BinOp)  # f-strings and `+` may evaluate to any string
# A `%` conversion in a template (`"v%s" % x`, `"%(name)d"`, `"%%"`).
_CONVERSION = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")


def string_fragments(value: ast.AST) -> Optional[Tuple[str, ...]]:
    """The literal parts of a string built from parts (an f-string, `"a" + x`, `"v%s" % x`),
    in any order; None when `value` is not built that way (a number's `+` included). Whatever
    the parts between them evaluate to, the string holds each of these."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return (value.value,)
    if isinstance(value, ast.JoinedStr):
        return tuple(part.value for part in value.values
                     if isinstance(part, ast.Constant) and isinstance(part.value, str))
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Mod) and isinstance(
            value.left, ast.Constant) and isinstance(value.left.value, str):
        return tuple(_CONVERSION.split(value.left.value))
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        sides = [string_fragments(side) for side in (value.left, value.right)]
        if any(side is not None for side in sides):  # one literal string side: a string
            return tuple(part for side in sides for part in side or ())
    return None


def _may_spell(fragments: Tuple[str, ...], words: Iterable[str], fold: bool = False) -> bool:
    """A string holding each fragment may be one of `words`."""
    if fold:
        fragments = tuple(fragment.lower() for fragment in fragments)
    return any(all(fragment in word for fragment in fragments) for word in words)


def _built_string_matches(fragments: Tuple[str, ...], kind: str) -> bool:
    """Whether a string built around these literal parts may have a value of this class."""
    if kind in (TRUTHY, NONE):
        return False  # a string is neither True, a non-zero number, nor None
    if kind == FALSY:
        return _may_spell(fragments, ("",))
    if kind == CERT_NONE:
        return _may_spell(fragments, ("CERT_NONE", "NONE"))
    if kind == NONE_OR_CERT_NONE:
        return _may_spell(fragments, ("CERT_NONE", "NONE", "none"))
    if kind == FALSE_WORD:
        return _may_spell(fragments, ("", *FALSE_WORDS), fold=True)
    if kind.startswith(ONE_OF):
        return _may_spell(fragments, one_of_words(kind))
    return True


def key_may_be(key: ast.AST, names: Iterable[str]) -> bool:
    """A dict key built from parts (`f"{prefix}verify"`) may be one of `names`."""
    fragments = string_fragments(key)
    return fragments is None or _may_spell(fragments, names)


# `Ｆalse` runs as False, but `ast` keeps a keyword spelled with look-alikes a Name ("False").
CONSTANT_NAMES = {"True": True, "False": False, "None": None}


def literal_matches(value: ast.AST, kind: str) -> bool:
    """Whether a non-name expression (or a constant spelled as a name) may have a value of
    this class."""
    if kind == ANY:
        return True
    # values.literal's wrappers: a conditional's branches, a walrus, `not x`, `bool(x)`
    if isinstance(value, ast.IfExp):
        return literal_matches(value.body, kind) or literal_matches(value.orelse, kind)
    if isinstance(value, ast.NamedExpr):
        return literal_matches(value.value, kind)
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
        return kind in (FALSY, TRUTHY) and _is_constant(value.operand)
    if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "bool" and len(value.args) == 1):
        return kind in (FALSY, TRUTHY) and _is_constant(value.args[0])
    if isinstance(value, ast.Name) and value.id in CONSTANT_NAMES:
        value = ast.Constant(CONSTANT_NAMES[value.id])
    if kind.startswith(QUERY):
        return _query_matches(value, HOLDING + kind[len(QUERY):])
    if kind.startswith(HOLDING) and isinstance(value, BUILT_STRINGS):
        return _built_string_holds(value, kind)
    if isinstance(value, BUILT_STRINGS):
        fragments = string_fragments(value)
        return fragments is None or _built_string_matches(fragments, kind)
    if kind == FALSY:
        return (isinstance(value, ast.Constant) and value.value is not None
                and not isinstance(value.value, bytes) and not value.value)
    if kind == TRUTHY:
        return (isinstance(value, ast.Constant) and type(value.value) in (bool, int)
                and bool(value.value))
    if kind == PATH:
        if isinstance(value, ast.Call):
            return _builds_a_path(value, 0)  # from parts the rules may find fixed (fixed_paths)
        return isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value != ""
    if kind == NONE:
        return isinstance(value, ast.Constant) and value.value is None
    if kind == CERT_NONE:
        if isinstance(value, ast.Attribute):
            return value.attr == "CERT_NONE"
        return isinstance(value, ast.Constant) and value.value in ("CERT_NONE", "NONE")
    if kind == NONE_OR_CERT_NONE:
        return literal_matches(value, CERT_NONE) or literal_matches(value, NONE) or (
            isinstance(value, ast.Constant) and value.value == "none")
    if kind == FALSE_WORD:
        return literal_matches(value, FALSY) or (
            isinstance(value, ast.Constant) and isinstance(value.value, str)
            and value.value.lower() in FALSE_WORDS)
    if kind.startswith(ONE_OF):
        return isinstance(value, ast.Constant) and value.value in one_of_words(kind)
    if kind.startswith(HOLDING):
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                and value.func.attr == "format"):  # the template's text decides
            value = value.func.value
        elif (isinstance(value, ast.Call) and len(value.args) == 2 and isinstance(
                value.func, ast.Attribute) and value.func.attr in ("getenv", "get")):
            return literal_matches(value.args[1], kind)  # `os.getenv("URL", default)`
        return isinstance(value, ast.Constant) and isinstance(value.value, str) and any(
            option + "=" in value.value.lower() for option in kind[len(HOLDING):].split("|"))
    raise ValueError(f"unknown value class {kind!r}")


# The calls that build a path from parts (analysis/fixed_paths.py), by their last name.
_PATH_BUILDERS = frozenset({"join", "dirname", "abspath", "realpath", "normpath", "expanduser",
                            "fspath", "Path", "PurePath", "PosixPath", "joinpath", "resolve",
                            "absolute", "with_name", "with_suffix", "as_posix", "str"})


def _builds_a_path(call: ast.Call, depth: int) -> bool:
    """A call of a path builder with a part that may be fixed: a string, the module's own
    `__file__`, or such a call (`os.path.join(HERE, "ca.pem")`; not `str(ca_cert)`)."""
    if depth > 4 or _last_name(call.func) not in _PATH_BUILDERS:
        return False
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call) and (
            _builds_a_path(call.func.value, depth + 1)):
        return True  # `Path(__file__).resolve()`
    return any((isinstance(part, ast.Constant) and isinstance(part.value, str))
               or (isinstance(part, ast.Name) and part.id == "__file__")
               or isinstance(part, (ast.JoinedStr, ast.BinOp))
               or (isinstance(part, ast.Call) and _builds_a_path(part, depth + 1))
               for part in call.args)


def _last_name(func: ast.AST) -> Optional[str]:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _is_constant(value: ast.AST) -> bool:
    """A literal (`not insecure` reads a variable: not a candidate by itself)."""
    return isinstance(value, ast.Constant) or (isinstance(value, ast.Name)
                                               and value.id in CONSTANT_NAMES)


# -- candidate shapes a rule declares ------------------------------------------------------
@dataclass(frozen=True)
class KeywordArg:
    """A call passing one of `names` as a keyword (or as a string key of a `**{...}` display,
    or of any dict display, since `**NAME` may stand for it) with a value of class `value`.
    With `roots`, the file must also import one of these top-level modules."""

    names: Tuple[str, ...]
    value: str = ANY
    roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Argument:
    """The argument that decides whether a call can be a finding: the one at `position`, or
    passed as one of `keywords`. A call without it can; one passing it, only with a value of
    class `value` (None: no class), or with a name or attribute that ends in a constant starting
    with `prefix` other than the `excluded` ones (an imported alias counts under its imported
    name). A `*` argument may be it, so such a call can; a call with `**` cannot."""

    position: int
    keywords: Tuple[str, ...]
    value: Optional[str] = None
    prefix: str = ""
    excluded: Tuple[str, ...] = ()


@dataclass(frozen=True)
class CallTo:
    """A call whose callee ends in one of `names` (`x.y.name(...)`, `name(...)`, or an alias
    imported as `from m import name as alias`). With `roots`, the file must also import one of
    these top-level modules (names resolve only through absolute imports). With
    `unless_keyword`, calls passing that keyword or any `**` are not candidates. With
    `receivers`, the callee must be a method of something whose name ends in one of them
    (`os.environ.update(...)`, `environ.update(...)` with environ imported under any name).
    With `argument`, the call must also pass (or lack) it as `Argument` says."""

    names: Tuple[str, ...]
    roots: Tuple[str, ...] = ()
    unless_keyword: Optional[str] = None
    receivers: Tuple[str, ...] = ()
    argument: Optional[Argument] = None


@dataclass(frozen=True)
class AttributeStore:
    """`<target>.<attr> = value` for one of `attrs`, with a value of class `value`."""

    attrs: Tuple[str, ...]
    value: str = ANY


@dataclass(frozen=True)
class ItemStore:
    """`<container>[key] = value` where the container ends in one of `containers` (or an alias of
    it), in a file that imports one of `roots`."""

    containers: Tuple[str, ...]
    roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyedStore:
    """`<container>["key"] = value` for one of `keys`, with a value of class `value` (an
    options dict built over several statements)."""

    keys: Tuple[str, ...]
    value: str = ANY


@dataclass(frozen=True)
class Appended:
    """`<target> += value` with a value of class `value` (a query appended to a URL:
    `url += "?ssl_cert_reqs=CERT_NONE"`)."""

    value: str = ANY


@dataclass(frozen=True)
class NameStore:
    """`NAME = value` (or a parameter default) for one of `names`, with a value of class
    `value` (a settings module's `CELERY_BROKER_URL = "rediss://..."`)."""

    names: Tuple[str, ...]
    value: str = ANY


@dataclass(frozen=True)
class AnyNameStore:
    """`NAME = <literal>` under any name, with a literal of class `value` (TLS501: a class
    body's `tls_protocol_name = "TLSv1"`, which the class's methods compare to pick a
    protocol). Only a literal: under any name, a name or an f-string would match too much."""

    value: str = ANY


@dataclass(frozen=True)
class NameUse:
    """A reference to one of `names`: `x.NAME`, `NAME`, or an alias imported as
    `from m import NAME as alias` (TLS501's protocol constants, which any call may take)."""

    names: Tuple[str, ...]


@dataclass(frozen=True)
class NamePassed:
    """A call argument or a `return` value that is a name (or `x.attr`) which the file binds
    somewhere to a reference of one of `names` (or to such a name): the use that makes a
    weak protocol kept in a variable a finding at its origin (TLS501)."""

    names: Tuple[str, ...]


@dataclass(frozen=True)
class CallInto:
    """A call whose callee is a name, or an attribute chain rooted in a name, that the file
    imports from one of the top-level modules `roots` (`requests.get(...)`, `Client()` after
    `from httpx import Client`), in a file that also calls one of `beside` (any, when empty).

    A context shape for a rule that asks only whether the module makes such a call: the first
    one (preferring a call through the imported module itself) stands for all, so the slicing
    keeps one function, not every function that makes a request."""

    roots: Tuple[str, ...]
    beside: Tuple[str, ...] = ()


@dataclass(frozen=True)
class OptionsPassed:
    """A call passing one of `keywords` (an options dict: `Celery(broker_use_ssl=opts)`), in a
    file where a dict display, a keyed store (`opts["cert_reqs"] = ...`) or a keyword argument
    (`dict(cert_reqs=...)`) gives one of the `entries` (key, value class) a value of its class
    (or a computed key such a value): the calls that may hand such an entry, written elsewhere,
    to a client. With `built`, also those writes, and the functions of the module that return
    a tuple display (`return options, auth`): an options dict built in one function and
    handed back to the caller of another (`options, auth = get_config()`)."""

    keywords: Tuple[str, ...]
    entries: Tuple[Tuple[str, str], ...]
    built: bool = False


@dataclass(frozen=True)
class LookedUpIn:
    """`getattr(module, ...)` where `module` is a name, or an attribute chain rooted in a name,
    that the file imports from one of the top-level modules `roots` (`getattr(ssl, name)`:
    a table of a module's constant names, looked up)."""

    roots: Tuple[str, ...]


@dataclass(frozen=True)
class UrlHolding:
    """A string literal that is a URL (`scheme://...`; `ast` joins implicit concatenation)
    whose query may set one of `options` (`"postgresql://h/db?sslrootcert=/ca.pem"`, also
    the literal part of `"...?sslrootcert=" + CA`): a connection URL, wherever it is written,
    goes to some client. Any case (pymongo reads its URI options so)."""

    options: Tuple[str, ...]


@dataclass(frozen=True)
class JsonHolding:
    """A string literal that is JSON text of an object holding one of `keys` as a key
    (`'{"ssl_ca_certs": "/etc/ca.pem"}'`: an Airflow connection's extra written as text)."""

    keys: Tuple[str, ...]


@dataclass(frozen=True)
class ConstantFunction:
    """A function whose body (less a docstring) is one `return <value>` of class `value`
    (a pyOpenSSL verify callback that accepts everything)."""

    value: str = ANY


@dataclass(frozen=True)
class FunctionNamed:
    """A function named one of `names`, in a file that imports one of the top-level modules
    `roots`: a context shape for a hook whose return value a finding depends on (an auth
    plugin's `get_connection_params`)."""

    names: Tuple[str, ...]
    roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Travel:
    """A value that may travel to a keyword inside the module: a call passes one of `names`
    a value that is not a literal (a name, `self.x`, a call) or passes `**` something, and the
    file writes a value of class `value` somewhere it could come from (an assignment, an
    item store under one of `names`, the default of a two-argument `.get` or `getattr`).
    A `**` sink counts only in a file that stores or displays one of `names` as a string key.
    With `roots`, the file must also import one of these top-level modules."""

    names: Tuple[str, ...]
    value: str = ANY
    roots: Tuple[str, ...] = ()


@dataclass(frozen=True)
class CallerArgument:
    """A value that travels into a function of the module from a call site: a call passes one
    of `names` a plain name (`requests.get(u, verify=verify)`) that is a parameter of a
    function defined in the file, and a call to a function of that name (`fetch(...)`,
    `self.fetch(...)`) passes an argument of class `value`. Both calls are locations. A
    test's parametrization may give the parameter the value instead (a `parametrize` or
    `expand` decorator's cases hold a literal of class `value`: travel.parametrized_values).
    With `stored`, the sink may also be a string key given the name (`settings["NAME"] =
    v`, `{"NAME": v}`: scrapy's settings)."""

    names: Tuple[str, ...]
    value: str = ANY
    stored: bool = False


@dataclass(frozen=True)
class TableBound:
    """A name bound to a table of the module (a plain name) into which the file stores, under
    a string key, one of `names` (`x.NAME`, `NAME`, `getattr(m, "NAME", ...)`): `certs =
    TLSv1_CERTS` after `TLSv1_CERTS["ssl_version"] =
    ssl.PROTOCOL_TLSv1` (a test base's per-subclass settings, read where a client takes
    them: TLS501)."""

    names: Tuple[str, ...]


@dataclass(frozen=True)
class ParamDefault:
    """A parameter named one of `names` with a default of class `value` (`def f(verify_ssl=False)`)."""

    names: Tuple[str, ...]
    value: str = ANY


Candidate = Union[KeywordArg, CallTo, AttributeStore, ItemStore, KeyedStore, NameStore, NameUse,
                  ConstantFunction, ParamDefault, Travel, CallerArgument, NamePassed, CallInto,
                  Appended, OptionsPassed, LookedUpIn, AnyNameStore, UrlHolding, JsonHolding,
                  FunctionNamed, TableBound]


class ScreenedRule(Protocol):
    """What the screens read of a rule class (`rules.base.Rule` declares both)."""

    candidates: ClassVar[Tuple[Candidate, ...]]
    context_shapes: ClassVar[Tuple[Candidate, ...]]


def all_shapes(rules: Iterable[Type[ScreenedRule]]) -> Iterator[Candidate]:
    for rule in rules:
        yield from rule.candidates


def names_in(shapes: Iterable[Candidate]) -> FrozenSet[str]:
    """Every identifier the shapes mention (documentation and tests)."""
    out: Set[str] = set()
    for shape in shapes:
        for attr in ("names", "attrs", "containers"):  # NameUse: names
            out.update(getattr(shape, attr, ()))
    return frozenset(out)
