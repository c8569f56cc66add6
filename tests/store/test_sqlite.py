"""What is particular to the SQLite store: file, schema, FTS upkeep, threads, factory URLs."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.store import ConflictError, SearchQuery, StoreError
from store.factory import open_store
from store.sqlite import SCHEMA_VERSION, SqliteStore, fts_match

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "mcu.sqlite"


@pytest.fixture
def sqlite_store(db: Path, lemmatize):
    with SqliteStore(db, lemmatize) as opened:
        yield opened


def raw(db: Path, sql: str) -> list[tuple]:
    """Read the file through a separate connection, as another process would."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_creates_parent_dirs_and_uses_wal(sqlite_store: SqliteStore, db: Path) -> None:
    assert db.exists()
    assert raw(db, "PRAGMA journal_mode") == [("wal",)]


def test_schema_version(sqlite_store: SqliteStore, db: Path) -> None:
    assert raw(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    tables = {name for (name,) in raw(db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    expected = {"posts", "analyses", "post_places", "posts_fts", "stories", "risks", "alerts", "watermarks",
                "pending_stories", "raw_items"}
    assert expected <= tables


def test_reopening_does_not_migrate_again(db: Path, lemmatize) -> None:
    SqliteStore(db, lemmatize).close()
    SqliteStore(db, lemmatize).close()
    assert raw(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


AS_VERSION_3 = ("DROP TABLE appeals_fts; DROP TABLE appeal_places; DROP TABLE appeals; "
                "DROP INDEX posts_poll; ALTER TABLE posts DROP COLUMN has_poll; "
                "ALTER TABLE posts DROP COLUMN deleted_at; DROP INDEX analyses_facets;")
"""Undo schemas 6, 5 and 4 on a current file: the file as schema 3 left it."""


def test_a_version_3_file_finds_its_polls_and_deleted_posts(db: Path, lemmatize, make) -> None:
    """Schema 5 added ``has_poll`` (filled from the stored post JSON) and ``deleted_at`` (no post of
    an older schema was ever marked)."""
    from core.polls import Poll, PollOption
    from core.store import SearchQuery

    post, analysis = make.item("1", "Голосуем за площадку")
    post = post.model_copy(update={"poll": Poll(question="Где?", options=[PollOption(text="У школы", votes=3)])})
    plain = make.item("2", "Нет воды в Лаптево")
    with SqliteStore(db, lemmatize) as store:
        store.upsert_posts([(post, analysis), plain])
    conn = sqlite3.connect(db)
    conn.executescript(f"{AS_VERSION_3} PRAGMA user_version = 3;")
    conn.close()
    with SqliteStore(db, lemmatize) as store:
        assert [h.post.id for h in store.search(SearchQuery(polls=True))] == [post.id]
        assert store.get_post(post.id) == (post, analysis)
        store.mark_deleted([post.id], make.at(5))
    assert raw(db, "SELECT id, deleted_at FROM posts ORDER BY id") == sorted(
        [(post.id, "2025-03-10T17:00:00.000000Z"), (plain[0].id, None)])


def test_a_version_2_file_gains_the_raw_items_table(db: Path, lemmatize, make) -> None:
    """Schema 3 added raw items: a file of schema 2 keeps its posts and can store raw items."""
    post, analysis = make.item("1", "Нет воды в Лаптево")
    with SqliteStore(db, lemmatize) as store:
        store.upsert_posts([(post, analysis)])
    conn = sqlite3.connect(db)
    conn.executescript(f"DROP TABLE raw_items; {AS_VERSION_3} PRAGMA user_version = 2;")  # as version 2 left it
    conn.close()
    with SqliteStore(db, lemmatize) as store:
        assert raw(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert store.get_post(post.id) == (post, analysis)
        item = make.raw(post)
        assert store.upsert_posts([(post, analysis)], {post.id: item}).unchanged == 1
        assert list(store.raw_items()) == [item]
    assert raw(db, "SELECT post_id, platform, source, kind, mapper FROM raw_items") == [
        (post.id, "vk", "city_vk", "post", 1)]


def test_a_newer_schema_is_refused(db: Path, lemmatize) -> None:
    SqliteStore(db, lemmatize).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(db, lemmatize)


def test_fts_row_is_replaced_on_update(sqlite_store: SqliteStore, db: Path, make) -> None:
    post, analysis = make.item("1", "Разбиты дороги и ямы")
    sqlite_store.upsert_posts([(post, analysis)])
    edited = post.model_copy(update={"text": "Мусор не вывозят"})
    result = sqlite_store.upsert_posts([(edited, make.analysis(edited))])
    assert result.updated == 1
    assert sqlite_store.search(SearchQuery(text="дорога")) == []
    assert [h.post.id for h in sqlite_store.search(SearchQuery(text="мусор"))] == [post.id]
    assert raw(db, "SELECT COUNT(*) FROM posts_fts") == [(1,)]
    assert raw(db, "SELECT seq FROM posts") == raw(db, "SELECT rowid FROM posts_fts")


def test_places_are_replaced_on_update(sqlite_store: SqliteStore, make) -> None:
    post, _ = make.item("1", "Нет воды")
    sqlite_store.upsert_posts([(post, make.analysis(post, places=("Быково",)))])
    sqlite_store.upsert_posts([(post, make.analysis(post, places=("Лаптево",)))])
    assert sqlite_store.aggregate("place", SearchQuery()) == {"Лаптево": 1}


def test_purge_removes_index_rows(sqlite_store: SqliteStore, db: Path, corpus, make) -> None:
    sqlite_store.upsert_posts(corpus.values())
    sqlite_store.purge_before(make.at(-24))
    assert raw(db, "SELECT COUNT(*) FROM posts_fts") == [(3,)]
    assert raw(db, "SELECT COUNT(*) FROM analyses") == [(3,)]
    assert raw(db, "SELECT COUNT(DISTINCT post_id) FROM post_places") == [(2,)]


def test_reopen_persists_everything(db: Path, lemmatize, corpus, make) -> None:
    with SqliteStore(db, lemmatize) as first:
        first.upsert_posts(corpus.values())
        first.upsert_story(make.story("s1"))
        risk = first.save_risk(make.risk("s1"))
        first.add_alert(make.alert("s1"))
        first.set_watermark("city_vk", "42")
    with SqliteStore(db, lemmatize) as second:
        assert second.stats().posts == 5
        assert len(second.search(SearchQuery(text="дорогу"))) == 2
        assert second.get_post(corpus["roads_vk"][0].id) == corpus["roads_vk"]
        assert second.get_story("s1") == make.story("s1")
        assert second.get_risk(risk.id) == risk
        assert second.list_alerts() == [make.alert("s1")]
        assert second.get_watermark("city_vk") == "42"


def test_closed_store_raises_store_error(db: Path, lemmatize) -> None:
    opened = SqliteStore(db, lemmatize)
    opened.close()
    opened.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        opened.stats()


def test_two_connections_see_each_others_versions(db: Path, lemmatize, make) -> None:
    """Two processes on one file: the version check holds across connections."""
    with SqliteStore(db, lemmatize) as a, SqliteStore(db, lemmatize) as b:
        a.save_risk(make.risk("s1"))
        from_a, from_b = a.get_risk(make.risk("s1").id), b.get_risk(make.risk("s1").id)
        assert from_a is not None and from_b is not None
        a.save_risk(from_a)
        with pytest.raises(ConflictError):
            b.save_risk(from_b)


def test_concurrent_upserts_from_threads(sqlite_store: SqliteStore, make) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(20):
                sqlite_store.upsert_posts([make.item(f"{worker}-{i}", f"Пост номер {i}")])
                sqlite_store.search(SearchQuery(text="пост"))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sqlite_store.count(SearchQuery(text="пост")) == 160


def test_yo_is_folded_to_ye(db: Path, make) -> None:
    def split(text: str) -> list[str]:
        return text.lower().split()

    with SqliteStore(db, split) as plain:
        post, analysis = make.item("1", "Ёлка на площади")
        plain.upsert_posts([(post, analysis.model_copy(update={"lemmas": ["ёлка", "на", "площадь"]}))])
        assert [h.post.id for h in plain.search(SearchQuery(text="елка"))] == [post.id]
        assert [h.post.id for h in plain.search(SearchQuery(text="ЁЛКА"))] == [post.id]


# the FTS expression ---------------------------------------------------------
def test_fts_match_quotes_every_term() -> None:
    assert fts_match(["дорога", "яма"]) == '"дорога" AND "яма"'
    assert fts_match(["OR", "NEAR", "a*"]) == '"or" AND "near" AND "a*"'
    assert fts_match(['ab"c']) == '"ab""c"'


def test_fts_match_drops_terms_without_tokens() -> None:
    assert fts_match(['"', "*", "-", "_", "  "]) is None
    assert fts_match([]) is None
    assert fts_match(["дорога", "дорога", "-"]) == '"дорога"'


def test_raw_lemmatiser_output_cannot_break_the_query(db: Path, make) -> None:
    """A lemmatiser that keeps punctuation still yields a valid FTS query."""
    with SqliteStore(db, str.split) as plain:
        post, analysis = make.item("1", "дорога")
        plain.upsert_posts([(post, analysis.model_copy(update={"lemmas": ["дорога"]}))])
        for text in ['дорога "', "дорога *", "дорога NOT", 'NEAR("дорога")', "дорога) OR (x"]:
            plain.search(SearchQuery(text=text))
        assert len(plain.search(SearchQuery(text='дорога " * -'))) == 1


# the factory ---------------------------------------------------------------
def test_open_store_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lemmatize) -> None:
    monkeypatch.chdir(tmp_path)
    opened = open_store("sqlite:///data/mcu.sqlite", lemmatize)
    try:
        assert isinstance(opened, SqliteStore)
        assert (tmp_path / "data" / "mcu.sqlite").exists()
    finally:
        opened.close()


def test_open_store_absolute_path(tmp_path: Path, lemmatize) -> None:
    path = tmp_path / "abs" / "mcu.sqlite"
    assert str(path).startswith("/")
    opened = open_store(f"sqlite:///{path}", lemmatize)
    try:
        assert isinstance(opened, SqliteStore) and opened.path == path
    finally:
        opened.close()


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgres://db/mcu", "postgres"),
        ("mcu.sqlite", "none"),
        ("sqlite://host/mcu.sqlite", "no host"),
        ("sqlite:///", "no host"),
    ],
)
def test_open_store_bad_urls(url: str, named: str, lemmatize) -> None:
    with pytest.raises(StoreError, match=named):
        open_store(url, lemmatize)


def test_posts_by_ids_beyond_one_chunk(sqlite_store: SqliteStore, make) -> None:
    items = [make.item(str(i), "Нет воды") for i in range(1200)]
    assert sqlite_store.upsert_posts(items).new == 1200
    wanted = [post.id for post, _ in reversed(items)]
    assert [post.id for post, _ in sqlite_store.posts_by_ids(wanted)] == wanted


def test_package_reexports() -> None:
    """``from store import ...`` works for the application (checked in a clean interpreter)."""
    names = "Store, SearchQuery, SearchHit, UpsertResult, Stats, StoreError, ConflictError, SqliteStore, open_store"
    result = subprocess.run(
        [sys.executable, "-c", f"from store import {names}"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_an_older_file_gets_the_facets_index_and_joins_read_only_it(db: Path, lemmatize) -> None:
    SqliteStore(db, lemmatize).close()
    conn = sqlite3.connect(db)
    conn.executescript(f"{AS_VERSION_3} PRAGMA user_version = 3;")  # a file written before schema 4
    conn.close()
    SqliteStore(db, lemmatize).close()
    assert raw(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    plan = raw(db, "EXPLAIN QUERY PLAN SELECT a.topic, a.department FROM posts p LEFT JOIN analyses a"
                   " ON a.post_id = p.id WHERE a.department = 'x'")
    assert any("COVERING INDEX analyses_facets" in row[-1] for row in plan), plan
