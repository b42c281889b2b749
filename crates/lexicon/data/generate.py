#!/usr/bin/env python3
"""Regenerates names.tsv, the proper-name lexicon of kartoteka-lexicon, from the OpenCorpora
dictionary as packaged for pymorphy3 (PyPI: pymorphy3, pymorphy3-dicts-ru).

    python3 -m venv /tmp/pm && /tmp/pm/bin/pip install pymorphy3 pymorphy3-dicts-ru
    /tmp/pm/bin/python crates/lexicon/data/generate.py > crates/lexicon/data/names.tsv

Only lemmas are kept (the extractor inflects them itself), one per line, tab-separated:
kind (given-m, given-f, surname, place), the lemma, "common" when the same spelling is also
an ordinary word ("вера", "роза", "барак"), which alone is no sign of a person, and then the
other case forms that are ordinary words ("власти" of "Власта"), comma-separated.
"""
import sys

import pymorphy3

PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"}


def main():
    morph = pymorphy3.MorphAnalyzer()
    entries = {}
    for p in morph.iter_known_word_parses():
        tag = p.tag
        lemma = p.normal_form.replace("ё", "е")
        if "Name" in tag and tag.number != "plur":
            kind = "given-f" if tag.gender == "femn" else "given-m"
        elif "Surn" in tag and tag.gender == "masc":
            kind = "surname"
        elif "Geox" in tag:
            kind = "place"
        else:
            continue
        if len(lemma) < 2 or "-" == lemma[0]:
            continue
        entries.setdefault((kind, lemma), None)
    out = sys.stdout
    out.write("# Proper names from the OpenCorpora dictionary (CC BY-SA 3.0, opencorpora.org),\n")
    out.write("# as packaged in pymorphy3-dicts-ru; regenerate with generate.py.\n")
    forms_of = {}
    for p in morph.iter_known_word_parses():
        tag = p.tag
        if {"Name", "Surn"} & set(tag.grammemes) and tag.number != "plur":
            forms_of.setdefault(p.normal_form.replace("ё", "е"), set()).add(p.word.replace("ё", "е"))
    for kind, lemma in sorted(entries):
        common = ordinary(morph, lemma)
        clashes = []
        if kind != "place":
            clashes = sorted(f for f in forms_of.get(lemma, ()) if f != lemma and ordinary(morph, f))
        out.write(f"{kind}\t{lemma}\t{'common' if common else ''}\t{','.join(clashes)}\n")


WORD_CLASSES = {"NOUN", "ADJF", "VERB", "INFN", "ADVB", "PREP", "CONJ", "PRCL", "NPRO", "PRTF",
                "ADJS", "PRED", "INTJ", "NUMR", "COMP", "GRND", "PRTS"}


def ordinary(morph, word):
    """Whether the dictionary knows the spelling as an ordinary word, not only a name."""
    return any(
        type(p.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"
        and not (PROPER & set(p.tag.grammemes))
        and p.tag.POS in WORD_CLASSES
        for p in morph.parse(word)
    )


if __name__ == "__main__":
    main()
