"""The byte screen: which enabled rules have their trigger words in a file's raw bytes (the
others cannot fire there), each word searched once per file, and the rules that words of the
configuration keep (insecure-keywords). Run by the runner on every file before anything parses.
"""

from __future__ import annotations

import functools
from typing import Dict, List, Sequence, Set, Tuple, Type

from corptls_lint.ftypes import Settings
from corptls_lint.rules.base import Rule
from corptls_lint.screens import lookalikes

# (what to search, is it a trigger word itself, the words that contain it (searched only
# where it occurs)), for each rule set
WordForest = Tuple[Tuple[bytes, bool, "WordForest"], ...]
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

    def tree(word: bytes) -> Tuple[bytes, bool, WordForest]:
        return word, True, tuple(tree(child) for child in children[word])

    hubs = _hubs(roots)
    under = {word for covered in hubs.values() for word in covered}
    return (tuple((hub, False, tuple(tree(word) for word in covered))
                  for hub, covered in hubs.items())
            + tuple(tree(word) for word in roots if word not in under))


def _hubs(roots: List[bytes]) -> Dict[bytes, List[bytes]]:
    """Fragments that three or more top-level words share, searched before them: `SSL` stands
    for `SMTP_SSL`, `SSLContext`, `PROTOCOL_SSLv3`, ... (a file without `SSL` needs none of
    those searches). Only fragments rare in code qualify: three or more letters holding a
    capital, or four or more starting a word part in every word (`cert` in `ca_certs`,
    never a fragment such as `sion`, which `version` holds). Chosen greedily, most shared
    first; the searches of the byte screen over the TLS corpus drop by about 30%."""
    def qualifies(fragment: bytes, covered: List[bytes]) -> bool:
        if len(fragment) >= 3 and fragment.lower() != fragment:
            return True
        return len(fragment) >= 4 and all(
            word.startswith(fragment) or b"_" + fragment in word for word in covered)

    hubs: Dict[bytes, List[bytes]] = {}
    remaining = list(roots)
    while True:
        shared: Dict[bytes, List[bytes]] = {}
        for word in remaining:
            for fragment in {word[i:j] for i in range(len(word))
                             for j in range(i + 3, len(word) + 1)} - {word}:
                shared.setdefault(fragment, []).append(word)
        choices = [(len(covered), len(fragment), fragment) for fragment, covered
                   in shared.items() if len(covered) >= 3 and qualifies(fragment, covered)]
        if not choices:
            return hubs
        fragment = max(choices)[2]
        hubs[fragment] = sorted(shared[fragment])
        remaining = [word for word in remaining if word not in hubs[fragment]]


def _search(forest: WordForest, data: bytes, found: Set[bytes]) -> None:
    for word, is_trigger, contained in forest:
        if word in data:
            if is_trigger:
                found.add(word)
            if contained:
                _search(contained, data, found)


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
