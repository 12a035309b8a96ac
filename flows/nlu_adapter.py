"""The NLU's reading of a turn mapped onto the dialogue's own Understanding.

Runs in a worker thread (jieba and the classifier are CPU-bound), so it must stay synchronous.
"""

from flows.understanding import Emergency, Guess, PlaceGuess, Understanding
from nlu.analyzer import Analyzer
from nlu.cues import main_ask, main_party
from nlu.entities import national
from nlu.guide import Cue, GuideRules
from nlu.intents import detect_intent

CUE_CONFIDENCE = 0.8


def understand(analyzer: Analyzer, text: str, rules: GuideRules | None = None) -> Understanding:
    """`rules` (the district's `[category]`) say which asks decide the category by themselves, and
    so which of a message's asks is its main one."""
    analysis = analyzer.analyze(text)
    intent = detect_intent(text)
    entities = {kind: [e for e in analysis.entities if e.type == kind] for kind in ("phone", "case_number")}
    case_number = intent.case_number or next((str(e.value or e.text) for e in entities["case_number"]), None)
    emergency = analysis.emergency
    party, ask = main_party(analysis.cues), main_ask(analysis.cues, (rules or GuideRules()).overriding_asks)
    return Understanding(
        intent=intent.name,
        intent_confidence=intent.confidence,
        category=_guess(analysis.category, analysis.category_confidence),
        topic=_guess(analysis.topic, analysis.topic_confidence),
        places=tuple(PlaceGuess(c.grid_code, c.name, c.score, text[c.start : c.end]) for c in analysis.grid_candidates),
        phones=tuple(national(str(e.value or e.text)) for e in entities["phone"]),
        case_number=case_number,
        rating=intent.rating,
        emergency=(Emergency(emergency.kind, emergency.number, emergency.text, emergency.called)
                   if emergency is not None else None),
        model_version=analyzer.version,
        party=_cue(party),
        party_words=party.text if party else "",
        ask=_cue(ask),
        ask_words=ask.text if ask else "",
    )


def _cue(cue: Cue | None) -> Guess | None:
    """A cue is the resident's own word for the party or the ask: sure of the word, not of the reading."""
    return Guess(cue.label, CUE_CONFIDENCE) if cue else None


def _guess(label: str | None, confidence: float | None) -> Guess | None:
    return Guess(label, float(confidence or 0.0)) if label else None
