"""The feed's order argument, shared by `ideas` and `town(slug).ideas`."""

from __future__ import annotations

ORDER_BY_DESCRIPTION = (
    "How the ideas come. Default: RELEVANCE when `filter.text` searches, else NEWEST. RELEVANCE (only with a "
    "search, else BAD_USER_INPUT) puts the best hits first: the full-text rank of the stemmed match, plus 1 when "
    "every searched word begins or ends a word of the title."
)
