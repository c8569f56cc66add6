"""VK: walls of publics and groups, comments and their threads, keyword and geo search (vk_api)."""
from collectors.vk import check as _check  # noqa: F401  (registers the source check)
from collectors.vk.collector import VkCollector

__all__ = ["VkCollector"]
