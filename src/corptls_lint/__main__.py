from corptls_lint.cli import main

raise SystemExit(main())
