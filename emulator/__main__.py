"""`python -m emulator --port 8765 --seed 0 [--snapshot file.json] [--demo]`, or
`python -m emulator --coverage [--summary]` (what the emulator answers of each schema)."""

import sys

from .cli import main

sys.exit(main())
