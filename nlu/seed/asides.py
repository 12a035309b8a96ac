"""Asides: sentences a resident adds to any letter whatever it is about, fictional, written for this
project (nothing taken from real messages or from ../shared/data).

Real messages to a street office or a message board are long (about 250 characters for disputes and
petitions): who writes, offices already called, a law looked up, how long it has dragged on, how
the family copes. The sentence that decides the category is one among many. `generate.py` puts
ASIDE_COUNT of these, drawn alike in every category, between a seed message's sentences (never
after its last one, where residents say what they want), so that the model learns what they say
about the category: nothing. On real messages (bench/nlu.py) this moved the seed model's macro-F1
by about two points on every generator seed tried (nlu/README.md).
"""

import random
import re

ASIDE_COUNT = (2, 5)  # inclusive: how many asides a message gets
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")

ASIDES: tuple[str, ...] = (
    # who writes
    "我今年六十多岁了，身体也不太好。", "家里有两个孩子在上学，开销很大。", "我是一名普通的退休职工。",
    "我们一家老小都靠这点收入过日子。", "我是外地过来打工的，在这边已经{n}年了。", "我们夫妻俩都在附近上班，平时早出晚归。",
    "我母亲常年卧病在床，需要人照顾。",
    # offices named in passing
    "之前也打过12345热线。", "社区的网格员也来看过情况。", "这件事社区和街道也都知道。", "我也去政务服务中心问过。",
    "听说区里也在统计这方面的情况。", "我们也咨询过律师和社区的法律顾问。", "村干部也来过一次，说会往上报。",
    # law and rules, in passing
    "根据国家的相关规定，我们觉得自己是有道理的。", "我查过相关的法律法规。", "我们都是遵纪守法的老百姓。", "这明显不符合规定。",
    "我们手里有合同、收据和照片，都可以提供。", "按照法律规定，这件事应该有个说法。",
    # delay and worry
    "到现在已经拖了{dur}。", "事情一拖再拖，迟迟没有结果。", "至今没有一个明确的说法。", "我们等了很久，心里非常着急。",
    "真的是没有办法了，才在这里留言。", "这件事给我们的生活带来了极大的困扰。", "周围不少人都有类似的遭遇。", "我们实在是耗不起了。",
    # companies and people in passing
    "我在一家公司上班，请假很不容易。", "小区物业也说不清楚是怎么回事。", "附近的商户也有意见。", "邻居们也都在议论这件事。",
    # dates and money
    "{year}年{month}月的时候就开始了。", "前前后后花了{money}。", "从{year}年到现在，情况一直没有改善。", "我们这里一共有{n}十多户。",
    # public spirit
    "国家一直提倡为人民群众办实事。", "相信政府一定会重视老百姓的事。", "现在的政策越来越好了，老百姓也越来越敢说话了。",
)


def with_asides(text: str, rng: random.Random) -> str:
    """`text` with ASIDE_COUNT asides put before its sentences, its last sentence staying last."""
    sentences = _SENTENCE.findall(text) or [text]
    for aside in rng.sample(ASIDES, rng.randint(*ASIDE_COUNT)):
        sentences.insert(rng.randint(0, len(sentences) - 1), _fill(aside, rng))
    return "".join(sentences)


def _fill(aside: str, rng: random.Random) -> str:
    return aside.format(n=rng.randint(2, 9), dur=rng.choice(("一个多月", "半年", "大半年", "两三个月", "快一年", "一年多")),
                        year=rng.randint(2012, 2023), month=rng.randint(1, 12),
                        money=rng.choice(("三千多块", "两万多", "好几千", "一万多元")))
