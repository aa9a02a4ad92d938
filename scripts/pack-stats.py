#!/usr/bin/env python3
"""Where a store's pack bytes are: entries, header and frame bytes by object kind.

    python3 scripts/pack-stats.py STORE

Walks every pack in STORE/objects/packs (classic and compact entries, see
src/store/object.rs) without decoding anything; counts the entries that store
their full id. Prints one line per kind and a total.
"""
import collections
import glob
import sys


def varint(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


def main(store):
    total, count, head, with_id = (collections.Counter() for _ in range(4))
    for path in sorted(glob.glob(store + "/objects/packs/*.pack")):
        b = open(path, "rb").read()
        i, end = 8, len(b) - 40
        while i < end:
            first = b[i]
            if first & 0x80:  # compact
                kind, codec = first & 15, (first >> 4) & 3
                j = i + 1
                _, j = varint(b, j)
                csize, j = varint(b, j)
                if first & 0x40:
                    j += 32
                    with_id[kind] += 1
                else:
                    j += 4
                if codec == 1:
                    j += 32
                elif codec == 2:
                    _, j = varint(b, j)
                j += 4
            else:  # classic
                kind, codec = first, b[i + 1]
                csize = int.from_bytes(b[i + 8 : i + 12], "little")
                j = i + 44 + {1: 32, 2: 4}.get(codec, 0) + 4
                with_id[kind] += 1
            count[kind] += 1
            head[kind] += j - i
            total[kind] += j - i + csize
            i = j + csize
    names = {1: "content", 2: "record", 3: "log", 4: "state", 5: "check", 6: "record set"}
    for k in sorted(count):
        print(
            f"{names.get(k, k)!s:8} entries {count[k]:6} bytes {total[k]:9} "
            f"headers {head[k]:8} frames {total[k] - head[k]:9} with full id {with_id[k]}"
        )
    print(f"all      entries {sum(count.values()):6} bytes {sum(total.values()):9} "
          f"headers {sum(head.values()):8} frames {sum(total.values()) - sum(head.values()):9}")


if __name__ == "__main__":
    main(sys.argv[1])
