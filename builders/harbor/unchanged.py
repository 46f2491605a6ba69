"""Drops from a patch the new files the image already holds with the same content, and prints the rest.

Why: an environment image's /testbed holds untracked build output (a compiled extension, egg-info) that a
collected `git add -A; git diff` lists as new files; the verifier's fresh container of the same image has
them already, so `git apply` would refuse them ("already exists in working directory"). A new file equal,
blob for blob, to the one in place is no change. Usage: python3 unchanged.py PATCH > FILTERED (in /testbed).
"""

import re
import subprocess
import sys


def _blocks(text):
    block = []
    for line in text.splitlines(keepends=True):
        if line.startswith("diff --git ") and block:
            yield "".join(block)
            block = []
        block.append(line)
    if block:
        yield "".join(block)


def _unchanged(block):
    head = re.match(r"diff --git a/(\S+) b/(\S+)\n", block)
    new = re.search(r"^new file mode ", block, re.M)
    index = re.search(r"^index 0+\.\.([0-9a-f]+)", block, re.M)
    if not (head and new and index and head.group(1) == head.group(2)):
        return False
    done = subprocess.run(["git", "hash-object", "--", head.group(2)], capture_output=True, text=True)
    return done.returncode == 0 and done.stdout.strip().startswith(index.group(1))


def main():
    with open(sys.argv[1], encoding="utf-8", errors="surrogateescape") as fh:
        text = fh.read()
    sys.stdout.write("".join(b for b in _blocks(text) if not _unchanged(b)))


if __name__ == "__main__":
    main()
