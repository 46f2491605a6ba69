"""The editor tool that runs *inside* an environment image during a replay (copied in, run with python3).

``python3 editor.py ARGS.json`` where the JSON holds ``{"command": "str_replace", "path", "old_str",
"new_str"}`` or ``{"command": "create", "path", "content"}``. It prints what an editor tool prints and
exits 1 when a replacement cannot be made (``old_str`` absent or not unique). Standard library only and
Python 3.6+ syntax, because it runs with whatever Python the image holds.
"""

import json
import os
import sys


def _numbered(lines, lo, hi):
    return "\n".join("%6d\t%s" % (i + 1, lines[i]) for i in range(lo, hi))


def main(argv):
    with open(argv[1], encoding="utf-8") as fh:
        args = json.load(fh)
    path = args["path"]
    if args["command"] == "create":
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(args["content"])
        print("File created: %s" % path)
        return 0
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    old, new = args["old_str"], args["new_str"]
    found = text.count(old) if old else 0
    if found != 1:
        print("No replacement was performed: old_str occurs %d times in %s." % (found, path))
        return 1
    after = text.replace(old, new, 1)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(after)
    first = text[: text.index(old)].count("\n")
    last = first + new.count("\n")
    lines = after.splitlines()
    print("The file %s has been edited. Here is the result around the change:" % path)
    print(_numbered(lines, max(first - 2, 0), min(last + 3, len(lines))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
