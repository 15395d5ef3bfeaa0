"""Adopting the linter on a codebase that already has findings: baselines keyed by statement
fingerprints (`baseline`, `fingerprint`) and `--add-noqa` (`add_noqa`).

May import: `checking` (the noqa grammar), `source`, `ftypes`.
"""
