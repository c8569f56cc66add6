"""The recordings of the administration's answer. The alert chat's fixtures (``demo``, ``api``,
``bot_env``, ``run_bot_thread``) come from the ``testing.alert_chat`` plugin."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
ANSWERED = datetime(2026, 11, 19, 19, 0, tzinfo=timezone.utc)  # the administration's answer in the fixtures
