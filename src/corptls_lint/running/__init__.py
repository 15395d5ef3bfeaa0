"""Running the linter over a tree: which files (`files`), the configuration of each
(`config`, `projects`; `config_edit` writes keys for `init`), the process pool (`runner`), the
result cache (`cache`), the fix loop and its writes (`fixer`), standard input
(`stdin_source`), the progress bar and start-up.

May import: `checking`, `fixing`, `output`, `rules`, `screens`, `source`, `ftypes`; never a
front-end (`cli`, `flake8_plugin`).
"""
