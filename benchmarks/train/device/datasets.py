"""Stand-in for `datasets.load_dataset` on the lent GPU machine, which has no `datasets`: local JSON
lines only, the same rows in the same order (see benchmarks/train/device_sweep.py). Never on the
path elsewhere."""
import json
from collections import defaultdict


def load_dataset(builder, data_files=None, split="train"):
    if builder != "json" or split != "train":
        raise ValueError(f"the stand-in reads local JSON lines only, not {builder!r} split {split!r}")
    rows = []
    for f in data_files:
        with open(f, encoding="utf-8") as fh:
            rows.extend(defaultdict(lambda: None, json.loads(line)) for line in fh if line.strip())
    return rows
