"""Checking one file's text: the engine (screen by bytes and by syntax, parse once with libcst,
run every enabled rule in one pass, turn reports into findings) and `# noqa`, read as flake8
reads it. The CLI, the flake8 plugin and the fixer all come through `engine.lint_source`.

May import: `fixing`, `rules`, `analysis`, `screens`, `source`, `ftypes`.
"""
