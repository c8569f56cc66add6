"""The compact linear model file: round trip without pickle, the same transform as training,
and clear errors for a bad file."""
import numpy as np
import pytest

from nlp.linear import LinearModel, ModelFileError
from nlp.sentiment_model import SENTIMENT_MODEL
from nlp.topic_model import TOPIC_MODEL


def small_model() -> LinearModel:
    vocab = {"w:вода": 0, "w:нет": 1, "w:спасибо": 2}
    weights = np.array([[2.0, -1.0], [1.0, 0.0], [-3.0, 3.0]], dtype=np.float32)
    return LinearModel(["negative", "positive"], vocab, np.array([1.0, 1.5, 2.0], dtype=np.float32), weights,
                       np.array([0.1, -0.1], dtype=np.float32), {"task": "test"})


def test_round_trip_without_pickle(tmp_path):
    model = small_model()
    path = tmp_path / "m.npz"
    model.save(path, dtype=np.float32)
    with np.load(path, allow_pickle=False) as data:  # would raise on object arrays
        assert set(data.files) >= {"classes", "vocabulary", "idf", "weights", "intercept", "meta"}
    loaded = LinearModel.load(path)
    assert loaded.classes == model.classes and loaded.vocabulary == model.vocabulary
    assert loaded.meta == {"task": "test"}
    features = ["w:нет", "w:вода", "w:вода", "w:неизвестно"]
    assert np.allclose(loaded.predict_proba(features), model.predict_proba(features))


def test_transform_matches_training():
    pytest.importorskip("sklearn")
    from training.fit import matrix

    model = small_model()
    docs = [["w:нет", "w:вода", "w:вода"], ["w:спасибо"], ["w:неизвестно"]]
    x = matrix(docs, model.vocabulary, model.idf).toarray()
    for row, features in zip(x, docs):
        index, values = model.vectorize(features)
        dense = np.zeros(len(model.vocabulary), dtype=np.float32)
        dense[index] = values
        assert np.allclose(dense, row, atol=1e-6)


def test_probabilities_follow_the_weights():
    model = small_model()
    assert model.predict_proba(["w:спасибо"]).argmax() == 1
    assert model.predict_proba(["w:нет", "w:вода"]).argmax() == 0
    assert model.predict_proba([]).sum() == pytest.approx(1.0)  # unknown text: the intercepts decide


def test_bad_files_name_the_problem(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        LinearModel.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "partial.npz", classes=np.array(["a"]))
    with pytest.raises(ModelFileError, match="partial.npz: field 'vocabulary' missing"):
        LinearModel.load(tmp_path / "partial.npz")
    np.savez(tmp_path / "shape.npz", classes=np.array(["a", "b"]), vocabulary=np.array(["x"]),
             idf=np.ones(1), weights=np.ones((1, 3)), intercept=np.zeros(2))
    with pytest.raises(ModelFileError, match="weights: shape"):
        LinearModel.load(tmp_path / "shape.npz")


@pytest.mark.parametrize("path", [SENTIMENT_MODEL, TOPIC_MODEL])
def test_shipped_models_are_small_and_carded(path):
    assert path.stat().st_size < 3_000_000
    model = LinearModel.load(path)
    assert model.weights.shape == (len(model.vocabulary), len(model.classes))
    assert path.with_suffix(".md").exists(), f"{path.name} needs a model card"


def test_dense_block_round_trip_and_decision(tmp_path):
    model = small_model()
    model.dense_weights = np.array([[1.0, -1.0], [0.0, 2.0]], dtype=np.float32)
    model.meta["dense_scale"] = 0.5
    path = tmp_path / "dense.npz"
    model.save(path, dtype=np.float32)
    loaded = LinearModel.load(path)
    assert np.array_equal(loaded.dense_weights, model.dense_weights) and loaded.dense_scale == 0.5
    vector = np.array([2.0, 1.0], dtype=np.float32)
    index, values = loaded.vectorize(["w:нет"])
    scores = values @ loaded.weights[index] + loaded.intercept + 0.5 * (vector @ loaded.dense_weights)
    expected = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    assert np.allclose(loaded.predict_proba(["w:нет"], vector), expected)
    with pytest.raises(ValueError, match="dense block"):
        loaded.predict_proba(["w:нет"])


def test_dense_training_matches_run_time():
    pytest.importorskip("sklearn")
    from training.fit import fit_model

    docs = [["w:вода", "w:нет"], ["w:спасибо"], ["w:нет"], ["w:спасибо", "w:вода"]] * 5
    labels = ["negative", "positive", "negative", "positive"] * 5
    dense = np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.2], [0.1, 0.9]] * 5, dtype=np.float32)
    model = fit_model(docs, labels, c=1.0, min_df=1, dense=dense, dense_scale=2.0)
    assert model.dense_weights.shape == (2, 2) and model.meta["dense_scale"] == 2.0
    from sklearn.linear_model import LogisticRegression
    from scipy import sparse
    from training.fit import matrix

    x = sparse.hstack([matrix(docs, model.vocabulary, model.idf), sparse.csr_matrix(dense * 2.0)]).tocsr()
    reference = LogisticRegression(C=1.0, max_iter=3000).fit(x, labels)
    assert np.allclose(model.predict_proba(docs[0], dense[0]), reference.predict_proba(x[0])[0], atol=1e-4)


def test_shipped_signal_model_is_small_and_carded():
    from nlp.signal import SIGNAL_MODEL

    assert SIGNAL_MODEL.stat().st_size < 3_000_000
    model = LinearModel.load(SIGNAL_MODEL)
    assert model.classes == ["none", "report"] and model.dense_weights.shape == (300, 2)
    assert SIGNAL_MODEL.with_suffix(".md").exists()
