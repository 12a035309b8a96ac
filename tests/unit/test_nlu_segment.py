"""The fast word cut gives exactly jieba's words (HMM off), on any text."""

from functools import lru_cache

import jieba

from nlu.normalize import normalize
from nlu.seed import load_seed
from nlu.segment import make_tokenizer, tokens
from tests.fixtures.nlu import gazetteer

ODD_TEXTS = (
    "", "   \n\t", "\r\n\r\n", "abc 123 def", "a-b.c_d+e#f&g%h", "my 小区 wy 物业 乱收费 wifi也没有 😡😡",
    "\x00\ufffd\u202e控制字符", "１２３ＡＢＣ全角", "噪音" * 500, "龘龘路上龘，龘龘路128号", "12345热线打了3次",
    "我們小區的物業亂收費", "幸福里三号楼和书香门第之间的青禾路", "电话：13812345678。\u3000好的",
)


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A district's tokenizer, plus a word whose first character is no word of jieba's (a zero-count prefix)."""
    made = make_tokenizer(gazetteer().words())
    made.add_word("龘龘路", freq=20000)
    return made


def jieba_words(text: str) -> list[str]:
    return [word for word in tokenizer().lcut(text, HMM=False) if not word.isspace()]


def test_same_words_as_jieba_on_the_seed_corpus():
    for text, _, _ in load_seed()[::3]:
        assert tokens(tokenizer(), normalize(text)) == jieba_words(normalize(text))


def test_same_words_as_jieba_on_odd_input():
    for text in ODD_TEXTS:
        assert tokens(tokenizer(), text) == jieba_words(text), text
