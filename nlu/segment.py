"""A jieba tokenizer per analyzer, with the district's place names and the domain lexicon added.

jieba's global tokenizer is shared process-wide; an own `jieba.Tokenizer` keeps one analyzer's
user dictionary from leaking into another (tests build several districts in one process).
"""

import logging
import re
from collections.abc import Iterable
from functools import cache
from math import log

import jieba

from nlu.cue_lexicon import ask_words
from nlu.lexicon import DOMAIN_WORDS

_WORD_FREQ = 20000
# jieba's block pattern (jieba.re_han_default); other characters are words of their own.
_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&._%\\-]+)")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def make_tokenizer(extra_words: Iterable[str] = ()) -> jieba.Tokenizer:
    """Initialised tokenizer knowing the domain, the category's ask words and `extra_words`.

    Ask words cut whole (「拖欠工资」, 「需要什么材料」) gained the category two points of macro-F1 on
    real messages and left the topic where it was (0.8944 against 0.8953, within the noise between
    fold seeds); the party and frame words as well cost the topic 0.4 points, so the matcher reads
    those as phrases of ordinary words instead (nlu/cues.py)."""
    tokenizer = jieba.Tokenizer()
    freq, total = base_dictionary()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    for word in (*DOMAIN_WORDS, *ask_words(), *extra_words):
        word = word.strip()
        if len(word) > 1 and " " not in word:
            tokenizer.add_word(word, freq=_WORD_FREQ)
    return tokenizer


@cache
def base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's own dictionary, read once per process (~0.6 s) instead of once per tokenizer (an
    analyzer has two); each tokenizer adds its words to a copy of it."""
    jieba.setLogLevel(logging.WARNING)
    reader = jieba.Tokenizer()
    reader.initialize()
    return reader.FREQ, reader.total


def tokens(tokenizer: jieba.Tokenizer, text: str) -> list[str]:
    """Words of `text` without whitespace tokens, exactly as `tokenizer.lcut(text, HMM=False)` cuts them.

    HMM off: it is slower and invents odd words. The cut is jieba's own algorithm (prefix-dictionary
    DAG, best route by word log-frequency) in one backward pass over each block, which takes about
    40 % of jieba's time for the same words (tests/unit/test_nlu_segment.py compares the two).
    """
    tokenizer.check_initialized()
    freq, log_total = tokenizer.FREQ.get, log(tokenizer.total)
    words: list[str] = []
    for block in _HAN.split(text):
        if not block:
            continue
        if _HAN.match(block):
            _cut_block(block, freq, log_total, words)
        else:
            words.extend(char for char in block if not char.isspace())
    return words


def _cut_block(block: str, freq, log_total: float, words: list[str]) -> None:
    """jieba's `__cut_DAG_NO_HMM`: ties go to the longer word, single ASCII letters/digits are joined."""
    size = len(block)
    score = [0.0] * (size + 1)
    ends = [0] * size
    following = 0.0
    for start in range(size - 1, -1, -1):
        count = freq(block[start])
        best, end = (log(count) - log_total + following, start + 1) if count else (None, start)
        if count is not None:
            stop = start + 2
            while stop <= size:
                count = freq(block[start:stop])
                if count is None:
                    break
                if count:
                    candidate = log(count) - log_total + score[stop]
                    if best is None or candidate >= best:
                        best, end = candidate, stop
                stop += 1
        if best is None:  # no word starts here: the character alone, at jieba's frequency of 1
            best, end = following - log_total, start + 1
        score[start] = following = best
        ends[start] = end
    position, run = 0, ""
    while position < size:
        end = ends[position]
        word = block[position:end]
        if end - position == 1 and word in _ASCII_ALNUM:
            run += word
        else:
            if run:
                words.append(run)
                run = ""
            words.append(word)
        position = end
    if run:
        words.append(run)
