#!/usr/bin/env bash
# What a built site costs on GitHub Pages, per corpus size:
#   benches/size.sh [SIZES…]            (default: 1000 10000 100000)
# Builds each corpus from examples/gen_corpus.rs with the default site.toml
# (SITE_TOML=FILE appends FILE's text to it, e.g. an [outputs] table to
# price a switch) and prints files and bytes in all, per top-level folder
# and per file type, the largest HTML page, the largest sitemap file and its
# URL count, and the size of the tar that actions/upload-pages-artifact
# would upload (tar pads every file to 512-byte blocks plus a header).
# Bytes are the files' own sizes (what Pages counts), not disk blocks.
# Then it checks the budget of the defaults (issue #14): at 10k papers at
# most 500 MB and 100,000 files, at 1k at most 60 MB, up to 10k a Pages tar
# under 1 GB; at every size no HTML page over 1 MB and no sitemap over
# 50,000 URLs or 50 MB. Prints "budget: N passed, M failed" and exits 1 if
# any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
cargo build --release --quiet --examples --bin paperfeed
work="${TMPDIR:-/tmp}/paperfeed-size"
mkdir -p "$work"
mb() { echo "scale=1; $1 / 1000000" | bc; }
passed=0 failed=0
# check NAME VALUE LIMIT: VALUE ≤ LIMIT, or a failure is counted.
check() {
  if [ "$2" -le "$3" ]; then passed=$((passed + 1)); verdict=ok; else failed=$((failed + 1)); verdict=OVER; fi
  printf '  budget %-28s %12s <= %-12s %s\n' "$1" "$2" "$3" "$verdict"
}

for size in ${@:-1000 10000 100000}; do
  corpus="$work/corpus-$size"
  [ -d "$corpus" ] || "$repo/target/release/examples/gen_corpus" "$size" "$corpus" 42 2>/dev/null
  site="$work/site-$size"
  rm -rf "$site"; mkdir -p "$site"; ln -s "$corpus/content" "$site/content"
  cp "$corpus/site.toml" "$site/site.toml"
  if [ -n "${SITE_TOML:-}" ]; then cat "$SITE_TOML" >> "$site/site.toml"; fi
  out="$work/out-$size"
  if [ -e "$out" ]; then mv "$out" "$work/trash.$RANDOM"; fi
  rm -f "$work/.out-$size.manifest"
  "$repo/target/release/paperfeed" build -q --root "$site" --output "$out"
  listing="$work/files-$size.tsv"
  (cd "$out" && find . -type f -printf '%s\t%P\n') > "$listing"
  files=$(wc -l < "$listing")
  bytes=$(awk -F'\t' '{s += $1} END {printf "%.0f\n", s}' "$listing")
  # ustar: a 512-byte header per file and per folder, contents padded to 512.
  folders=$(cd "$out" && find . -mindepth 1 -type d | wc -l)
  tar_bytes=$(awk -F'\t' -v d="$folders" '{s += 512 + int(($1 + 511) / 512) * 512} END {printf "%.0f\n", s + d * 512 + 1024}' "$listing")
  echo "$size papers: $files files, $(mb "$bytes") MB; Pages tar $(mb "$tar_bytes") MB"
  echo "  by folder:"
  awk -F'\t' '{split($2, p, "/"); top = (p[2] == "" ? "(root files)" : p[1] "/"); n[top]++; s[top] += $1}
    END {for (t in n) printf "    %-16s %8d files %10.1f MB\n", t, n[t], s[t] / 1e6}' "$listing" | sort -k4 -n -r
  echo "  by type:"
  awk -F'\t' '{f = $2; sub(/.*\//, "", f); e = (f ~ /\./ ? f : "(none)"); sub(/^[^.]*\./, "", e); n[e]++; s[e] += $1}
    END {for (t in n) printf "    %-16s %8d files %10.1f MB\n", t, n[t], s[t] / 1e6}' "$listing" | sort -k4 -n -r
  largest=$(awk -F'\t' '$2 ~ /\.html$/' "$listing" | sort -n | tail -1)
  echo "  largest page:   $(echo "$largest" | cut -f2) ($(echo "scale=0; $(echo "$largest" | cut -f1) / 1000" | bc) KB)"
  for map in "$out"/sitemap*.xml; do
    urls=$(grep -o '<loc>' "$map" | wc -l)
    echo "  $(basename "$map"): $urls URLs, $(echo "scale=0; $(stat -c %s "$map") / 1000" | bc) KB"
    check "$(basename "$map") URLs" "$urls" 50000
    check "$(basename "$map") bytes" "$(stat -c %s "$map")" 50000000
  done
  check "largest page bytes" "$(echo "$largest" | cut -f1)" 1000000
  if [ "$size" -le 10000 ]; then check "Pages tar bytes" "$tar_bytes" 1000000000; fi
  if [ "$size" -eq 10000 ]; then
    check "bytes at 10k" "$bytes" 500000000
    check "files at 10k" "$files" 100000
  fi
  if [ "$size" -eq 1000 ]; then check "bytes at 1k" "$bytes" 60000000; fi
done
echo "budget: $passed passed, $failed failed"
rm -rf "$work"/trash.*
[ "$failed" -eq 0 ]
