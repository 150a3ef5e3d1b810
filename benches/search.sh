#!/usr/bin/env bash
# Search index sizes and query times at 1k, 10k and 100k papers.
#   benches/search.sh [SIZES…]       (default: 1000 10000 100000)
# Query times are the theme's search.js run in node over the index on disk,
# so they include JSON parsing but not network latency.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --examples
work="${TMPDIR:-/tmp}/paperfeed-search-bench"
mkdir -p "$work"
for n in "${@:-1000 10000 100000}"; do
  for size in $n; do
    corpus="$work/corpus-$size"
    [ -d "$corpus" ] || target/release/examples/gen_corpus "$size" "$corpus" 42 2>/dev/null
    out="$work/index-$size"
    rm -rf "$out"
    start=$(date +%s.%N)
    target/release/examples/search_index "$corpus" "$out"
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    files=$(find "$out/search" -type f | wc -l)
    total=$(du -sb "$out/search" | cut -f1)
    postings=$(du -sb "$out/search/f" | cut -f1)
    biggest=$(find "$out/search/f" -type f -printf '%s\n' | sort -n | tail -1)
    meta=$(stat -c %s "$out/search/meta.json")
    printf '%s papers: index built in %.1f s (with parsing); %s files, %s MB in all (postings %s MB, largest fragment %s KB, meta.json %s KB)\n' \
      "$size" "$secs" "$files" "$((total / 1048576))" "$((postings / 1048576))" "$((biggest / 1024))" "$((meta / 1024))"
    node benches/search.mjs "$out"
  done
done
