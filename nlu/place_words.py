"""The words Chinese place names end with (小区, 苑, 路, 号楼 …), shared by the near-spelling search,
which looks for misspelt names only where such a word ends, and by the reading of an answer to
"where?", which keeps a description of a place the registry does not hold. Pure `re`, so that a
module reading short answers does not load the fuzzy matcher's libraries."""

import re

PLACE_ENDS = re.compile(r"小区|花园|家园|公寓|新村|大厦|广场|社区|街道|网格|中学|小学|幼儿园|医院|市场|号楼|"
                        r"[苑园里庭城村居湾府邸院场路街巷道弄楼栋]")
