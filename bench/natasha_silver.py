#!/usr/bin/env python3
"""Silver training data for the person tagger: natasha's PER spans on the Russian news of
bsnlp-2021's topics that carry no Russian annotation (covid-19, us_election_2020), which
no test scores. Writes one line per span, `topic/file<TAB>start<TAB>end<TAB>form`, with
character offsets into the text as `kartoteka_bench::persons` reads it (the four header
lines dropped, lines joined by a newline).

    bench/natasha_silver.py BSNLP_DIR > crates/bench/data/silver_persons.tsv
"""
import sys
from pathlib import Path

from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

TOPICS = ["covid-19", "us_election_2020"]


def text_of(path):
    raw = path.read_text(encoding="utf-8-sig")
    lines = [l[:-1] if l.endswith("\r") else l for l in raw.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines[4:])


def main():
    root = Path(sys.argv[1])
    segmenter = Segmenter()
    tagger = NewsNERTagger(NewsEmbedding())
    for topic in TOPICS:
        for path in sorted((root / topic / "raw" / "ru").glob("*.txt")):
            text = text_of(path)
            doc = Doc(text)
            doc.segment(segmenter)
            doc.tag_ner(tagger)
            for s in doc.spans:
                if s.type == "PER":
                    form = text[s.start:s.stop].replace("\t", " ").replace("\n", " ")
                    print(f"{topic}/{path.name}\t{s.start}\t{s.stop}\t{form}")


if __name__ == "__main__":
    main()
