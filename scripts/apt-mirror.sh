#!/usr/bin/env bash
# Prints the archive this machine's apt already uses for a Debian suite, as two tab-separated fields: the URIs and the
# Signed-By keyring (empty when the source names none). Reads deb822 files (/etc/apt/sources.list.d/*.sources) and
# one-line lists (/etc/apt/sources.list, *.list); skips security archives and disabled entries. Prints nothing when
# no source names the suite. Usage: apt-mirror.sh SUITE [APT_DIR]
set -euo pipefail
suite=${1:?usage: apt-mirror.sh SUITE [APT_DIR]}
dir=${2:-/etc/apt}
shopt -s nullglob
for f in "$dir"/sources.list.d/*.sources; do
  found=$(awk -v suite="$suite" '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    function flush() {
      if (types ~ /(^|[ \t])deb([ \t]|$)/ && (" " suites " ") ~ ("[ \t]" suite "[ \t]") && uris !~ /security/ && enabled !~ /^[Nn]o/ && uris != "") {
        print uris "\t" signed; done = 1; exit
      }
      types = uris = suites = signed = enabled = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^Types:/ { types = trim(substr($0, 7)) }
    /^URIs:/ { uris = trim(substr($0, 6)) }
    /^Suites:/ { suites = trim(substr($0, 8)) }
    /^Signed-By:/ { signed = trim(substr($0, 11)) }
    /^Enabled:/ { enabled = trim(substr($0, 9)) }
    END { if (!done) flush() }
  ' "$f")
  if [ -n "$found" ]; then printf '%s\n' "$found"; exit 0; fi
done
for f in "$dir"/sources.list "$dir"/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  found=$(awk -v suite="$suite" '
    $1 == "deb" {
      signed = ""; i = 2
      if ($2 ~ /^\[/) {
        opts = ""
        while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } i++ }
        if (match(opts, /signed-by=[^] ]+/)) signed = substr(opts, RSTART + 10, RLENGTH - 10)
      }
      uri = $i; s = $(i + 1)
      if (s == suite && uri !~ /security/) { print uri "\t" signed; exit }
    }
  ' "$f")
  if [ -n "$found" ]; then printf '%s\n' "$found"; exit 0; fi
done
