"""A person's request under 152-ФЗ: delete their posts and the posts that mention them, from the
store and its search index, redact what quotes those posts (story titles, alert cards), and
write a record that it was done (without the personal data itself)."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from core.config import Settings
from core.store import SearchQuery, Store
from pipeline.wiring import pseudonymizer

REDACTED = "(удалено по запросу субъекта персональных данных, 152-ФЗ)"
MENTION_LIMIT = 100_000


@dataclass
class ForgetReport:
    posts: int = 0
    redacted: int = 0
    by_author: int = 0
    by_mention: int = 0
    record: Path | None = None
    stories: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def find_posts(store: Store, settings: Settings, author: str | None, mentions: list[str]) -> tuple[set[str], set[str]]:
    """(ids by the author, ids that mention one of the phrases). The author is the platform id as
    staff know it (a VK or Telegram user id); the store holds its keyed pseudonym."""
    by_author: set[str] = set()
    if author:
        for candidate in {author.strip(), pseudonymizer(settings).author(author.strip())}:
            by_author |= set(store.post_ids_by_author(candidate))
    by_mention: set[str] = set()
    for phrase in mentions:
        wanted = _fold(phrase)
        if not wanted:
            continue
        hits = store.search(SearchQuery(text=phrase, limit=MENTION_LIMIT))
        by_mention |= {h.post.id for h in hits if wanted in _fold(h.post.full_text)}
    return by_author, by_mention


def forget(store: Store, settings: Settings, author: str | None, mentions: list[str], actor: str,
           now: datetime, dry_run: bool = False) -> ForgetReport:
    by_author, by_mention = find_posts(store, settings, author, mentions)
    doomed = by_author | by_mention
    stories = sorted({a.story_id for _, a in store.posts_by_ids(sorted(doomed)) if a is not None and a.story_id})
    quoted = [s for s in stories if (story := store.get_story(s)) is not None and story.first_post_id in doomed]
    report = ForgetReport(by_author=len(by_author), by_mention=len(by_mention), stories=quoted)
    if dry_run:
        report.posts = len(doomed)
        return report
    report.posts = store.delete_posts(sorted(doomed))
    report.redacted = store.redact_stories(quoted, REDACTED)
    report.record = write_record(settings, actor, now, author, mentions, report)
    return report


def write_record(settings: Settings, actor: str, now: datetime, author: str | None, mentions: list[str],
                 report: ForgetReport) -> Path:
    """One JSON line per request in ``<data>/privacy/requests.jsonl``: who, when, how much; the
    author only as the keyed pseudonym, the phrases only as hashes."""
    path = settings.data_dir / "privacy" / "requests.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    line = {"at": now.isoformat(), "actor": actor,
            "author": pseudonymizer(settings).author(author.strip()) if author else None,
            "mentions_sha256": [hashlib.sha256(_fold(m).encode("utf-8")).hexdigest() for m in mentions],
            **{k: v for k, v in asdict(report).items() if k in ("posts", "redacted", "by_author", "by_mention")}}
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path
