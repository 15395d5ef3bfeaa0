"""Turn the rules' fix requests into a rewritten libcst module (one pass, no overlaps).

Each request names the node to rewrite; one transformer swaps those nodes, so everything
outside them (comments, formatting) is kept byte for byte by libcst's round trip.
"""

from __future__ import annotations

from collections import Counter
from typing import (TYPE_CHECKING, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Set,
                    Tuple, Union, cast)

import libcst as cst

from corptls_lint.analysis.cst_walk import Statement
from corptls_lint.fixing import imports
from corptls_lint.fixing.fix_requirements import CONTEXT_OR_BUNDLE, chosen
from corptls_lint.ftypes import Fix, FixTargets, ImportOrder, Target
from corptls_lint.rules.base import FixRequest

Names = Union[imports.NameTable, imports.ScreenedNames]
_REPLACE_KINDS = ("ca-bundle", "ssl-context", CONTEXT_OR_BUNDLE)
# What makes an SSL context of the configured bundle when no `ssl-context` is configured
# (httpx 0.28 deprecated a path for `verify=`, and names this call as its replacement).
_CONTEXT_FROM_FILE = Target("ssl", "create_default_context")

if TYPE_CHECKING:
    from libcst.metadata import CodeRange


def target_of(kind: str, targets: FixTargets) -> Optional[Target]:
    """The configured target a value kind stands for (httpx: the SSL context when configured,
    else the bundle, which the fix wraps in `create_default_context(cafile=...)`)."""
    if kind == "ca-bundle":
        return targets.ca_bundle
    if kind == "ssl-context":
        return targets.ssl_context
    if kind == CONTEXT_OR_BUNDLE:
        return targets.ssl_context or targets.ca_bundle
    if kind == "session-factory":
        return targets.session_factory
    return None




class FixPlanner:
    """Plans the fixes of one parsed module: the new node for each request, and the imports."""

    def __init__(self, module: cst.Module, targets: FixTargets,
                 names: Optional[Names] = None, text: Optional[str] = None) -> None:
        """`names`: the module's name table when the lint pass already built it; `text`: the
        module's source (a full name table is then built only for names the text holds)."""
        self.module = module
        self.targets = targets
        self._names = names
        if names is None and text is not None:
            self._names = imports.ScreenedNames(module, text)
        self._references: Dict[Target, imports.Reference] = {}
        self._taken: Set[str] = set()

    def reference(self, target: Target) -> imports.Reference:
        if target not in self._references:
            if self._names is None:
                self._names = imports.NameTable.of(self.module)
            self._references[target] = imports.reference_for(target, self.module, self._names,
                                                             self._taken)
        return self._references[target]

    def names_if_known(self) -> Optional[Names]:
        """The module's name table when a reference already needed it (None: not built)."""
        return self._names

    def _targets_written(self, request: FixRequest) -> List[Target]:
        """The targets whose names the fix writes (each needs its import)."""
        kind, _ = chosen(request, self.targets)
        target = target_of(kind, self.targets)
        if target is None:
            return []
        if kind == CONTEXT_OR_BUNDLE and self.targets.ssl_context is None:
            return [_CONTEXT_FROM_FILE, target]
        return [target]

    def expression(self, request: FixRequest) -> Optional[cst.BaseExpression]:
        targets = self._targets_written(request)
        if not targets:
            return None
        if len(targets) == 2:  # an SSL context made from the bundle
            maker, bundle = (self.reference(target).expression for target in targets)
            return cst.parse_expression(f"{maker}(cafile={bundle})")
        return cst.parse_expression(self.reference(targets[0]).expression)

    def _configured_expression(self, request: FixRequest) -> cst.BaseExpression:
        """`expression` for a fix the engine offered, whose target is configured (missing_key)."""
        value = self.expression(request)
        assert value is not None
        return value

    def rewrite(self, request: FixRequest, node: cst.CSTNode
                ) -> Union[cst.CSTNode, cst.FlattenSentinel[cst.CSTNode], None]:
        """The node that replaces `node` (the updated form of `request.node`), several nodes
        in a FlattenSentinel, None to remove."""
        kind = request.kind
        if kind in _REPLACE_KINDS:
            return _keep_parentheses(node, self._configured_expression(request))
        if kind == "session-factory":
            factory = self.expression(request)
            assert isinstance(node, cst.Call) and factory is not None
            return _keep_parentheses(node, node.with_changes(func=factory, args=()))
        if kind == "add-verify":
            assert isinstance(node, cst.Call)
            # extra: (the value's kind, the keyword when it is not `verify`)
            name = request.extra[1] if len(request.extra) > 1 else "verify"
            argument = cst.Arg(value=self._configured_expression(request), keyword=cst.Name(name),
                               equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                                     whitespace_after=cst.SimpleWhitespace("")))
            return node.with_changes(args=imports.append_to_comma_list(
                list(node.args), [argument], node.whitespace_before_args))
        if kind == "replace-keyword":
            assert isinstance(node, cst.Arg)
            _, keyword = chosen(request, self.targets)
            assert keyword is not None
            return node.with_changes(keyword=cst.Name(keyword), value=self.expression(request))
        if kind == "secure-and-add":
            assert isinstance(node, cst.Arg)
            added = cst.Arg(value=self._configured_expression(request),
                            keyword=cst.Name(request.extra[2]),
                            equal=node.equal, comma=node.comma)
            # extra[1] is a literal's text: `True`, or `"required"` (redis-py's ssl_cert_reqs)
            secured = node.with_changes(value=_keep_parentheses(
                                            node.value, cst.parse_expression(request.extra[1])),
                                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            return cst.FlattenSentinel([secured, added])
        if kind == "secure-dict":
            assert isinstance(node, cst.Dict)
            return _secured_dict(node, set(request.extra[2:]), request.extra[1],
                                 self.expression(request))
        if kind == "secure-literal":  # a name (`True`) or a dotted name or string
            return _keep_parentheses(node, cst.parse_expression(request.extra[0]))
        if kind in ("remove-statement", "remove-argument"):
            return None
        raise ValueError(f"unknown fix kind {kind!r}")

    def describe(self, request: FixRequest, where: Optional[CodeRange] = None) -> Fix:
        """The Fix attached to a diagnostic: the rewritten node's new text, where it goes, and
        the import it needs."""
        replacement, import_statement = None, None
        if request.node is not None and request.kind not in ("remove-statement",
                                                               "remove-argument"):
            new_node = self.rewrite(request, request.node)
            if isinstance(new_node, cst.FlattenSentinel):  # one node became several
                replacement = "".join(self.module.code_for_node(part) for part in new_node)
            else:
                replacement = (self.module.code_for_node(new_node) if new_node is not None
                               else None)
            statements = []
            for target in self._targets_written(request):
                needs = self.reference(target).needs
                if needs is not None:
                    alias = f" as {needs.alias}" if needs.alias else ""
                    statements.append(f"from {needs.module} import {needs.name}{alias}")
            import_statement = "\n".join(statements) or None
        span = {}
        if where is not None:
            span = dict(line=where.start.line, col=where.start.column + 1,
                        end_line=where.end.line, end_col=where.end.column + 1)
        return Fix(request.kind, request.applicability, replacement,
                   import_statement=import_statement, **span)

    def needed_imports(self) -> List[imports.NeededImport]:
        return [ref.needs for ref in self._references.values() if ref.needs is not None]


def describe_fix(planner: FixPlanner, request: FixRequest,
                 where: Optional[CodeRange] = None) -> Fix:
    """The diagnostic's Fix; a fix that cannot even be described is shown without its text."""
    try:
        return planner.describe(request, where)
    except Exception:  # the fixer reports the same failure when --fix runs it
        return Fix(request.kind, request.applicability)


def _secured_dict(display: cst.Dict, dropped: Set[str], key: str,
                  value: Optional[cst.BaseExpression]) -> cst.Dict:
    """`display` without the entries keyed `dropped`, then `key: value` in the dict's own
    layout and quotes (the rule offers this only for plain string keys)."""
    elements = list(display.elements)
    template = next(e for e in elements if isinstance(e, cst.DictElement))
    kept = [e for e in elements if not (isinstance(e, cst.DictElement)
                                        and isinstance(e.key, cst.SimpleString)
                                        and e.key.evaluated_value in dropped)]
    if kept and kept[-1] is not elements[-1]:  # the last entry went: its comma stays last
        kept[-1] = kept[-1].with_changes(comma=elements[-1].comma)
    quote = template.key.quote if isinstance(template.key, cst.SimpleString) else '"'
    added = template.with_changes(key=cst.SimpleString(f"{quote}{key}{quote}"), value=value,
                                  comma=cst.MaybeSentinel.DEFAULT)
    if not kept:
        return display.with_changes(elements=[added.with_changes(comma=elements[-1].comma)])
    return display.with_changes(elements=imports.append_to_comma_list(
        kept, [added], display.lbrace.whitespace_after))


def _keep_parentheses(old: cst.CSTNode, new: cst.BaseExpression) -> cst.BaseExpression:
    """Keep what surrounded the old node: its parentheses, and the inside of an empty call's
    parentheses (`_create_unverified_context(  # why\n)` keeps its comment)."""
    lpar, rpar = getattr(old, "lpar", ()), getattr(old, "rpar", ())
    if lpar and not new.lpar:
        new = new.with_changes(lpar=lpar, rpar=rpar)
    if (isinstance(old, cst.Call) and isinstance(new, cst.Call) and not old.args
            and not new.args):
        new = new.with_changes(whitespace_before_args=old.whitespace_before_args)
    return new


def choose_non_overlapping(module: cst.Module, requests: Sequence[FixRequest],
                           positions: Optional[Mapping[cst.CSTNode, CodeRange]] = None
                           ) -> Tuple[List[FixRequest], List[FixRequest]]:
    """The requests to apply in this pass (the first of overlapping ones wins, like ruff), and
    the requests they solve (two findings on the very same node are solved by one edit).

    `positions`: the ranges the lint pass computed (LintResult.positions); they are used when
    they hold every node involved, else the whole module's are computed here."""
    if positions is None or not all(node in positions for node in _nodes_of(requests)):
        positions = module_positions(module)

    def span(node: cst.CSTNode) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        where = positions[node]
        return (where.start.line, where.start.column), (where.end.line, where.end.column)

    chosen: List[FixRequest] = []
    spans: List[Tuple[Tuple[int, int], Tuple[int, int]]] = []
    solved: List[FixRequest] = []
    for request in sorted(requests, key=lambda request: span(_node(request))):
        if any(request.node is other.node and request.kind == other.kind for other in chosen):
            solved.append(request)
            continue
        own = [span(node) for node in (_node(request),) + tuple(request.also_remove)]
        if any(start < other_end and other_start < end for start, end in own
               for other_start, other_end in spans):
            continue
        chosen.append(request)
        spans.extend(own)
        solved.append(request)
    return chosen, solved


def module_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Every node's range in `module` (one codegen pass)."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def _node(request: FixRequest) -> cst.CSTNode:
    """The node a request rewrites: the fixer applies only requests that name one."""
    assert request.node is not None
    return request.node


def _nodes_of(requests: Sequence[FixRequest]) -> Iterator[cst.CSTNode]:
    for request in requests:
        yield _node(request)
        yield from request.also_remove


class _Rewriter(cst.CSTTransformer):
    """Swaps the requested nodes; removed statements leave their comments (and `pass`).

    With `positions`, it descends only into nodes whose range holds a requested node (a node
    without a range holds none): the rest of the module is left as it is without being visited
    (most of a large file). The caller checks that every requested node was met."""

    def __init__(self, planner: FixPlanner, requests: Sequence[FixRequest],
                 positions: Optional[Mapping[cst.CSTNode, CodeRange]] = None) -> None:
        super().__init__()
        self.planner = planner
        self.requests = {id(request.node): request for request in requests}
        for request in requests:
            for statement in request.also_remove:
                self.requests[id(statement)] = FixRequest("remove-statement", node=statement)
        self.removed_arguments: Set[int] = set()  # ids of the arguments a fix removes
        self.removed: Set[int] = set()  # ids of the `pass` markers that stand for removals
        self._alive: List[cst.CSTNode] = []  # keeps the markers alive so no id is reused
        self.dropped_names: Set[str] = set()
        # reads of each name inside the replaced nodes
        self.dropped_reads: Counter[str] = Counter()
        self.reached = 0  # requested nodes met; fewer than asked means a skip was wrong
        self.positions = positions
        self.spans: List[Tuple[Tuple[int, int], Tuple[int, int]]] = []
        if positions is not None:
            for node in _nodes_of(requests):
                where = positions[node]
                self.spans.append(((where.start.line, where.start.column),
                                   (where.end.line, where.end.column)))

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.positions is None:
            return super().on_visit(node)
        where = self.positions.get(node)
        if where is None and not isinstance(node, cst.Module):
            return False  # a top-level statement the lint pass had no finding in
        if where is not None:
            start = (where.start.line, where.start.column)
            end = (where.end.line, where.end.column)
            if not any(start <= first and last <= end for first, last in self.spans):
                return False  # holds no requested node: keep it as it is
        return super().on_visit(node)

    # A fix may put a node of another class in the node's place (an Attribute for a Name);
    # libcst's annotation asks for the same class, its rebuild only for a fitting one.
    def on_leave(  # type: ignore[override]
            self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> Union[cst.CSTNode, cst.RemovalSentinel, cst.FlattenSentinel[cst.CSTNode]]:
        request = self.requests.get(id(original_node))
        if request is None:
            return super().on_leave(original_node, updated_node)
        self.reached += 1
        read = imports.referenced_counts(original_node)
        self.dropped_names |= set(read)
        self.dropped_reads.update(read)
        new_node = self.planner.rewrite(request, updated_node)
        if new_node is None and request.kind == "remove-argument":
            self.removed_arguments.add(id(updated_node))  # leave_Call drops it
            self._alive.append(updated_node)
            return updated_node
        if new_node is None:  # a removed statement: the rules remove whole statement lines
            marker = _removal_marker(cast(cst.SimpleStatementLine, updated_node))
            self.removed.add(id(marker))
            self._alive.append(marker)
            return marker
        return new_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """Drop removed arguments; the previous argument takes the removed one's comma, so
        `f(a, b=False)` becomes `f(a)` and a trailing comma stays where it was."""
        if not any(id(arg) in self.removed_arguments for arg in updated_node.args):
            return updated_node
        kept: List[cst.Arg] = []
        for arg in updated_node.args:
            if id(arg) not in self.removed_arguments:
                kept.append(arg)
            elif kept:
                kept[-1] = kept[-1].with_changes(comma=arg.comma)
        return updated_node.with_changes(args=kept)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock,
                            updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        body, footer = self._without_markers(updated_node.body, keep_one=True)
        return updated_node.with_changes(body=body,
                                         footer=list(footer) + list(updated_node.footer))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body, footer = self._without_markers(updated_node.body, keep_one=False)
        return updated_node.with_changes(body=body,
                                         footer=list(footer) + list(updated_node.footer))

    def _without_markers(self, statements: Sequence[cst.BaseStatement], keep_one: bool
                         ) -> Tuple[Sequence[cst.BaseStatement], List[cst.EmptyLine]]:
        """Drop removal markers, moving their comment lines onto the next statement."""
        if not any(id(statement) in self.removed for statement in statements):
            return statements, []
        kept: List[cst.BaseStatement] = []
        pending: List[cst.EmptyLine] = []
        for statement in cast("Sequence[Statement]", statements):  # see cst_walk.Statement
            if id(statement) in self.removed:
                pending.extend(statement.leading_lines)
                continue
            if pending:
                statement = statement.with_changes(leading_lines=_merge_lines(
                    pending, list(statement.leading_lines)))
                pending = []
            kept.append(statement)
        if not kept and keep_one:
            return [cst.SimpleStatementLine([cst.Pass()], leading_lines=pending)], []
        if not any(line.comment is not None for line in pending):
            return kept, []
        while pending and pending[-1].comment is None:
            pending.pop()
        return kept, pending


def _merge_lines(removed: List[cst.EmptyLine], own: List[cst.EmptyLine]) -> List[cst.EmptyLine]:
    """The removed statement's comment lines go above the next statement; blank lines only
    when the next statement has no separation of its own."""
    if any(line.comment is not None for line in removed):
        return removed + own
    return own or removed


def _removal_marker(statement: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    """A `pass` carrying the removed statement's comments (its own line's comments included)."""
    comments = [cst.EmptyLine(comment=comment) for comment in _comments_inside(statement)]
    return cst.SimpleStatementLine([cst.Pass()],
                                   leading_lines=list(statement.leading_lines) + comments)


def _comments_inside(statement: cst.SimpleStatementLine) -> List[cst.Comment]:
    found: List[cst.Comment] = []

    class _Collect(cst.CSTVisitor):
        def visit_Comment(self, node: cst.Comment) -> None:
            found.append(node)

    for part in statement.body:
        part.visit(_Collect())
    statement.trailing_whitespace.visit(_Collect())
    return found


def apply(module: cst.Module, planner: FixPlanner, requests: Sequence[FixRequest],
          positions: Optional[Mapping[cst.CSTNode, CodeRange]] = None,
          named_in_stubs: Optional[Callable[[str], bool]] = None,
          order: ImportOrder = ImportOrder()) -> cst.Module:
    """One pass: rewrite the nodes, drop imports the rewrite left unused, add the new imports.

    `positions` (ranges of the requested nodes and their ancestors) lets the rewrite skip the
    parts of the module that hold no requested node. `named_in_stubs`: for a sliced module,
    whether the lines stubbed out name a word (see imports.remove_unused_imports). `order`:
    how the project's import sorter orders imports (where the new ones go)."""
    rewriter = _Rewriter(planner, requests, positions)
    rewritten = module.visit(rewriter)
    if positions is not None and rewriter.reached != len(rewriter.requests):
        rewriter = _Rewriter(planner, requests)  # a range did not hold its node: visit all
        rewritten = module.visit(rewriter)
    needed = planner.needed_imports()
    still_needed = rewriter.dropped_names - {item.local for item in needed}
    before = planner.names_if_known()
    if before is not None:  # a name read elsewhere too is still read after the rewrite
        still_needed = {name for name in still_needed
                        if before.read[name] <= rewriter.dropped_reads[name]}
    rewritten = imports.remove_unused_imports(rewritten, still_needed, named_in_stubs)
    rewritten = imports.add_imports(rewritten, needed, order)
    if not (rewritten.body or rewritten.header or rewritten.footer):
        return rewritten.with_changes(has_trailing_newline=False)  # an empty file, not "\n"
    return rewritten
