"""French text for search: normalisation, a light plural-folding stemmer, query terms and snippets.

The SQLite backend indexes the output of ``index_text`` (lower case, no accents, plurals folded) because
FTS5 has no French stemmer; PostgreSQL stems with its own ``french`` dictionary after ``unaccent``. Both
need only that "jumelages" and "jumelage", "décentralisée" and "decentralise" meet, which the light stemmer
below guarantees; snippets are highlighted with the same stemmer on both backends.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD_RE = re.compile(r"\w+", re.UNICODE)

# Words too common to restrict a search; PostgreSQL's french configuration drops the same kind of words.
STOPWORDS = frozenset(
    "a au aux avec ce ces d dans de des du en et l la le les leur leurs n ne ou par pas pour qu que qui "
    "s sa se ses son sur un une y".split()
)


def normalise(word: str) -> str:
    """Lower case without diacritics (œ → oe, æ → ae)."""
    word = word.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Fold French plural and feminine endings of an already normalised word.

    Deliberately light (no suffix stripping beyond number and gender) so that a prefix typed by someone
    stems to a prefix of the full word's stem.
    """
    if len(word) > 4 and word.endswith("aux"):
        word = word[:-3] + "al"
    elif len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 5 and word.endswith("ee"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def index_text(text: str) -> str:
    """The text as the SQLite index stores it: stems separated by spaces."""
    return " ".join(stem(normalise(w)) for w in WORD_RE.findall(text))


# Stems of the words met in snippets. A plain dict of strings, which the cycle collector does not
# track (an lru_cache's links would add tens of thousands of objects to every full collection); emptied
# when it grows past _STEMS_LIMIT words.
_stems: dict[str, str] = {}
_STEMS_LIMIT = 50_000


def token_stem(word: str) -> str:
    """``stem(normalise(word))``, remembered: snippets test every word of 20 documents per search, and
    the vocabulary of the Atlas is small beside that."""
    found = _stems.get(word)
    if found is None:
        if len(_stems) >= _STEMS_LIMIT:
            _stems.clear()
        found = _stems[word] = stem(normalise(word))
    return found


@dataclass(frozen=True)
class Terms:
    """The keywords of a query: whole stems, and the last word as a prefix for type-ahead."""

    words: tuple[str, ...]  # normalised (unaccented, lower case), stop words removed
    stems: tuple[str, ...]
    prefix: str  # the stem of the last word, matched as a prefix; "" when there are no words

    def __bool__(self) -> bool:
        return bool(self.stems or self.prefix)

    def matches(self, token_stem: str) -> bool:
        return token_stem in self.stems or (bool(self.prefix) and token_stem.startswith(self.prefix))


def parse_terms(q: str) -> Terms:
    words = [normalise(w) for w in WORD_RE.findall(q)]
    # A few characters are word characters that normalise to nothing or to a space (the halfwidth katakana
    # sound marks, Arabic isolated vowel forms): an empty word made PostgreSQL's tsquery invalid (a 500).
    words = [w for w in words if w.strip() and w not in STOPWORDS and w != "_"]
    if not words:
        return Terms((), (), "")
    stems = tuple(dict.fromkeys(stem(w) for w in words[:-1]))
    return Terms(tuple(words), stems, stem(words[-1]))


def highlight(text: str, terms: Terms, *, window: int = 0) -> SafeString:
    """Escape ``text`` and wrap the words matching ``terms`` in ``<mark>``.

    With ``window`` > 0, keep only about that many words around the first match (with ellipses).
    """
    tokens = list(WORD_RE.finditer(text))
    start, end = 0, len(text)
    if window and len(tokens) > window:
        first = next((i for i, t in enumerate(tokens) if terms and terms.matches(token_stem(t.group()))), 0)
        lo = max(0, first - window // 3)
        hi = min(len(tokens), lo + window)
        start = tokens[lo].start()
        end = tokens[hi - 1].end() if hi < len(tokens) else len(text)
    parts = ["… " if start else ""]
    pos = start
    for token in tokens:
        if token.start() < start or token.end() > end:
            continue
        if terms and terms.matches(token_stem(token.group())):
            parts.append(escape(text[pos : token.start()]))
            parts.append("<mark>" + escape(token.group()) + "</mark>")
            pos = token.end()
    parts.append(escape(text[pos:end]))
    if end < len(text):
        parts.append(" …")
    return mark_safe("".join(parts))  # noqa: S308 — every piece of text above went through escape()
