"""Adopting the linter on a codebase that already has findings: baselines keyed by statement
fingerprints (`baseline`, `fingerprint`) and `--add-noqa` (`add_noqa`); and, for `init`, the
pre-commit hook entry (`pre_commit`) and the trust module it writes (`trust_module`: its text is
the template, read and never imported by the package).

May import: `checking` (the noqa grammar), `source`, `ftypes`.
"""
