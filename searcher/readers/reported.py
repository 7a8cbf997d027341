"""Reported speech: "Gorbachev said that…" makes a turn of Gorbachev, kind `reported`.

Many records report speech instead of labelling it. A reporting clause is a person subject
(a name, a title and name, a role such as "the Vice President", or "I" when the author is
known) followed by a speech verb, at the start of a paragraph or sentence, possibly after an
introductory phrase ("Turning to arms control, the Vice President noted…"). The speaker runs
until the next reporting clause of someone else; sentences with a pronoun subject ("He
thought…") stay with the current speaker. A sentence whose subject is another person doing
something other than speaking ends the turn (it becomes narrative). A wrong speaker is worse
than none, so anything unclear stays narrative.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Turn, TurnKind

SPEECH_VERBS = [
    "said",
    "says",
    "say",
    "stated",
    "states",
    "noted",
    "notes",
    "continued",
    "continues",
    "replied",
    "replies",
    "asked",
    "asks",
    "added",
    "adds",
    "suggested",
    "suggests",
    "interjected",
    "interjects",
    "concluded",
    "concludes",
    "agreed",
    "agrees",
    "thanked",
    "thanks",
    "recalled",
    "recalls",
    "remarked",
    "remarks",
    "repeated",
    "repeats",
    "told",
    "tells",
    "tell",
    "explained",
    "explains",
    "emphasized",
    "emphasised",
    "emphasizes",
    "stressed",
    "stresses",
    "observed",
    "observes",
    "commented",
    "comments",
    "responded",
    "responds",
    "answered",
    "answers",
    "declared",
    "declares",
    "insisted",
    "insists",
    "assured",
    "assures",
    "warned",
    "warns",
    "complained",
    "complains",
    "acknowledged",
    "acknowledges",
    "admitted",
    "admits",
    "indicated",
    "indicates",
    "proposed",
    "proposes",
    "mentioned",
    "mentions",
    "confirmed",
    "confirms",
    "urged",
    "urges",
    "reiterated",
    "reiterates",
    "affirmed",
    "affirms",
    "underscored",
    "underscores",
    "objected",
    "objects",
    "countered",
    "counters",
    "speaks",
    "spoke",
    "expressed",
    "expresses",
    "promised",
    "promises",
    "inquired",
    "inquires",
    "wondered",
    "appealed",
    "appeals",
    "reported",
    "reports",
    "conveyed",
    "conveys",
    "pledged",
    "pledges",
    "implied",
    "implies",
    "concurred",
    "concurs",
    "argued",
    "argues",
    "maintained",
    "maintains",
    "cautioned",
    "cautions",
    "queried",
    "queries",
    "chided",
    "thank",
    "say",
    "note",
    "tell",
    "ask",
    "add",
    "stress",
    "emphasize",
    "express",
    "convey",
    "recall",
    "mention",
    "repeat",
    "assure",
    "suggest",
    "propose",
    "raise",
    "reply",
    "respond",
]
_INFINITIVE_LEADS = (
    r"(?:wanted|wished|went\s+on|proceeded|began|hastened|wanted\s+again|would\s+like|"
    r"wished\s+again|again\s+wanted)\s+to"
)


def _trie(words: list[str]) -> str:
    """A regex for exactly `words`, branching letter by letter ("sa(?:id|y(?:s)?)"): the
    engine tries a few letters at each position instead of every word in turn."""
    tails: dict[str, list[str]] = {}
    for w in sorted(set(words)):
        if w:
            tails.setdefault(w[0], []).append(w[1:])
    alts = [re.escape(c) + _trie(rest) for c, rest in tails.items()]
    if not alts:
        return ""
    group = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
    return f"(?:{group})?" if "" in words else group


_VERB_WORD = (
    r"(?:pointed\s+out|points\s+out|went\s+on\s+to\s+say|took\s+note|"
    r"did\s+not\s+(?:think|believe|agree|see)|" + _trie(SPEECH_VERBS) + r")\b"
)
_VERB = (
    r"(?:(?:also|then|again|further|however|later|briefly|first|finally|next|now|"
    r"immediately|once\s+more|in\s+turn|very|[a-z]+ly)\s+){0,3}"
    rf"(?:(?:{_INFINITIVE_LEADS}|could|would|did\s+not)\s+(?:(?:also|again|[a-z]+ly)\s+)?)?"
    + _VERB_WORD
)
#: the precheck for `_CLAUSE`: a speech verb after a space (in a clause it follows the subject)
_ANY_VERB = re.compile(rf"(?<=\s){_VERB_WORD}")

#: titles that can stand before a name, or alone after "the" as a role
TITLES = (
    r"(?:General\s+Secretary|Secretary\s+of\s+State|Secretary\s+of\s+Defense|Secretary|"
    r"Foreign\s+Minister|Defense\s+Minister|Prime\s+Minister|Vice\s+President|President|"
    r"Vice\s+Premier|Premier|Vice\s+Chairman|Chairman|Chancellor|Ambassador|Minister|"
    r"Deputy\s+Foreign\s+Minister|Deputy\s+Secretary|Under\s+Secretary|Assistant\s+Secretary|"
    r"Senator|Marshal|General|Admiral|Comrade|Cdes?\.|Com\.|Mr\.|Mrs\.|Ms\.|Miss|Dr\.|"
    r"PM|P\.M\.|Premier|King|Queen|Pope|Director|Chief)"
)
_NATION = r"(?:U\.S\.|US|Soviet|Chinese|American|British|French|German|Korean|DPRK|PRC|GDR|FRG)"
_NAME_WORD = (
    r"(?:[A-Z][a-z’'\-]+(?:-[A-Z]?[a-z]+)?|[A-Z]{2,}(?:-[A-Z]+)?|(?:[A-Z]\.\s?){1,3}(?=[A-Z]))"
)
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
_SUBJECT = (
    rf"(?P<subj>(?:(?:[Tt]he\s+)?(?:{_NATION}\s+)?(?:{TITLES}\s+){{1,3}}{_NAME})"
    rf"|(?:[Tt]he\s+(?:{_NATION}\s+)?{TITLES}(?:\s+{TITLES})?)"
    rf"|{_NAME}|I|[Hh]e|[Ss]he)"
)
#: an introductory phrase before the subject: "Turning to arms control," / "On bilateral relations"
_INTRO = (
    r"(?P<intro>(?:[^.!?;:]|\.(?=[\w\-,])){1,160}?,\s+|(?:On|In|As\s+to|As\s+for|Turning\s+to|Regarding)\s+"
    r"(?:[a-z][\w\-’']*\s+){1,5})?"
)
_CLAUSE = re.compile(rf"{_INTRO}{_SUBJECT}\s*,?\s+(?P<verb>{_VERB})", re.S)
_OTHER_ACT = re.compile(rf"{_INTRO}{_SUBJECT}\s+(?P<verb>[a-z]+)\b", re.S)
_BOUNDARY = re.compile(r"(?:[.!?][”\"’)]*|;)\s+(?=[“\"(]?[A-Z])")
_NUMBER = re.compile(r"^\s*\d{1,3}\.\s+")
#: abbreviations after which a period does not end a sentence
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Amb|Sen|Adm|Col|Lt|St|Cde|Cdes|Com|No|Nos|Vol|pp?|Gov|Rep|Jr|Sr|"
    r"vs|cf|etc|e\.g|i\.e|Messrs)|\b[A-Z])\.$"
)
#: initialisms that often end a sentence ("…relations with the U.S. Foreign Minister Gromyko added")
_COUNTRIES = (" U.S.", " U.K.", " U.N.")
#: capitalized words that open sentences but never name a speaker
NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "after",
        "also",
        "although",
        "according",
        "addressing",
        "all",
        "another",
        "any",
        "because",
        "before",
        "both",
        "but",
        "by",
        "despite",
        "during",
        "each",
        "either",
        "even",
        "every",
        "everyone",
        "finally",
        "first",
        "for",
        "from",
        "given",
        "having",
        "here",
        "how",
        "however",
        "if",
        "in",
        "it",
        "its",
        "last",
        "later",
        "let",
        "many",
        "meanwhile",
        "moreover",
        "most",
        "much",
        "neither",
        "no",
        "none",
        "nonetheless",
        "now",
        "of",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "otherwise",
        "our",
        "perhaps",
        "referring",
        "regarding",
        "since",
        "so",
        "some",
        "still",
        "such",
        "summarizing",
        "that",
        "the",
        "their",
        "then",
        "there",
        "therefore",
        "these",
        "they",
        "this",
        "those",
        "though",
        "thus",
        "to",
        "today",
        "tomorrow",
        "turning",
        "under",
        "unless",
        "until",
        "upon",
        "we",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "why",
        "with",
        "within",
        "without",
        "yesterday",
        "yet",
        "you",
        "soviet",
        "soviets",
        "union",
        "side",
        "government",
        "administration",
        "embassy",
        "department",
        "ministry",
        "state",
        "party",
        "committee",
        "politburo",
        "congress",
        "council",
        "delegation",
        "press",
        "kremlin",
        "moscow",
        "washington",
        "beijing",
        "peking",
        "london",
        "paris",
        "bonn",
        "berlin",
        "tokyo",
        "pyongyang",
        "seoul",
        "hanoi",
        "havana",
        "warsaw",
        "prague",
        "budapest",
        "pravda",
        "izvestia",
        "tass",
        "ussr",
        "usa",
        "us",
        "u.s.",
        "un",
        "nato",
        "cpsu",
        "prc",
        "dprk",
        "rok",
        "gdr",
        "frg",
        "kgb",
        "cia",
        "nsc",
        "cc",
        "kwp",
        "ccp",
        "pla",
        "salt",
        "start",
        "inf",
        "abm",
        "sdi",
        "americans",
        "chinese",
        "koreans",
        "russians",
        "germans",
        "british",
        "french",
        "americans",
        "west",
        "east",
        "united",
        "states",
        "america",
        "china",
        "russia",
        "korea",
        "vietnam",
        "japan",
        "germany",
        "europe",
        "begin",
        "end",
        "summary",
        "subject",
        "secret",
        "confidential",
        "memcon",
        "note",
        "notes",
        "text",
        "comment",
        "the",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "god",
    ]
)
_PRONOUNS = frozenset({"he", "she"})


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    label: str | None
    kind: TurnKind


_TITLE_WORD = re.compile(rf"^{TITLES}$", re.I)
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]?")
_TITLED = re.compile(rf"^(?:[Tt]he\s+)?(?:{_NATION}\s+)?{TITLES}\b")
_TITLED_WORDS = re.compile(rf"^(?:[Tt]he\s+)?(?:{_NATION}\s+)?{TITLES}\s")


@functools.lru_cache(maxsize=4096)  # a few hundred people per volume, asked about per sentence
def speaker_key(subject: str) -> str:
    """What makes two subjects the same person: the surname, or the whole role."""
    words = [w.strip(".,").casefold() for w in subject.split() if w.strip(".,")]
    words = [w for w in words if w != "the"]
    names = [w for w in words if not _TITLE_WORD.match(w) and w not in {"of", "state", "defense"}]
    names = [w for w in names if not _INITIALS.fullmatch(w)]
    return names[-1] if names else " ".join(words)


def _clean_subject(subj: str) -> str:
    return " ".join(subj.split())


@functools.lru_cache(maxsize=4096)
def _valid_subject(subj: str, author: str) -> bool:
    """Reject subjects that are places, institutions or sentence words, not people."""
    s = _clean_subject(subj)
    if s == "I":
        return bool(author)
    if s.casefold() in _PRONOUNS:
        return True
    words = s.split()
    titled = bool(_TITLED.match(s))
    for w in words:
        bare = w.strip(".,").casefold()
        if bare in NOT_NAMES and not (titled and bare in {"the", "u.s.", "us", "soviet"}):
            return False
    return True


def _clause_at(text: str, pos: int, limit: int, author: str) -> tuple[str, int] | None:
    """The subject of a reporting clause starting at `pos` (ending before `limit`), and where
    its verb ends."""
    if not _ANY_VERB.search(text, pos, limit):
        return None  # most sentences: no speech verb, no need to try every subject
    m = _CLAUSE.match(text, pos)
    if not m or not _valid_subject(m["subj"], author):
        return None
    if m["intro"] and re.search(r"[”\"]", m["intro"]):
        return None  # a quotation before the comma: not an introductory phrase
    return _clean_subject(m["subj"]), m.end()


def _other_act_at(text: str, pos: int, author: str, known: set[str]) -> str | None:
    """The subject of a sentence where a known person does something other than speak.

    Only "I", a titled subject or a name already known as a person counts: "Yerevan had
    not been hit" must not end anyone's turn.
    """
    m = _OTHER_ACT.match(text, pos)
    if not m or m["intro"] or not _valid_subject(m["subj"], author):
        return None
    subj = _clean_subject(m["subj"])
    if subj.casefold() in _PRONOUNS:
        return None
    titled = _TITLED_WORDS.match(subj + " ")
    if subj == "I" or titled or speaker_key(subj) in known:
        return subj
    return None


def _starts(text: str) -> list[tuple[int, int]]:
    """Positions where a sentence (or a clause after ';') starts, each with a limit that a
    reporting clause starting there cannot reach.

    A clause contains no '!', '?' or ';', and its only periods followed by a space end
    abbreviations (titles, initials), which are no sentence end, or "U.S.", after which a
    sentence may end: the limit is the next sentence end not after " U.S." (or " U.K.", " U.N.").
    """
    first = _NUMBER.match(text)
    starts = [first.end() if first else 0]
    ends: list[int] = []  # sentence ends that no clause runs across, in order
    for m in _BOUNDARY.finditer(text):
        end = m.start()
        # only the last characters matter: the longest abbreviation is "Messrs."
        before = text[max(0, end - 15) : end + 1].rstrip('”"’)')
        if text[end] == "." and before.endswith(_COUNTRIES):
            starts.append(m.end())
        elif not (text[end] == "." and _ABBREV.search(before)):
            starts.append(m.end())
            ends.append(end)
    ends.append(len(text))
    return [(s, ends[bisect_left(ends, s)]) for s in starts]


def segments(
    text: str, author: str = "", current: str | None = None, known: set[str] | None = None
) -> list[Segment]:
    """Split one paragraph where the reported speaker changes.

    `current` is the speaker already established (a labelled turn this paragraph may
    continue); it is kept until a reporting clause names someone else. `known` holds the
    `speaker_key`s of people met so far in the document (grown as speakers are found).
    """
    known = set() if known is None else known
    cuts: list[tuple[int, str | None]] = []
    label = current
    for pos, limit in _starts(text):
        clause = _clause_at(text, pos, limit, author)
        if clause is not None:
            subj, _ = clause
            if subj.casefold() in _PRONOUNS or (subj == "I" and not author):
                continue  # a pronoun continues whoever is speaking
            known.add(speaker_key(subj))
            if label is None or speaker_key(subj) != speaker_key(label):
                label = subj
                cuts.append((pos, subj))
            continue
        if label is None:
            continue  # no turn to end
        other = _other_act_at(text, pos, author, known)
        if other is not None and speaker_key(other) != speaker_key(label):
            label = None
            cuts.append((pos, None))
    lead = _NUMBER.match(text)
    if cuts and cuts[0][0] == (lead.end() if lead else 0):
        cuts[0] = (0, cuts[0][1])  # a paragraph number stays with its first sentence
    if not cuts or cuts[0][0] > 0:
        cuts.insert(0, (0, current))
    out: list[Segment] = []
    for i, (pos, lab) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else len(text)
        chunk = text[pos:end].strip()
        if chunk:
            out.append(Segment(chunk, lab, "reported" if lab else "narrative"))
    return out


def apply(
    turns: Iterable[Turn], doc_id: str, author: str = "", people: Iterable[str] = ()
) -> list[Turn]:
    """Find reported speech in narrative turns and in later paragraphs of labelled turns.

    A narrative turn with reported speech is split into one turn per paragraph part; a
    labelled turn ends where a paragraph reports someone else's speech. `people` are names
    known to be persons in this document (participants, labels).
    """
    known = {speaker_key(p) for p in people if p}
    #: (text, label, kind, the turn it is, unchanged, or None)
    out: list[tuple[str, str | None, TurnKind, Turn | None]] = []
    turns = list(turns)
    known |= {speaker_key(label) for label in {t.label for t in turns} if label}
    for turn in turns:
        paras = turn.text.split("\n\n")
        if turn.kind in ("labelled", "continuation") and turn.label:
            keep = [paras[0]]
            tail: list[Segment] = []
            for k, para in enumerate(paras[1:], start=1):
                segs = segments(para, author, turn.label, known)
                if len(segs) == 1 and segs[0].label == turn.label:
                    keep.append(para)
                    continue
                if segs[0].label == turn.label:
                    keep.append(segs.pop(0).text)
                tail = segs + [s for p in paras[k + 1 :] for s in segments(p, author, None, known)]
                break
            else:  # every paragraph kept as it was: the turn itself
                out.append((turn.text, turn.label, turn.kind, turn))
                continue
            out.append(("\n\n".join(keep), turn.label, turn.kind, None))
            out += [(s.text, s.label, s.kind, None) for s in tail]
            continue
        if turn.kind != "narrative":
            out.append((turn.text, turn.label, turn.kind, turn))
            continue
        split = [segments(p, author, None, known) for p in paras]
        if all(len(s) == 1 and s[0].kind == "narrative" for s in split):
            out.append((turn.text, turn.label, turn.kind, turn))
            continue
        out += [(s.text, s.label, s.kind, None) for segs in split for s in segs]
    return [
        was
        if was is not None and _same(was, doc_id, i)
        else Turn(doc_id, i, text, kind, None, label)
        for i, (text, label, kind, was) in enumerate(out, start=1)
    ]


def _same(turn: Turn, doc_id: str, n: int) -> bool:
    """Whether `turn` is already the one `apply` would make (as `split_turns` makes most):
    then it is kept, not built again field by field."""
    return (
        turn.n == n
        and turn.doc_id == doc_id
        and turn.speaker is None
        and not turn.topics
        and not turn.inherited_topics
    )


_FROM = re.compile(
    r"\b(?:Memorandum|Letter|Message|Note|Telegram|Paper|Memorandum for the Record)\s+"
    r"(?:of\s+\w+\s+)?From\s+(?P<from>.+?)\s+to\s+(?:the\s+)?[A-Z]",
)
_PAREN_NAME = re.compile(r"\((?P<name>[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?)\)\s*$")
_TITLED_NAME = re.compile(
    rf"^(?:(?:{_NATION}|[A-Z][a-z]+)\s+)*?(?:{TITLES}\s+)+(?:of\s+State\s+)?(?P<name>[A-Z][\w’'\-]+)$"
)


def author_from_title(title: str) -> str:
    """The writer of a first-person record, from titles such as
    "Memorandum From Secretary of State Shultz to President Reagan" (→ "Shultz") or
    "Letter From the President's Assistant … (McFarlane) to …" (→ "McFarlane")."""
    m = _FROM.search(title)
    if not m:
        m2 = re.search(
            r"\bJournal of (?:Ambassador\s+)?(?P<name>[A-Z][\w.\s’'\-]+?)(?::|,|$)", title
        )
        return m2["name"].split()[-1] if m2 else ""
    sender = m["from"].strip()
    if p := _PAREN_NAME.search(sender):
        return p["name"]
    if t := _TITLED_NAME.match(re.sub(r"^the\s+", "", sender)):
        return t["name"]
    return ""
