"""`python -m benchmarks`: the W1-W4 suite, hebblab beside Brian2 (see benchmarks/run.py)."""

from benchmarks.run import main

raise SystemExit(main())
