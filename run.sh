#!/usr/bin/env bash
# Starts MiniApiServer in the foreground: restores and builds it (Release) when the sources changed,
# then runs it with every argument given here. Ctrl-C or SIGTERM stops it cleanly.
#   ./run.sh                  serve on https://127.0.0.1:6443 with certs in ./certs and data in ./data
#   ./run.sh --help           every flag and subcommand with its default
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run.sh: the .NET 10 SDK is needed (dotnet on PATH): https://dotnet.microsoft.com/download" >&2
  exit 1
fi
dll="$repo/src/MiniApiServer/bin/Release/net10.0/MiniApiServer.dll"
stamp="$repo/src/MiniApiServer/bin/Release/net10.0/.run-built"
# Build only when some source is newer than the last build: a warm start costs no build at all.
if [ ! -f "$stamp" ] || [ -n "$(find "$repo/src" "$repo/Directory.Build.props" "$repo/Directory.Packages.props" \
      -newer "$stamp" -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null | head -n 1)" ]; then
  echo "run.sh: building MiniApiServer (Release)..." >&2
  log="$(mktemp)"
  if ! dotnet build "$repo/src/MiniApiServer/MiniApiServer.csproj" -c Release -nologo -v quiet >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
  touch "$stamp"
fi
exec dotnet "$dll" "$@"
