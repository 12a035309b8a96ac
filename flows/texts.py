"""The bot's words, in one place: a patient clerk's Chinese, and the small formatters they need."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.case import CATEGORY_LABELS
from handlers.phones import mask_phones_in
from nlu.cue_lexicon import positions

CATEGORY_NOUNS = {"dispute": "矛盾纠纷", "service": "便民服务诉求", "petition": "信访事项"}
# What each category means in a resident's words, for staff pages that offer it as a choice.
CATEGORY_HINTS = {
    "dispute": "和邻居、家人或公司、物业、商家、老板之间的矛盾",
    "service": "没有对方：办事、维修、咨询、求助",
    "petition": "要政府部门处理：对部门或公立学校、医院的意见，举报要求查处，建议",
}
# The question residents can answer instead of naming a category (CATEGORY_GUIDE.md: the other
# side decides it), its options (labels, nlu.guide party labels), and the follow-up asked only
# when a company or a person is on the other side but a public body may be wanted.
PARTY_QUESTION = "这件事主要是和谁之间的问题？"
PARTY_OPTIONS = (
    ("邻居或家人", "person"),
    ("公司、物业、商家或老板", "company"),
    ("政府部门或公立学校、医院", "government"),
    ("没有对方，需要办事、维修或咨询", "none"),
)
ASK_QUESTION = "您希望怎么解决？"
ASK_OPTIONS = (("让对方改正、赔偿或退钱", "mediation"), ("请有关部门来查处、纠正", "enforcement"))
PARTY_PHRASES = {"person": "邻居或家人", "company": "公司、物业或商家"}
DONT_KNOW = ("说不清", "不知道", "不清楚", "不太清楚", "不好说", "不确定", "搞不清", "搞不懂", "不晓得", "讲不清", "说不好")
# Words residents use for each category when they correct the bot.
CATEGORY_WORDS = {
    "dispute": ("矛盾纠纷", "纠纷", "矛盾", "吵架", "邻里"),
    "service": ("便民服务", "便民", "服务", "办事", "咨询", "维修"),
    "petition": ("信访事项", "信访", "上访", "投诉", "举报", "求决"),
}
# Words residents use for a topic when they correct it ("不是环保的事，是交通"); only topics some
# department of the district owns are ever offered.
TOPIC_WORDS = {
    "城乡建设": ("城乡建设", "城建", "住建", "建设", "物业", "市政", "房子", "房屋", "规划", "城管", "房管"),
    "环境保护": ("环境保护", "环保", "环境", "污染", "生态"),
    "交通运输": ("交通运输", "交通", "公交", "道路", "运输", "交警"),
    "教育文体": ("教育文体", "教育", "学校", "文体", "体育", "文化"),
    "劳动和社会保障": ("劳动和社会保障", "劳动", "社保", "人社", "就业", "工资"),
    "卫生计生": ("卫生计生", "卫生", "医疗", "医院", "卫健", "计生"),
    "商贸旅游": ("商贸旅游", "商贸", "商务", "旅游", "市场监管", "商家"),
    "政法": ("政法", "治安", "司法", "邻里", "邻居", "调解", "派出所", "公安"),
    "民政": ("民政", "低保", "养老", "救助", "殡葬", "婚姻登记"),
}
EMERGENCY_LINES = {
    "110": "如遇违法犯罪、人身安全受到威胁，请立即拨打 110 报警！",
    "119": "如有火情、被困等险情，请立即拨打 119！",
    "120": "如有人受伤或突发疾病，请立即拨打 120 急救电话！",
    # by kind, where a number alone is not the whole answer (nlu/emergency.py)
    "self_harm": "您的安全最要紧。如果您或身边的人有轻生的危险，请立即拨打 110 或 120；"
                 "心里难受、想找人说说，可以拨打心理援助热线 12356。",
    "domestic": "如果正在遭受家庭暴力，请先到安全的地方并立即拨打 110 报警；"
                "也可以拨打妇女维权公益服务热线 12338 求助。",
    "gas": "闻到燃气味请不要开关电器、不要点火，打开门窗、离开现场后拨打 119 或燃气公司抢修电话！",
    "power": "电线掉落、漏电有触电危险，请远离，不要触碰，立即拨打 95598 供电抢修电话；有人触电请拨打 120！",
    "fraud": "遇到诈骗请立即拨打 110 报警，保留转账记录和聊天记录；也可以拨打 96110 反诈专线咨询。",
    "danger": "有人被困、落水或走失，请立即拨打 110 报警求助；有人受伤请同时拨打 120！",
}
ALREADY_CALLED = "您已经报警或呼救了，请先注意自身安全，等候民警、消防或急救人员到场；情况有变化可以再次拨打。"
PHONE_EXPLAINED = ("留电话是为了办理人员联系您核实情况、办完后回访。工作人员页面上号码默认隐藏（如 138****5678），"
                   "查看完整号码会留下记录；您的电话不会告诉被反映的一方。不想留也可以，办理进度会在这里通知您。")
ANONYMOUS_EXPLAINED = (
    "匿名反映的意思是：办理部门看不到您的身份和联系方式，不会打电话向您核实或回访；"
    "但办理进度和结果仍会在这里告诉您，您也可以用诉求编号查询。"
)
GREETING = "您好，我是民声诉求受理助手。请直接告诉我您遇到的问题，比如“小区楼道的灯坏了一个月没人修”。"
# 「转人工」: there is no one behind the chat to hand over to; say where a person is, and what the chat does.
HUMAN = ("这里由智能助手接待，不能直接转接人工。您直接描述遇到的问题，登记后会交给负责部门的工作人员办理；"
         "想和工作人员通话，请拨打 12345 政务服务便民热线。")
# 「你们是谁」, 「你们是哪个部门的」: who is answering, and what happens to what the resident tells.
WHO_WE_ARE = ("我是民声诉求受理助手，替街道和区里的各部门接收群众反映：您说的问题登记后，按“谁主管、谁负责”交给负责的部门办理，"
              "每一步进展都会在这里通知您。")
# A message in another language is filed as written, for staff to read; the reading itself is Chinese only.
NOT_CHINESE = "提示：目前只能识别中文，您写的内容会原样交给工作人员。用中文描述能更快分派（Chinese, please, if you can）。"
HELP = (
    "我可以帮您：\n"
    "1. 反映问题：直接描述您遇到的事，我会帮您登记并交给负责部门；\n"
    "2. 查询进度：发送“查询”或诉求编号（如 MS-20261127-0001）；\n"
    "3. 补充情况：发送“补充”加上要补充的内容；\n"
    "4. 评价办理结果：办结后回复 1–5 分；\n"
    "5. 撤销诉求：在部门签收之前，发送“撤销”；\n"
    "6. 个人信息：发送“查询我的信息”看我们保存了什么，诉求办结后可发送“删除我的信息”。\n"
    "遇到紧急危险请直接拨打 110、119 或 120。"
)
NOT_UNDERSTOOD = "不好意思，我没太明白。"
ANOTHER_WAY = "我换个方式问。"
PERSON = "如果不方便在这里说清楚，也可以拨打 12345 热线，由工作人员帮您登记。"
RESUME = "我们接着刚才的反映继续："
CANCELLED_DRAFT = "好的，本次反映已取消，没有提交。如果是点错了，马上回复“恢复”就能找回；需要时也随时可以再找我。"
CANCELLED_MATTER = "好的，这件事已取消，没有提交（点错了的话马上回复“恢复”）。"
RESTORED_DRAFT = "好的，刚才的反映已恢复，我们接着来。"
ADDED_TO_STORY = "好的，已补充到问题描述里。"
PHOTO_KEPT = "收到图片，会作为附件随诉求一并提交。"
PHOTO_DESCRIBE = "请再用文字说说是什么问题、在什么地方："

_SENTENCE_END = re.compile(r"[。！？!?\n]")


def category_label(category: str | None) -> str:
    return CATEGORY_LABELS.get(category or "", "未分类")


def category_plain(category: str | None, party: str | None = None, party_words: str = "") -> str:
    """The category in words a resident uses: who it is with, or who must act on it."""
    if category == "dispute":
        other = ""
        if party in PARTY_PHRASES:
            other = party_words if 0 < len(party_words) <= 8 else PARTY_PHRASES[party]
        other = f"{other}邻居" if other in positions() else other  # not 「和楼下之间」: 「和楼下邻居之间」
        return f"和{other}之间的矛盾纠纷" if other else "需要调解的矛盾纠纷"
    if category == "service":
        return "需要办理的便民服务"
    if category == "petition":
        return "需要政府部门处理的信访事项"
    return "未分类（由工作人员判断）"


def gist(text: str, limit: int = 40) -> str:
    """The resident's own first sentence, shortened: restating in their words avoids misquoting. A phone
    typed into it is masked, as everywhere it is shown."""
    text = mask_phones_in(text)
    first = _SENTENCE_END.split(text.strip(), maxsplit=1)[0].strip() or text.strip()
    return first if len(first) <= limit else first[: limit - 1] + "…"


def next_matter_text(text: str) -> str:
    """Said when the next matter of a message is taken up, after a filing or a 取消."""
    return f"接着登记下一件：“{gist(text)}”。"


def local_date(value: datetime | None, timezone: str) -> str:
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(timezone))
    return f"{local.year}年{local.month}月{local.day}日"


def split_text(text: str, limit: int) -> list[str]:
    """A text in pieces of at most `limit` characters (a channel's message size), cut at line breaks where possible."""
    text = text or "…"
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return pieces
