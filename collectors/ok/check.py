"""``mcu sources check`` for Одноклассники: the keys and the token work and the group can be read."""
from __future__ import annotations

from collectors.base import CollectorError, SourceCheck, SourceUnavailable, register_check
from collectors.ok.client import ReplayOkClient
from collectors.ok.guard import GuardedOkClient, OkSkip
from core.config import ConfigError


@register_check("ok")
def check_ok(source, settings) -> SourceCheck:
    from collectors.ok.collector import live_client, resolve_group

    try:
        if source.replay:
            api = GuardedOkClient(ReplayOkClient(settings.resolve(source.replay)), source)
        else:
            api = live_client(source, settings)
        try:
            gid, group = resolve_group(api, source.group)
            page = api.call("mediatopic.getTopics", gid=gid, count=1, fields="media_topic.*")
        finally:
            api.close()
        topics = page.get("media_topics") if isinstance(page, dict) else None
        prefix = "запись (replay): " if source.replay else "ключи и токен действительны; "
        detail = (f"«{group.get('name', source.group)}»: участников {group.get('members_count', '?')}, "
                  f"темы {'читаются' if topics else 'не найдены'}")
        return SourceCheck("ok" if topics else "warning", prefix + detail)
    except OkSkip as exc:
        return SourceCheck("error", f"группа «{source.group}» недоступна: {exc}")
    except ConfigError as exc:
        return SourceCheck("error", f"ключи не найдены: задайте {source.application_key_env}, "
                                    f"{source.secret_key_env} и {source.token_env} ({exc})")
    except (CollectorError, SourceUnavailable) as exc:
        return SourceCheck("error", str(exc))
