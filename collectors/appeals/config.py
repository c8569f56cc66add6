"""The config of an appeals source (``platform: appeals``): one appeal system's exports (CSV or
XLSX) and the mapping of their columns onto the appeal's fields. It registers itself with the
kernel's settings. Another region's export is a new ``columns`` mapping, not new code
(docs/ru/appeals.md lists the keys)."""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal, Union

from pydantic import Field, field_validator, model_validator

from core.config import SourceBase, Strict, register_source

Column = Union[int, str]
"""A column by its header text (case and spaces do not matter; «Ответ / Дата» for a two-row
header) or by its number, 1 for the first column (exports without a header)."""

FIELDS: dict[str, str] = {
    "number": "номер обращения",
    "created_at": "дата регистрации",
    "channel": "канал / система",
    "category": "категория",
    "subcategory": "подкатегория / причина",
    "text": "текст обращения",
    "address": "адрес",
    "district": "район / поселение",
    "lat": "широта",
    "lon": "долгота",
    "responsible": "ответственный орган",
    "deadline": "срок ответа",
    "status": "статус",
    "answer": "текст ответа",
    "answered_at": "дата ответа",
    "rating": "оценка заявителя",
}
"""Every field a column may fill, with the Russian name the import report uses."""
REQUIRED = ("number", "text")


class AppealColumns(Strict):
    number: Column | None = None
    created_at: Column | None = None
    channel: Column | None = None
    category: Column | None = None
    subcategory: Column | None = None
    text: Column | None = None
    address: Column | None = None
    district: Column | None = None
    lat: Column | None = None
    lon: Column | None = None
    responsible: Column | None = None
    deadline: Column | None = None
    status: Column | None = None
    answer: Column | None = None
    answered_at: Column | None = None
    rating: Column | None = None

    @field_validator("*")
    @classmethod
    def _positive(cls, value: Column | None) -> Column | None:
        if isinstance(value, int) and value < 1:
            raise ValueError("номер колонки считается с 1")
        return value


class Preset(Strict):
    """A known export's layout (``preset: spb``); any key of the source overrides it."""

    columns: AppealColumns
    header_rows: int = 1
    constants: dict[str, str] = Field(default_factory=dict)
    answered_statuses: list[str] = Field(default_factory=list)


PRESETS: dict[str, Preset] = {
    # «Наш Санкт-Петербург»: answers and the final status; no answer date, no rating
    "spb": Preset(
        columns=AppealColumns(number="id", created_at="created_dt", district="district", category="category",
                              subcategory="reason", lat="latitude", lon="longitude", address="full_address",
                              text="text", answer="answer_text", status="final_status"),
        constants={"channel": "Наш Санкт-Петербург"},
        answered_statuses=["Получен ответ"],
    ),
    # the Kursk oblast feedback portal (ПОС): no header; id, text, category, responsible body, group
    "kursk": Preset(
        columns=AppealColumns(number=1, text=2, subcategory=3, responsible=4),
        header_rows=0,
        constants={"channel": "Платформа обратной связи"},
    ),
}  # fmt: skip


@register_source
class AppealsSource(SourceBase):
    """Exports of one appeal system. ``mcu appeals import FILE --source KEY`` reads a file with this
    mapping; the daily flow reads every new export in ``path`` when it is a folder."""

    platform: Literal["appeals"]
    scanned: ClassVar[bool] = False
    preset: Literal["spb", "kursk"] | None = Field(None, description="a known export's mapping; keys below override it")
    path: Path | None = Field(None, description="the export file, or a folder of exports (relative to the config)")
    format: Literal["auto", "csv", "xlsx"] = Field("auto", description="auto: by the file name (.csv, .csv.gz, .xlsx)")
    encoding: Literal["auto", "utf-8", "cp1251"] = Field("auto", description="auto: UTF-8, else cp1251")
    delimiter: str | None = Field(None, min_length=1, max_length=1, description="CSV delimiter; empty: detected")
    sheet: str | None = Field(None, description="XLSX sheet; empty: the first")
    skip_rows: int = Field(0, ge=0, description="rows above the header (a title, a date of the export)")
    header_rows: int | None = Field(None, ge=0, le=3, description="header rows (2 for a merged two-row header; "
                                    "0: no header, columns by number)")
    columns: AppealColumns = Field(default_factory=AppealColumns, description="field → column")
    constants: dict[str, str] = Field(default_factory=dict, description="field → one value for every row "
                                      "(e.g. channel: «Платформа обратной связи»)")
    date_formats: list[str] = Field(default_factory=list, description="strptime formats tried first "
                                    "(ISO and ДД.ММ.ГГГГ [ЧЧ:ММ[:СС]] are always tried)")
    timezone: str | None = Field(None, description="time zone of dates without one; default: the config's")
    route: bool | None = Field(None, description="suggest the responsible body with the routing model, trained on "
                               "the Kursk portal's bodies; default: only for preset kursk (other regions' bodies "
                               "differ, so a suggestion there would name a Kursk body)")
    answered_statuses: list[str] | None = Field(None, description="statuses that mean a final answer; empty: an "
                                                "answer text or date means answered")

    @field_validator("constants")
    @classmethod
    def _known_constants(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"неизвестные поля {unknown}; есть: {sorted(FIELDS)}")
        return value

    @model_validator(mode="after")
    def _required_mapped(self) -> "AppealsSource":
        columns = self.resolved_columns()
        missing = [f"{name} ({FIELDS[name]})" for name in REQUIRED if getattr(columns, name) is None]
        if missing:
            raise ValueError(f"columns: не указаны колонки {', '.join(missing)} (или preset)")
        return self

    @property
    def routes(self) -> bool:
        """Whether the routing model's suggestion applies to this source's appeals."""
        return self.route if self.route is not None else self.preset == "kursk"

    def _preset(self) -> Preset | None:
        return PRESETS[self.preset] if self.preset else None

    def resolved_columns(self) -> AppealColumns:
        preset = self._preset()
        base = preset.columns.model_dump() if preset else {}
        given = self.columns.model_dump(exclude_unset=True)
        return AppealColumns(**{**base, **given})

    def resolved_header_rows(self) -> int:
        if self.header_rows is not None:
            return self.header_rows
        preset = self._preset()
        return preset.header_rows if preset else 1

    def resolved_constants(self) -> dict[str, str]:
        preset = self._preset()
        return {**(preset.constants if preset else {}), **self.constants}

    def resolved_answered_statuses(self) -> list[str]:
        if self.answered_statuses is not None:
            return self.answered_statuses
        preset = self._preset()
        return preset.answered_statuses if preset else []
