"""The words Chinese place names end with (小区, 苑, 路, 号楼 …), shared by the near-spelling search,
which looks for misspelt names only where such a word ends, and by the reading of an answer to
"where?", which keeps a description of a place the registry does not hold. Pure `re`, so that a
module reading short answers does not load the fuzzy matcher's libraries."""

import re

_WORDS = "小区|花园|家园|公寓|新村|大厦|广场|社区|街道|网格|中学|小学|幼儿园|医院|市场|号楼"
_CHARS = "苑园里庭城村居湾府邸院场路街巷道弄楼栋"
PLACE_ENDS = re.compile(f"{_WORDS}|[{_CHARS}]")
# A one-character ending ends a name only after another character and before the text ends, a digit,
# a mark or a word that follows places (上, 边, 口, 附近, 的 …): 「幸福路上」, 「青禾路88号」, not 「路灯」, 「楼梯」.
PLACE_NAMED = re.compile(f"{_WORDS}|(?<=[\u4e00-\u9fff])[{_CHARS}](?=$|[^\u4e00-\u9fff]|[上下边口旁附那这一东南西北的和与里内外中])")
