#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""layering.py BUILD-DIR SRC-DIR CC LAYER:BELOW,BELOW ...

The folders are layers (meson.build), and that holds by construction:
1. every source file in src/L/ is compiled with L's include root and no
   other way into src/ (build/compile_commands.json);
2. for every pair of layers, a file in one that includes a header of the
   other compiles exactly when the other is itself or declared below it;
3. no source reaches around the layers with a relative include.
"""
import glob, json, os, re, shlex, subprocess, sys, tempfile

build, src, cc = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3]
dag = {}
for spec in sys.argv[4:]:
    name, _, below = spec.partition(':')
    dag[name] = set(filter(None, below.split(','))) | {name}
fail = []

# 1. How each file is really compiled.
for cmd in json.load(open(os.path.join(build, 'compile_commands.json'))):
    f = os.path.realpath(os.path.join(cmd['directory'], cmd['file']))
    if not f.startswith(src + '/'):
        continue
    layer = os.path.relpath(f, src).split('/')[0]
    if layer not in dag:
        fail.append('%s: in a folder that is no layer' % f)
        continue
    args = shlex.split(cmd['command'])
    incs = [a[2:] for a in args if a.startswith('-I')]
    roots = [os.path.realpath(os.path.join(cmd['directory'], i)) for i in incs]
    if os.path.realpath(os.path.join(build, 'layers', layer)) not in roots:
        fail.append('%s: not compiled with the include root of %s' % (f, layer))
    for r in roots:
        # src itself, a folder above it (the project root: "src/daemon/..."
        # would resolve), or another layer's folder.
        if r == src or src.startswith(r + '/') or \
                (r.startswith(src + '/') and os.path.relpath(r, src).split('/')[0] != layer):
            fail.append('%s: -I%s opens another layer' % (f, r))

# 2. Every pair, for real, with the compiler.
headers = {}
for l in dag:
    hs = sorted(h for h in os.listdir(os.path.join(src, l)) if h.endswith('.h') and not h.startswith('test-'))
    if hs:
        headers[l] = hs[0]
flags = subprocess.run(['pkg-config', '--cflags', 'yajl', 'libsystemd'], capture_output=True, text=True).stdout.split()
with tempfile.TemporaryDirectory() as tmp:
    t = os.path.join(tmp, 't.c')
    for frm in dag:
        for to, h in headers.items():
            open(t, 'w').write('#include "%s/%s"\n' % (to, h))
            r = subprocess.run([cc, '-D_GNU_SOURCE', '-std=c11', '-fsyntax-only',
                                '-I' + os.path.join(build, 'layers', frm), '-I' + os.path.join(src, '..', 'include')]
                               + flags + [t], capture_output=True, text=True)
            want = to in dag[frm]
            if (r.returncode == 0) != want:
                fail.append('%s including %s/%s: %s, should %s' % (frm, to, h, 'compiles' if r.returncode == 0 else
                            'refused (' + r.stderr.strip().splitlines()[-1] + ')' if r.stderr.strip() else 'refused',
                            'compile' if want else 'be refused'))

# 3. Around the layers.
for f in glob.glob(os.path.join(src, '*', '*.[ch]')):
    for n, line in enumerate(open(f), 1):
        if re.match(r'\s*#\s*include\s*"\.\./', line):
            fail.append('%s:%d: a relative include bypasses the layering' % (f, n))

for m in fail:
    print('FAIL:', m)
if not fail:
    print('layering: %d layers, %d pairs tried, every upward include refused' % (len(dag), len(dag) * len(headers)))
sys.exit(1 if fail else 0)
