#!/usr/bin/env bash
# Runs the whole test suite once under the Node.js line the images ship: the major in .nvmrc, which
# test/release/dockerfiles.test.ts ties to both Dockerfiles' base images (the machines have
# Node 20). The official Linux binary comes through the npm registry as the package
# node-linux-<arch>; it is unpacked under .local/ (git-ignored) and put first on PATH, so npm,
# the test runner and every child process use it.
#
#   scripts/test-image-node.sh              run `npm test` under the images' Node line
#   scripts/test-image-node.sh --print-bin  only fetch, then print the directory that holds `node`
#
# NODE_LINE=<major> picks another line (e.g. NODE_LINE=24).
set -euo pipefail
cd "$(dirname "$0")/.."

line=${NODE_LINE:-$(tr -d '[:space:]' <.nvmrc)}
[[ $line =~ ^[0-9]+$ ]] || { echo "test-image-node: .nvmrc must hold a major version, not '$line'" >&2; exit 1; }
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "test-image-node: no node-linux package for $(uname -m)" >&2; exit 1 ;;
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
echo "test-image-node: $(command -v node) $(node --version), npm $(npm --version)"
[[ $(node --version) == v"$line".* ]] || { echo "test-image-node: expected Node $line" >&2; exit 1; }
npm test
