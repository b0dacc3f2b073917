"""Finding an insats by a name as people write it: exact names and aliases, a distinctive
part of the name ('skuldrådgivning', 'äpplet'), small typos ('Vidre Vy'), and, for budget
files, the names that are only like an insats.

Likeness rests on the distinctive words of a name, not on the words many names share
('Projekt', 'Samverkansprojekt', 'Processtöd', 'Insats', 'och'): 'Processtöd vägen till
arbete' and 'Processtöd våld i nära relationer' are two insatser, and 'Projekt Äpplet' is
nothing like 'Projekt trygga föräldrar-älskade barn'. A NameIndex finds the candidates of a
name by its words' trigrams, so checking every name of a file costs each name a few
comparisons, not one per insats of the förbund."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import bindparam
from sqlmodel import Session, select

from storage.models_budget import Insats, InsatsAlias


def fold(text: str) -> str:
    """Case and diacritics ignored, as bot.swedish.fold (storage imports nothing from bot)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


TYPO_ACCEPT = 0.8  # a name this close to exactly one insats is taken as that insats
TYPO_SUGGEST = 0.55  # closer than this is offered as "menade du …?"
WORD_LIKE = 0.8  # two words this close are one word mistyped ('vidre', 'vidare')
MIN_PREFIX = 4  # 'kompetensutv' for 'kompetensutveckling', never 'in' for 'insats'

# Words that say what kind of thing an insats is, or join the words that say which one.
GENERIC = frozenset(fold(w) for w in (
    "projekt", "samverkansprojekt", "delprojekt", "förprojekt", "pilotprojekt", "processtöd",
    "insats", "insatsen", "insatser", "samverkan", "samverkansinsats", "verksamhet",
    "bidrag", "satsning", "uppdrag"))
JOINERS = frozenset(fold(w) for w in (
    "och", "i", "för", "till", "med", "av", "på", "om", "mot", "vid", "en", "ett", "den",
    "det", "de", "från", "inom", "under", "efter", "samt"))


@lru_cache(maxsize=65536)  # a file names its few insatser on thousands of rows
def name_key(text: str) -> str:
    """Case, diacritics, punctuation and spacing ignored: 'Förstärkt budget- och
    skuldrådgivning' -> 'forstarkt budget och skuldradgivning'."""
    return re.sub(r"[\W_]+", " ", fold(text)).strip()


def distinctive(key: str) -> list[str]:
    """The words of a name key that tell it from other insatser; all its words when every
    one is generic ('processtöd' alone names the Processtöd insatser)."""
    words = [w for w in key.split() if w not in GENERIC and w not in JOINERS]
    return words or [w for w in key.split() if w not in JOINERS] or key.split()


def words_alike(a: str, b: str) -> bool:
    """One word, maybe abbreviated ('skuldråd') or mistyped ('Plattfrom')."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= MIN_PREFIX and long.startswith(short):
        return True
    if len(short) < MIN_PREFIX or 2 * len(short) < WORD_LIKE * (len(a) + len(b)):
        return False  # the lengths alone keep the ratio under WORD_LIKE
    matcher = difflib.SequenceMatcher(None, a, b)
    # The cheap upper bounds first: most candidate words are nothing alike.
    return matcher.real_quick_ratio() >= WORD_LIKE and matcher.quick_ratio() >= WORD_LIKE \
        and matcher.ratio() >= WORD_LIKE


def names_alike(a: str, b: str) -> bool:
    """Whether two name keys could be one insats: the distinctive words of one are all,
    maybe mistyped or abbreviated, among the other's ('Samtalsbyrån' and 'Samtalsbyrån för
    unga', 'Bidrag Vidare Vy' and 'Vidare Vy'). Names that each have a word the other lacks
    are two insatser ('… vägen till arbete', '… våld i nära relationer')."""
    left, right = distinctive(a), distinctive(b)
    return all(any(words_alike(w, v) for v in right) for w in left) or \
        all(any(words_alike(w, v) for w in left) for v in right)


def similarity(query: str, key: str) -> float:
    """How close a typed name is to a name key, on their distinctive words: the best of the
    whole and of every run of as many words as the query has."""
    typed, words = " ".join(distinctive(query)), distinctive(key)
    best = difflib.SequenceMatcher(None, typed, " ".join(words)).ratio()
    size = len(typed.split())
    for start in range(max(len(words) - size + 1, 0)):
        window = " ".join(words[start:start + size])
        best = max(best, difflib.SequenceMatcher(None, typed, window).ratio())
    return best


def _trigrams(word: str) -> set[str]:
    """The word's runs of three letters; a shorter word is its own (unpadded: '  p' would
    join every word that starts with p)."""
    if len(word) < 3:
        return {word}
    return {word[i:i + 3] for i in range(len(word) - 2)}


class NameIndex:
    """The names and aliases of a förbund's insatser, by key and by the trigrams of their
    distinctive words: `candidates` is the few insatser a name could be like."""

    def __init__(self, named: Iterable[tuple[Insats, list[str]]]) -> None:
        self.keys: dict[str, Insats] = {}
        self.names: list[tuple[Insats, list[str]]] = []
        self._grams: dict[str, set[int]] = {}
        for insats, keys in named:
            position = len(self.names)
            self.names.append((insats, keys))
            for key in keys:
                self.keys.setdefault(key, insats)
                for word in distinctive(key):
                    for gram in _trigrams(word):
                        self._grams.setdefault(gram, set()).add(position)

    @classmethod
    def of(cls, session: Session, forbund_id: int) -> NameIndex:
        register = insatser(session, forbund_id)
        aliases = aliases_of(session, [i.id for i in register])
        return cls((i, [i.name_key, *(name_key(a) for a in aliases[i.id])]) for i in register)

    def exact(self, text: str) -> Insats | None:
        return self.keys.get(name_key(text))

    def candidates(self, key: str) -> list[tuple[Insats, list[str]]]:
        """Insatser with a distinctive word that shares a trigram with one of the name's:
        every insats `names_alike` could accept, and seldom many more."""
        hits: set[int] = set()
        for word in distinctive(key):
            grams = _trigrams(word)
            # A long word shares two pieces with its typos and abbreviations; one shared
            # piece of a long word is mostly chance.
            need = 1 if len(grams) <= 5 else 2
            counts: dict[int, int] = {}
            for gram in grams:
                for position in self._grams.get(gram, ()):
                    counts[position] = counts.get(position, 0) + 1
            hits.update(p for p, n in counts.items() if n >= need)
        return [self.names[i] for i in sorted(hits)]

    def like(self, text: str) -> list[Insats]:
        """The insatser a name that is none of theirs is like ('Samtalsbyrån' for
        'Samtalsbyrån för unga'); none for a new insats."""
        key = name_key(text)
        return [i for i, keys in self.candidates(key) if any(names_alike(key, k) for k in keys)]


# --- the register -------------------------------------------------------------------------


def insatser(session: Session, forbund_id: int) -> list[Insats]:
    return list(session.exec(select(Insats).where(Insats.forbund_id == forbund_id)
                             .order_by(Insats.name_key)).all())


# Built once: every !budget asks these, and building a statement costs as much as running it.
_ALIASES_OF = select(InsatsAlias).where(
    InsatsAlias.insats_id.in_(bindparam("ids", expanding=True))).order_by(InsatsAlias.id)
_BY_NAME = select(Insats).where(Insats.forbund_id == bindparam("forbund_id"),
                                Insats.name_key == bindparam("key"))
_BY_ALIAS = select(Insats).join(InsatsAlias, InsatsAlias.insats_id == Insats.id).where(
    InsatsAlias.forbund_id == bindparam("forbund_id"), InsatsAlias.alias_key == bindparam("key"))


def aliases_of(session: Session, insats_ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(insats_ids)
    found: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return found
    for row in session.exec(_ALIASES_OF, params={"ids": ids}).all():
        found[row.insats_id].append(row.alias)
    return found


def find_exact(session: Session, forbund_id: int, text: str) -> Insats | None:
    """The insats whose name or alias is `text` (case, diacritics, punctuation ignored)."""
    key = name_key(text)
    if not key:
        return None
    params = {"forbund_id": forbund_id, "key": key}
    by_name = session.exec(_BY_NAME, params=params).first()
    if by_name is not None:
        return by_name
    return session.exec(_BY_ALIAS, params=params).first()


@dataclass
class Match:
    """What a typed name found: one insats, several candidates, or a suggestion."""

    found: Insats | None = None
    candidates: list[Insats] = field(default_factory=list)
    suggestion: Insats | None = None


def match_insats(session: Session, forbund_id: int, text: str) -> Match:
    """Forgiving lookup within ONE förbund: exact name or alias, then a distinctive part of
    the name ('skuldrådgivning', 'äpplet'), then small typos ('Vidre Vy')."""
    exact = find_exact(session, forbund_id, text)
    if exact is not None:
        return Match(found=exact)
    query = name_key(text)
    if not query:
        return Match()
    keyed = NameIndex.of(session, forbund_id).names
    words = distinctive(query)
    containing = [i for i, keys in keyed
                  if any(all(w in key for w in words) for key in keys)]
    if len(containing) == 1:
        return Match(found=containing[0])
    if containing:
        whole = [i for i, keys in keyed if i in containing
                 and any(all(w in key.split() for w in words) for key in keys)]
        if len(whole) == 1:  # 'vy' names 'Vidare Vy', not 'Vyer i norr'
            return Match(found=whole[0])
        return Match(candidates=containing)
    scored = sorted(((max(similarity(query, key) for key in keys), i) for i, keys in keyed),
                    key=lambda pair: (-pair[0], pair[1].name_key))
    if not scored:
        return Match()
    best_score, best = scored[0]
    close = [i for score, i in scored if score >= TYPO_ACCEPT and score > best_score - 0.05]
    if best_score >= TYPO_ACCEPT and len(close) == 1:
        return Match(found=best)
    if len(close) > 1:
        return Match(candidates=close)
    return Match(suggestion=best if best_score >= TYPO_SUGGEST else None)
