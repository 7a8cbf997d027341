"""Deterministic memcon-like documents in the Wilson Center page format, for benchmarks.

Every person, source and sentence here is invented: the words are drawn from a Zipf
distribution over a synthetic vocabulary (English function words at the top, invented words
in the long tail), so the index sees realistic term statistics without quoting anyone.

    python -m benchmarks.generate S          # -> benchmarks/data/S/
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import random
import sys

#: documents per size; S, M and L are about 6, 64 and 320 MB of text
SIZES = {"tiny": 40, "S": 1_000, "M": 10_000, "L": 50_000}
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
SEED = 1945

FUNCTION = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "that",
    "is",
    "for",
    "we",
    "it",
    "on",
    "with",
    "as",
    "this",
    "be",
    "are",
    "not",
    "have",
    "our",
    "will",
    "by",
    "you",
    "they",
    "at",
    "but",
    "from",
    "i",
    "would",
    "all",
    "which",
    "has",
    "was",
    "an",
    "their",
    "there",
    "should",
    "can",
    "these",
    "one",
    "so",
    "if",
    "its",
    "what",
    "been",
    "more",
    "about",
    "also",
    "must",
    "very",
    "other",
    "those",
    "do",
    "us",
    "no",
    "your",
    "only",
    "any",
    "who",
    "may",
    "some",
    "now",
    "than",
    "question",
    "side",
    "situation",
    "relations",
    "government",
    "countries",
]
DOMAIN = [
    "treaty",
    "nuclear",
    "missile",
    "economic",
    "cooperation",
    "security",
    "disarmament",
    "agreement",
    "negotiations",
    "military",
    "troops",
    "border",
    "trade",
    "credit",
    "grain",
    "embassy",
    "delegation",
    "summit",
    "ceasefire",
    "withdrawal",
    "sanctions",
    "reunification",
    "alliance",
    "verification",
    "inspection",
    "warheads",
    "reactor",
    "oil",
    "pipeline",
    "armistice",
    "peninsula",
    "refugees",
    "elections",
    "reform",
    "perestroika",
    "leadership",
    "socialist",
    "imperialist",
    "bloc",
    "conference",
    "communique",
    "visit",
    "proposal",
    "position",
    "interests",
    "peace",
    "war",
    "weapons",
    "forces",
]
PHRASES = (
    "economic cooperation",
    "nuclear weapons",
    "peaceful coexistence",
    "the general secretary",
    "arms control",
    "the security council",
    "mutual understanding",
    "the border question",
)
FIRST = [
    "Ivan",
    "Anna",
    "Pavel",
    "Olga",
    "Dmitri",
    "Elena",
    "Boris",
    "Irina",
    "Viktor",
    "Marta",
    "Henrik",
    "Ingrid",
    "Tomas",
    "Greta",
    "Lukas",
    "Sofia",
    "Marek",
    "Hana",
    "Jonas",
    "Clara",
    "Emil",
    "Vera",
    "Oskar",
    "Lena",
    "Anton",
    "Nadia",
    "Felix",
    "Rosa",
    "Karl",
    "Mila",
]
LAST = [
    "Petrov",
    "Smirnova",
    "Kovalenko",
    "Lindqvist",
    "Brandauer",
    "Halvorsen",
    "Novak",
    "Dvorak",
    "Castellan",
    "Moreau",
    "Okafor",
    "Tanaka",
    "Varga",
    "Rossi",
    "Keller",
    "Haugen",
    "Jansen",
    "Koval",
    "Orlov",
    "Marin",
    "Sandoval",
    "Weiss",
    "Fischer",
    "Berger",
    "Lund",
    "Nyberg",
    "Holm",
    "Aalto",
    "Kask",
    "Ferreira",
]
TOPICS = [
    "Arms Control",
    "Nuclear Weapons",
    "Korean War",
    "Sino-Soviet Split",
    "Détente",
    "German Reunification",
    "Cuban Missile Crisis",
    "Decolonization",
    "Economic Aid",
    "Trade",
    "Energy",
    "Human Rights",
    "Refugees",
    "Military Assistance",
    "Intelligence",
    "Espionage",
    "Border Disputes",
    "Space Race",
    "Agriculture",
    "Propaganda",
    "Nonproliferation",
    "Warsaw Pact",
    "NATO",
    "Elections",
    "Religion",
    "Labor Movements",
    "Student Movements",
    "Oil",
    "Diplomacy",
    "Summitry",
]
PLACES = [
    "Moscow",
    "Beijing",
    "Pyongyang",
    "Seoul",
    "Berlin",
    "Bonn",
    "Warsaw",
    "Prague",
    "Budapest",
    "Havana",
    "Hanoi",
    "Geneva",
    "Vienna",
    "Helsinki",
    "Belgrade",
    "Bucharest",
    "Sofia",
    "Tirana",
    "Ulaanbaatar",
    "Kabul",
    "Tehran",
    "Cairo",
    "Delhi",
    "Tokyo",
]
SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "ten",
    "sal",
    "vor",
    "lin",
    "bre",
    "dak",
    "ost",
    "mun",
    "tel",
    "fra",
    "gor",
    "ish",
    "ven",
    "pol",
    "zan",
    "dru",
    "cer",
    "lom",
    "nak",
    "pri",
    "sto",
    "vel",
    "har",
    "tun",
    "bes",
    "kri",
    "mol",
    "das",
    "gen",
    "rin",
    "fal",
]


def vocabulary(rng: random.Random, size: int = 40_000) -> list[str]:
    """Ranked words: function words first, domain words next, invented words after."""
    seen = set(FUNCTION) | set(DOMAIN)
    invented: list[str] = []
    while len(invented) < size - len(seen):
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            invented.append(w)
    # domain words are frequent but not function-word frequent
    return FUNCTION + invented[:60] + DOMAIN + invented[60:]


class Generator:
    """One seeded stream of documents; document `k` is the same in every run."""

    def __init__(self, seed: int = SEED) -> None:
        rng = random.Random(seed)
        self.vocab = vocabulary(rng)
        weights = [1.0 / (r + 1) ** 1.07 for r in range(len(self.vocab))]
        self.cum = list(itertools.accumulate(weights))
        self.people = [f"{f} {ln}" for f, ln in zip(FIRST * 2, LAST + LAST[::-1], strict=True)]
        self.seed = seed

    def sentence(self, rng: random.Random) -> str:
        n = max(4, int(rng.lognormvariate(2.7, 0.45)))
        words = rng.choices(self.vocab, cum_weights=self.cum, k=n)
        if rng.random() < 0.15:
            words[rng.randrange(len(words))] = rng.choice(PHRASES)
        return " ".join(words).capitalize() + rng.choice(".....?;")

    def turn(self, rng: random.Random) -> str:
        return " ".join(self.sentence(rng) for _ in range(max(1, int(rng.expovariate(1 / 4.4)))))

    def document(self, k: int) -> tuple[str, str]:
        """(record id, page text) of document `k`."""
        rng = random.Random(self.seed * 1_000_003 + k)
        record = str(300_000 + k)
        start = dt.date(1945, 1, 1).toordinal()
        day = dt.date.fromordinal(start + rng.randrange(dt.date(1991, 12, 31).toordinal() - start))
        cast = rng.sample(self.people, rng.choice((2, 2, 2, 3, 4)))
        place = rng.choice(PLACES)
        title = f"Memorandum of Conversation between {cast[0]} and {cast[1]}, {place}"
        lines = ["Skip to content", "", f"{day:%B} {day.day}, {day.year}", "", title, ""]
        who = 0
        for _ in range(max(2, int(rng.gauss(14, 4)))):
            who = (who + rng.choice((1, 1, 1, 2))) % len(cast)
            name = cast[who] if rng.random() < 0.7 else cast[who].split()[-1]
            lines += [f"{name}: {self.turn(rng)}", ""]
        lines += [f"{cast[0]} and {cast[1]} discuss {rng.choice(DOMAIN)} and {rng.choice(DOMAIN)}."]
        lines += ["", "", "Associated Places", "", place, ""]
        lines += ["Associated Topics", "", *rng.sample(TOPICS, rng.choice((1, 2, 3))), ""]
        lines += ["", "Document Information", "", "Source", ""]
        lines += [f"Invented Archive for Benchmarks, fond {rng.randrange(1, 99)}.", ""]
        lines += ["Original Uploaded Date", "", "2018-02-08", "", "Type", ""]
        lines += ["Memorandum of Conversation", "", "Language", "", "English", ""]
        lines += ["Record ID", "", record, ""]
        return record, "\n".join(lines)


def path_of(out: str, k: int) -> str:
    return os.path.join(out, f"{k // 1000:03d}", f"{300_000 + k}.txt")


def generate(size: str, out: str | None = None) -> str:
    """Write the documents of `size` under `out` (default benchmarks/data/SIZE); idempotent."""
    out = out or os.path.join(DATA, size)
    count = SIZES[size]
    done = os.path.join(out, ".complete")
    if os.path.exists(done):
        return out
    gen = Generator()
    for k in range(count):
        path = path_of(out, k)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(gen.document(k)[1])
    with open(done, "w") as f:
        f.write(f"{count}\n")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("size", choices=sorted(SIZES))
    ap.add_argument("--out", help="folder to write (default benchmarks/data/SIZE)")
    args = ap.parse_args(argv)
    print(generate(args.size, args.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
