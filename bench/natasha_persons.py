#!/usr/bin/env python3
"""The peer for `kartoteka-bench persons`: natasha's news NER over the factRuEval-2016 devset,
scored the same way (exact and overlapping spans against the Person objects), with its
throughput on one core. Prints one JSON object."""
import json
import sys
import time
from pathlib import Path

from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter


def gold(path):
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


def score(pairs):
    tp_e = tp_o = n_pred = n_gold = 0
    for pred, want in pairs:
        n_pred += len(pred)
        n_gold += len(want)
        tp_e += len(pred & want)
        tp_o += sum(1 for p in pred if any(p[0] < w[1] and w[0] < p[1] for w in want))
    def f1(tp):
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0
    return f1(tp_e), f1(tp_o)


def main():
    root = Path(sys.argv[1])
    segmenter = Segmenter()
    tagger = NewsNERTagger(NewsEmbedding())
    files = sorted(root.glob("*.txt"))
    texts = [(f, f.read_text(encoding="utf-8")) for f in files]
    pairs = []
    started = time.perf_counter()
    for f, text in texts:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        pred = {(s.start, s.stop) for s in doc.spans if s.type == "PER"}
        pairs.append((pred, gold(f)))
    seconds = time.perf_counter() - started
    exact, overlap = score(pairs)
    chars = sum(len(t) for _, t in texts)
    print(json.dumps({"f1_exact": exact, "f1_overlap": overlap, "chars_per_second": chars / seconds}))


if __name__ == "__main__":
    main()
