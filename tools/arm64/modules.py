#!/usr/bin/env python3
"""Copies the named kernel modules and everything they depend on (the .ko files' own "depends=" fields,
as depmod would read them) from an extracted kernel package into a root, and writes the order to load
them in: ROOT/etc/modules.order, one path a line, dependencies first.
usage: modules.py KERNEL_TREE ROOT MODULE..."""
import os, re, shutil, sys

tree, root, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
base = os.path.join(tree, "lib/modules")
version = os.listdir(base)[0]
paths = {}
for d, _, files in os.walk(os.path.join(base, version, "kernel")):
    for f in files:
        if f.endswith(".ko"):
            paths[f[:-3].replace("-", "_")] = os.path.join(d, f)

def depends(name):
    data = open(paths[name], "rb").read()
    m = re.search(rb"depends=([^\0]*)\0", data)
    return [x.decode().replace("-", "_") for x in m.group(1).split(b",") if x] if m else []

order, seen = [], set()
def visit(name):
    if name in seen:
        return
    if name not in paths:
        sys.exit(f"modules.py: no module {name} in {base}/{version}")
    seen.add(name)
    for d in depends(name):
        visit(d)
    order.append(name)
for w in wanted:
    visit(w.replace("-", "_"))
os.makedirs(os.path.join(root, "lib/modules"), exist_ok=True)
with open(os.path.join(root, "etc/modules.order"), "w") as out:
    for name in order:
        dst = os.path.join("/lib/modules", os.path.basename(paths[name]))
        shutil.copy(paths[name], root + dst)
        out.write(dst + "\n")
print(f"modules: {len(order)} for {' '.join(wanted)}")
