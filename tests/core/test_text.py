"""Russian plural agreement (``core.text.plural``): the forms staff read in risk reasons,
cards and digests («1 источник», «3 источника», «5 источников»)."""
import pytest

from core.text import counted, plural

FORMS = ("источник", "источника", "источников")


@pytest.mark.parametrize("n, form", [
    (0, "источников"), (1, "источник"), (2, "источника"), (4, "источника"), (5, "источников"),
    (10, "источников"), (11, "источников"), (12, "источников"), (13, "источников"), (14, "источников"),
    (15, "источников"), (20, "источников"), (21, "источник"), (22, "источника"), (24, "источника"),
    (25, "источников"), (101, "источник"), (104, "источника"), (111, "источников"), (112, "источников"),
    (114, "источников"), (121, "источник"), (1001, "источник"), (1012, "источников"),
])
def test_the_form_follows_the_last_two_digits(n, form):
    assert plural(n, *FORMS) == form


def test_negative_counts_agree_like_positive_ones():
    assert [plural(n, *FORMS) for n in (-1, -3, -11)] == ["источник", "источника", "источников"]


def test_counted_writes_the_number_before_the_form():
    assert [counted(n, *FORMS) for n in (1, 3, 5)] == ["1 источник", "3 источника", "5 источников"]
