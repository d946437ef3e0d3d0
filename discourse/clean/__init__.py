"""Cleaning web captures: page chrome removed, capture damage repaired, audited.

Cleaning is a sequence of small pure ``str -> str`` steps with keyword-only
options (:data:`STEPS`), composed by a :class:`Cleaner` that can be stepped
through one step at a time and that records every removal as a
:class:`Removal` addressed in the raw text.

Default steps, in order:

1. :data:`normalize_unicode` - quotes, dashes, invisible characters, NFKC;
2. :data:`remove_sidebars` - "Recent Posts"/"Related"/"Read more" sidebars;
3. :data:`remove_widgets` - share/comment widgets, comment forms, image credits;
4. :data:`remove_head_chrome` - masthead, byline, credits, repeated title;
5. :data:`remove_tail_chrome` - author bio, disclaimer, tagline, widgets at the end;
6. :data:`remove_emails` - e-mail addresses;
7. :data:`repair_glued_words` - "terroristactivities" -> "terrorist activities";
8. :data:`fix_punctuation_spacing` - "Kabul ," -> "Kabul,";
9. :data:`normalize_whitespace`.

The chrome rules recorded in :attr:`Removal.rule` are listed in :data:`RULES`
(see :mod:`discourse.clean._rules` for what each removes).

Examples
--------
>>> from discourse.clean import clean_text
>>> clean_text("Photo: AFP\\n\\nTalks resumed in Kabul ,” officials said.")
'Talks resumed in Kabul," officials said.'
"""

from ._normalize import Step, apply_edits, fix_punctuation_spacing, normalize_unicode, normalize_whitespace
from ._pipeline import DEFAULT_STEPS, STEPS, Cleaner, CleanResult, Removal, clean_text
from ._repair import repair_glued_words, segment_glued
from ._rules import RULES, remove_emails, remove_head_chrome, remove_sidebars, remove_tail_chrome, remove_widgets

__all__ = [
    "Cleaner",
    "CleanResult",
    "Removal",
    "clean_text",
    "Step",
    "STEPS",
    "DEFAULT_STEPS",
    "RULES",
    "apply_edits",
    "normalize_unicode",
    "remove_sidebars",
    "remove_widgets",
    "remove_head_chrome",
    "remove_tail_chrome",
    "remove_emails",
    "repair_glued_words",
    "segment_glued",
    "fix_punctuation_spacing",
    "normalize_whitespace",
]
