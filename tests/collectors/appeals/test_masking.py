"""Personal data in appeals is masked by rules, on the formats people really write."""
from __future__ import annotations

import pytest

from collectors.appeals.masking import mask


@pytest.mark.parametrize("written", [
    "+7 (911) 123-45-67", "+79111234567", "8-911-123-45-67", "8 911 123 45 67", "89111234567",
    "8(81669)5-12-34", "8 (816 69) 5-12-34", "911-123-45-67", "(911) 123-45-67", "5-12-34", "51-23-45",
])  # fmt: skip
def test_phone_numbers_in_common_russian_formats(written: str) -> None:
    masked = mask(f"Прошу перезвонить по номеру {written} вечером")
    assert masked.text == "Прошу перезвонить по номеру [телефон] вечером"
    assert masked.counts == {"телефон": 1}


def test_digits_after_the_word_telephone() -> None:
    assert mask("Мой тел. 51234, телефон: 2 34 56").text == "Мой тел. [телефон], телефон: [телефон]"


def test_dates_times_house_numbers_and_sums_are_kept() -> None:
    text = "С 12.05.2021 14:30 нет воды в доме 47 корпус 1, долг 12 345 руб., 2 подъезд, 100 кв. м"
    assert mask(text).text == text


@pytest.mark.parametrize("written, expected", [
    ("кв. 12", "кв. [№]"), ("кв.12а", "кв.[№]"), ("Кв 7", "Кв [№]"), ("квартира № 5", "квартира № [№]"),
    ("в квартире 17 течёт", "в квартире [№] течёт"), ("из квартиры №3", "из квартиры №[№]"),
])  # fmt: skip
def test_flat_numbers(written: str, expected: str) -> None:
    assert mask(f"Адрес: ул. Советская, д. 5, {written}").text == f"Адрес: ул. Советская, д. 5, {expected}"


def test_emails() -> None:
    assert mask("Ответ прошу на ivan.petrov-1983@mail.ru или IVAN@yandex.ru").text == \
        "Ответ прошу на [email] или [email]"


@pytest.mark.parametrize("written", [
    "Иванов И.И.", "Иванов И. И.", "И.И. Иванов", "И. И. Иванов", "Петрова Анна Сергеевна",
    "Анна Сергеевна", "Сергей Петрович Смирнов", "Смирнову Ольгу Петровну",
])  # fmt: skip
def test_names_of_people(written: str) -> None:
    masked = mask(f"Обращаюсь к вам, {written}, с просьбой")
    assert masked.text == "Обращаюсь к вам, [ФИО], с просьбой"
    assert masked.counts == {"ФИО": 1}


def test_the_greeting_stays_and_the_name_goes() -> None:
    assert mask("Уважаемая Анна Сергеевна! Сообщаем").text == "Уважаемая [ФИО]! Сообщаем"


@pytest.mark.parametrize("street", ["ул. Карла Маркса", "улица Льва Толстого", "пр. Ленина", "им. Александра Невского"])
def test_street_names_after_street_words_are_kept(street: str) -> None:
    text = f"Яма на дороге, {street}, у дома 3"
    assert mask(text).text == text


def test_a_whole_appeal() -> None:
    text = ("Здравствуйте! Я, Кузнецова Мария Ивановна, проживаю по адресу г. Пестово, ул. Советская, д. 10, кв. 45. "
            "Третий месяц не работает освещение. Звонила в управляющую компанию по тел. 8 (81669) 5-11-22, "
            "ответа нет. Мой телефон +7 921 000-11-22, почта kuznetsova.m@yandex.ru")
    assert mask(text).text == (
        "Здравствуйте! Я, [ФИО], проживаю по адресу г. Пестово, ул. Советская, д. 10, кв. [№]. "
        "Третий месяц не работает освещение. Звонила в управляющую компанию по тел. [телефон], "
        "ответа нет. Мой телефон [телефон], почта [email]")
    assert mask(text).counts == {"ФИО": 1, "квартира": 1, "телефон": 2, "email": 1}
