"""Reading exports: encodings, delimiters, merged Excel headers, and bad rows reported by row and
column while the rest is read."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from pydantic import ValidationError

from collectors.appeals.collector import ExportReader
from collectors.appeals.config import AppealsSource
from collectors.appeals.reader import ExportError

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
COLUMNS = {"number": "Номер", "created_at": "Дата регистрации", "text": "Текст", "address": "Адрес",
           "status": "Статус", "answer": "Ответ / Текст", "answered_at": "Ответ / Дата", "rating": "Оценка",
           "responsible": "Исполнитель"}


def source(**options) -> AppealsSource:
    return AppealsSource(platform="appeals", key="pos", name="ПОС", **options)


def read(src: AppealsSource, path: Path) -> tuple[list, ExportReader]:
    reader = ExportReader(src, path, "Europe/Moscow", NOW)
    return list(reader.appeals()), reader


def test_a_cp1251_csv_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(("Номер;Дата;Текст;Статус\n"
                      "101;05.11.2026 10:15;Нет света на ул. Советской, звонить 8-911-123-45-67;Ответ дан\n"
                      "102;06.11.2026;Яма на дороге в Лаптево;На рассмотрении\n").encode("cp1251"))
    src = source(columns={"number": "номер", "created_at": "ДАТА", "text": "Текст", "status": "Статус"},
                 constants={"channel": "Платформа обратной связи"}, answered_statuses=["Ответ дан"])
    appeals, reader = read(src, path)
    assert reader.result.notes == ["кодировка cp1251, разделитель «;»"]
    assert [(a.number, a.state, a.channel) for a in appeals] == [
        ("101", "answered", "Платформа обратной связи"), ("102", "open", "Платформа обратной связи")]
    assert appeals[0].text == "Нет света на ул. Советской, звонить [телефон]"
    assert appeals[0].created_at == datetime(2026, 11, 5, 7, 15, tzinfo=timezone.utc)  # 10:15 Moscow
    assert appeals[1].created_at == datetime(2026, 11, 5, 21, 0, tzinfo=timezone.utc)
    assert reader.result.problems == [] and reader.result.masked == {"телефон": 1}


def _merged_header_book(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Выгрузка ПОС на 20.11.2026"])
    ws.append(["Номер", "Дата регистрации", "Текст", "Адрес", "Статус", "Ответ", None, "Оценка", "Исполнитель"])
    ws.append([None, None, None, None, None, "Текст", "Дата", None, None])
    ws.merge_cells("F2:G2")
    for column in "ABCDEHI":
        ws.merge_cells(f"{column}2:{column}3")
    ws.append([5001, datetime(2026, 11, 2, 9, 30), "Не вывозят мусор, д. Лаптево", "д. Лаптево, кв. 3", "Закрыто",
               "Вывоз выполнен 05.11.2026", datetime(2026, 11, 5, 12, 0), 5, "Лаптевский отдел"])
    ws.append([5002, "31.02.2026", "Нет воды", "", "В работе", None, None, None, "МУП Водоканал"])
    ws.append([5003, "03.11.2026", None, "", "В работе", None, None, None, "МУП Водоканал"])
    ws.append([5004, "04.11.2026 08:00", "Сломана скамейка", "", "Закрыто", "Скамейка заменена", "вчера",
               "отлично", "Отдел благоустройства"])
    ws.append([None, None, None, None, None, None, None, None, None])
    ws.append([5001, datetime(2026, 11, 2, 9, 30), "Не вывозят мусор, д. Лаптево", "д. Лаптево, кв. 3", "Закрыто",
               "Вывоз выполнен 06.11.2026", datetime(2026, 11, 6, 12, 0), 4, "Лаптевский отдел"])
    book.save(path)


def test_a_merged_two_row_excel_header_and_bad_rows_by_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "pos.xlsx"
    _merged_header_book(path)
    src = source(skip_rows=1, header_rows=2, columns=COLUMNS, answered_statuses=["Закрыто"])
    appeals, reader = read(src, path)
    assert [a.number for a in appeals] == ["5001", "5004", "5001"]
    first = appeals[0]
    assert (first.answer, first.rating, first.responsible) == ("Вывоз выполнен 05.11.2026", 5.0, "Лаптевский отдел")
    assert first.address == "д. Лаптево, кв. [№]"
    assert first.answered_at == datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc)
    assert (appeals[1].answered_at, appeals[1].rating, appeals[1].state) == (None, None, "answered")
    result = reader.result
    assert (result.rows, result.rejected, result.duplicates) == (5, 2, 1)  # the blank row 8 is no row
    assert [str(p) for p in result.problems] == [
        "pos, строка 5, колонка «Дата регистрации»: не дата: «31.02.2026» (ожидается ДД.ММ.ГГГГ [ЧЧ:ММ] или "
        "ГГГГ-ММ-ДД) — строка не загружена",
        "pos, строка 6, колонка «Текст»: пусто: текст обращения — строка не загружена",
        "pos, строка 7, колонка «Ответ / Дата»: не дата: «вчера» (ожидается ДД.ММ.ГГГГ [ЧЧ:ММ] или ГГГГ-ММ-ДД)",
        "pos, строка 7, колонка «Оценка»: не число: «отлично»",
        "pos, строка 9: номер 5001 уже встречался в файле; взята эта строка",
    ]


def test_columns_by_number_without_a_header(tmp_path: Path) -> None:
    path = tmp_path / "kursk.csv"
    path.write_text('7,"<p>Нет света в д. Быково</p>",Электроснабжение,Администрация района,3\n'
                    '8,"Яма на дороге",Дороги,Комитет дорожного хозяйства,0\n', encoding="utf-8")
    appeals, reader = read(source(preset="kursk"), path)
    assert [(a.number, a.subcategory, a.responsible, a.channel) for a in appeals] == [
        ("7", "Электроснабжение", "Администрация района", "Платформа обратной связи"),
        ("8", "Дороги", "Комитет дорожного хозяйства", "Платформа обратной связи")]
    assert appeals[0].created_at is None and appeals[0].received_at == NOW


def test_a_gzipped_csv_with_a_missing_optional_column_is_read_and_the_column_reported(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "spb.csv.gz"
    path.write_bytes(gzip.compress("id,created_dt,text,final_status\n1,2020-10-18T14:50:40.817676,Грязно,"
                                   "Получен ответ\n".encode("utf-8")))
    appeals, reader = read(source(preset="spb"), path)
    assert [(a.number, a.state, a.channel) for a in appeals] == [("1", "answered", "Наш Санкт-Петербург")]
    missing = sorted(p.column for p in reader.result.problems)
    assert missing == ["answer_text", "category", "district", "full_address", "latitude", "longitude", "reason"]


def test_a_required_column_missing_from_the_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Номер,Описание\n1,текст\n", encoding="utf-8")
    with pytest.raises(ExportError, match="текст обращения.*«Текст».*\\['Номер', 'Описание'\\]"):
        ExportReader(source(columns={"number": "Номер", "text": "Текст"}), path, "Europe/Moscow", NOW)


def test_the_config_must_map_the_number_and_the_text() -> None:
    with pytest.raises(ValidationError, match="text \\(текст обращения\\)"):
        source(columns={"number": "Номер"})
    with pytest.raises(ValidationError, match="неизвестные поля"):
        source(preset="spb", constants={"kanal": "x"})
