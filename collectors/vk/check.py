"""``mcu sources check`` for VK: the token works and the wall (or the search) can be read."""
from __future__ import annotations

from collectors.base import CollectorError, SourceCheck, SourceUnavailable, register_check
from collectors.vk.client import ReplayVkClient
from collectors.vk.guard import GuardedClient, VkSkip, VkStop
from collectors.vk.mapping import map_group
from core.config import ConfigError


@register_check("vk")
def check_vk(source, settings) -> SourceCheck:
    from collectors.vk.collector import live_client, owner_ref

    try:
        if source.replay:
            api = GuardedClient(ReplayVkClient(settings.resolve(source.replay)), source.key, attempts=1)
        else:
            api = live_client(source, settings)
        details = []
        if source.owner:
            group = map_group(api.call("groups.getById", group_id=owner_ref(source.owner), fields="members_count"))
            if group.get("deactivated"):
                return SourceCheck("error", f"сообщество «{source.owner}» удалено или заблокировано")
            wall = api.call("wall.get", owner_id=-int(group["id"]), count=1, offset=0)
            posts = wall.get("count", 0) if isinstance(wall, dict) else 0
            details.append(f"«{group.get('name', source.owner)}»: участников {group.get('members_count', '?')}, "
                           f"записей на стене {posts}")
        if source.search:
            try:
                api.call("newsfeed.search", q=source.search[0], count=1)
                details.append(f"поиск по VK работает ({len(source.search)} запрос(а/ов))")
            except VkSkip as exc:
                return SourceCheck("warning" if source.owner else "error",
                                   "; ".join(details + [f"поиск не работает: {exc}"]))
        prefix = "запись (replay): " if source.replay else "токен действителен; "
        return SourceCheck("ok", prefix + "; ".join(details))
    except VkSkip as exc:
        return SourceCheck("error", f"стена «{source.owner}» недоступна: {exc}")
    except ConfigError as exc:
        return SourceCheck("error", f"токен не найден: задайте переменную окружения {source.token_env} ({exc})")
    except (VkStop, CollectorError, SourceUnavailable) as exc:
        return SourceCheck("error", str(exc))
