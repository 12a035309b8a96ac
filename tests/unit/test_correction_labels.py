"""Which labels a person corrected, read from a case's file (storage.queries.corrections)."""

from storage.queries import corrections

FILED_BY_MODEL = ("filed", "resident:web:a", {"category": "service", "category_confidence": 0.9, "topic": "城乡建设",
                                              "topic_confidence": 0.8, "model_version": "0002"})


def test_a_reading_left_as_it_was_is_no_correction() -> None:
    assert corrections([FILED_BY_MODEL], {"category": "service", "topic": "城乡建设"}) == {}


def test_a_dispatcher_reclassification_is_a_staff_correction() -> None:
    events = [FILED_BY_MODEL, ("reclassified", "staff:li", {"category": "dispute", "classification_confirmed": True})]
    assert corrections(events, {"category": "dispute", "topic": "城乡建设"}) == {"category": "staff"}


def test_changed_back_to_the_models_reading_is_no_correction() -> None:
    events = [FILED_BY_MODEL, ("reclassified", "staff:li", {"category": "dispute"}),
              ("reclassified", "staff:wang", {"category": "service"})]
    assert corrections(events, {"category": "service", "topic": "城乡建设"}) == {}


def test_a_label_chosen_at_intake_is_the_residents() -> None:
    filed = ("filed", "resident:telegram:7", {"category": "dispute", "category_confidence": None, "topic": "城乡建设",
                                              "topic_confidence": 0.7, "model_version": "0002"})
    assert corrections([filed], {"category": "dispute", "topic": "城乡建设"}) == {"category": "resident"}


def test_the_kept_reading_tells_an_operators_change() -> None:
    filed = ("filed", "staff:operator", {"category": "dispute", "suggested_category": "service",
                                         "topic": "劳动和社会保障", "suggested_topic": "劳动和社会保障"})
    assert corrections([filed], {"category": "dispute", "topic": "劳动和社会保障"}) == {"category": "staff"}


def test_an_archive_label_is_no_correction_until_staff_change_it() -> None:
    imported = ("imported", "staff:admin", {"category": "service", "topic": "交通运输"})
    assert corrections([imported], {"category": "service", "topic": "交通运输"}) == {}
    events = [imported, ("reclassified", "staff:li", {"topic": "城乡建设"})]
    assert corrections(events, {"category": "service", "topic": "城乡建设"}) == {"topic": "staff"}
