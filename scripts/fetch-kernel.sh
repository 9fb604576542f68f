#!/usr/bin/env bash
# Fetch Debian's newest generic amd64 kernel of a series without installing it: a thin wrapper over
# `guardbench kernel fetch SERIES` (guardbench's own apt configuration under the cache, never the
# system's; see docs/kernels.md). Prints the unpacked root, which `guardbench kernel run` takes.
#   scripts/fetch-kernel.sh 6.1     # the last kernel before guard markers (bookworm)
#   scripts/fetch-kernel.sh 7.3
set -euo pipefail
series=${1:?usage: fetch-kernel.sh SERIES   (e.g. 6.1 or 7.3)}
exec node "$(dirname "$0")/../bin/guardbench.js" kernel fetch "$series"
