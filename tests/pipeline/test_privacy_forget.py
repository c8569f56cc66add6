"""152-ФЗ on request: ``mcu privacy forget`` deletes one resident's posts and the posts that
mention them, from the store and its full-text index, hides the story titles and alert cards that
quote them, and writes a record without the personal data."""
from __future__ import annotations

import collections
import json
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from core.store import SearchQuery
from pipeline.wiring import load_settings, opened_store, pseudonymizer
from testing.configs import demo_config

runner = CliRunner()


def busiest_resident(demo_folder: Path) -> int:
    """The VK user with the most posts and comments in the rendered demo (a real from_id there)."""
    counts: collections.Counter[int] = collections.Counter()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("from_id"), int) and node["from_id"] > 0:
                counts[node["from_id"]] += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (demo_folder / "vk").glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return counts.most_common(1)[0][0]


def test_forget_an_author_and_a_mention(tmp_path):
    config = demo_config(tmp_path)
    assert runner.invoke(app, ["scan", "-c", str(config)]).exit_code == 0
    settings = load_settings(config)
    resident = busiest_resident(tmp_path / "demo")
    pseudonym = pseudonymizer(settings).author(str(resident))
    with opened_store(settings) as db:
        theirs = db.post_ids_by_author(pseudonym)
        texts = [p.full_text for p, _ in db.posts_by_ids(theirs)]
        mentioned = db.search(SearchQuery(text="Лаптево", limit=1000))
    assert len(theirs) >= 2, "precondition: the resident wrote several posts"
    phrase = "водонапорной башне"
    result = runner.invoke(app, ["privacy", "forget", "--author", str(resident), "--mention", phrase, "--yes",
                                 "--who", "Оператор", "-c", str(config)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert f"автора {len(theirs)}" in result.output
    with opened_store(settings) as db:
        assert db.post_ids_by_author(pseudonym) == []
        assert db.posts_by_ids(theirs) == []
        assert not any(phrase in h.post.full_text for h in db.search(SearchQuery(text="башня", limit=1000)))
        left = {h.post.id for h in db.search(SearchQuery(text="Лаптево", limit=1000))}
        assert left < {h.post.id for h in mentioned}  # others' posts about Лаптево stay, these went
        for story in db.recent_stories(db.list_risks()[0].created_at.replace(year=2000)):
            assert story.first_post_id not in theirs or "удалено по запросу" in story.title
    record = (settings.data_dir / "privacy" / "requests.jsonl").read_text(encoding="utf-8").splitlines()
    line = json.loads(record[-1])
    assert line["actor"] == "Оператор" and line["author"] == pseudonym and line["posts"] >= len(theirs)
    assert str(resident) not in record[-1] and phrase not in record[-1]
    assert not any(text[:40] in record[-1] for text in texts)


def test_forget_needs_someone_to_forget(tmp_path):
    result = runner.invoke(app, ["privacy", "forget", "--yes", "-c", str(demo_config(tmp_path))])
    assert result.exit_code == 2 and "укажите --author" in result.output
