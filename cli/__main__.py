"""``python -m cli`` is ``mcu``."""
from cli.app import main

main()
