"""Reading the lexicon files shipped in ``nlp/lexicons``."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).with_name("lexicons")


def read_yaml(name: str, folder: Path = LEXICON_DIR) -> Any:
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))


@cache
def load_stopwords() -> frozenset[str]:
    """Function words left out of story shingles and topic phrases (lemmas, «е» for «ё»)."""
    text = (LEXICON_DIR / "stopwords.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(word for line in words for word in line.split())
