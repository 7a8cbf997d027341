"""Measure searcher against SQLite FTS5 (and rg) on a generated corpus, in the same run.

    python -m benchmarks.run S M            # writes benchmarks/results/S.json, M.json
                                            # and renders benchmarks/RESULTS.md

Every figure is paired with the same measurement of the baseline taken in the same run, so
ratios stay meaningful on a busy machine. "Cold" means a new process per query (the files are
in the OS page cache, as they are for a researcher who searches again and again; searcher's
modules byte-compiled, as an installed package's are).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from benchmarks import generate

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_DIR = os.path.join(HERE, "results")
CLASSES = ("term", "and", "phrase", "speaker+date", "topic", "rare", "common")


# -- processes -----------------------------------------------------------------------------


def child(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB of the process tree, stdout) of one command."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    with proc.stdout or open(os.devnull) as stream:
        out = stream.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # rg exits 1 when nothing matches
        raise RuntimeError(f"{cmd[:3]} exited {proc.returncode}")
    return seconds, usage.ru_maxrss / 1024, out


def _own_peak_mb(cmd: Sequence[str], env: dict[str, str]) -> float:
    """Peak RSS of `cmd` alone, started by a small Python process: the `ru_maxrss` of a
    process forked from this runner keeps the runner's memory at the fork (on L, ~1.2 GB
    of turn rows for FTS5), and a process keeps its `ru_maxrss` across `exec`."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    return int(child([sys.executable, "-c", probe, *cmd], env)[2].split()[-1]) / 1024


def _build_child(data: str, index_dir: str, rebuild: bool) -> None:
    """Run in a child process so its peak RSS (workers included) is its own."""
    import resource

    from searcher.build import build

    report = build([data], index_dir, rebuild=rebuild)
    own = _peak_rss_mb()
    mine, theirs = (resource.getrusage(r) for r in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    out = {k: getattr(report, k) for k in ("files", "turns", "seconds", "commit_seconds")}
    # CPU seconds of the writing process and of its workers: with the wall time, how busy
    # the cores were, and what a megabyte of text costs
    out["cpu_writer"] = mine.ru_utime + mine.ru_stime
    out["cpu_workers"] = theirs.ru_utime + theirs.ru_stime
    print(json.dumps({**out, "rss_mb": max(own, theirs.ru_maxrss / 1024)}))


def build_index(data: str, index_dir: str, rebuild: bool = True) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.run", "--child-build", data, index_dir]
    seconds, _, out = child([*cmd, "--rebuild"] if rebuild else cmd, _env())
    return {**json.loads(out), "wall": seconds}


def _peak_rss_mb() -> float:
    """This process's own peak: `VmHWM` where /proc has it. `ru_maxrss` also counts what
    the process held before `exec` — the runner's memory copied at fork (333 MB with M's
    turns loaded for FTS5), which became L's "build peak" in the 2026-11-30 05:34 run."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(HERE), env.get("PYTHONPATH")])
    )
    return env


def dir_mb(path: str) -> float:
    total = 0
    for root, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / 2**20


def text_mb(data: str) -> float:
    return (
        sum(
            os.path.getsize(os.path.join(r, f))
            for r, _, fs in os.walk(data)
            for f in fs
            if f.endswith(".txt")
        )
        / 2**20
    )


# -- the baseline --------------------------------------------------------------------------


def turn_rows(gen_dir: str) -> list[dict[str, Any]]:
    """Exactly the fields searcher indexed, read back from its document store."""
    from searcher import index as store

    con = store.open_store(gen_dir)
    rows = []
    for doc in store.all_documents(con):
        rows += [store.turn_fields(doc, t) for t in doc.turns]
    con.close()
    return rows


def build_fts(rows: list[dict[str, Any]], path: str) -> float:
    """Seconds to load the turns into FTS5 with the filter columns indexed."""
    if os.path.exists(path):
        os.remove(path)
    started = time.perf_counter()
    con = sqlite3.connect(path)
    con.executescript(
        """
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE VIRTUAL TABLE turns USING fts5(text, tokenize='porter unicode61 remove_diacritics 2');
        CREATE TABLE meta (rowid INTEGER PRIMARY KEY, doc_id TEXT, day_start INT, day_end INT);
        CREATE TABLE skeys (rowid INT, key TEXT);
        CREATE TABLE topics (rowid INT, topic TEXT);
        """
    )
    for n, r in enumerate(rows, 1):
        con.execute("INSERT INTO turns (rowid, text) VALUES (?, ?)", (n, r["text"]))
        con.execute(
            "INSERT INTO meta VALUES (?, ?, ?, ?)", (n, r["doc_id"], r["day_start"], r["day_end"])
        )
        for k in filter(None, r.get("speaker_keys", "").split(",")):
            con.execute("INSERT INTO skeys VALUES (?, ?)", (n, k))
        for t in filter(None, r.get("topics", "").split(",")):
            con.execute("INSERT INTO topics VALUES (?, ?)", (n, t))
    con.executescript(
        """
        CREATE INDEX meta_doc ON meta (doc_id);
        CREATE INDEX meta_day ON meta (day_start, day_end);
        CREATE INDEX skeys_key ON skeys (key, rowid);
        CREATE INDEX topics_topic ON topics (topic, rowid);
        """
    )
    con.commit()
    con.close()
    return time.perf_counter() - started


def fts_sql(q: dict[str, Any]) -> tuple[str, list[Any]]:
    where, args = ["turns MATCH ?"], [q["fts"]]
    if q.get("speaker"):
        from searcher.speakers import query_keys

        keys = query_keys(q["speaker"])
        where.append(
            f"rowid IN (SELECT rowid FROM skeys WHERE key IN ({','.join('?' * len(keys))}))"
        )
        args += keys
    if q.get("date_from"):
        where.append(
            "rowid IN (SELECT rowid FROM meta WHERE day_start BETWEEN 1 AND ? AND day_end >= ?)"
        )
        args += [q["hi"], q["lo"]]
    if q.get("topic"):
        from searcher.topics import key

        where.append("rowid IN (SELECT rowid FROM topics WHERE topic = ?)")
        args.append(key(q["topic"]))
    return " AND ".join(where), args


#: an FTS5 query still running after this many seconds is stopped (its time is then a lower
#: bound): on L a topic-filtered query ranked with `rowid IN (…)` takes ~3 minutes
FTS_CUTOFF = 10.0


class Cutoff(Exception):
    """The baseline query ran past FTS_CUTOFF."""


def fts_search(con: sqlite3.Connection, q: dict[str, Any]) -> int:
    """Same work as a searcher query: the total, and the best ten with a snippet."""
    where, args = fts_sql(q)
    deadline = time.perf_counter() + FTS_CUTOFF
    con.set_progress_handler(lambda: time.perf_counter() > deadline, 10_000)
    try:
        total = con.execute(f"SELECT count(*) FROM turns WHERE {where}", args).fetchone()[0]
        con.execute(
            f"SELECT rowid, snippet(turns, 0, '[', ']', '…', 30) FROM turns WHERE {where} "
            "ORDER BY rank LIMIT 10",
            args,
        ).fetchall()
    except sqlite3.OperationalError as e:
        if time.perf_counter() > deadline:
            raise Cutoff from e
        raise
    finally:
        con.set_progress_handler(None, 0)
    return int(total)


# -- the query mix -------------------------------------------------------------------------


def query_mix(rows: list[dict[str, Any]], per_class: int, seed: int = 7) -> list[dict[str, Any]]:
    """Deterministic queries; every speaker+date query has a date range not seen before."""
    from searcher.dates import day_number, parse_user_date

    rng = random.Random(seed)
    vocab = generate.vocabulary(random.Random(generate.SEED))
    speakers: dict[str, int] = {}
    for r in rows:
        if r.get("speaker"):
            speakers[r["speaker"]] = speakers.get(r["speaker"], 0) + 1
    top = [s for s, _ in sorted(speakers.items(), key=lambda x: -x[1])[:20]]
    domain = generate.DOMAIN
    out: list[dict[str, Any]] = []
    for i in range(per_class):
        w, w2 = rng.choice(domain), rng.choice(domain)
        rare = vocab[rng.randrange(20_000, len(vocab))]
        phrase = generate.PHRASES[i % len(generate.PHRASES)]
        y = rng.randrange(1946, 1990)
        date_from, date_to = f"{y}-{rng.randrange(1, 13):02d}", str(y + rng.randrange(0, 6))
        lo = day_number(parse_user_date(date_from).start)  # type: ignore[arg-type]
        hi = day_number(parse_user_date(date_to).end)  # type: ignore[arg-type]
        out += [
            {"cls": "term", "text": w, "fts": w},
            {"cls": "and", "text": f"{w} {w2}", "fts": f"{w} AND {w2}"},
            {"cls": "phrase", "text": f'"{phrase}"', "fts": f'"{phrase}"'},
            {
                "cls": "speaker+date",
                "text": w,
                "fts": w,
                "speaker": rng.choice(top) if top else None,
                "date_from": date_from,
                "date_to": date_to,
                "lo": lo,
                "hi": hi,
            },
            {"cls": "topic", "text": w, "fts": w, "topic": rng.choice(generate.TOPICS)},
            {"cls": "rare", "text": rare, "fts": rare},
            {"cls": "common", "text": generate.FUNCTION[i % 5], "fts": generate.FUNCTION[i % 5]},
        ]
    return out


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def _filters(q: dict[str, Any]) -> dict[str, Any]:
    """A query of the mix's filters, as `Archive.search` takes them."""
    kw = {k: q[k] for k in ("date_from", "date_to") if q.get(k)}
    if q.get("speaker"):
        kw["speaker"] = q["speaker"]
    if q.get("topic"):
        kw["topic"] = q["topic"]
    return kw


def phrases_updated(index_dir: str, mix: list[dict[str, Any]]) -> tuple[float, float]:
    """p50 and p95 of the mix's phrases on the index the re-index steps left (the build's
    segments and a small one of the update's), each a first run in a fresh searcher."""
    from searcher import Archive

    times = []
    with Archive.open(index_dir) as archive:
        archive.search("warm", limit=10)
        for q in mix:
            if q["cls"] == "phrase":
                started = time.perf_counter()
                archive.search(q["text"], **_filters(q))
                times.append((time.perf_counter() - started) * 1000)
    return pct(times, 50), pct(times, 95)


def warm_queries(index_dir: str, fts_path: str, mix: list[dict[str, Any]]) -> dict[str, Any]:
    from searcher import Archive

    archive = Archive.open(index_dir)
    con = sqlite3.connect(fts_path)
    archive.search("warm", limit=10)  # open the searcher once, as a long-lived process does
    fts_search(con, {"fts": "warm"})
    ours: dict[str, list[float]] = {c: [] for c in CLASSES}
    base: dict[str, list[float]] = {c: [] for c in CLASSES}
    mismatches = cut = 0
    for q in mix:
        kw = _filters(q)
        started = time.perf_counter()
        total = archive.search(q["text"], **kw).total
        ours[q["cls"]].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        try:
            mismatches += total != fts_search(con, q)
        except Cutoff:
            cut += 1
        base[q["cls"]].append((time.perf_counter() - started) * 1000)
    archive.close()
    con.close()
    every = [v for c in CLASSES for v in ours[c]]
    every_base = [v for c in CLASSES for v in base[c]]
    res = {
        c: (pct(ours[c], 50), pct(ours[c], 95), pct(base[c], 50), pct(base[c], 95)) for c in CLASSES
    }
    res["all"] = (pct(every, 50), pct(every, 95), pct(every_base, 50), pct(every_base, 95))
    return {"classes": res, "count_mismatches": mismatches, "queries": len(mix), "fts_cut": cut}


def searcher_command() -> list[str]:
    """The console script installed beside this interpreter, as a user's shell runs it.
    Not the first `searcher` on PATH: a version manager's shim there (pyenv's is a bash
    script that runs `pyenv exec`) added ~130 ms to every cold figure before 2026-11-30."""
    script = os.path.join(os.path.dirname(sys.executable), "searcher")
    return [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "searcher"]


def cold_queries(
    index_dir: str, fts_path: str, data: str, words: list[str], repeats: int
) -> dict[str, Any]:
    """One process per query. searcher's modules are byte-compiled first, as an installed
    package's are: an editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise
    compile them again in every process (~80 ms on M's machine), a cost users do not pay."""
    env = _env()
    import searcher

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", os.path.dirname(searcher.__file__)],
        check=True,
        env=env,
    )
    ours, base, grep, rss = [], [], [], []
    rg = shutil.which("rg")
    fts = (
        "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); w=sys.argv[2]; "
        "print(c.execute('SELECT count(*) FROM turns WHERE turns MATCH ?',(w,)).fetchone()[0]); "
        "c.execute(\"SELECT rowid, snippet(turns,0,'[',']','…',30) FROM turns WHERE turns MATCH ? "
        'ORDER BY rank LIMIT 10",(w,)).fetchall()'
    )
    cmd = searcher_command()
    for w in words:
        rss.append(_own_peak_mb([*cmd, "search", w, "--index", index_dir, "-n", "10"], env))
    for _ in range(repeats):
        for w in words:
            ours.append(child([*cmd, "search", w, "--index", index_dir, "-n", "10"], env)[0] * 1000)
            base.append(child([sys.executable, "-c", fts, fts_path, w], env)[0] * 1000)
            if rg:
                grep.append(child([rg, "-i", "-w", "-c", w, data], env)[0] * 1000)
    help_s = statistics.median(child([*cmd, "--help"], env)[0] * 1000 for _ in range(repeats))
    # the floor every Python tool pays on this machine before importing anything of its own
    python_s = statistics.median(
        child([sys.executable, "-c", "pass"], env)[0] * 1000 for _ in range(repeats)
    )
    probe = (
        "import sys; from searcher.cli import main\n"
        "try: main(['--version'])\nexcept SystemExit: pass\n"
        "print(sorted(m for m in ('whoosh', 'nltk') if m in sys.modules))"
    )
    heavy = child([sys.executable, "-c", probe], env)[2].strip().splitlines()[-1]
    return {
        "ours": statistics.median(ours),
        "fts": statistics.median(base),
        "rg": statistics.median(grep) if grep else None,
        "rss_mb": max(rss),
        "help_ms": help_s,
        "python_ms": python_s,
        "version_imports": heavy,
    }


def reindex(data: str, index_dir: str, fts_path: str, count: int, saved: str) -> dict[str, Any]:
    """Change one file, add one, remove one: time `searcher index` and the FTS5 equivalent.
    The builds can no longer be reused afterwards: `saved` (their figures) is removed."""
    if os.path.exists(saved):
        os.remove(saved)
    gen = generate.Generator()
    env = _env()
    cmd = searcher_command()
    index = [*cmd, "index", data, "--index", index_dir]
    out: dict[str, Any] = {"noop": child(index, env)[0]}
    con = sqlite3.connect(fts_path)

    def fts_replace(doc_id: str, text: str | None) -> float:
        started = time.perf_counter()
        ids = [r for (r,) in con.execute("SELECT rowid FROM meta WHERE doc_id = ?", (doc_id,))]
        con.executemany("DELETE FROM turns WHERE rowid = ?", [(i,) for i in ids])
        con.executemany("DELETE FROM meta WHERE rowid = ?", [(i,) for i in ids])
        if text is not None:
            base = con.execute("SELECT max(rowid) FROM meta").fetchone()[0] + 1
            for n, para in enumerate(text.split("\n\n")):
                con.execute("INSERT INTO turns (rowid, text) VALUES (?, ?)", (base + n, para))
                con.execute("INSERT INTO meta VALUES (?, ?, 0, 0)", (base + n, doc_id))
        con.commit()
        return time.perf_counter() - started

    changed = generate.path_of(data, count // 2)
    tmp = changed + ".tmp"
    with open(changed, encoding="utf-8") as f:
        head = f.read().split("\n\n", 3)  # furniture, date, title, the rest
    text = "\n\n".join([*head[:3], "Ivan Petrov: An added turn about grain.", head[3]])
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, changed)  # a new inode: the hard-linked original stays as it was
    out["changed"] = child(index, env)[0]
    out["changed_fts"] = fts_replace(str(300_000 + count // 2), text)
    added = generate.path_of(data, count)
    os.makedirs(os.path.dirname(added), exist_ok=True)
    with open(added, "w", encoding="utf-8") as f:
        f.write(gen.document(count)[1])
    out["added"] = child(index, env)[0]
    out["added_fts"] = fts_replace(str(300_000 + count), gen.document(count)[1])
    os.remove(generate.path_of(data, 0))
    out["removed"] = child(index, env)[0]
    out["removed_fts"] = fts_replace("300000", None)
    con.close()
    return out


def run(
    size: str,
    workdir: str,
    per_class: int = 20,
    cold_repeats: int = 3,
    cold_words: int = 3,
    source: str | None = None,
    reuse: bool = False,
) -> dict[str, Any]:
    """All measurements for one size; the corpus copy and indexes live under `workdir`.

    With `reuse`, the builds of an earlier run stopped before its re-index step (which
    changes the corpus) are measured again instead of rebuilt: their figures are kept in
    `workdir/build.json` from the end of the builds until the re-index step starts.
    """
    data = os.path.join(workdir, "corpus")
    index_dir = os.path.join(workdir, "index")
    fts_path = os.path.join(workdir, "fts.sqlite")
    saved = os.path.join(workdir, "build.json")
    from searcher import index as store

    if reuse and os.path.exists(saved):
        with open(saved, encoding="utf-8") as f:
            mb, b, fts_seconds = json.load(f)
    else:
        src = generate.generate(size, source)
        os.makedirs(workdir, exist_ok=True)
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(src, data, copy_function=os.link)  # hard links: rewrites replace
        mb = text_mb(data)
        b = build_index(data, index_dir)
        fts_seconds = None
    gen_dir = os.path.join(index_dir, str(store.read_meta(index_dir)["current"]))
    docs_mb = sum(os.path.getsize(p) for p in store.store_parts(gen_dir)) / 2**20
    rows = turn_rows(gen_dir)
    # the runner's own objects (every turn, for FTS5) out of the collector's full passes:
    # they landed in timed queries as pauses a searching process does not have
    gc.freeze()
    if fts_seconds is None:
        fts_seconds = build_fts(rows, fts_path)
        with open(saved, "w", encoding="utf-8") as f:
            json.dump([mb, b, fts_seconds], f)
    mix = query_mix(rows, per_class)
    common = [generate.DOMAIN[i] for i in (0, 5, 9, 12, 14)][: max(1, cold_words)]
    res: dict[str, Any] = {
        "size": size,
        "docs": generate.SIZES[size],
        "turns": b["turns"],
        "text_mb": mb,
        "build": {
            "seconds": b["wall"],
            "mb_s": mb / b["wall"],
            "commit_seconds": b["commit_seconds"],
            "rss_mb": b["rss_mb"],
            "cpu_writer": b.get("cpu_writer"),
            "cpu_workers": b.get("cpu_workers"),
            "fts_seconds": fts_seconds,
            "fts_mb_s": mb / fts_seconds,
        },
        "size_mb": {
            "whoosh": dir_mb(gen_dir) - docs_mb,
            "docs": docs_mb,
            "fts": os.path.getsize(fts_path) / 2**20,
        },
        "warm": warm_queries(index_dir, fts_path, mix),
        "cold": cold_queries(index_dir, fts_path, data, common, cold_repeats),
        "reindex": reindex(data, index_dir, fts_path, generate.SIZES[size], saved),
        "phrases_updated": phrases_updated(index_dir, mix),
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    return res


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 2**20
    except (OSError, ValueError, IndexError):
        mem = 0.0
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GB RAM, Python {platform.python_version()}"


# -- the report ----------------------------------------------------------------------------


def _r(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a is not None and b else "–"


def _cpu_line(b: dict[str, Any], mb: float) -> list[str]:
    """The build's CPU, when the run recorded it (not before 2026-11-30's ninth run)."""
    if b.get("cpu_workers") is None:
        return []
    cpu = b["cpu_writer"] + b["cpu_workers"]
    busy = cpu / b["seconds"]
    return [
        f"| build CPU, s (writer {b['cpu_writer']:.1f}, workers {b['cpu_workers']:.1f}; "
        f"{cpu / mb:.2f} s per MB; cores busy on average {busy:.2f}) | {cpu:.1f} | | |"
    ]


def _updated_line(r: dict[str, Any]) -> list[str]:
    """The phrases after the re-index steps, when the run measured them (from the ninth)."""
    if "phrases_updated" not in r:
        return []
    p50, p95 = r["phrases_updated"]
    return [
        f"| phrase p50 / p95 after the re-index steps (first runs), ms | {p50:.1f} / {p95:.1f} | | |"
    ]


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmarks: searcher vs SQLite FTS5 (and rg)",
        "",
        "Generated by `python -m benchmarks.run SIZE…` on a synthetic memcon corpus "
        "(`benchmarks/generate.py`). Every ratio is searcher / baseline **from the same run** "
        "(lower is better for times and sizes, higher for throughput). The machines are shared "
        "and noisy: trust the ratios more than absolute times (see the reading below).",
        "",
    ]
    for r in results:
        b, w, c, x, z = r["build"], r["warm"]["classes"], r["cold"], r["reindex"], r["size_mb"]
        lines += [
            f"## {r['size']}: {r['docs']:,} documents, {r['turns']:,} turns, {r['text_mb']:.1f} MB",
            "",
            f"{r['machine']}; {r['date']}.",
            "",
            "| figure | searcher | FTS5 | ratio |",
            "|---|---|---|---|",
            f"| build, MB/s (FTS5: load of parsed turns) | {b['mb_s']:.2f} | {b['fts_mb_s']:.2f} | {_r(b['mb_s'], b['fts_mb_s'])} |",
            f"| build wall, s (commit {b['commit_seconds']:.1f} s) | {b['seconds']:.1f} | {b['fts_seconds']:.1f} | {_r(b['seconds'], b['fts_seconds'])} |",
            *_cpu_line(b, r["text_mb"]),
            f"| peak RSS of the build, MB | {b['rss_mb']:.0f} | | |",
            f"| index size, MB (Whoosh / text {z['whoosh'] / r['text_mb']:.2f}x) | {z['whoosh']:.0f} | {z['fts']:.0f} | {_r(z['whoosh'], z['fts'])} |",
            f"| index + docs store, MB (/ text {(z['whoosh'] + z['docs']) / r['text_mb']:.2f}x; FTS5 holds the text too) | {z['whoosh'] + z['docs']:.0f} | {z['fts']:.0f} | {_r(z['whoosh'] + z['docs'], z['fts'])} |",
        ]
        for cls in (*CLASSES, "all"):
            p50, p95, f50, f95 = w[cls]
            lines.append(
                f"| warm {cls} p50 / p95, ms | {p50:.1f} / {p95:.1f} | {f50:.1f} / {f95:.1f} | "
                f"{_r(p50, f50)} / {_r(p95, f95)} |"
            )
        lines += [
            f"| cold `searcher search`, ms (rg: {c['rg'] or 0:.0f} ms, ratio {_r(c['ours'], c['rg'])}) | {c['ours']:.0f} | {c['fts']:.0f} | {_r(c['ours'], c['fts'])} |",
            f"| Python start alone (`python -c pass`), ms | {c.get('python_ms', 0):.0f} | | |",
            f"| peak RSS of a cold search, MB | {c['rss_mb']:.0f} | | |",
            f"| `searcher --help`, ms; `--version` imports {c['version_imports']} | {c['help_ms']:.0f} | | |",
            f"| re-index, nothing changed, s | {x['noop']:.2f} | | |",
            f"| re-index after 1 changed file, s | {x['changed']:.2f} | {x['changed_fts']:.3f} | {_r(x['changed'], x['changed_fts'])} |",
            f"| re-index after 1 added file, s | {x['added']:.2f} | {x['added_fts']:.3f} | {_r(x['added'], x['added_fts'])} |",
            f"| re-index after 1 removed file, s | {x['removed']:.2f} | {x['removed_fts']:.3f} | {_r(x['removed'], x['removed_fts'])} |",
            *_updated_line(r),
            "",
            f"{r['warm']['queries']} warm queries; totals differing from FTS5 "
            f"(Snowball vs Porter stems, tokenization): {r['warm']['count_mismatches']}; "
            f"FTS5 queries stopped at {FTS_CUTOFF:.0f} s (their time is a lower bound): "
            f"{r['warm'].get('fts_cut', 0)}.",
            "",
        ]
    notes = os.path.join(HERE, "NOTES.md")  # the hand-written reading of these figures
    if os.path.exists(notes):
        with open(notes, encoding="utf-8") as f:
            lines.append(f.read())
    return "\n".join(lines)


def load_results(folder: str) -> list[dict[str, Any]]:
    order = {s: i for i, s in enumerate(generate.SIZES)}
    found = []
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        if name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                found.append(json.load(f))
    return sorted(found, key=lambda r: order.get(r["size"], 99))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child-build":
        _build_child(argv[1], argv[2], "--rebuild" in argv)
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="+", choices=sorted(generate.SIZES))
    ap.add_argument("--work", default=os.path.join(generate.DATA, "work"), help="scratch folder")
    ap.add_argument("--results", default=RESULTS_DIR, help="folder for SIZE.json")
    ap.add_argument("--markdown", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--per-class", type=int, default=20, help="warm queries per class")
    ap.add_argument("--cold", type=int, default=3, help="cold repeats of each query")
    ap.add_argument(
        "--reuse", action="store_true", help="measure the builds of a run stopped before re-index"
    )
    args = ap.parse_args(argv)
    os.makedirs(args.results, exist_ok=True)
    for size in args.sizes:
        res = run(size, os.path.join(args.work, size), args.per_class, args.cold, reuse=args.reuse)
        with open(os.path.join(args.results, f"{size}.json"), "w", encoding="utf-8") as f:
            json.dump(res, f, indent=1)
        print(f"{size}: done", file=sys.stderr)
    with open(args.markdown, "w", encoding="utf-8") as f:
        f.write(render(load_results(args.results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
