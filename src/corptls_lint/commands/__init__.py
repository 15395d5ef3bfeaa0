"""The subcommands of `corptls-lint`, one module each (`check`, the linter; `doctor`; `init`, a
project's trust module, fix targets and hook; `server`, the language server), with the same small interface (`NAME`, `HELP`,
`EPILOG`, `add_arguments`, `run`) that `cli` builds its parser from and dispatches to; `common`
holds the program's name and the exit codes.

May import: `server` (which imports pygls: only inside `server.run`), `running`, `doctor`, `docs_gen`, `output`, `adoption`, `checking`, `rules`, `source`
(the one door for the files a run writes: reports, init's files), `ftypes`; never a front-end
(`cli`, `flake8_plugin`).
"""
