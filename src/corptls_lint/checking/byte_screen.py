"""The byte screen: which enabled rules have their trigger words in a file's raw bytes (the
others cannot fire there), each word searched once per file, and the rules that words of the
configuration keep (insecure-keywords). Run by the runner on every file before anything parses.
"""

from __future__ import annotations

import functools
from typing import Dict, List, NamedTuple, Optional, Sequence, Set, Tuple, Type

from corptls_lint.ftypes import Settings
from corptls_lint.rules.base import Rule
from corptls_lint.screens import lookalikes


class _Node(NamedTuple):
    """One search of the byte screen: `word` in the file's bytes (or, `lowered`, in the bytes
    lower-cased), whether it is a trigger word itself, and the searches that only matter
    where it occurs (the words that contain it)."""

    word: bytes
    is_trigger: bool
    lowered: bool
    contained: "WordForest"


WordForest = Tuple[_Node, ...]
_TRIGGER_WORDS: Dict[Tuple[Type[Rule], ...], WordForest] = {}


def _word_forest(words: Set[bytes]) -> WordForest:
    """The words as a forest: each under the shortest other word it contains. A file without
    `verify` cannot hold `ssl_verify`, `verify_mode` or `cert_verify`; one search answers all.
    Top-level words that share a rare fragment go under it (`_hubs`)."""
    ordered = sorted(words, key=lambda word: (len(word), word))
    children: Dict[bytes, List[bytes]] = {word: [] for word in ordered}
    roots: List[bytes] = []
    for index, word in enumerate(ordered):
        parent = next((shorter for shorter in ordered[:index] if shorter in word), None)
        (children[parent] if parent is not None else roots).append(word)

    def tree(word: bytes) -> _Node:
        return _Node(word, True, False, tuple(tree(child) for child in children[word]))

    hubs = _hubs(roots)
    under = {word for covered in hubs.values() for word in covered}
    return (tuple(_Node(hub, False, lowered, tuple(tree(word) for word in covered))
                  for (hub, lowered), covered in hubs.items())
            + tuple(tree(word) for word in roots if word not in under))


def _hubs(roots: List[bytes]) -> Dict[Tuple[bytes, bool], List[bytes]]:
    """Fragments that two or more top-level words share, searched before them: `ssl` in any
    case stands for `SMTP_SSL`, `SSLContext`, `sslmode`, `verify_ssl`, ... (a file without it
    needs none of those searches), searched in the lower-cased bytes (lower-casing a file
    costs almost nothing); `Warning` stands for `HTTPWarning` and `SecurityWarning`, in
    the bytes as they are. Keys: (fragment, searched lower-cased).

    Only fragments rare in code qualify (a hub that most files hold costs a search and saves
    none): six letters or more, or four or more that start a word part in every word (at
    the start, after `_` or `.`, or at a capital: never a fragment such as `sion`), or three
    spelled as a capitalised acronym in one of the words (`SSL`, `TLS`: not `env` or `ver`,
    which most files hold). Chosen greedily, most words first, then as they are before
    lower-cased, then longest (`imum_version`, not `version`): on the TLS corpus a file
    takes 28 searches instead of 38."""
    def starts_parts(fragment: bytes, word: bytes, lowered: bool) -> bool:
        spelled = word.lower() if lowered else word
        at = spelled.find(fragment)
        while at >= 0:
            if at == 0 or word[at - 1:at] in (b"_", b".") or word[at:at + 1].isupper():
                return True
            at = spelled.find(fragment, at + 1)
        return False

    def acronym(fragment: bytes, word: bytes) -> bool:
        at = word.find(fragment.upper())
        return at >= 0 and not word[at - 1:at].isupper()

    def qualifies(fragment: bytes, lowered: bool, covered: List[bytes]) -> bool:
        if len(covered) < 2:
            return False
        if len(fragment) >= 6:
            return True
        if len(fragment) >= 4 and all(starts_parts(fragment, word, lowered) for word in covered):
            return True
        return len(fragment) == 3 and any(acronym(fragment, word) for word in covered)

    hubs: Dict[Tuple[bytes, bool], List[bytes]] = {}
    remaining = list(roots)
    while True:
        shared: Dict[Tuple[bytes, bool], List[bytes]] = {}
        for word in remaining:
            for lowered, spelled in ((False, word), (True, word.lower())):
                for fragment in {spelled[i:j] for i in range(len(spelled))
                                 for j in range(i + 3, len(spelled) + 1)} - {word}:
                    shared.setdefault((fragment, lowered), []).append(word)
        choices = [(len(covered), not lowered, len(fragment), fragment, lowered)
                   for (fragment, lowered), covered in shared.items()
                   if qualifies(fragment, lowered, covered)]
        if not choices:
            return hubs
        *_, fragment, lowered = max(choices)
        hubs[fragment, lowered] = sorted(shared[fragment, lowered])
        remaining = [word for word in remaining if word not in hubs[fragment, lowered]]


def _search(forest: WordForest, data: bytes, found: Set[bytes],
            lowered: Optional[bytes] = None) -> None:
    for word, is_trigger, in_lowered, contained in forest:
        if in_lowered:
            if lowered is None:
                lowered = data.lower()
            hit = word in lowered
        else:
            hit = word in data
        if hit:
            if is_trigger:
                found.add(word)
            if contained:
                _search(contained, data, found, lowered)


def screen(data: bytes, rules: Sequence[Type[Rule]]) -> List[Type[Rule]]:
    """The rules whose trigger words occur in the raw bytes (the others cannot fire), or in
    the text as Python reads it when the file spells a name with look-alike characters
    (`ｖerify=`: screens.lookalikes).

    Each distinct word is searched once per file, whatever the number of rules naming it.
    """
    kept = _screen(data, rules)
    respelled = lookalikes.respelled(data)
    if respelled is None:
        return kept
    more = _screen(respelled, rules)
    return [rule for rule in rules if rule in kept or rule in more]


def _screen(data: bytes, rules: Sequence[Type[Rule]]) -> List[Type[Rule]]:
    key = tuple(rules)
    forest = _TRIGGER_WORDS.get(key)
    if forest is None:
        forest = _TRIGGER_WORDS[key] = _word_forest(
            {word for rule in rules for group in rule.triggers for word in group})
    found: Set[bytes] = set()
    _search(forest, data, found)
    if not found:
        return []
    narrowed: Dict[object, bool] = {}

    def counts(rule: Type[Rule], word: bytes) -> bool:
        if word not in found:
            return False
        pattern = rule.trigger_patterns.get(word)
        if pattern is None:
            return True
        hit = narrowed.get(pattern)
        if hit is None:
            hit = narrowed[pattern] = pattern.search(data) is not None
        return hit

    return [rule for rule in rules
            if all(any(counts(rule, word) for word in group) for group in rule.triggers)]


def forced_rules(data: bytes, rules: Sequence[Type[Rule]], settings: Settings) -> List[Type[Rule]]:
    """Rules that words only the configuration knows (insecure-keywords) keep past both
    screens: the screens learn from the rule classes, which cannot know them."""
    configured = _configured_words(tuple(rules), settings)
    if not configured:
        return []
    respelled = lookalikes.respelled(data) or b""
    return [rule for rule, words in configured
            if any(word in data or word in respelled for word in words)]


@functools.lru_cache(maxsize=64)
def _configured_words(rules: Tuple[Type[Rule], ...], settings: Settings
                      ) -> Tuple[Tuple[Type[Rule], Tuple[bytes, ...]], ...]:
    """The rules with words of the configuration's, and those words: asked for every file of
    a run, whose files mostly share their settings (and mostly configure no such word)."""
    pairs = ((rule, tuple(rule.configured_words(settings))) for rule in rules)
    return tuple((rule, words) for rule, words in pairs if words)
