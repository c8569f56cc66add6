"""Test support shared by ``tests/`` and ``bench/``: not part of the installed program.

It sits outside the three layers (``tests/test_layers.py``): it may import any package of the
program, and no package of the program imports it.

* ``testing.fakes``: stand-ins for the services we cannot reach in tests, speaking their wire
  formats on 127.0.0.1 (HTTP sites and feeds, the VK API, the Telegram Bot API) or standing
  where the client library stands (Telethon);
* ``testing.configs``: config files for a temporary folder (the Pestovo gazetteer and
  rubricator, a store and an alert file inside the folder; the demo with its replay files).
"""
