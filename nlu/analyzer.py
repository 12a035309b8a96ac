"""The analyzer a process loads once: tokenizer, trained model and gazetteer, then many texts.

jieba and spaCy take about a second to load, so `Analyzer.load` runs at start-up and `analyze`
is the per-message call (CPU-bound: callers run it in a worker thread).
"""

import concurrent.futures
import gc
import multiprocessing
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import jieba
import numpy as np

from nlu.analysis import Analysis
from nlu.cues import shared_reader
from nlu.emergency import detect_emergency
from nlu.entities import Entity, extract_entities
from nlu.gazetteer import Gazetteer
from nlu.model import MAX_CHARS, NluModel, prepare_normalized
from nlu.normalize import normalize
from nlu.registry import ModelRegistry
from nlu.segment import make_tokenizer

EXTRACT_CHARS = 1000  # places and entities are looked for in the first 1,000 characters (where residents say where)
_READ_CHARS = max(EXTRACT_CHARS, MAX_CHARS)  # no step reads further into a text
_CONTENT = re.compile(r"[\u4e00-\u9fff]")
# Fewer Chinese characters than this say too little to classify with confidence; trust falls with
# the square of the share (two characters, 「你好」, carry a ninth).
FULL_INFORMATION_CHARS = 6
PARALLEL_MIN = 400  # a smaller batch ends before forking and collecting results pay off
CHUNKS_PER_WORKER = 8
_WORKER: "Analyzer | None" = None


class Analyzer:
    def __init__(self, model: NluModel, gazetteer: Gazetteer, tokenizer: jieba.Tokenizer | None = None,
                 version: str | None = None) -> None:
        self.model = model
        self.gazetteer = gazetteer
        self.tokenizer = tokenizer or make_tokenizer(gazetteer.words())
        self.version = version

    @classmethod
    def load(cls, models_dir: Path, gazetteer: Gazetteer) -> "Analyzer":
        """The active model of `models_dir`; raises ModelMissing (Chinese message) if none is active."""
        registry = ModelRegistry(Path(models_dir))
        version = registry.require_active()
        return cls(registry.load(version), gazetteer, version=version)

    def analyze(self, text: str, *, extract_chars: int = EXTRACT_CHARS) -> Analysis:
        """`extract_chars`: how far places, phone numbers and emergencies are looked for. A hotline
        call says them at the end, when the operator asks (the console reads the whole call); the
        classifiers read the first _READ_CHARS whatever it is."""
        text = (text or "")[:max(_READ_CHARS, extract_chars)]
        canon = normalize(text)
        clf_text, words = prepare_normalized(canon[:_READ_CHARS], self.tokenizer)
        probs = self.model.predict_one(clf_text, words)
        return replace(self._finish(text[:extract_chars], canon[:extract_chars], clf_text, probs),
                       cues=shared_reader().read(clf_text, words))

    def analyze_many(self, texts: Sequence[str], workers: int | None = None) -> list[Analysis]:
        """Many texts in order; `workers` > 1 forks that many processes sharing the loaded model.

        `None` uses every CPU for a batch of at least PARALLEL_MIN texts, but only while this
        process runs no other thread: a forked child inherits no threads, only their locks, held
        or not. The per-message path is already the fast one (scikit-learn's batch transform is
        slower than `TextFeatures.one` here), so batching gains only from processes.
        """
        texts = list(texts)
        if workers is None:
            workers = _cpus() if len(texts) >= PARALLEL_MIN and threading.active_count() == 1 else 1
        if workers > 1 and len(texts) >= 2 * workers:
            return self._parallel(texts, workers)
        return [self.analyze(text) for text in texts]

    def _parallel(self, texts: list[str], workers: int) -> list[Analysis]:
        """`workers - 1` children take chunks from the front while this process takes them from the
        back, each chunk it can still cancel in the pool: a core that someone else keeps busy then
        costs a few chunks, not a fixed share of the batch."""
        global _WORKER
        _WORKER = self
        size = -(-len(texts) // (workers * CHUNKS_PER_WORKER))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        context = multiprocessing.get_context("fork")
        gc.freeze()  # the loaded model stays shared copy-on-write instead of being touched by the GC
        try:
            with concurrent.futures.ProcessPoolExecutor(workers - 1, mp_context=context) as pool:
                futures = [pool.submit(_analyze_chunk, chunk) for chunk in chunks]
                mine = {i: [self.analyze(text) for text in chunks[i]]
                        for i in reversed(range(len(chunks))) if futures[i].cancel()}
                results = [mine[i] if i in mine else futures[i].result() for i in range(len(chunks))]
        finally:
            gc.unfreeze()
            _WORKER = None
        return [analysis for chunk in results for analysis in chunk]

    def _finish(self, head: str, canon: str, clf_text: str, probs: dict) -> Analysis:
        """Everything but the classifiers' probabilities, from the text's head that is searched (and
        its normalized form)."""
        information = min(1.0, len(_CONTENT.findall(clf_text[:50])) / FULL_INFORMATION_CHARS) ** 2
        category = self._ranked("category", probs.get("category"), information)
        topic = self._ranked("topic", probs.get("topic"), information)
        candidates = self.gazetteer.resolve(canon, normalized=True)
        places = [Entity("place", head[c.start : c.end], c.start, c.end, c.grid_code) for c in candidates]
        return Analysis(
            category=category[0][0] if category else None,
            category_confidence=category[0][1] if category else 0.0,
            topic=topic[0][0] if topic else None,
            topic_confidence=topic[0][1] if topic else 0.0,
            category_alternatives=category[1:],
            topic_alternatives=topic[1:],
            grid_candidates=candidates,
            entities=sorted([*places, *extract_entities(head, canon)], key=lambda e: (e.start, e.end)),
            emergency=detect_emergency(head, canon),
        )

    def _ranked(self, task: str, probs: np.ndarray | None, information: float) -> list[tuple[str, float]]:
        """Labels best first; with little text, probabilities shrink toward uniform (low confidence)."""
        clf = self.model.classifier(task)
        if clf is None or probs is None:
            return []
        shrunk = information * np.asarray(probs) + (1.0 - information) / len(probs)
        order = np.argsort(-shrunk, kind="stable")
        return [(clf.classes[i], float(shrunk[i])) for i in order]


def _analyze_chunk(texts: list[str]) -> list[Analysis]:
    assert _WORKER is not None
    return _WORKER.analyze_many(texts, workers=1)


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
