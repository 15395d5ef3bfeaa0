"""Source files in and out: bytes to text the way Python reads a file (BOM, PEP 263),
text back to bytes the way the file was stored (atomic, mode and owner kept), and the guard on
what may be handed to a parser at all (size, nesting).

May import: `corptls_lint.ftypes` only.
"""
