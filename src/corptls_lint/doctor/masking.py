"""Keeping proxy credentials out of everything the doctor prints.

A proxy URL carries its credentials in its userinfo, in more forms than `urlsplit` sees: no
scheme (`alice:pw@proxy:8080`), a token as the user name (`http://TOKEN@proxy`), a password
holding `/`, `#` or `?` (where `urlsplit` ends the host part early), a leading space. So the
userinfo is taken to be everything between the scheme's `://` (or the start) and the last `@`,
whatever it holds, and masked whole.

Masking each URL where it is printed is the first line; the second is `scrub`, which removes
every form of every secret the environment's proxy variables and `--proxy` carry (as written,
percent-decoded, and as the `Proxy-Authorization: Basic` token) from the report and from any
text (an error, a traceback) before it is written.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import re
from typing import Any, FrozenSet, Iterable, Mapping, Optional, Set, Tuple
from urllib.parse import unquote

MASK = "***"
# Parts shorter than this are not scrubbed from free text (a one-letter password would blank
# every such letter of the report); URLs are masked whole whatever their length.
MIN_SCRUBBED = 3


def split_userinfo(url: str) -> Tuple[str, Optional[str], str]:
    """(the text before the userinfo, the userinfo or None, the text from the last '@')."""
    at = url.rfind("@")
    if at < 0:
        return url, None, ""
    scheme_end = url.find("://")
    start = scheme_end + 3 if 0 <= scheme_end < at else len(url) - len(url.lstrip())
    return url[:start], url[start:at], url[at:]


def redacted(url: str) -> str:
    """`url` with its whole userinfo (user and password) replaced by ***."""
    head, userinfo, tail = split_userinfo(url)
    return url if userinfo is None else f"{head}{MASK}{tail}"


def _forms(text: str) -> Iterable[str]:
    yield text
    yield unquote(text)


def secrets_of(urls: Iterable[Optional[str]]) -> FrozenSet[str]:
    """Every form of the credentials in `urls` that could be printed: the userinfo, its user
    and password parts, each as written and percent-decoded, and the Basic token."""
    found: Set[str] = set()
    for url in urls:
        if not url:
            continue
        _, userinfo, _ = split_userinfo(url)
        if not userinfo:
            continue
        user, colon, password = userinfo.partition(":")
        parts = [userinfo, userinfo.strip(), password if colon else user]
        # what a parser that ends the host part at '/', '?' or '#' reads, and prints
        cut = re.split(r"[/?#]", userinfo)
        parts += [cut[0], *cut[1:], *re.split(r"[/?#]", password if colon else user)]
        decoded = f"{unquote(user)}:{unquote(password)}"
        for encoding in ("latin-1", "utf-8"):
            try:
                parts.append(base64.b64encode(decoded.encode(encoding)).decode("ascii"))
            except UnicodeEncodeError:
                pass
        for part in parts:
            found.update(form for form in _forms(part) if len(form) >= MIN_SCRUBBED)
    return frozenset(found)


def proxy_urls(environ: Mapping[str, str], proxy: Optional[str]) -> Iterable[Optional[str]]:
    """The proxy URLs the doctor may meet: every `*_proxy` variable (any case) and --proxy."""
    yield proxy
    for name, value in environ.items():
        if name.lower().endswith("_proxy"):
            yield value


def scrub_text(text: str, secrets: FrozenSet[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # the longest form first
        text = text.replace(secret, MASK)
    return text


def scrub(value: Any, secrets: FrozenSet[str]) -> Any:
    """A copy of `value` (the report, its dataclasses, lists and strings) without `secrets`."""
    if not secrets:
        return value
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return scrub_text(value, secrets)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {field.name: scrub(getattr(value, field.name), secrets)
                   for field in dataclasses.fields(value) if field.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, list):
        return [scrub(item, secrets) for item in value]
    if isinstance(value, tuple):
        return tuple(scrub(item, secrets) for item in value)
    if isinstance(value, dict):
        return {scrub(key, secrets): scrub(item, secrets) for key, item in value.items()}
    return value
