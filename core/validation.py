"""Pydantic's validation errors in Russian, for everything МЦУ staff read (config errors, command
line values). Key names stay as they are in the file (``sources.1.platform``): they are code.

Each error type gets a template filled from the error's context; our own validators raise
``ValueError`` with a Russian message, which is shown as is.
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

TEMPLATES: dict[str, str] = {
    "missing": "обязательное поле не задано",
    "extra_forbidden": "неизвестный ключ (опечатка?)",
    "literal_error": "допустимые значения: {expected}",
    "enum": "допустимые значения: {expected}",
    "union_tag_invalid": "неизвестное значение {tag!r} поля {discriminator}; допустимые: {expected_tags}",
    "union_tag_not_found": "не задано поле {discriminator}",
    "string_pattern_mismatch": "значение не подходит под шаблон {pattern}",
    "string_too_short": "слишком коротко: нужно не меньше {min_length} симв.",
    "string_too_long": "слишком длинно: не больше {max_length} симв.",
    "string_type": "ожидается строка",
    "greater_than_equal": "должно быть не меньше {ge}",
    "less_than_equal": "должно быть не больше {le}",
    "greater_than": "должно быть больше {gt}",
    "less_than": "должно быть меньше {lt}",
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "int_from_float": "ожидается целое число, без дробной части",
    "float_parsing": "ожидается число",
    "float_type": "ожидается число",
    "bool_parsing": "ожидается да/нет (true/false)",
    "bool_type": "ожидается да/нет (true/false)",
    "list_type": "ожидается список",
    "dict_type": "ожидается словарь (ключ: значение)",
    "model_type": "ожидается словарь (ключ: значение)",
    "model_attributes_type": "ожидается словарь (ключ: значение)",
    "datetime_parsing": "ожидается дата и время ISO, например 2026-11-21T20:00",
    "datetime_from_date_parsing": "ожидается дата и время ISO, например 2026-11-21T20:00",
    "date_parsing": "ожидается дата ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "ожидается дата ГГГГ-ММ-ДД",
    "path_type": "ожидается путь к файлу",
    "path_not_file": "файл не найден",
    "path_not_directory": "папка не найдена",
    "url_parsing": "ожидается адрес (URL)",
    "url_scheme": "адрес должен начинаться с {expected_schemes}",
    "too_short": "слишком мало элементов: нужно не меньше {min_length}",
    "too_long": "слишком много элементов: не больше {max_length}",
    "recursion_loop": "слишком глубокая вложенность",
}


def russian(error: ErrorDetails) -> str:
    """One validation error as a Russian phrase (without the location)."""
    kind = error.get("type", "")
    context: dict[str, Any] = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])
    for key in ("expected", "expected_tags", "expected_schemes"):
        if isinstance(context.get(key), str):
            context[key] = context[key].replace(" or ", " или ")
    template = TEMPLATES.get(kind)
    if template is None:
        return error.get("msg", kind)
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        return template.split("{")[0].rstrip(" :") or error.get("msg", kind)


def location(error: ErrorDetails) -> str:
    return ".".join(str(part) for part in error.get("loc", ())) or "(верхний уровень)"


def shown_input(error: ErrorDetails) -> str:
    """`` (получено 'x')`` for a scalar input, nothing for a mapping or a list."""
    got = error.get("input")
    if isinstance(got, (dict, list)) or got is None:
        return ""
    text = repr(got)
    return f" (получено {text[:80]}{'…' if len(text) > 80 else ''})"


def lines(exc: ValidationError) -> list[str]:
    """``key: reason (получено …)`` per error, in Russian."""
    return [f"{location(e)}: {russian(e)}{shown_input(e)}" for e in exc.errors()]
