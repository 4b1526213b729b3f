#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_html.py CHROMIUM MANIFEST REPORT.html [--screenshot PNG]

Renders REPORT.html in headless Chromium and checks:
  - the page is self-contained: no URL, no src= / href= / @import / url();
  - Chromium logs no console message (errors, uncaught exceptions) and the
    page's script ran to its end (#corelink-ready in the DOM);
  - the rendered DOM holds every kernel of MANIFEST exactly once (a row
    data-kernel="distro/version/arch/release") under the groups
    distro > version > arch, and every (object, program) column, each cell
    with the status class computed here from the manifest (independently of
    corelink): s-ok, s-guarded, s-poisoned, s-error, or s-na (no build of the
    object for the kernel's arch); cells that are not ok carry the reasons
    (or the error) in their title.
Prints counts and the render time.
"""
import html.parser
import json
import re
import subprocess
import sys
import time

chromium, manifest, report = sys.argv[1:4]
shot = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--screenshot" else None
CANON = {"amd64": "x86_64", "x86": "x86_64", "x86-64": "x86_64", "arm64": "aarch64"}


def canon(a):
    return CANON.get(a, a)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


m = json.load(open(manifest))
page = open(report, encoding="utf-8").read()
for bad in (r"https?://", r"\bsrc\s*=", r"\bhref\s*=", r"@import", r"url\("):
    if re.search(bad, page, re.I):
        fail("the page is not self-contained: it matches %s" % bad)

# ---- expected cells, from the manifest ----
cols = []
for o in m["objects"]:
    for p in o["programs"]:
        if (o["name"], p["name"]) not in cols:
            cols.append((o["name"], p["name"]))


def applies(o, k):
    return not o.get("arch") or not k["arch"] or canon(o["arch"]) == canon(k["arch"])


def expected(k, name, prog):
    for o in m["objects"]:
        if o["name"] != name or not applies(o, k):
            continue
        e = [e for e in k["objects"] if e["object"] == name and e.get("arch", "") == o.get("arch", "")]
        assert len(e) == 1, (k["release"], name)
        e = e[0]
        sec = [p["section"] for p in o["programs"] if p["name"] == prog]
        if not sec:
            continue
        if e["status"] == "error":
            return "error", [e["error"]]
        pz = [z for z in e.get("poisoned", []) if z["program"] == prog and z["section"] == sec[0]]
        if any(not z["guarded"] for z in pz):
            return "poisoned", [z["reason"] for z in pz]
        if pz:
            return "guarded", [z["reason"] for z in pz]
        return "ok", []
    return "na", []


# ---- render ----
t0 = time.time()
p = subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr",
                    "--v=0", "--virtual-time-budget=5000", "--dump-dom", "file://" + report],
                   capture_output=True, text=True, timeout=600)
dt = time.time() - t0
if p.returncode != 0:
    fail("chromium exited %d: %s" % (p.returncode, p.stderr[-2000:]))
console = [l for l in p.stderr.splitlines() if ":CONSOLE" in l]
if console:
    fail("console messages: %s" % console[:5])
dom = p.stdout
if 'id="corelink-ready"' not in dom:
    fail("the page's script did not run to its end (no #corelink-ready)")


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.groups = []      # stack of group names (details)
        self.in_summary_name = False
        self.pending_name = None
        self.rows = {}        # kernel id -> (group path, [(class, title)])
        self.row = None
        self.headers = []     # per table: [(object, program)]
        self.cur_head = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "details":
            self.groups.append(None)
        elif tag == "span" and a.get("class") == "name":
            self.in_summary_name = True
        elif tag == "th" and a.get("class") == "col":
            self.cur_head.append((a["data-object"], a["data-program"]))
        elif tag == "thead":
            self.cur_head = []
            self.headers.append(self.cur_head)
        elif tag == "tr" and "data-kernel" in a:
            kid = a["data-kernel"]
            if kid in self.rows:
                fail("kernel %s appears twice" % kid)
            self.row = []
            self.rows[kid] = (tuple(self.groups), self.row, a.get("class", ""), self.headers[-1])
        elif tag == "td" and self.row is not None:
            self.row.append((a.get("class", ""), a.get("title", "")))

    def handle_endtag(self, tag):
        if tag == "details":
            self.groups.pop()
        elif tag == "tr":
            self.row = None
        elif tag == "span":
            self.in_summary_name = False

    def handle_data(self, data):
        if self.in_summary_name and self.groups and self.groups[-1] is None:
            self.groups[-1] = data


d = Dom()
d.feed(dom)
cells = counts = 0
stat = {}
for k in m["kernels"]:
    kid = "%s/%s/%s/%s" % (k["distro"], k["version"], k["arch"], k["release"])
    if kid not in d.rows:
        fail("kernel %s missing from the rendered page" % kid)
    groups, row, rclass, head = d.rows.pop(kid)
    want_groups = tuple(x or "(no %s)" % w for x, w in
                        zip((k["distro"], k["version"], k["arch"]), ("distro", "version", "arch")))
    if groups != want_groups:
        fail("kernel %s is in group %s, expected %s" % (kid, groups, want_groups))
    if head != cols:
        fail("columns %s, expected %s" % (head, cols))
    if len(row) != len(cols):
        fail("kernel %s: %d cells, expected %d" % (kid, len(row), len(cols)))
    for (cls, title), (name, prog) in zip(row, cols):
        st, reasons = expected(k, name, prog)
        if cls != "s-" + st:
            fail("kernel %s, %s %s: class %s, expected s-%s" % (kid, name, prog, cls, st))
        for r in reasons:
            if r not in title:
                fail("kernel %s, %s %s: title lacks '%s'" % (kid, name, prog, r))
        stat[st] = stat.get(st, 0) + 1
        cells += 1
if d.rows:
    fail("rows for kernels not in the manifest: %s" % list(d.rows)[:3])
print("ok   %s: %d kernels x %d columns rendered in Chromium (%.1fs, %d KiB page), every cell's class "
      "and reasons as the manifest says: %s" % (report.split("/")[-1], len(m["kernels"]), len(cols), dt,
                                               len(page.encode()) // 1024, stat))
if shot:
    subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--window-size=1280,1000",
                    "--screenshot=" + shot, "file://" + report], capture_output=True, timeout=600)
