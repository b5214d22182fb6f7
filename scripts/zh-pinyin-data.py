#!/usr/bin/env python3
"""Builds assets/zh/pinyin.tsv.gz from pypinyin's data (see assets/zh/PROVENANCE.md).

Usage: zh-pinyin-data.py PYPINYIN_0_53_DIR [NEWER_PYPINYIN_DIR] > /dev/null
Writes: one `word<TAB>syllables` line per character of U+4E00-U+9FFF that has a reading
(its first reading) and per phrase (first reading of each syllable), syllables in
TONE3 with 5 for the neutral tone, as misaki's legacy front-end asks pypinyin for them.
Characters the 0.53 list lacks are filled from NEWER_PYPINYIN_DIR when given.
"""
import gzip
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'assets', 'zh', 'pinyin.tsv.gz')

DUMP = r'''
import sys
from pypinyin import Style
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
from pypinyin.converter import UltimateConverter
conv = UltimateConverter(neutral_tone_with_five=True)
def t3(han, py):
    return conv.convert_style(han, orig_pinyin=py, style=Style.TONE3, strict=True)
for cp, v in PINYIN_DICT.items():
    if 0x4E00 <= cp <= 0x9FFF:
        print(chr(cp) + '\t' + t3(chr(cp), v.split(',')[0]))
if sys.argv[1] == 'all':
    for k, v in PHRASES_DICT.items():
        print(k + '\t' + ' '.join(t3(k[i], s[0]) for i, s in enumerate(v)))
'''


def dump(pypinyin_dir, what):
    out = subprocess.run([sys.executable, '-c', DUMP, what], env={**os.environ, 'PYTHONPATH': pypinyin_dir},
                         check=True, capture_output=True, text=True).stdout
    return dict(line.split('\t', 1) for line in out.splitlines())


def main():
    entries = dump(sys.argv[1], 'all')
    if len(sys.argv) > 2:
        for k, v in dump(sys.argv[2], 'chars').items():
            entries.setdefault(k, v)
    chars = sorted(k for k in entries if len(k) == 1)
    phrases = sorted(k for k in entries if len(k) > 1)
    body = ''.join(f'{k}\t{entries[k]}\n' for k in chars + phrases)
    with gzip.open(OUT, 'wb', compresslevel=9) as f:
        f.write(body.encode('utf-8'))
    print(f'{len(chars)} characters, {len(phrases)} phrases -> {OUT}', file=sys.stderr)


if __name__ == '__main__':
    main()
