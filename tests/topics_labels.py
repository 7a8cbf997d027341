"""Hand-labelled turns of the shared corpus, for measuring the derived topics.

Each entry: the file under ../shared/corpus, a fragment found in exactly one turn (Wilson) or
one paragraph (FRUS TEI), and the taxonomy slugs the passage is about, labelled by reading
the text (not by running the matcher). Fragments, not turn numbers, so the labels survive a
reader that numbers turns differently.
"""

from __future__ import annotations

WILSON_KOREA = "wilson/176345.txt"
WILSON_BEIJING = "wilson/121777.txt"
WILSON_HB = "wilson/honecker-brezhnev-1978-07-25.txt"
WILSON_KIM = "wilson/kim-il-sung-record.txt"
WILSON_DENG = "wilson/meeting-gorbachev-deng-1989-05-16.txt"
WILSON_KM = "wilson/second-conversation-khrushchev-mao-1958-08-01.txt"
WILSON_CC = "wilson/summary-cc-cpsu-meeting.txt"
WILSON_YUDIN = "wilson/yudin-mao-1955-03-08.txt"
FRUS = "frus/frus1981-88v05-d1-d22.xml"

LABELS: list[tuple[str, str, frozenset[str]]] = [
    (WILSON_KOREA, "We view your visit to the USSR", frozenset()),
    (
        WILSON_KOREA,
        "There are reports that the South Korean authorities",
        frozenset({"korea", "trade", "eastern-europe"}),
    ),
    (WILSON_KOREA, "Do you really doubt our support", frozenset({"korea", "trade"})),
    (WILSON_KOREA, "No, of course we", frozenset({"korea", "trade"})),
    (WILSON_KOREA, "One cannot have any doubts", frozenset({"korea", "trade"})),
    (
        WILSON_BEIJING,
        "Social kinship of the two great revolutions",
        frozenset({"sino-soviet", "china", "student-protests", "communist-movement", "summitry"}),
    ),
    (WILSON_BEIJING, "This is a revolution.", frozenset({"china", "student-protests"})),
    (
        WILSON_BEIJING,
        "We became very briefly acquainted with Beijing",
        frozenset({"china", "sino-soviet", "summitry", "student-protests"}),
    ),
    (
        WILSON_HB,
        "The defense of the country is important",
        frozenset({"military-balance", "arms-control", "human-rights", "peace", "us-soviet"}),
    ),
    (
        WILSON_KIM,
        "The conversation with Cde. Kim Il Sung was held at our initiative",
        frozenset({"korea", "summitry"}),
    ),
    (
        WILSON_DENG,
        "to Sino-Soviet normalization were overcome",
        frozenset({"sino-soviet", "china"}),
    ),
    (
        WILSON_DENG,
        "I must say that your first public statements",
        frozenset({"us-soviet", "sino-soviet", "china", "peace"}),
    ),
    (WILSON_DENG, "a year for each obstacle", frozenset({"sino-soviet", "china"})),
    (
        WILSON_DENG,
        "Now we can officially declare",
        frozenset({"sino-soviet", "china", "communist-movement"}),
    ),
    (
        WILSON_DENG,
        "congratulate each other with the normalization",
        frozenset({"sino-soviet", "china"}),
    ),
    (WILSON_KM, "briefly recalled past meetings", frozenset()),
    (WILSON_KM, "In 1954 you asked us for Chinese", frozenset({"sino-soviet", "china", "economy"})),
    (WILSON_KM, "there was no labor force shortage", frozenset({"economy", "sino-soviet"})),
    (WILSON_KM, "It is hard to assimilate Chinese", frozenset({"sino-soviet", "china"})),
    (
        WILSON_KM,
        "Chinese workers have worked in our Siberia",
        frozenset({"sino-soviet", "china", "economy"}),
    ),
    (WILSON_KM, "What I have said relates to history", frozenset({"china", "sino-soviet"})),
    (WILSON_KM, "Many Chinese even married", frozenset({"sino-soviet", "china"})),
    (
        WILSON_KM,
        "Today I would like to raise questions of the international situation",
        frozenset({"communist-movement", "sino-soviet"}),
    ),
    (
        WILSON_CC,
        "the progress of implementation of CC CPSU Decree",
        frozenset({"afghanistan", "domestic-politics"}),
    ),
    (
        WILSON_YUDIN,
        "Comrade Mao very willingly agreed to write an article",
        frozenset({"china", "domestic-politics", "propaganda", "communist-movement"}),
    ),
    (
        FRUS,
        "we have brought a new realism to our foreign policy",
        frozenset({"us-soviet", "middle-east", "latin-america", "arms-control"}),
    ),
    (
        FRUS,
        "reverse decades-long trends in the Third World economies",
        frozenset({"third-world", "africa", "regional-conflicts"}),
    ),
    (
        FRUS,
        "Ambassadors Kampelman, Tower, and Glitman met Ambassador Karpov",
        frozenset({"arms-control", "space-sdi", "nuclear-weapons"}),
    ),
    (FRUS, "On behalf of the entire Soviet leadership, General Secretary", frozenset()),
    (FRUS, "Referring to extensive typed notes", frozenset({"us-soviet", "trade"})),
    (FRUS, "not even with respect to Alaska", frozenset({"us-soviet", "military-balance"})),
    (
        FRUS,
        "the USSR had never intended to fight the U.S.",
        frozenset({"us-soviet", "peace", "third-world"}),
    ),
    (
        FRUS,
        "involved disarmament and ending the arms race",
        frozenset({"arms-control", "space-sdi", "us-soviet"}),
    ),
    (
        FRUS,
        "take due note of the seriousness with which the USSR",
        frozenset({"arms-control", "us-soviet"}),
    ),
    (FRUS, "accused of lowering an iron curtain", frozenset({"us-soviet", "trade"})),
    (
        FRUS,
        "Turning to arms control, the Vice President noted",
        frozenset({"arms-control", "nuclear-weapons"}),
    ),
    (
        FRUS,
        "Turning to regional issues, the Vice President noted",
        frozenset({"regional-conflicts", "latin-america", "afghanistan", "africa", "third-world"}),
    ),
    (FRUS, "Addressing bilateral programs, the Vice President", frozenset({"trade", "us-soviet"})),
    (
        FRUS,
        "Jewish emigration, persecution of Hebrew teachers",
        frozenset({"human-rights", "europe-security"}),
    ),
    (FRUS, "appointing rapporteurs on human rights", frozenset({"human-rights"})),
    (
        FRUS,
        "Gromyko expressed a willingness to suspend judgement",
        frozenset({"arms-control", "human-rights", "us-soviet", "europe-security"}),
    ),
    (
        FRUS,
        "We could do more on regional issues, I continued",
        frozenset(
            {
                "regional-conflicts",
                "third-world",
                "afghanistan",
                "africa",
                "middle-east",
                "us-soviet",
            }
        ),
    ),
    (
        FRUS,
        "there were bilateral problems we could usefully address",
        frozenset({"us-soviet"}),
    ),
    (FRUS, "On Geneva per se, Gromyko agreed", frozenset({"arms-control", "europe-security"})),
    (
        FRUS,
        "acknowledged the utility of the February Middle East discussions",
        frozenset({"middle-east", "regional-conflicts", "us-soviet"}),
    ),
    (FRUS, "Berlin air corridors problem", frozenset({"germany"})),
    (FRUS, "On arms control, I started with Geneva", frozenset({"arms-control"})),
    (FRUS, "Turning to human rights, I said", frozenset({"human-rights"})),
    (
        FRUS,
        "increasing non-strategic trade in the Joint Commission",
        frozenset({"trade", "us-soviet"}),
    ),
    (FRUS, "If Soviets dismantle all SS", frozenset({"arms-control", "nuclear-weapons"})),
    (FRUS, "we might consider talking about SDI", frozenset({"arms-control", "space-sdi"})),
    (FRUS, "whale of a problem", frozenset({"trade"})),
]
