#!/usr/bin/env python3
"""Edit-to-reload latency of a dev server, for benches/serve.sh.

    serve.py NAME PORT SITE_DIR LOG_FILE -- COMMAND...

Starts COMMAND (a dev server on PORT serving SITE_DIR), waits until a
paper page answers, then edits papers on disk and measures, per edit, the
time from the write to the moment the server serves the changed page
(polling every 2 ms). The same method for every server, so the figures
compare. Prints one line per edit and the median.
"""
import os
import statistics
import sys
import time

import dev_server

name, port, site, log_file = sys.argv[1:5]
command = sys.argv[sys.argv.index("--") + 1 :]
papers = os.path.join(site, "content", "papers")
files = sorted(f for f in os.listdir(papers) if f.endswith(".md"))
base = f"http://127.0.0.1:{port}"


def fetch(path):
    return dev_server.fetch(base, path, timeout=60)


server = dev_server.start(command, log_file)
started = time.time()
probe = f"/papers/{files[0][:-3]}/"
while fetch(probe) is None:
    if server.poll() is not None:
        sys.exit(f"{name}: the server exited; see {log_file}")
    time.sleep(0.5)
print(f"{name}: ready after {time.time() - started:.1f} s", flush=True)
time.sleep(2)  # let the watcher settle

results = []
# Papers from the middle of the corpus: not the newest, not the oldest.
for n, file in enumerate(files[len(files) // 2 : len(files) // 2 + 7]):
    path = os.path.join(papers, file)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    marker = f"editmarker{n}x{int(time.time())}"
    edited = text.rstrip("\n") + f" {marker}\n"
    page = f"/papers/{file[:-3]}/"
    fetch(page)  # open in a browser, as when one edits the paper it shows
    t0 = time.time()
    with open(path, "w", encoding="utf-8") as f:
        f.write(edited)
    while True:
        body = fetch(page)
        if body is not None and marker in body:
            break
        if time.time() - t0 > 600:
            sys.exit(f"{name}: no update after 600 s")
        time.sleep(0.002)
    elapsed = (time.time() - t0) * 1000
    results.append(elapsed)
    print(f"{name}: edit {n + 1}: page updated {elapsed:.0f} ms after the save", flush=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    time.sleep(1.5)  # the revert rebuilds too; keep it out of the next timing

print(f"{name}: median {statistics.median(results):.0f} ms over {len(results)} edits", flush=True)
dev_server.stop(server)
