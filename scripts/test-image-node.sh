#!/usr/bin/env bash
# Runs the whole test suite once under Node.js 24, the line the images ship (the machines have
# Node 20). The official Linux binary comes through the npm registry as the package
# node-linux-<arch>; it is unpacked under .local/ (git-ignored) and put first on PATH, so npm,
# the test runner and every child process use it.
#
#   scripts/test-node24.sh              run `npm test` under Node 24
#   scripts/test-node24.sh --print-bin  only fetch, then print the directory that holds `node`
set -euo pipefail
cd "$(dirname "$0")/.."

line=${NODE_LINE:-24}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "test-node24: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac

fetch() {
  local tmp tarball version dest
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  tarball=$(npm pack "node-linux-$arch@$line" --pack-destination "$tmp" --silent | tail -n 1)
  version=${tarball#node-linux-"$arch"-}
  version=${version%.tgz}
  dest=.local/node-linux-$arch/$version
  if [[ ! -x $dest/bin/node ]]; then
    mkdir -p "$dest"
    tar -xzf "$tmp/$tarball" -C "$dest" --strip-components=1 package/bin/node
  fi
  echo "$PWD/$dest/bin"
}

bin=$(fetch)
if [[ ${1:-} == --print-bin ]]; then
  echo "$bin"
  exit 0
fi

export PATH="$bin:$PATH"
echo "test-node24: $(command -v node) $(node --version), npm $(npm --version)"
[[ $(node --version) == v"$line".* ]] || { echo "test-node24: expected Node $line" >&2; exit 1; }
npm test
