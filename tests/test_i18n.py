"""Every reader-facing label exists in every reader language (English fills no gap by accident)."""

from __future__ import annotations

import pytest

from digest.i18n import _EN, LABELS, LANGUAGE_NAMES, label

# "Comment" is arXiv's own field name (the reference digests keep it); "et al." is French and Spanish too.
SAME_EVERYWHERE = {"comment", "et_al"}


@pytest.mark.parametrize("language", sorted(LANGUAGE_NAMES))
def test_every_label_is_translated(language):
    assert set(_EN) - SAME_EVERYWHERE <= set(LABELS.tables[language])


@pytest.mark.parametrize("language", sorted(set(LANGUAGE_NAMES) - {"en"}))
def test_a_failure_notice_is_in_the_subscription_s_language(language):
    text = label(language, "notice_failing", topic="x", what=label(language, "failed:arxiv"), next="2026-12-07 09:00")
    assert text != label("en", "notice_failing", topic="x", what=label("en", "failed:arxiv"), next="2026-12-07 09:00")
    assert "*x*" in text and "2026-12-07 09:00" in text
