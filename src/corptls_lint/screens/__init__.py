"""The two screens in front of libcst: the byte screen (`byte_patterns`: the shapes in which
a rule's trigger word counts) and the syntax screen (`candidates`: the node shapes a rule's
findings can have, checked on the stdlib `ast` tree). Rules declare both; the engine runs them.

May import: `source`, `ftypes`.
"""
