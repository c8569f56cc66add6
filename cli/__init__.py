"""The ``mcu`` command line (application layer): ``cli.app`` builds it, ``cli/commands/`` holds
one module per area, ``cli.options`` what they share, ``cli.display`` the Rich output."""
