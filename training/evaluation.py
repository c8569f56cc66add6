"""Every quality figure of the NLP, reproduced from ``../shared/data`` (and the project's own
toponym sentences and demo corpus). ``mcu eval`` prints them; model cards quote them.

Each ``evaluate_*`` function returns plain records; none of them trains anything.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import yaml

from nlp.datasets import THREE_WAY, read_appeals, read_factru, read_nerel, read_rusentiment, iter_local_posts
from nlp.features import topic_features
from nlp.lexicon import load_stopwords
from nlp.metrics import Report, SpanScore, classification_report, span_scores

REPO = Path(__file__).resolve().parents[1]
TOPONYM_SET = REPO / "tests" / "nlp" / "data" / "toponym_sentences.yaml"


@dataclass
class TaskResult:
    """One evaluated variant of one task: what ran, on what, and its report."""

    task: str
    variant: str
    data: str
    report: Report | None = None
    spans: SpanScore | None = None
    extra: dict = field(default_factory=dict)


# --- sentiment ---------------------------------------------------------------------------
def evaluate_sentiment(root: Path, analyzer) -> list[TaskResult]:
    """RuSentiment test: the model's five classes, the three МЦУ labels from the model alone, with
    the decision offsets (towards «negative», away from «positive»), and with the lexicon nudge too
    (shipped), plus the lexicon alone (the first version) for comparison."""
    from nlp.embeddings import load_vectors
    from nlp.features import sentiment_features
    from nlp.sentiment_model import SentimentBlend, SentimentClassifier

    test = read_rusentiment(root, "test")
    tokens = [analyzer.lemmatizer.tokens(r.text) for r in test]
    vectors = load_vectors().many(tokens)
    data = f"RuSentiment test ({len(test)})"
    clf = analyzer.sentiment
    model = clf.model
    dense = [v.vector if model.dense_weights is not None else None for v in vectors]
    five = [model.classes[int(model.predict_proba(sentiment_features(r.text, t), d).argmax())]
            for r, t, d in zip(test, tokens, dense)]
    gold3 = [THREE_WAY[r.label] for r in test]

    def three_way(classifier) -> Report:
        return classification_report(gold3, [classifier.analyze(r.text, t, v).label
                                             for r, t, v in zip(test, tokens, vectors)])

    blend = clf.blend
    names = {"negative": "к негативу", "positive": "к позитиву"}
    shift = "сдвиг " + (", ".join(f"{names[label]} {value:+g}" for label, value in blend.offsets.items()) or "0")
    offsets_only = SentimentBlend(lexicon_weight=0.0, negative_bias=blend.negative_bias,
                                  positive_bias=blend.positive_bias)
    results = [
        TaskResult("sentiment", "модель, 5 классов RuSentiment", data,
                   classification_report([r.label for r in test], five)),
        TaskResult("sentiment", "модель, 3 класса", data, three_way(SentimentClassifier(
            None, clf.model_path, SentimentBlend(lexicon_weight=0.0, negative_bias=0.0, positive_bias=0.0)))),
        TaskResult("sentiment", f"модель + {shift}, 3 класса", data, three_way(
            SentimentClassifier(None, clf.model_path, offsets_only))),
        TaskResult("sentiment", f"модель + {shift} + словарь (вес {blend.lexicon_weight}), 3 класса", data,
                   three_way(clf)),
    ]
    lexicon = analyzer.sentiment_lexicon
    results.append(TaskResult("sentiment", "только словарь (v1), 3 класса", data,
                              classification_report(gold3, [lexicon.analyze(r.text, [x.lemma for x in t]).label
                                                            for r, t in zip(test, tokens)])))
    return results


def sentiment_on_local_posts(root: Path, analyzer) -> TaskResult:
    """The shipped labels' shares on ``local_posts`` (unlabelled: a benchmark to read by eye, never
    training data). ``extra``: the number of blocks per label."""
    from collections import Counter

    from core.text import counted

    counts = Counter(analyzer.sentiment.analyze(text, analyzer.lemmatizer.tokens(text)).label
                     for text in iter_local_posts(root))
    return TaskResult("sentiment", "доли меток (без разметки)", f"local_posts ({counted(sum(counts.values()), 'блок', 'блока', 'блоков')})",
                      extra={label: counts.get(label, 0) for label in ("negative", "neutral", "positive")})


# --- topics ------------------------------------------------------------------------------------
def evaluate_topics(root: Path, analyzer) -> list[TaskResult]:
    """The held-out 10 % of the appeals (split by id hash): model alone, rules alone, blended."""
    from nlp.topic_model import BlendedTopicClassifier

    test = [a for a in read_appeals(root) if a.split == "test"]
    lemmas = [analyzer.lemmatizer.lemmatize(a.text) for a in test]
    gold = [a.code for a in test]
    data = f"обращения, отложенная часть ({len(test)}: СПб {sum(a.source == 'nashspb' for a in test)}, " \
           f"Курск {sum(a.source == 'kursk' for a in test)})"
    results = []
    blended = analyzer.topics
    if isinstance(blended, BlendedTopicClassifier):
        stop = load_stopwords()
        model = blended.model
        pred = [model.classes[int(model.predict_proba(topic_features(l, stop)).argmax())] for l in lemmas]
        results.append(TaskResult("topic", "модель", data, classification_report(gold, pred)))
    rules = analyzer.topic_rules
    results.append(TaskResult("topic", "правила (ключевые слова)", data,
                              classification_report(gold, [rules.classify(l).primary.code for l in lemmas])))
    pred = [blended.classify(l).primary.code for l in lemmas]
    results.append(TaskResult("topic", "модель + правила", data, classification_report(gold, pred),
                              extra={"other": sum(p == "other" for p in pred)}))
    kursk = [(g, p) for a, g, p in zip(test, gold, pred) if a.source == "kursk"]
    results.append(TaskResult("topic", "модель + правила, только Курск", f"Курск ({len(kursk)})",
                              classification_report([g for g, _ in kursk], [p for _, p in kursk])))
    results += evaluate_topic_convention(test, lemmas, gold, pred, analyzer, data)
    return results


def evaluate_topic_convention(test, lemmas, gold, pred, analyzer, data: str) -> list[TaskResult]:
    """The same predictions with the portals' convention mapped (nlp.topic_conventions):
    gold re-filed by the portal's own category text, predictions by the appeal's text."""
    from nlp.topic_conventions import HOUSING_UTILITIES

    convention = HOUSING_UTILITIES.compile(analyzer.lemmatizer.lemmatize)
    gold_mapped = [convention.apply_text(g, a.category) for a, g in zip(test, gold)]
    pred_mapped = [convention.apply(p, l) for p, l in zip(pred, lemmas)]
    moved = sum(g != m for g, m in zip(gold, gold_mapped))
    return [TaskResult("topic", f"модель + правила, соглашение порталов ({convention.convention.label})", data,
                       classification_report(gold_mapped, pred_mapped), extra={"gold_refiled": moved})]


# --- toponyms ---------------------------------------------------------------------------------
NER_SETS = (("factRuEval-2016", "test"), ("NEREL", "dev"))


def names_only(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """factRuEval-2016's convention: it annotates names, never an adjective on its own
    («российские власти»), while NEREL marks such adjectives as COUNTRY or CITY. Under this
    convention, predicted one-word adjective spans are left out, for every variant alike."""
    from nlp.lemmas import load_morph

    morph = load_morph()
    kept = []
    for start, end in spans:
        word = text[start:end]
        if " " not in word and morph.parse(word.lower())[0].tag.POS == "ADJF":
            continue
        kept.append((start, end))
    return kept


def evaluate_ner(root: Path, analyzer, sets=NER_SETS) -> list[TaskResult]:
    """LOC spans on factRuEval-2016 test and NEREL dev: Natasha alone, and the toponym finder
    (addresses + gazetteer + Natasha + dictionary place words). factRuEval is scored both
    as is and under its own convention (:func:`names_only`)."""
    from nlp.ner import find_locations

    results = []
    for name, part in sets:
        docs = read_factru(root, part) if name.startswith("factRu") else read_nerel(root, part)
        texts = [d.text for d in docs]
        natasha = [[(s.start, s.end) for s in spans] for spans in find_locations(texts)]
        found = [[(t.start, t.end) for t in topos] for topos in analyzer.toponyms.find_many(texts, use_ner=True)]
        data = f"{name} {part} ({len(docs)} док., {sum(len(d.spans) for d in docs)} LOC)"
        variants = [("Natasha NER (LOC)", natasha), ("объединение: адреса + газеттир + NER + словарь", found)]
        conventions = [("", None)]
        if name.startswith("factRu"):
            conventions.append((", без одиночных прилагательных (соглашение factRuEval)", names_only))
        for suffix, convention in conventions:
            for variant, predicted in variants:
                pairs = [(d.spans, convention(d.text, p) if convention else p, d.text)
                         for d, p in zip(docs, predicted)]
                results.append(TaskResult("toponyms", variant + suffix, data, spans=span_scores(pairs)))
    return results


def load_toponym_set(path: Path = TOPONYM_SET) -> list[tuple[str, list[str]]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(item["text"]), [str(p) for p in item["places"]]) for item in raw]


def evaluate_toponym_set(analyzer, path: Path = TOPONYM_SET, use_ner: bool = True, finder=None,
                         variant: str = "") -> TaskResult:
    """Recall of the district names in the project's sentence set (and precision of what was found)."""
    cases = load_toponym_set(path)
    finder = finder or analyzer.toponyms
    found_lists = finder.find_many([text for text, _ in cases], use_ner=use_ner)
    hit = total = extra = complete = 0
    misses: list[str] = []
    extras: list[str] = []
    for (text, expected), found in zip(cases, found_lists):
        names = [t.name for t in found if t.kind != "unknown"]
        remaining = list(names)
        ok = True
        for name in expected:
            total += 1
            if name in remaining:
                remaining.remove(name)
                hit += 1
            else:
                ok = False
                misses.append(f"{text} → {name}")
        extra += len(remaining)
        extras += [f"{text} → {name}" for name in remaining]
        complete += ok and not remaining
    predicted = hit + extra
    spans = SpanScore(hit / predicted if predicted else 0.0, hit / total if total else 0.0, 0.0, total, predicted)
    spans.f1 = 2 * spans.precision * spans.recall / (spans.precision + spans.recall) if hit else 0.0
    return TaskResult("toponyms", variant or "газеттир района" + (" + NER" if use_ner else ""),
                      f"свои предложения ({len(cases)}, {total} названий)", spans=spans,
                      extra={"sentences_exact": complete, "sentences": len(cases), "misses": misses,
                             "extras": extras})


def compare_gazetteer_matchers(root: Path, analyzer, speed_posts: int = 2000) -> list[TaskResult]:
    """The hand-written gazetteer matcher against spaCy's PhraseMatcher (nlp.spacy_gazetteer) in the
    same finder: the district sentences (without NER), the NER sets (with it), and the speed of
    the gazetteer step alone on local posts (``extra``: posts per second)."""
    from nlp.spacy_gazetteer import SpacyGazetteer
    from nlp.toponyms import ToponymFinder

    hand = analyzer.toponyms
    finders = {"рукописный сопоставитель": hand}
    for mode, label in (("forms", "spaCy PhraseMatcher, все падежные формы (NORM)"),
                        ("lemma", "spaCy PhraseMatcher по леммам pymorphy3 (LEMMA)")):
        matcher = SpacyGazetteer(analyzer.gazetteer, hand, mode)
        finders[label] = ToponymFinder(analyzer.gazetteer, analyzer.lemmatizer, hand.place_words, matcher.find)
    texts = []
    for text in iter_local_posts(root):
        texts.append(text)
        if len(texts) >= speed_posts:
            break
    results = []
    for label, finder in finders.items():
        result = evaluate_toponym_set(analyzer, use_ner=False, finder=finder, variant=f"газеттир: {label}")
        started = time.perf_counter()
        for text in texts:
            finder.match_gazetteer(text, analyzer.lemmatizer.tokens(text))
        result.extra["posts_per_second"] = len(texts) / (time.perf_counter() - started)
        results.append(result)
    for name, part in NER_SETS:
        docs = read_factru(root, part) if name.startswith("factRu") else read_nerel(root, part)
        data = f"{name} {part} ({len(docs)} док., {sum(len(d.spans) for d in docs)} LOC)"
        for label, finder in finders.items():
            found = finder.find_many([d.text for d in docs], use_ner=True)
            pairs = [(d.spans, [(t.start, t.end) for t in topos], d.text) for d, topos in zip(docs, found)]
            results.append(TaskResult("toponyms", f"объединение, газеттир: {label}", data, spans=span_scores(pairs)))
    return results


# --- stories ------------------------------------------------------------------------------------
def evaluate_stories(analyzer, anchor: datetime = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)) -> TaskResult:
    """The demo corpus's tagged stories A and B: each story's largest cluster of top-level posts,
    its recall (share of the story there) and purity (share of the cluster from the story)."""
    from collections import Counter

    from collectors.base import build_collector
    from demo.corpus import load_corpus
    from demo.render import render
    from core.config import load_config

    corpus = load_corpus()
    tags = {item.text[:60]: item.story for item in corpus.posts}
    with tempfile.TemporaryDirectory() as tmp:
        render(Path(tmp), anchor)
        settings = load_config(REPO / "config" / "demo.yaml")
        posts = []
        for source in settings.sources:
            replay = Path(tmp) / str(source.replay).split("data/demo/", 1)[-1]
            posts.extend(build_collector(source.model_copy(update={"replay": replay}), settings).collect(None).posts)
    posts.sort(key=lambda p: p.published_at)
    tracker = analyzer.story_tracker()
    clusters, gold = {}, {}
    for post, analysis in zip(posts, analyzer.analyze(posts)):
        story = tracker.assign(post, analysis)
        if post.parent_id is None:
            clusters[post.id] = story.id
            gold[post.id] = next((tag for head, tag in tags.items() if head and head in post.full_text), None)
    figures = {}
    for tag in ("A", "B"):
        members = [pid for pid, t in gold.items() if t == tag]
        best, n = Counter(clusters[pid] for pid in members).most_common(1)[0]
        size = sum(1 for c in clusters.values() if c == best)
        figures[tag] = {"posts": len(members), "recall": n / len(members), "purity": n / size,
                        "clusters": len({clusters[pid] for pid in members})}
    return TaskResult("stories", "MinHash + общие места и тема", f"демо-корпус ({len(gold)} постов)", extra=figures)


# --- speed ------------------------------------------------------------------------------------------
def measure_speed(root: Path, analyzer, limit: int = 1000, batch: int = 256) -> dict[str, float]:
    """Posts per second on one core: Natasha NER alone and the full analysis, same posts, same run."""
    from core.domain import Post
    from nlp.ner import find_locations, load_ner_tagger

    texts = []
    for text in iter_local_posts(root):
        texts.append(text)
        if len(texts) >= limit:
            break
    now = datetime.now(timezone.utc)
    posts = [Post(platform="vk", source="bench", native_id=str(i), text=t, published_at=now)
             for i, t in enumerate(texts)]
    load_ner_tagger()
    analyzer.analyze(posts[:50])  # load the models and warm the caches
    timing: dict[str, Callable[[], object]] = {
        "ner": lambda: [find_locations(texts[i : i + batch]) for i in range(0, len(texts), batch)],
        "full": lambda: [analyzer.analyze(posts[i : i + batch]) for i in range(0, len(posts), batch)],
        "no_ner": lambda: [analyzer.analyze(posts[i : i + batch], use_ner=False) for i in range(0, len(posts), batch)],
    }
    result = {"posts": float(len(texts))}
    with _one_thread():
        for name, run in timing.items():
            started = time.perf_counter()
            run()
            result[name] = len(texts) / (time.perf_counter() - started)
    return result


def _one_thread():
    """Limit BLAS to one thread (per-core figures) when threadpoolctl is there; else a no-op."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - without it, set OMP_NUM_THREADS=1 before starting
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1)
