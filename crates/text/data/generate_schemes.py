#!/usr/bin/env python3
"""Regenerates schemes.tsv, the romanisation tables of kartoteka-text, from the schema files
of the iuliia package on PyPI (MIT licence, github.com/nalgeon/iuliia-py):

    python3 -m venv /tmp/iu && /tmp/iu/bin/pip install iuliia
    /tmp/iu/bin/python crates/text/data/generate_schemes.py > crates/text/data/schemes.tsv

Each line: scheme, table (map: a letter; prev: a letter after another, or at the start of
a word; next: a letter before another; end: a word's last two letters), the Cyrillic, the
Latin. Two known defects of the published tables are corrected on the way: values are put
in NFC (some store "ž" as z and a combining caron), and a Cyrillic "ё" left in a Latin value
becomes the Latin "ë" it stands for.
"""
import json
import pathlib
import sys
import unicodedata

import iuliia


def fix(value):
    return unicodedata.normalize("NFC", value).replace("ё", "ë").replace("Ё", "Ë")


def main():
    schemas = pathlib.Path(iuliia.__file__).parent / "schemas"
    out = sys.stdout
    out.write("# Romanisation tables from the iuliia schemas (MIT), corrected; see generate_schemes.py\n")
    for path in sorted(schemas.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = data["name"]
        for table, key in (("map", "mapping"), ("prev", "prev_mapping"),
                           ("next", "next_mapping"), ("end", "ending_mapping")):
            for cyr, lat in (data.get(key) or {}).items():
                out.write(f"{name}\t{table}\t{unicodedata.normalize('NFC', cyr)}\t{fix(lat)}\n")


if __name__ == "__main__":
    main()
