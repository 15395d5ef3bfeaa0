"""What the commands share with `cli`: the program's name and the exit codes."""

PROG = "corptls-lint"
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
