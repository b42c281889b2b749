#!/usr/bin/env python3
"""The peer for `kartoteka-bench persons`: natasha's news NER on the same documents, scored
the same way, with its throughput on one core. Prints one JSON object.

    natasha_persons.py factrueval DIR   exact character spans of Person objects (factRuEval-2016)
    natasha_persons.py bsnlp DIR        distinct person forms per Russian document (bsnlp-2021)
"""
import json
import sys
import time
from pathlib import Path

from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter


def fact_ru_eval_gold(path):
    spans = {}
    for line in path.with_suffix(".spans").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4:
            spans[parts[0]] = (int(parts[2]), int(parts[2]) + int(parts[3]))
    out = set()
    for line in path.with_suffix(".objects").read_text(encoding="utf-8").splitlines():
        head = line.split("#")[0].split()
        if len(head) >= 3 and head[1] == "Person":
            ss = [spans[s] for s in head[2:] if s in spans]
            if ss:
                out.add((min(a for a, _ in ss), max(b for _, b in ss)))
    return out


def bsnlp_documents(root):
    """(text without the four header lines, set of PER forms) for each Russian document."""
    out = []
    topics = [root] if (root / "annotated").is_dir() else sorted(p for p in root.iterdir() if p.is_dir())
    for topic in topics:
        annotated = topic / "annotated" / "ru"
        if not annotated.is_dir():
            continue
        for listing in sorted(annotated.iterdir()):
            raw = topic / "raw" / "ru" / (listing.stem + ".txt")
            if not raw.exists():
                continue
            text = "\n".join(raw.read_text(encoding="utf-8-sig").splitlines()[4:])
            gold = set()
            for line in listing.read_text(encoding="utf-8-sig").splitlines()[1:]:
                cols = line.split("\t")
                if len(cols) >= 3 and cols[2].strip() == "PER":
                    gold.add(cols[0].strip())
            out.append((text, gold))
    return out


def scores(tp, predicted, gold):
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def main():
    mode, root = sys.argv[1], Path(sys.argv[2])
    segmenter = Segmenter()
    tagger = NewsNERTagger(NewsEmbedding())
    if mode == "factrueval":
        docs = [(f.read_text(encoding="utf-8"), fact_ru_eval_gold(f)) for f in sorted(root.glob("*.txt"))]
    else:
        docs = bsnlp_documents(root)
    tp = predicted = gold = 0
    started = time.perf_counter()
    for text, want in docs:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        spans = [s for s in doc.spans if s.type == "PER"]
        if mode == "factrueval":
            pred = {(s.start, s.stop) for s in spans}
        else:
            pred = {text[s.start:s.stop] for s in spans}
        predicted += len(pred)
        gold += len(want)
        tp += len(pred & want)
    seconds = time.perf_counter() - started
    chars = sum(len(t) for t, _ in docs)
    out = scores(tp, predicted, gold)
    out["chars_per_second"] = chars / seconds
    print(json.dumps(out))


if __name__ == "__main__":
    main()
