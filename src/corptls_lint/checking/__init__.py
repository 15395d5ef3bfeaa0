"""Checking one file's text: the engine (parse once with libcst, run every enabled rule in
one pass, turn reports into findings), the byte screen in front of it (`byte_screen`), where
the reported nodes are (`positions`) and `# noqa`, read as flake8 reads it. The CLI, the flake8
plugin and the fixer all come through `engine.lint_source`.

May import: `fixing`, `rules`, `analysis`, `screens`, `source`, `ftypes`.
"""
