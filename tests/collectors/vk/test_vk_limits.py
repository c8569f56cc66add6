"""Requests per second per token, and daily method budgets that survive between scans."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from collectors.vk.client import LiveVkClient
from collectors.vk.limits import BudgetExhausted, DailyBudget, RateLimiter, bucket_for, token_fingerprint
from testing.fakes.vk import TOKEN


class FakeTime:
    """A clock the bucket sleeps on: sleeping moves it forward."""

    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_never_more_than_the_rate_in_any_sliding_second():
    t = FakeTime()
    limiter = RateLimiter(3.0, clock=t.clock, sleep=t.sleep)
    sent = []
    for i in range(12):
        limiter.acquire()
        sent.append(t.now + (0.08 if i % 4 == 0 else 0.0))  # now and then a thread reaches the wire late
        t.now += 0.01  # the request itself
    assert all(sent[i + 3] - sent[i] >= 1.0 for i in range(len(sent) - 3)), sent
    assert sent[2] - sent[0] < 0.1  # three may go at once: VK counts per second, not per third
    t.now += 10  # idle time does not buy more than three at once
    burst = [limiter.acquire() for _ in range(4)]
    assert burst[:3] == [0, 0, 0] and burst[3] > 0.9
    slow = RateLimiter(0.5, margin=0.0, clock=t.clock, sleep=t.sleep)
    assert slow.acquire() == 0 and slow.acquire() == pytest.approx(2.0)


def test_one_bucket_per_token_and_the_slowest_rate_wins():
    a = bucket_for("token-for-bucket-test", 5.0)
    b = bucket_for("token-for-bucket-test", 3.0)
    assert a is b and a.rate == 3.0
    assert bucket_for("another-token-for-bucket-test", 5.0) is not a


def test_threads_on_one_token_share_three_requests_per_second(vk_server):
    token_bucket = bucket_for(TOKEN + "-rate", 3.0)
    vk_server.token = TOKEN + "-rate"
    clients = [LiveVkClient(TOKEN + "-rate", base_url=vk_server.url, pace=token_bucket.acquire) for _ in range(3)]

    def work(client):
        for _ in range(3):
            client.call("groups.getById", group_id="pestovo_test")

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = sorted(r.at for r in vk_server.log)
    assert len(stamps) == 9
    # as the server saw them: never four within a second, with no allowance
    assert all(stamps[i + 3] - stamps[i] >= 1.0 for i in range(len(stamps) - 3)), stamps


def budget(path, limits=None, now=None):
    return DailyBudget(path, "token-A", limits or {"wall.get": 3}, "Europe/Moscow", now=now)


def test_budget_counts_across_instances_and_stops_at_the_limit(tmp_path):
    path = tmp_path / "vk_budget.json"
    budget(path).charge("wall.get", 2)
    second = budget(path)  # another scan later the same day
    second.charge("wall.get")
    with pytest.raises(BudgetExhausted):
        second.charge("wall.get")
    assert second.used("wall.get") == 3
    second.charge("wall.getComments", 40)  # no cap configured: counted, never refused
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["tokens"][token_fingerprint("token-A")]["calls"] == {"wall.get": 3, "wall.getComments": 40}
    assert "token-A" not in path.read_text(encoding="utf-8")


def test_budget_starts_again_on_a_new_moscow_day(tmp_path):
    path = tmp_path / "vk_budget.json"
    evening = datetime(2026, 11, 29, 20, 30, tzinfo=timezone.utc)  # 23:30 in Moscow
    budget(path, now=lambda: evening).charge("wall.get", 3)
    with pytest.raises(BudgetExhausted):
        budget(path, now=lambda: evening + timedelta(minutes=20)).charge("wall.get")
    budget(path, now=lambda: evening + timedelta(minutes=40)).charge("wall.get")  # 00:10 in Moscow
    assert json.loads(path.read_text(encoding="utf-8"))["day"] == "2026-11-30"


def test_blocked_method_and_tokens_counted_apart(tmp_path):
    path = tmp_path / "vk_budget.json"
    budget(path).block("newsfeed.search")
    with pytest.raises(BudgetExhausted):
        budget(path).charge("newsfeed.search")
    DailyBudget(path, "token-B", {}, "Europe/Moscow").charge("newsfeed.search")


def test_budget_is_exact_under_threads(tmp_path):
    path = tmp_path / "vk_budget.json"
    shared = budget(path, {"wall.get": 150})
    refused = []

    def work():
        for _ in range(40):
            try:
                shared.charge("wall.get")
            except BudgetExhausted:
                refused.append(1)

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert shared.used("wall.get") == 150 and len(refused) == 50


def test_damaged_budget_file_starts_the_count_again(tmp_path):
    path = tmp_path / "vk_budget.json"
    path.write_text("{not json", encoding="utf-8")
    budget(path).charge("wall.get")
    assert budget(path).used("wall.get") == 1
