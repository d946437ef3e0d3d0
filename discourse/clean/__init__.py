"""Cleaning web captures: page chrome removed, capture damage repaired, audited.

Cleaning is a sequence of small pure ``str -> str`` steps with keyword-only
options (:data:`STEPS`), composed by a :class:`Cleaner` that can be stepped
through one step at a time and that records every removal as a
:class:`Removal` addressed in the raw text.

Default steps (:data:`DEFAULT_STEPS`), in order:

1. :data:`normalize_unicode` - quotes, dashes, invisible characters, NFKC;
2. :data:`repair_glued_words` - "terroristactivities" -> "terrorist activities";
3. :data:`fix_punctuation_spacing` - "Kabul ," -> "Kabul,";
4. :data:`normalize_whitespace`;
5. :data:`remove_chrome` - every chrome rule, in rounds until nothing more is
   found: sidebars (:data:`remove_sidebars`), widgets and credits
   (:data:`remove_widgets`), masthead/byline/repeated title at the top
   (:data:`remove_head_chrome`), bio/disclaimer/tagline at the end
   (:data:`remove_tail_chrome`), e-mail addresses (:data:`remove_emails`);
6. :data:`fix_punctuation_spacing` and 7. :data:`normalize_whitespace` again,
   to tidy what removals left.

Characters and spacing are normalised before the chrome rules so that the
line lengths they look at are final; together with the fixed point this
makes cleaning idempotent: ``clean(clean(x)) == clean(x)``.

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
from ._rules import RULES, remove_chrome, remove_emails, remove_head_chrome, remove_sidebars, remove_tail_chrome, remove_widgets

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
    "remove_chrome",
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
