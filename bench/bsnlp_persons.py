#!/usr/bin/env python3
"""Cross-script, cross-language person clustering on bsnlp-2021 (PER mentions; gold = the
cross-language entity id): Kartoteka's `cluster-names` next to the baseline that clusters
by followthemoney's `fingerprints.generate` key, in the same run.

    bench/bsnlp_persons.py [KARTOTEKA_BINARY] [TOPIC...]

Prints pairwise and B-cubed precision, recall and F1 for both, and the recall over pairs of
one person's Cyrillic and Latin mentions."""
import itertools
import json
import pathlib
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared/data/bsnlp-2021/data/datasets/bsnlp"


def mentions(topics):
    out = []
    for topic in topics:
        for path in sorted((DATA / topic / "annotated").glob("*/*")):
            lang = path.parent.name
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            for n, line in enumerate(lines[1:], 2):
                cols = line.split("\t")
                if len(cols) >= 4 and cols[2].strip() == "PER":
                    out.append({
                        "id": f"{topic}/{lang}/{path.name}:{n}",
                        "name": cols[0].strip(),
                        "lang": lang,
                        "doc": f"{topic}/{path.name}",
                        "gold": cols[3].strip(),
                    })
    return out


def cyrillic(s):
    return any("\u0400" <= c <= "\u04ff" for c in s)


def score(ms, clusters):
    """Pairwise and B-cubed P/R/F1, and recall over Cyrillic-Latin gold pairs."""
    pred = {}
    for k, c in enumerate(clusters):
        for i in c:
            pred[i] = k
    gold = [m["gold"] for m in ms]
    by_gold = defaultdict(list)
    by_pred = defaultdict(list)
    for i, m in enumerate(ms):
        by_gold[gold[i]].append(i)
        by_pred[pred[i]].append(i)
    tp = fp = fn = 0
    cross_tp = cross_all = 0
    for members in by_pred.values():
        for a, b in itertools.combinations(members, 2):
            if gold[a] == gold[b]:
                tp += 1
            else:
                fp += 1
    for members in by_gold.values():
        for a, b in itertools.combinations(members, 2):
            if pred[a] != pred[b]:
                fn += 1
            if cyrillic(ms[a]["name"]) != cyrillic(ms[b]["name"]):
                cross_all += 1
                cross_tp += pred[a] == pred[b]
    def f1(p, r):
        return 2 * p * r / (p + r) if p + r else 0.0
    pp = tp / (tp + fp) if tp + fp else 1.0
    pr = tp / (tp + fn) if tp + fn else 1.0
    bp = sum(sum(1 for j in by_pred[pred[i]] if gold[j] == gold[i]) / len(by_pred[pred[i]]) for i in range(len(ms))) / len(ms)
    br = sum(sum(1 for j in by_gold[gold[i]] if pred[j] == pred[i]) / len(by_gold[gold[i]]) for i in range(len(ms))) / len(ms)
    return {
        "pairwise": (pp, pr, f1(pp, pr)),
        "bcubed": (bp, br, f1(bp, br)),
        "cross_script_recall": cross_tp / cross_all if cross_all else 1.0,
    }


def show(label, s, seconds):
    p = s["pairwise"]
    b = s["bcubed"]
    print(f"  {label:<12} B-cubed P {b[0]:.3f} R {b[1]:.3f} F1 {b[2]:.3f} | pairwise P {p[0]:.3f} "
          f"R {p[1]:.3f} F1 {p[2]:.3f} | Cyrillic-Latin pair recall {s['cross_script_recall']:.3f} | {seconds:.2f} s")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target/release/kartoteka")
    topics = sys.argv[2:] or ["asia_bibi", "brexit"]
    everything = mentions(topics)
    run(binary, topics, everything, "PER mentions")
    # About one PER mention in eight carries a GPE or ORG id (demonyms: "Brytyjczycy",
    # "британците"), which no name comparison can join; the same scores without them.
    run(binary, topics, [m for m in everything if m["gold"].startswith("PER-")],
        "PER mentions whose id is a person")


def run(binary, topics, ms, what):
    print(f"bsnlp-2021 {', '.join(topics)}: {len(ms)} {what}, {len(set(m['gold'] for m in ms))} entities")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as f:
        for i, m in enumerate(ms):
            f.write(f"{i}\t{m['name']}\t{m['lang']}\t{m['doc']}\n")
        tsv = f.name
    started = time.perf_counter()
    out = subprocess.run([binary, "cluster-names", tsv, "--json"], capture_output=True, check=True)
    seconds = time.perf_counter() - started
    clusters = [[int(i) for i in c] for c in json.loads(out.stdout)["clusters"]]
    show("kartoteka", score(ms, clusters), seconds)
    try:
        import fingerprints
    except ImportError:
        print("  baseline: pip install fingerprints")
        return
    started = time.perf_counter()
    keys = defaultdict(list)
    for i, m in enumerate(ms):
        keys[fingerprints.generate(m["name"]) or f"#{i}"].append(i)
    seconds = time.perf_counter() - started
    show("fingerprints", score(ms, list(keys.values())), seconds)


if __name__ == "__main__":
    main()
