"""`python -m hebblab` is the `hebblab` command."""

import sys

from hebblab.cli.main import main

sys.exit(main())
