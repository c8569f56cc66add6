"""Grouping posts into stories: the same event across sources and days.

A comment joins its parent's story. Any other post is compared with the stories
active within the time window: MinHash Jaccard over lemma shingles (content unigrams
and bigrams), or the share of the post's content lemmas already in the story, plus a
boost for the same topic and for a shared specific place (a village or an object in
full, a street by half; the town itself is too common to tell stories apart), and a
penalty when both name specific places but none in common. Ties go to the older
story, so the result depends only on the order of the posts.

Everything the tracker needs is kept in the :class:`~core.domain.Story` records
(``signature``, ``terms``, ``post_ids``, ``places``, ``topic``), so a tracker can be
rebuilt from stored stories.
"""
from __future__ import annotations

import inspect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping, Sequence

from functools import cache
from typing import TYPE_CHECKING

from core.domain import Analysis, Post, Story, make_id

if TYPE_CHECKING:
    from datasketch import MinHash
from nlp.lemmas import normalize_word
from nlp.lexicon import load_stopwords

NUM_PERM = 64
SEED = 20240501
TITLE_LENGTH = 120
# How much a shared place of each kind says «same event»: the town and the district are
# named everywhere, NER's unknown places are mostly far away, a street sees many events.
PLACE_KIND_WEIGHTS: dict[str, float] = {"town": 0.0, "district": 0.0, "unknown": 0.0, "street": 0.5, "road": 0.5}


@dataclass(frozen=True)
class StoryRules:
    """Thresholds of story assignment."""

    threshold: float = 0.35
    """Similarity at which a post joins a story (same topic + shared village alone reach it)."""
    topic_boost: float = 0.15
    """Added when the post's topic is the story's (never for «other»)."""
    place_boost: float = 0.2
    """Added when the post names a specific place the story names."""
    place_penalty: float = 0.2
    """Taken off when both name specific places and none is shared (two concerts, two villages)."""
    containment_weight: float = 0.6
    """Weight of the share of the post's terms already in the story."""
    containment_smoothing: int = 2
    """Added to the post's term count, so a two-word post cannot match on one word."""
    max_terms: int = 200
    """Content lemmas kept per story."""


def content_lemmas(lemmas: Sequence[str]) -> list[str]:
    stopwords = load_stopwords()
    return [lemma for lemma in lemmas if len(lemma) > 1 and lemma not in stopwords and not lemma.isdigit()]


def problem_terms(lemmas: Sequence[str], places: Sequence[str] = ()) -> set[str]:
    """Content lemmas without the words of the place names: places count once, through the place
    boost, not again as shared words (stories here; appeals in ``reports.appeal_links``)."""
    return set(content_lemmas(lemmas)) - {normalize_word(w) for name in places for w in name.split()}


def place_weights(places: Sequence) -> dict[str, float]:
    """Gazetteer place name → how specific it is, by its kind (town 0, street 0.5, village 1)."""
    return {p.name: PLACE_KIND_WEIGHTS.get(p.kind, 1.0) for p in places}


def shingles(lemmas: Sequence[str]) -> set[str]:
    """Content unigrams and bigrams."""
    words = content_lemmas(lemmas)
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}


# datasketch >= 2 wants the permutation scheme named when a sketch is rebuilt from stored
# values; 1.x has a single scheme. Signatures are comparable within one major version.
@cache
def _minhash() -> tuple[type, dict, "MinHash"]:
    """datasketch's MinHash class, its hashing scheme and a template sketch; imported on first use
    (datasketch pulls in scipy, a second of start-up that an idle scan need not pay)."""
    from datasketch import MinHash

    scheme = {"scheme": "affine32"} if "scheme" in inspect.signature(MinHash.__init__).parameters else {}
    return MinHash, scheme, MinHash(num_perm=NUM_PERM, seed=SEED, **scheme)


def new_sketch(hashvalues: Sequence[int] = ()) -> MinHash:
    """An empty sketch, or one restored from ``Story.signature``; permutations are shared."""
    minhash, scheme, template = _minhash()
    if hashvalues:
        return minhash(seed=SEED, hashvalues=list(hashvalues), permutations=template.permutations, **scheme)
    return minhash(num_perm=NUM_PERM, seed=SEED, permutations=template.permutations, **scheme)


def minhash_of(items: set[str]) -> MinHash:
    sketch = new_sketch()
    for item in sorted(items):
        sketch.update(item.encode("utf-8"))
    return sketch


def title_of(post: Post) -> str:
    text = re.sub(r"\s+", " ", post.display_text).strip()
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


class StoryTracker:
    """Assigns posts to stories; ``stories`` may come from the store to continue tracking."""

    def __init__(
        self,
        stories: Sequence[Story] = (),
        window_hours: float = 72,
        rules: StoryRules = StoryRules(),
        place_weights: Mapping[str, float] | None = None,
    ) -> None:
        """``place_weights``: place name → how specific it is (0 for the town, 0.5 for a street,
        1 for a village). Without it the kind of each toponym decides; a restored story's
        place of unknown kind takes the weight of the same place in the incoming post."""
        self.window = timedelta(hours=window_hours)
        self.rules = rules
        self.place_weights = dict(place_weights or {})
        self.stories: list[Story] = []
        self._by_id: dict[str, Story] = {}
        self._story_of_post: dict[str, str] = {}
        self._sketch: dict[str, MinHash] = {}
        self._topics: dict[str, Counter[str]] = {}
        self._places: dict[str, dict[str, float | None]] = {}
        # inverted index: content term or place name → ids of the stories holding it
        self._index: dict[str, set[str]] = defaultdict(set)
        self._order: dict[str, int] = {}
        for story in stories:
            self._remember(story.model_copy(deep=True), topic_count=Counter({story.topic: 1}))

    def _remember(self, story: Story, topic_count: Counter[str]) -> None:
        self._order[story.id] = len(self.stories)
        self.stories.append(story)
        self._by_id[story.id] = story
        for key in (*story.terms, *(f"@{name}" for name in story.places)):
            self._index[key].add(story.id)
        for post_id in story.post_ids:
            self._story_of_post[post_id] = story.id
        self._sketch[story.id] = new_sketch(story.signature)
        self._topics[story.id] = topic_count
        # with weights, names outside the gazetteer came from NER; without, the kind is unknown (None)
        default = 0.0 if self.place_weights else None
        self._places[story.id] = {name: self.place_weights.get(name, default) for name in story.places}

    def story_of(self, post_id: str) -> Story | None:
        story_id = self._story_of_post.get(post_id)
        return self._by_id.get(story_id) if story_id else None

    def similarity(self, story: Story, sketch: MinHash, terms: set[str], analysis: Analysis) -> float:
        """How well a post fits a story: text overlap plus topic and place boosts."""
        jaccard = story_sketch_jaccard(self._sketch[story.id], sketch)
        containment = len(terms & set(story.terms)) / (len(terms) + self.rules.containment_smoothing)
        score = max(jaccard, self.rules.containment_weight * containment)
        if analysis.topic.code != "other" and analysis.topic.code == story.topic:
            score += self.rules.topic_boost
        places = {name: w for name, w in self._weighted_places(analysis).items() if w > 0}
        story_places = self._places[story.id]
        shared = [min(w, story_places[name] if story_places[name] is not None else w)
                  for name, w in places.items() if name in story_places]
        if any(shared):
            score += self.rules.place_boost * max(shared)
        elif places and any(w for w in story_places.values()):
            score -= self.rules.place_penalty
        return score

    def candidates(self, terms: set[str], analysis: Analysis) -> list[Story]:
        """Stories that share a content term or a place with the post, oldest first.

        A story sharing neither scores at most the topic boost, under the threshold, so
        looking only at these gives the same result as scanning every story, at a cost
        that follows the overlap instead of the number of stories."""
        ids: set[str] = set()
        for key in (*terms, *(f"@{name}" for name in analysis.places)):
            ids.update(self._index.get(key, ()))
        return sorted((self._by_id[i] for i in ids), key=lambda story: self._order[story.id])

    def _weighted_places(self, analysis: Analysis) -> dict[str, float]:
        return {t.name: self.place_weights.get(t.name, PLACE_KIND_WEIGHTS.get(t.kind, 1.0)) for t in analysis.toponyms}

    def _in_window(self, story: Story, post: Post) -> bool:
        return story.first_seen - self.window <= post.published_at <= story.last_seen + self.window

    def assign(self, post: Post, analysis: Analysis) -> Story:
        """Put the post into a story (new or existing), update it, set ``analysis.story_id``."""
        known = self.story_of(post.id)
        if known is not None:
            analysis.story_id = known.id
            return known
        lemmas = analysis.lemmas
        sketch = minhash_of(shingles(lemmas))
        terms = problem_terms(lemmas, analysis.places)
        story = self.story_of(post.parent_id) if post.parent_id else None
        if story is None:
            best, best_score = None, self.rules.threshold
            for candidate in self.candidates(terms, analysis):
                if not self._in_window(candidate, post):
                    continue
                score = self.similarity(candidate, sketch, terms, analysis)
                if score >= best_score and (best is None or score > best_score):
                    best, best_score = candidate, score
            story = best
        if story is None:
            story = Story(
                id=make_id("story", post.id), title=title_of(post), first_post_id=post.id,
                first_seen=post.published_at, last_seen=post.published_at,
            )
            self._remember(story, topic_count=Counter())
        self._add(story, post, analysis, sketch, lemmas)
        analysis.story_id = story.id
        return story

    def _add(self, story: Story, post: Post, analysis: Analysis, sketch: MinHash, lemmas: Sequence[str]) -> None:
        if story.post_ids:
            self._sketch[story.id].merge(sketch)
        else:
            self._sketch[story.id] = sketch.copy()
        story.signature = [int(v) for v in self._sketch[story.id].hashvalues]
        story.post_ids.append(post.id)
        self._story_of_post[post.id] = story.id
        story.first_seen = min(story.first_seen, post.published_at)
        story.last_seen = max(story.last_seen, post.published_at)
        if post.source not in story.sources:
            story.sources.append(post.source)
        for name in analysis.places:
            if name not in story.places:
                story.places.append(name)
                self._index[f"@{name}"].add(story.id)
        self._places[story.id].update(self._weighted_places(analysis))
        for lemma in dict.fromkeys(content_lemmas(lemmas)):
            if len(story.terms) >= self.rules.max_terms:
                break
            if lemma not in story.terms:
                story.terms.append(lemma)
                self._index[lemma].add(story.id)
        topics = self._topics[story.id]
        # a post counts twice a comment («насос сгорел» in a reply must not turn an outage into a fire);
        # ties go to the topic seen first (the Counter keeps insertion order and the sort is stable)
        topics[analysis.topic.code] += 1 if post.is_comment else 2
        ranked = sorted(topics.items(), key=lambda item: (item[0] == "other", -item[1]))
        story.topic = ranked[0][0]


def story_sketch_jaccard(story_sketch: MinHash, post_sketch: MinHash) -> float:
    """MinHash Jaccard estimate; 0 for a story with no posts yet."""
    if story_sketch.is_empty() or post_sketch.is_empty():
        return 0.0
    return float(story_sketch.jaccard(post_sketch))
