"""How a rule's fix request becomes an edit: the rewrite of the reported nodes (`edits`), the
imports that edit needs (`imports`), and which configured target a fix needs before it is
offered (`fix_requirements`). Writing the result to disk is `running.fixer`'s job.

May import: `rules`, `analysis`, `screens`, `source`, `ftypes`.
"""
