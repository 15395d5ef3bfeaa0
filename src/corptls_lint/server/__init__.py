"""The language server (`corptls-lint server`, on pygls): an editor's open documents linted
as they are typed, with the fixes as code actions. `linting` is what it asks of the linter
(the per-file configuration as the CLI resolves it, one finding's fix, every fix, a noqa
comment), `text_edits` the lines, columns and minimal edits of the protocol, `protocol` the
server itself (the only module that imports pygls, which the `server` extra installs).

May import: `running`, `output`, `adoption`, `checking`, `rules`, `source`, `ftypes` (what
`commands` may, but `commands` itself); never a front-end (`cli`, `flake8_plugin`).
"""
