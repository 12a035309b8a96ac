"""Emergencies happening now (fire, gas, violence, someone in danger, medical) → the number to call.

Two kinds are told apart from the rest because their answer is not only a number: someone who
speaks of ending their life (self_harm) is also given the psychological assistance line, and
violence at home (domestic) the women's rights line; both are 110 first.

A flow must answer these before anything else. Negated ("没有着火"), past or everyday mentions ("上次着火
的事", "已经扑灭了", "楼下饭店天天有煤气味") are not emergencies. A false alarm costs one extra sentence and
sends the case to a dispatcher instead of its department (handlers/routing.py); a miss costs far more.
"""

import re
from dataclasses import dataclass

from nlu.normalize import normalize

RULES: tuple[tuple[str, str, str], ...] = (
    ("fire", "119", r"着火|着伙|起火|失火|火灾|烧起来|冒浓烟|冒黑烟.{0,4}(?:屋|楼|家)|火(?:势|很大|越来越大)|浓烟滚滚|"
                    r"(?:楼道|屋|家|房间|房子|窗户|楼上|楼下)里?(?:冒(?:黑|浓)烟|冒(?:白)?烟了)"),
    ("gas", "119", r"(?:煤气|燃气|天然气|液化气)[^，。！？,.!?]{0,3}(?:泄漏|泄露|漏了|在漏|漏气)|"
                   r"(?:煤气|燃气|天然气|液化气)味(?:道)?(?:很|特别|好)?(?:大|重|浓)|"
                   r"(?:有|一股|闻到)[^，。！？,.!?]{0,4}(?:煤气|燃气|天然气|液化气|煤汽)味|臭鸡蛋味[^，。！？,.!?]{0,6}漏|"
                   r"(?:家里|厨房|楼道|屋里)[^，。！？,.!?]{0,4}漏气了|"
                   r"(?:很大的|很浓的|好大的|很重的|浓浓的)(?:煤气|燃气|天然气|液化气)味"),
    ("power", "95598", r"冒火花|打火花|火花直冒|电线(?:杆)?[^，。！？,.!?]{0,6}(?:掉|断|垂|落)[^，。！？,.!?]{0,4}(?:地上|下来|路上)|漏电|触电"),
    ("self_harm", "110", r"轻生|自杀|想不开|不想活|活不下去|活着没(?:有)?(?:什么)?意思|不如死了|死了算了|想去死|寻死|"
                         r"割腕|跳楼|跳河|跳江|(?<![得到])我(?:真的?)?想死(?!的心)|^想死(?!的心)|一死了之|结束(?:自己的?)?生命|活够了|寻短见|"
                         r"(?:喝|吃)(?:了)?(?:农药|安眠药|老鼠药)|攒了?[^，。]{0,3}安眠药|要跳下来|要往下跳|(?:就|要)跳下去(?!游|玩|救)"),
    ("domestic", "110", r"家暴|家庭暴力|(?:老公|丈夫|老婆|妻子|男人|男朋友|前夫|对象|我爸|我妈|儿子|女儿)[^，。！？,.!?]{0,8}"
                        r"(?:打我|打孩子|打她|打他|对我动手|动手打|掐我|踢我)|"
                        r"(?:正在|又在|在)打(?:老婆|媳妇|老公|孩子|小孩|娃|妻子|丈夫|老人|他妈|她妈|他爸|她爸)"),
    ("violence", "110", r"打人|打架|(?:有人|两个人|几个人|俩人|两人|双方|两家|邻居)[^，。！？,.!?]{0,3}(?:打|干|动起手)起来了|"
                        r"(?:抄起|挥(?:舞)?着?)(?:棍子|棒子|铁棍|砖头|酒瓶)|"
                        r"(?:持|拿|举|挥|握)(?:着|了)?(?:一?把)?(?:菜|砍|水果)?刀|砍人|砍伤|捅人|殴打|抢劫|行凶|要杀|杀人|绑架|"
                        r"被(?:人)?(?:打|砍|捅|抢|绑)|被(?!冰雹|雨|风)[^，。！？,.!?]{1,5}(?:打|砍|捅)(?:了|伤|得|$)(?![^，。！？,.!?]{0,6}电话)|"
                        r"闹事.{0,4}(?:砸|打)|"
                        r"砸(?:[^，。！？,.!?]{0,3})(?:东西|门|车|窗)|(?:打|掐|踢)我(?!家|电话|手机|号|的电话|座机|微信)|对我动手"),
    ("fraud", "110", r"被骗|骗了我|被(?:人)?诈骗|诈骗了|正在诈骗|遇(?:到|上)(?:了)?诈骗|冒充[^，。！？,.!?]{1,6}骗|"
                     r"冒充[^，。！？,.!?]{1,10}(?:打电话|来电|短信|转账|汇款|打钱|交钱)|安全账户|"
                     r"电话[^，。！？,.!?]{0,12}(?:让|叫|要)我(?:马上)?(?:转账|汇款|打钱)"),
    ("danger", "110", r"^(?:救命|救救我|快救人)(?:啊|呀)?[!！]*$|被困|困在电梯|关在电梯|溺水|掉(?:进|到)(?:河|水|井)|坠楼|"
                      r"(?:孩子|小孩|老人|有人)[^，。！？,.!?]{0,4}(?:掉(?:进|到)?(?:河|水|井|湖|江)|落水)|"
                      r"(?:孩子|小孩|老人|老太太|老大爷)[^，。！？,.!?]{0,6}(?:不见|走丢|走失)"),
    ("medical", "120", r"晕倒|昏倒|昏迷|不省人事|没(?:有)?(?:了)?呼吸|没(?:有)?心跳|心脏病(?:犯|发)|脑梗|中风|"
                       r"抽搐|大出血|流了很多血|呼吸困难|喘不上气|快不行了|休克|中毒|中暑(?:倒|晕|昏)|"
                       r"(?:摔倒|跌倒|摔了一?跤|跌了一?跤|跌跤|摔伤)[^，。！？,.!?]{0,8}(?:起不来|动不了|爬不起来|叫不醒|不动|流血|出血)|"
                       r"倒在(?:地上|路边|路上|门口|楼道)[^，。！？,.!?]{0,4}(?:不动|起不来|叫不醒|没反应)|"
                       r"流(?:了)?(?:好多|很多|一地|满脸|满头|不少)的?血|血流不止|头破血流|叫不醒|有人倒地|"
                       r"(?:人|孩|老|我|他|她|妈|爸|爷|奶|婆)被(?:汽车|电动车|电瓶车|摩托车|货车|车)撞(?:了|倒|伤)"),
)
_COMPILED = tuple((kind, number, re.compile(pattern)) for kind, number, pattern in RULES)
_NEGATION = re.compile(r"(?:没有|没|并没|并未|不是|未|不会|防止|以防|预防|防范|谨防|避免|担心|怕|万一|如果|假如|演练|培训|宣传|"
                       r"差点|差一点|险些)"
                       r"[^，。！？,.!?]{0,6}$")
# Over, or not happening now: before, and what happens every day (「楼下饭店天天有煤气味」 is a complaint)
_PAST = re.compile(r"上次|上回|之前|以前|去年|前年|上个月|上周|那次|曾经|当年|过去|几年前|前几天|以往|历史|昨天|前天|昨晚|"
                   r"天天|每天|经常|总是|老是|(?:发生|出|闹|着|起)过")
_OVER = re.compile(r"^[^，。！？,.!?]{0,8}(?:的事|的问题|的时候|已经(?:扑灭|灭了|处理|没事|好了)|事件|隐患)")
# 「我刚报了110」, 「已经叫了救护车」: told to call, they would hear we did not listen; but not a call that
# failed (「打了119打不通」) or did no good (「我报过警也没用」, 「报警有用吗」)
_CALLED = re.compile(r"(?:已经?|刚(?:刚|才)?|我)(?:报(?:了|过)?警|(?:报|打|拨)(?:了|过)\s*(?:1[12][019]|电话报警)|"
                     r"叫(?:了|过)(?:救护车|120|119|消防|警察))")
_CALL_FAILED = re.compile(r"打不通|没打通|没人接|占线|没用|不管|有用吗|没来|还没到")
LONG_TEXT = 200
# Now: said in the mention's own clause (「现在」 in the next one may be about something else: 「前年发生过火灾，
# 现在消防通道又被堵死了」). A call for help counts just past the comma too (「又在楼下打人了，快来人啊」).
_URGENT = re.compile(r"现在|正在|马上|刚刚|刚才|！")
_HELP_NOW = re.compile(r"赶紧|快来|救命|快点|快叫|快报警")


def _clause_head(after: str) -> str:
    """The rest of the mention's clause, up to six characters and its closing mark."""
    head = after[:6]
    end = next((i for i, char in enumerate(head) if char in "，。？,.?;；"), len(head))
    return head[:end + 1]


@dataclass(frozen=True)
class Emergency:
    kind: str  # "fire" | "gas" | "power" | "self_harm" | "domestic" | "violence" | "fraud" | "danger" | "medical"
    number: str  # "119" | "110" | "120"
    text: str
    start: int
    end: int
    called: bool = False  # the resident says they have called for help already


def detect_emergency(text: str, canon: str | None = None) -> Emergency | None:
    """The first emergency mention that is neither negated nor clearly over; None otherwise.

    `canon` is `normalize(text)` when the caller has it already (the analyzer normalizes once)."""
    canon = canon if canon is not None else normalize(text)
    for kind, number, pattern in _COMPILED:
        for match in pattern.finditer(canon):
            clause_start = max((canon.rfind(p, 0, match.start()) for p in "，。！？,.!?;；"), default=-1) + 1
            before = canon[clause_start:match.start()]
            after = canon[match.end():]
            if _NEGATION.search(before):
                continue
            urgent = _URGENT.search(before + _clause_head(after)) or _HELP_NOW.search(before + after[:6])
            if (_PAST.search(before) or _OVER.search(after)) and not urgent:
                continue
            if len(canon) > LONG_TEXT and not urgent:
                continue  # a long written complaint recounts events; only an urgent one is an emergency

            called = bool(_CALLED.search(canon)) and not _CALL_FAILED.search(canon)
            return Emergency(kind, number, text[match.start():match.end()], match.start(), match.end(), called)
    return None
