"""The spaCy member: a textcat trained from nlu/config.cfg on DocBin files, spaCy projects style.

Docs are built from the analyzer's own jieba tokens (the config reads them with gold_preproc),
so the pipeline never segments twice and uses the district's user dictionary.
"""

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train

CONFIG_PATH = Path(__file__).with_name("config.cfg")


def train_textcat(tokens: Sequence[list[str]], labels: Sequence[str], seed: int = 0,
                  max_epochs: int | None = None) -> Language:
    """Train the textcat of config.cfg on pre-segmented texts; returns the trained pipeline."""
    classes = sorted(set(labels))
    vocab = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}}).vocab
    with tempfile.TemporaryDirectory(prefix="minsheng-textcat-") as tmp:
        train_path, dev_path = Path(tmp) / "train.spacy", Path(tmp) / "dev.spacy"
        _docbin(vocab, tokens, labels, classes).to_disk(train_path)
        _docbin(vocab, tokens[:20], labels[:20], classes).to_disk(dev_path)
        overrides = {"paths.train": str(train_path), "paths.dev": str(dev_path), "system.seed": seed}
        if max_epochs is not None:
            overrides["training.max_epochs"] = max_epochs
        config = spacy.util.load_config(CONFIG_PATH, overrides=overrides, interpolate=False)
        nlp = init_nlp(config)
        quiet = io.StringIO()
        spacy_train(nlp, None, stdout=quiet, stderr=quiet)
    return nlp


def textcat_probabilities(nlp: Language, tokens: Sequence[list[str]], classes: Sequence[str]) -> np.ndarray:
    """(n, len(classes)) probabilities, columns in the order of `classes`."""
    textcat = nlp.get_pipe("textcat")
    docs = (Doc(nlp.vocab, words=words or [" "], spaces=[False] * max(len(words), 1)) for words in tokens)
    return np.array([[doc.cats.get(label, 0.0) for label in classes] for doc in textcat.pipe(docs, batch_size=256)],
                    dtype=np.float64).reshape(len(tokens), len(classes))


def _docbin(vocab, tokens: Sequence[list[str]], labels: Sequence[str], classes: list[str]) -> DocBin:
    store = DocBin(store_user_data=False)
    for words, label in zip(tokens, labels, strict=True):
        doc = Doc(vocab, words=words or [" "], spaces=[False] * max(len(words), 1))
        doc.cats = {name: float(name == label) for name in classes}
        store.add(doc)
    return store
