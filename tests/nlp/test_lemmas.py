from nlp.lemmas import Lemmatizer, normalize_word


def test_inflected_forms_share_a_lemma(lemmatizer):
    assert lemmatizer.lemmatize("дорогу") == lemmatizer.lemmatize("дороги") == ["дорога"]
    assert lemmatizer.lemmatize("Дорогами") == ["дорога"]


def test_punctuation_and_emoji_are_dropped(lemmatizer):
    assert lemmatizer.lemmatize("Нет воды!!! 😡😡, опять…") == ["нет", "вода", "опять"]


def test_yo_is_normalised(lemmatizer):
    assert lemmatizer.lemmatize("ёлка Ёлки") == ["елка", "елка"]
    assert normalize_word("Чёрное") == "черное"
    assert lemmatizer.lemmatize("мёрзнут") == lemmatizer.lemmatize("мерзнут")


def test_place_forms_lemmatise_to_the_place(lemmatizer):
    for form in ("Лаптево", "лаптеве", "Лаптева", "Лаптеву", "лаптевом"):
        assert lemmatizer.lemmatize(form) == ["лаптево"], form
    for form in ("Охона", "Охоне", "охоны", "Охоной"):
        assert lemmatizer.lemmatize(form) == ["охона"], form
    assert lemmatizer.lemmatize("в Устюцком") == ["в", "устюцкое"]
    assert lemmatizer.lemmatize("из Быкова") == ["из", "быково"]


def test_common_adjective_names_are_not_overridden(lemmatizer):
    # «Советская» street and «Белая» river are ambiguous: ordinary words keep their lemma
    assert lemmatizer.lemmatize("советской власти") == ["советский", "власть"]
    assert lemmatizer.lemmatize("белой краской") == ["белый", "краска"]


def test_plain_lemmatizer_knows_no_places():
    plain = Lemmatizer()
    assert plain.lemmatize("в Охоне") != ["в", "охона"]
    assert Lemmatizer({"Охоне": "охона"}).lemmatize("в Охоне") == ["в", "охона"]


def test_tokens_keep_offsets(lemmatizer):
    text = "На Советской — яма!"
    tokens = lemmatizer.tokens(text)
    assert [text[t.start : t.end] for t in tokens] == ["На", "Советской", "яма"]
    assert tokens[1].capitalized and not tokens[2].capitalized


def test_query_and_index_agree(analyzer):
    # the store lemmatises queries with the same function
    assert set(analyzer.lemmatize("ремонт дороги")) <= set(analyzer.lemmatize("Когда будет ремонт дорог?"))


def test_a_letter_pymorphy_cannot_name_is_its_own_lemma():
    from nlp.lemmas import Lemmatizer

    # a Tangut ideograph is a letter without a Unicode name: pymorphy3's shape check raises on it
    assert [t.lemma for t in Lemmatizer().tokens("вода 𗀀 воды")] == ["вода", "𗀀", "вода"]
