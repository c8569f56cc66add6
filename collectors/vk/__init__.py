"""VK: walls of publics and groups, comments and their threads (vk_api)."""
from collectors.vk.collector import VkCollector

__all__ = ["VkCollector"]
