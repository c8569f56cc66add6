"""Mapping of real appeal categories onto the МЦУ rubricator codes (the training labels).

Two public sets of citizens' appeals train the topic model:

* «Наш Санкт-Петербург» (nashspb): 15 categories, 125 fine reasons. Most reasons map
  one-to-one; the broad category «Благоустройство» is split by its reasons (snow on the
  carriageway is ``roads``, litter is ``waste``, graffiti and lighting are ``improvement``).
* Kursk oblast feedback portal: 17 groups (README of ../shared/data), 161 fine categories.
  Groups map one-to-one except group 3 (housing, utilities *and* amenities) and group 16
  (ecology, waste and dumps), which are split by their fine category.

The tables are code, not data: a reviewer reads them here, and ``mcu eval`` uses the same
ones the training script used. A reason not listed falls back to its category's code;
``None`` means «leave the appeal out».
"""
from __future__ import annotations

# --- nashspb: category → code, then reason overrides ------------------------------------
NASHSPB_CATEGORY: dict[str, str | None] = {
    "Благоустройство": "improvement",
    "Водоотведение": "utilities",
    "Водоснабжение": "utilities",
    "Центральное отопление": "utilities",
    "Кровля": "utilities",
    "Подвалы": "utilities",
    "Фасад": "utilities",
    "Содержание МКД": "utilities",
    "Нарушение правил пользования общим имуществом": "utilities",
    "Нарушение порядка пользования общим имуществом": "utilities",
    "Санитарное состояние": "utilities",
    "Повреждения или неисправность элементов уличной инфраструктуры": "utilities",
    "Незаконная информационная и (или) рекламная конструкция": "improvement",
    "Состояние рекламных или информационных конструкций": "improvement",
    "Незаконная реализация товаров с торгового оборудования (прилавок, ящик, с земли)": "economy",
}

# Reason fragments (lower case) checked in order; the first that occurs in the reason wins.
NASHSPB_REASON_FRAGMENTS: list[tuple[str, str]] = [
    ("контейнерн", "waste"),
    ("мусоропровод", "waste"),
    ("мусорный контейнер", "waste"),
    ("мусоросборн", "waste"),
    ("мусор", "waste"),
    ("урн", "waste"),
    ("снег на пешеходных дорожках в парках", "improvement"),
    ("неубранный снег на автомобильных дорогах", "roads"),
    ("пескосоляной", "roads"),
    ("лужи на проезжей части", "roads"),
    ("дорожного покрытия", "roads"),
    ("асфальтового покрытия", "roads"),
    ("дорожных знаков", "roads"),
    ("светофор", "roads"),
    ("искусственных неровностей", "roads"),
    ("парковочных мест", "roads"),
    ("остановочных пунктов", "transport"),
    ("строительной площадки", "construction"),
    ("ливневой канализации", "utilities"),
    ("провисающие, оборванные провода", "utilities"),
]

# Housing categories whose waste reasons («мусоропровод», «контейнерная площадка») go to ``waste``;
# all their other reasons stay ``utilities`` (the house), so only «Благоустройство» uses the full list.
NASHSPB_WASTE_CATEGORIES = frozenset({"Содержание МКД", "Санитарное состояние"})


def nashspb_code(category: str, reason: str) -> str | None:
    """The rubricator code of one nashspb appeal, from its category and reason."""
    low = reason.lower()
    if category == "Благоустройство":
        if low.strip() == "неубранный снег":
            return "roads"
        return next((code for fragment, code in NASHSPB_REASON_FRAGMENTS if fragment in low), "improvement")
    if category in NASHSPB_WASTE_CATEGORIES:
        if any(fragment in low for fragment, code in NASHSPB_REASON_FRAGMENTS if code == "waste"):
            return "waste"
    return NASHSPB_CATEGORY.get(category)


# --- Kursk: group id → code, with fine-category splits for groups 3 and 16 -------------------
KURSK_GROUP: dict[int, str | None] = {
    0: "roads",
    1: "animals",
    2: "government",        # state and municipal services
    3: "utilities",         # split below
    4: "healthcare",
    5: "culture",
    6: "social_support",    # support measures during the epidemic
    7: "education",
    8: "transport",
    9: "communications",
    10: "social_support",
    11: "construction",
    12: None,               # the portal's test category
    13: "economy",          # trade
    14: "economy",          # labour and employment
    15: "sport",
    16: "ecology",          # split below
}

KURSK_CATEGORY_FRAGMENTS: dict[int, list[tuple[str, str]]] = {
    3: [
        ("твёрдых бытовых отходов", "waste"),
        ("твердых бытовых отходов", "waste"),
        ("ямы и выбоины", "roads"),
        ("строительство тротуара", "roads"),
        ("наружное освещение", "improvement"),
        ("аварийные деревья", "improvement"),
        ("уборка улиц", "improvement"),
        ("уборка дворовой", "improvement"),
        ("наледи и снега", "improvement"),
        ("детской", "improvement"),
        ("клумб", "improvement"),
        ("парков и скверов", "improvement"),
        ("фасадов", "improvement"),
        ("сорная растительность", "improvement"),
        ("нарушенного благоустройства", "improvement"),
        ("малые архитектурные формы", "improvement"),
        ("наружная реклама", "improvement"),
    ],
    16: [
        ("свалки", "waste"),
    ],
}


def kursk_code(group: int, category: str) -> str | None:
    """The rubricator code of one Kursk appeal, from its group id and fine category."""
    low = category.lower()
    for fragment, code in KURSK_CATEGORY_FRAGMENTS.get(group, ()):
        if fragment in low:
            return code
    return KURSK_GROUP.get(group)
