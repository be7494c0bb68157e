from mitmachen.cli import main

raise SystemExit(main())
