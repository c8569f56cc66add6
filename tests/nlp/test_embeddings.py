"""Mean navec vectors (``nlp.embeddings``): unit length, the shipped embedding's own values, damping."""
import numpy as np
import pytest

from nlp.embeddings import DIM, TextVector, load_vectors


def test_mean_vector_is_the_normalised_mean_of_navec_rows(lemmatizer):
    from natasha import NewsEmbedding

    navec = NewsEmbedding()
    tokens = lemmatizer.tokens("Нет воды, ЖКХ молчит")
    embedded = load_vectors().embed(tokens)
    known = [t.norm for t in tokens if t.norm in navec]
    assert embedded.known == len(known) == 4  # «,» is not a word of the embedding
    mean = np.mean([navec[w] for w in known], axis=0)
    assert np.allclose(embedded.vector, mean / np.linalg.norm(mean), atol=1e-6)
    assert embedded.vector.shape == (DIM,) and np.linalg.norm(embedded.vector) == pytest.approx(1.0, abs=1e-5)


def test_unknown_text_gives_zeros(lemmatizer):
    embedded = load_vectors().embed(lemmatizer.tokens("ыыыщщщ ъъъ"))
    assert embedded.known == 0 and not embedded.vector.any()


def test_damping_shortens_short_texts():
    unit = np.ones(DIM, dtype=np.float32) / np.sqrt(DIM)
    assert np.linalg.norm(TextVector(unit, 2).damped(8)) == pytest.approx(0.5, abs=1e-6)
    assert np.allclose(TextVector(unit, 8).damped(8), unit) and np.allclose(TextVector(unit, 12).damped(8), unit)
    assert np.allclose(TextVector(unit, 3).damped(0), unit)
