"""VK: walls of publics and groups, comments and their threads, keyword and geo search (vk_api).

``config`` (the source model) is light; ``collector`` and ``check`` load vk_api and register
themselves when a scan or a check needs them (``collectors.base``)."""
