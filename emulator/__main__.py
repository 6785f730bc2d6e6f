"""`python -m emulator --port 8765 --seed 0 [--snapshot file.json] [--demo]`"""

from .cli import main

main()
