"""`python -m hebblab.engines.nest_module`: build hebblab's NEST module for this Python's NEST
and install it where the stdp scripts find it. Prints where; on failure one line, exit 2."""

import sys

from hebblab.engines.nest_module import MODULE, SYNAPSES, build
from hebblab.errors import UsageError


def main() -> int:
    try:
        path = build()
    except UsageError as err:
        print(f"hebblab: error: {err}", file=sys.stderr)
        return 2
    print(f"installed {MODULE} ({', '.join(SYNAPSES)}) in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
