"""The scan journal: for every source, its last successful scan and its last error, so that the
web's «Источники» page shows a broken token the same morning.

It lives in the store beside the watermarks, under reserved keys (``scan-status:<source>``; no
source key can contain a colon), so it works on both backends and every process that scans or
reads the store sees the same journal.
"""
from __future__ import annotations

import logging
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from core.store import Store, StoreError
from pipeline.report import SourceReport

log = logging.getLogger(__name__)
PREFIX = "scan-status:"


class SourceStatus(BaseModel):
    model_config = ConfigDict(extra="ignore")

    source: str
    last_attempt: datetime
    last_success: datetime | None = None
    last_error: str | None = None
    """The error of the last attempt; None once a scan succeeds again."""
    last_error_at: datetime | None = None
    fetched: int = 0
    new: int = 0
    problems: int = 0
    """Items of the last successful scan that could not be read (bad payload)."""


def source_status(store: Store, key: str) -> SourceStatus | None:
    raw = store.get_watermark(PREFIX + key)
    if raw is None:
        return None
    try:
        return SourceStatus.model_validate_json(raw)
    except ValidationError:
        log.warning("scan journal of %s is unreadable; ignored", key)
        return None


def record_scan(store: Store, report: SourceReport, at: datetime) -> SourceStatus:
    """Update the source's journal entry with one scan's outcome. A store failure here is logged,
    never raised: the journal must not fail a scan whose posts are already stored."""
    try:
        previous = source_status(store, report.key)
    except StoreError as exc:
        log.error("scan journal of %s not read: %s", report.key, exc)
        previous = None
    status = previous.model_copy() if previous else SourceStatus(source=report.key, last_attempt=at)
    status.last_attempt = at
    if report.error:
        status.last_error, status.last_error_at = report.error, at
    else:
        status.last_success, status.last_error, status.last_error_at = at, None, None
        status.fetched, status.new, status.problems = report.fetched, report.new, len(report.problems)
    try:
        store.set_watermark(PREFIX + report.key, status.model_dump_json())
    except StoreError as exc:
        log.error("scan journal of %s not written: %s", report.key, exc)
    return status
