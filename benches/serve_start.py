#!/usr/bin/env python3
"""Start-up, memory and add-a-paper figures of `paperfeed serve`, for
benches/serve.sh.

    serve_start.py PORT SITE_DIR LOG_FILE -- COMMAND...

Starts COMMAND (a dev server on PORT serving SITE_DIR) and prints:
- the time from the start to the home page answering;
- resident memory (VmRSS) and its peak (VmHWM) after opening 100 pages,
  found by following the site's own links from the home page;
- for a new paper file saved while the home page is open, the time until
  the home page lists it, and the same for one tag added to a paper.
"""
import os
import re
import sys
import time

import dev_server

port, site, log_file = sys.argv[1:4]
command = sys.argv[sys.argv.index("--") + 1 :]
papers = os.path.join(site, "content", "papers")
base = f"http://127.0.0.1:{port}"


def fetch(path):
    return dev_server.fetch(base, path, timeout=600)


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    mb = lambda key: int(fields[key].split()[0]) / 1024
    return mb("VmRSS"), mb("VmHWM")


def wait_for(path, text, since):
    while True:
        body = fetch(path)
        if body is not None and text in body:
            return (time.time() - since) * 1000
        if time.time() - since > 600:
            sys.exit(f"no update of {path} after 600 s")
        time.sleep(0.002)


started = time.time()
server = dev_server.start(command, log_file)
while fetch("/") is None:
    if server.poll() is not None:
        sys.exit(f"the server exited; see {log_file}")
    time.sleep(0.05)
print(f"  first page answered {time.time() - started:.2f} s after the start", flush=True)
rss, _ = memory(server.pid)
print(f"  resident after the first page: {rss:.0f} MB", flush=True)

# Follow the site's links breadth first: listings, papers, tags, authors.
seen, queue, opened = {"/"}, ["/"], 0
clock = time.time()
while queue and opened < 100:
    path = queue.pop(0)
    body = fetch(path)
    opened += 1
    for link in re.findall(r'href="(/[^"#?]*)"', body or ""):
        if link.endswith("/") and link not in seen:
            seen.add(link)
            queue.append(link)
rss, peak = memory(server.pid)
print(f"  {opened} pages opened in {time.time() - clock:.1f} s; resident {rss:.0f} MB, peak {peak:.0f} MB", flush=True)

time.sleep(2)  # let the catch-up after start-up finish
fetch("/")
marker = f"Addedpaper{int(time.time())}"
path = os.path.join(papers, "zz-bench-added.md")
t0 = time.time()
with open(path, "w", encoding="utf-8") as f:
    f.write(f"---\ntitle: {marker}\ndate: 2100-01-01\ntags: [bench]\n---\nA paper added while serving.\n")
print(f"  added paper: home page lists it {wait_for('/', marker, t0):.0f} ms after the save", flush=True)
time.sleep(3)
with open(path, encoding="utf-8") as f:
    text = f.read()
t0 = time.time()
with open(path, "w", encoding="utf-8") as f:
    f.write(text.replace("tags: [bench]", "tags: [bench, benchtagtwo]"))
print(f"  tag added: home page shows it {wait_for('/', 'benchtagtwo', t0):.0f} ms after the save", flush=True)
time.sleep(3)
os.remove(path)
time.sleep(3)
rss, peak = memory(server.pid)
print(f"  at the end: resident {rss:.0f} MB, peak {peak:.0f} MB", flush=True)
dev_server.stop(server)
