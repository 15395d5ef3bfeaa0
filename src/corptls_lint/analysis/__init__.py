"""What a piece of code means, on the libcst tree: who binds a name and through which import
(`scopes`), what a small expression evaluates to (`values`), which calls reach the HTTP and TLS
clients of SPEC section 1 (`clients`), where a value that travels to such a call was written
(`travel`), and a fast walk over a tree (`cst_walk`).

May import: `screens`, `source`, `ftypes`.
"""
