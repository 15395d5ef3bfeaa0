from __future__ import annotations

from typing import Optional, Tuple, cast

import libcst as cst

from corptls_lint.analysis import clients, values
from corptls_lint.ftypes import identifier
from corptls_lint.rules.base import OFF, ClientUse, FixRequest, Invalid, Rule
from corptls_lint.screens.shapes import NONE, Argument, CallTo

_CONSTRUCTORS = clients.STDLIB_TLS_CLIENTS
_UPGRADES = clients.STDLIB_TLS_UPGRADES


class StdlibClientWithoutContext(Rule):
    """
    ## What it does
    Finds the standard library's mail, file and news clients opened over TLS without an SSL
    context, or with `context=None`:

    - `smtplib.SMTP_SSL`, `imaplib.IMAP4_SSL`, `poplib.POP3_SSL`, `ftplib.FTP_TLS`,
      `nntplib.NNTP_SSL`, under any import alias;
    - the upgrade of a plain connection: `.starttls()` in a module that imports `smtplib` or
      `imaplib`, `.stls()` in one that imports `poplib`.

    A call that passes `**kwargs` or enough positional arguments to reach the context is not
    reported. Nor is an upgrade that is not the standard library's: one passing a keyword no
    standard library upgrade takes (aiosmtplib's `starttls(tls_context=...)`,
    `validate_certs=`), or `self.starttls()` where the class around it defines its own
    `starttls` (an asyncio mail client's method, which picks its own context). `http.client.HTTPSConnection` is not reported: since Python 3.4.3 (PEP 476) it
    verifies by default.

    ## Why is this bad?
    Without a context these classes use `ssl._create_stdlib_context()`, which checks neither
    the certificate nor the host name: the connection is encrypted, but to whoever answers.
    Mail relay passwords and IMAP credentials then go to a man in the middle, and nothing
    fails.

    ## Example
    ```python
    import smtplib

    with smtplib.SMTP_SSL("smtp.internal.example.com") as smtp:
        smtp.login(user, password)
    ```

    ## Use instead
    ```python
    import smtplib
    from corp_tls import ssl_context

    with smtplib.SMTP_SSL("smtp.internal.example.com", context=ssl_context()) as smtp:
        smtp.login(user, password)
    ```

    ## Fix
    Offered when `ssl-context` is configured: the context is added to the call by the keyword
    that client takes, or replaces its `None`. Safe. `context=` for `SMTP_SSL`, `POP3_SSL`,
    `FTP_TLS`, smtplib's `starttls()` and poplib's `stls()`; `ssl_context=` for `IMAP4_SSL`,
    `NNTP_SSL` and imaplib's `starttls()`. The keyword is a keyword in every Python from 3.9
    on (3.12 removed the `keyfile`/`certfile` positionals before it). Which module a
    `.starttls()` belongs to is read from its receiver's creation (`box = imaplib.IMAP4(...)`),
    else from the one of smtplib and imaplib the file imports; a file that imports both and
    whose receiver says nothing gets no fix. (`nntplib` is deprecated since Python 3.11 and
    removed in 3.13; the fix is for code that still runs on 3.12.)

    ## Options
    - `ssl-context`

    ## References
    - Python: smtplib.SMTP_SSL, https://docs.python.org/3/library/smtplib.html#smtplib.SMTP_SSL
    - Python: Security considerations, https://docs.python.org/3/library/ssl.html#ssl-security
    - CWE-295: Improper Certificate Validation, https://cwe.mitre.org/data/definitions/295.html
    """

    code = "TLS106"
    name = "stdlib-client-without-context"
    message = "TLS connection with the standard library's unverified default context"
    triggers = (tuple(sorted({name.rsplit(".", 1)[1].encode() for name in _CONSTRUCTORS}
                             | {name.encode() for name in _UPGRADES})),)
    # A call that passes its context (positionally, or as anything but None) is never one.
    candidates = (
        *(clients.calls_to({name}, argument=Argument(position, (keyword,), NONE))
          for name, (keyword, position) in sorted(_CONSTRUCTORS.items())),
        *(CallTo((method,), roots, argument=Argument(0, keywords, NONE))
          for method, (roots, keywords) in sorted(_UPGRADES.items())),
    )
    has_fix = True
    fix_keys = ("ssl-context",)

    client_uses = (
        ClientUse('smtplib, imaplib, poplib, ftplib, nntplib',
                  '`SMTP_SSL`, `IMAP4_SSL`, `POP3_SSL`, `FTP_TLS`, `NNTP_SSL`, `starttls()`, `stls()` without a context (or `context=None`)',
                  OFF, "`context=<ssl-context>` (the client's own keyword)"),
    )

    VALID = [
        "import smtplib, ssl\nsmtplib.SMTP_SSL(host, context=ssl.create_default_context())\n",
        "import imaplib\nimaplib.IMAP4_SSL(host, ssl_context=CTX)\n",
        "import smtplib\ns = smtplib.SMTP(host)\ns.starttls(context=CTX)\n",
        "import smtplib\nsmtplib.SMTP_SSL(host, **options)\n",
        "import http.client\nhttp.client.HTTPSConnection(host)\n",
        "tls.starttls()\n",
        # aiosmtplib's upgrade takes its context as tls_context=
        "import smtplib, aiosmtplib\n"
        "async def send(client, ctx):\n"
        "    await client.starttls(tls_context=ctx)\n",
        # the class's own starttls, not smtplib's
        "import ssl, smtplib\n"
        "class Client:\n"
        "    async def connect(self):\n"
        "        await self.starttls()\n"
        "    async def starttls(self, context=None):\n"
        "        await self.upgrade(context or ssl.create_default_context())\n",
    ]
    INVALID = [
        Invalid(
            "import smtplib\n"
            "with smtplib.SMTP_SSL('smtp.example.com') as smtp:\n"
            "    smtp.login(user, password)\n",
            [(2, 6)],
            "import smtplib\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "with smtplib.SMTP_SSL('smtp.example.com', context=ssl_context()) as smtp:\n"
            "    smtp.login(user, password)\n"),
        Invalid(
            "from imaplib import IMAP4_SSL as Mailbox\n"
            "box = Mailbox(host, 993, ssl_context=None)\n",
            [(2, 7)],
            "from imaplib import IMAP4_SSL as Mailbox\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "box = Mailbox(host, 993, ssl_context=ssl_context())\n"),
        Invalid(
            "import smtplib\n"
            "def send(host):\n"
            "    server = smtplib.SMTP(host, 587)\n"
            "    server.starttls()\n",
            [(4, 5)],
            "import smtplib\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "\n"
            "def send(host):\n"
            "    server = smtplib.SMTP(host, 587)\n"
            "    server.starttls(context=ssl_context())\n"),
        Invalid(
            "import ftplib, poplib\n"
            "ftps = ftplib.FTP_TLS(host)\n"
            "pop = poplib.POP3(host)\n"
            "pop.stls()\n",
            [(2, 8), (4, 1)],
            "import ftplib, poplib\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "ftps = ftplib.FTP_TLS(host, context=ssl_context())\n"
            "pop = poplib.POP3(host)\n"
            "pop.stls(context=ssl_context())\n"),
        # imaplib's starttls takes ssl_context=, smtplib's context=: the receiver tells
        Invalid(
            "import imaplib, smtplib\n"
            "box = imaplib.IMAP4(host)\n"
            "box.starttls()\n"
            "relay = smtplib.SMTP(host)\n"
            "relay.starttls()\n",
            [(3, 1), (5, 1)],
            "import imaplib, smtplib\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "box = imaplib.IMAP4(host)\n"
            "box.starttls(ssl_context=ssl_context())\n"
            "relay = smtplib.SMTP(host)\n"
            "relay.starttls(context=ssl_context())\n"),
        Invalid(
            "import imaplib\n"
            "def secure(connection):\n"
            "    connection.starttls()\n",
            [(3, 5)],
            "import imaplib\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "\n"
            "def secure(connection):\n"
            "    connection.starttls(ssl_context=ssl_context())\n"),
        # a subclass of smtplib's client that does not define starttls: smtplib's
        Invalid(
            "import smtplib\n"
            "class Mailer(smtplib.SMTP):\n"
            "    def secure(self):\n"
            "        self.starttls()\n",
            [(4, 9)],
            "import smtplib\n"
            "\n"
            "from corp_tls import ssl_context\n"
            "\n"
            "\n"
            "class Mailer(smtplib.SMTP):\n"
            "    def secure(self):\n"
            "        self.starttls(context=ssl_context())\n"),
        Invalid(  # both modules imported, and the receiver says nothing: no fix
            "import imaplib, smtplib\n"
            "def secure(connection):\n"
            "    connection.starttls()\n",
            [(3, 5)]),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualified = self.qualify(node.func)
        if qualified in _CONSTRUCTORS:
            name, position = _CONSTRUCTORS[qualified]
            self._check(node, (name,), position, name)
        elif clients.is_unresolved_method(node, qualified, _UPGRADES):
            # cast: is_unresolved_method found an attribute
            roots, names = _UPGRADES[identifier(cast(cst.Attribute, node.func).attr.value)]
            if clients.imports_module(self.scope, roots) and not self._foreign(node):
                # starttls(keyfile, certfile, context) before 3.12: any positional may be it
                self._check(node, names, 0, self._upgrade_keyword(node, roots))

    def _check(self, node: cst.Call, names: Tuple[str, ...], position: int,
               added: Optional[str] = None) -> None:
        """`added`: the keyword a fix adds (None: the call's module is not known, no fix)."""
        if clients.has_double_star(node) or clients.positional(node, position) is not None:
            return
        for name in names:
            arg = clients.keyword(node, name)
            if arg is not None:
                if isinstance(arg.value, cst.Name) and identifier(arg.value.value) == "None":
                    self.report(node, fix=FixRequest("ssl-context", node=arg.value))
                return
        self.report(node, fix=FixRequest("add-verify", node=node, extra=("ssl-context", added))
                    if added is not None else None)

    def _foreign(self, node: cst.Call) -> bool:
        """An upgrade call that is not the standard library's: a keyword none of its upgrades
        takes (aiosmtplib's `tls_context=`), or the class's own method on `self`."""
        if any(arg.keyword is not None and identifier(arg.keyword.value) not in
               _STDLIB_UPGRADE_KEYWORDS for arg in node.args):
            return True
        func = cast(cst.Attribute, node.func)
        if not (isinstance(func.value, cst.Name) and identifier(func.value.value) == "self"):
            return False
        owner = self.scope.enclosing("class")
        return owner is not None and identifier(func.attr.value) in owner.names

    def _upgrade_keyword(self, node: cst.Call, roots: Tuple[str, ...]) -> Optional[str]:
        """The keyword of the receiver's upgrade method: `context` (smtplib's starttls,
        poplib's stls), `ssl_context` (imaplib's starttls). Known from the receiver's creation
        (`server = smtplib.SMTP(...)`), else from the one module of `roots` the file imports;
        None when neither tells."""
        receiver, scope = values.origin(cast(cst.Attribute, node.func).value, self.scope)
        qualified = scope.qualify(receiver.func) if isinstance(receiver, cst.Call) else None
        imported = [root for root in roots if qualified is not None
                    and qualified.startswith(root + ".")]
        if not imported:
            imported = [root for root in roots if clients.imports_module(self.scope, (root,))]
        return _UPGRADE_KEYWORDS[imported[0]] if len(imported) == 1 else None


# The keyword each module's upgrade method takes its context by.
_UPGRADE_KEYWORDS = {"smtplib": "context", "imaplib": "ssl_context", "poplib": "context"}
# Every keyword the standard library's upgrades take (smtplib's starttls before 3.12 also
# keyfile= and certfile=): a call passing another is some other library's method.
_STDLIB_UPGRADE_KEYWORDS = frozenset({"context", "ssl_context", "keyfile", "certfile"})
