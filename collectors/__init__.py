"""Collectors (a stage): one folder per platform, each with its source config, a pure mapping,
a collector and a check. Importing this package registers every platform's source model with
the kernel's settings; the collectors themselves load only when a scan needs them."""
from collectors.ok import config as _ok  # noqa: F401  (registers platform: ok)
from collectors.appeals import config as _appeals  # noqa: F401  (registers platform: appeals)
from collectors.rss import config as _rss  # noqa: F401  (registers platform: rss)
from collectors.site import config as _site  # noqa: F401  (registers platform: site)
from collectors.telegram import config as _telegram  # noqa: F401  (registers platform: telegram)
from collectors.vk import config as _vk  # noqa: F401  (registers platform: vk)
