// scripts/e2e/cluster.sh end to end against stand-ins for docker, kind, kubectl, terraform and
// curl (this machine has none of the real ones): the steps run in order, Terraform sees the
// override, tfvars and Applications the script wrote into its copy, the answers are checked
// against the built commit, and a failure dumps diagnostics and still deletes the cluster.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bash, ROOT, SCRIPT } from './support';

const REVISION = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
/** The image reference of a kustomization, as a regular expression source (a fork renames it). */
const image = (deploy: string) =>
  bash(['images'], 'kustomization_image', [`deploy/${deploy}/kustomization.yaml`])
    .stdout.trim()
    .replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// Each stand-in appends its arguments to $STUB_LOG. Behaviour switches: STUB_APPS (the
// Applications' sync/health), STUB_POLICIES=off (main-api reaches the emulator), STUB_VERSION
// (what the services report).
const STUBS: Record<string, string> = {
  docker: 'echo "docker $*" >>"$STUB_LOG"',
  kind: `echo "kind $*" >>"$STUB_LOG"
case "$1 $2" in
  "get clusters") [ -n "\${STUB_CLUSTERS:-}" ] && echo "$STUB_CLUSTERS" ;;
  "create cluster") while [ $# -gt 0 ]; do [ "$1" = --kubeconfig ] && : >"$2"; shift; done ;;
esac`,
  terraform: `echo "terraform $*" >>"$STUB_LOG"
env | grep -e '^TF_VAR_' -e '^TF_WORKSPACE=' >>"$STUB_RECORD/terraform-env" || true
dir=""; for a in "$@"; do case "$a" in -chdir=*) dir="\${a#-chdir=}" ;; esac; done
case " $* " in
  *" apply "*)
    name="$(basename "$dir")"
    mkdir -p "$STUB_RECORD/$name"
    cp "$dir"/*_override.tf "$STUB_RECORD/$name/"
    for a in "$@"; do case "$a" in -var-file=*) cp "\${a#-var-file=}" "$STUB_RECORD/$name/vars.tfvars" ;; esac; done
    [ "$name" = environment ] && cp "$dir"/../../argocd/*.yaml "$STUB_RECORD/$name/"
    ;;
esac
exit 0`,
  kubectl: `echo "kubectl $*" >>"$STUB_LOG"
case " $* " in
  *" port-forward "*)
    case " $* " in
      *" 8080:80 "*) echo "Forwarding from 127.0.0.1:8080 -> 8000" ;;
      *) echo "Forwarding from 127.0.0.1:40123 -> 5000" ;;
    esac
    exec sleep 120 ;;
  *" get applications.argoproj.io "*) printf '%s' "\${STUB_APPS:-Synced/Healthy}" ;;
  *" get deployment "*) printf '%s' "\${STUB_AVAILABLE:-2}" ;;
  *" exec "*)
    case " $* " in
      *moto.aws-emulator*) [ "\${STUB_POLICIES:-on}" = off ] && exit 0; exit 42 ;;
      *) exit 0 ;;
    esac ;;
esac
exit 0`,
  curl: `echo "curl $*" >>"$STUB_LOG"
out=/dev/null; url=""
while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift ;; --max-time|--write-out) shift ;; -*) ;; *) url="$1" ;; esac; shift; done
v="$STUB_VERSION"
case "$url" in
  *"/parameter?name=/test/apps/config/env_name") printf '{"auxiliary_version":"%s","main_version":"%s","name":"/test/apps/config/env_name","value":"test"}' "$v" "$v" >"$out"; printf 200 ;;
  *"/buckets") printf '{"auxiliary_version":"%s","buckets":["test-apps-main","test-apps-secondary"],"main_version":"%s"}' "$v" "$v" >"$out"; printf 200 ;;
  *"/parameters") printf '{"auxiliary_version":"%s","main_version":"%s","parameters":["/test/apps/config/env_name","/test/apps/config/hotel","/test/apps/config/locale","/test/service_user/access_key_id","/test/service_user/secret_access_key"]}' "$v" "$v" >"$out"; printf 200 ;;
  *"secret_access_key") printf '{"auxiliary_version":"%s","detail":"no","main_version":"%s","status":403,"title":"Forbidden","type":"about:blank"}' "$v" "$v" >"$out"; printf 403 ;;
  *"missing") printf '{"auxiliary_version":"%s","detail":"no","main_version":"%s","status":404,"title":"Not Found","type":"about:blank"}' "$v" "$v" >"$out"; printf 404 ;;
  *) : ;;
esac`,
};

interface Run {
  status: number | null;
  output: string;
  log: string[];
  record: string;
  artifacts: string;
  tmp: string;
}

const runDirs: string[] = [];
after(() => {
  for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
});

function dryRun(env: Record<string, string> = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-dry-run-'));
  runDirs.push(dir);
  const bin = join(dir, 'bin');
  const record = join(dir, 'record');
  const tmp = join(dir, 'tmp');
  for (const path of [bin, record, tmp]) mkdirSync(path);
  for (const [name, body] of Object.entries(STUBS)) {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const result = spawnSync('bash', [SCRIPT], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      TMPDIR: tmp,
      STUB_LOG: join(dir, 'log'),
      STUB_RECORD: record,
      STUB_VERSION: REVISION,
      // Fixed: other commits may land while the suite runs.
      E2E_REVISION: REVISION,
      E2E_REPOSITORY: 'https://github.com/acme/fork.git',
      E2E_ARTIFACTS: join(dir, 'artifacts'),
      TF_VAR_bucket_name_prefix: 'personal-',
      TF_WORKSPACE: 'prod',
      ...env,
    },
  });
  const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : [];
  return {
    status: result.status,
    output: result.stdout + result.stderr,
    log,
    record,
    artifacts: join(dir, 'artifacts'),
    tmp,
  };
}

const index = (log: string[], pattern: RegExp) => log.findIndex((line) => pattern.test(line));

describe('cluster.sh against stand-in tools', () => {
  const passing = dryRun();

  it('passes when the cluster answers as the specification says', () => {
    assert.equal(passing.status, 0, passing.output);
    assert.match(passing.output, new RegExp(`PASSED: ${REVISION}`));
  });

  it('runs the steps in order: cluster, images, emulator, global, environment, wait, requests', () => {
    const order = [
      /^kind create cluster --name aws-k8s-platform-e2e --config .*test\/e2e-cluster\/kind\.yaml/,
      new RegExp(`^docker build .*--build-arg VERSION=${REVISION} --tag ${image('main')}`),
      new RegExp(`^kind load docker-image ${image('main')}`),
      new RegExp(`^kind load docker-image ${image('auxiliary')}`),
      /^kubectl apply -f https:\/\/github\.com\/kubernetes-sigs\/metrics-server\/releases\/download\/v0\.9\.0\/components\.yaml/,
      /^kubectl apply -k .*test\/e2e-cluster\/emulator$/,
      /^terraform -chdir=.*\/infra\/terraform\/global workspace select -or-create global/,
      /^terraform -chdir=.*\/infra\/terraform\/global apply/,
      /^terraform -chdir=.*\/infra\/terraform\/environment workspace select -or-create test/,
      /^terraform -chdir=.*\/infra\/terraform\/environment apply/,
      /^kubectl apply -k .*test\/e2e-cluster\/auxiliary-egress$/,
      /^kubectl -n argocd get applications\.argoproj\.io main-api/,
      /^curl .*http:\/\/localhost:8080\/parameter\?name=\/test\/apps\/config\/env_name$/,
      /^kubectl -n main-api exec deploy\/main-api .*moto\.aws-emulator/,
      /^kind delete cluster --name aws-k8s-platform-e2e$/,
    ].map((pattern) => [pattern, index(passing.log, pattern)] as const);
    for (const [pattern, at] of order) assert.ok(at >= 0, `never ran: ${pattern}`);
    const positions = order.map(([, at]) => at);
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      'steps out of order',
    );
    assert.ok(!passing.log.some((line) => /^terraform .*(destroy|-target)/.test(line)));
    // Port-forwards run in the background: present, in no fixed place in the log.
    assert.ok(passing.log.includes('kubectl -n main-api port-forward service/main-api 8080:80'));
  });

  it('Terraform sees the emulator override, the tfvars and the Applications at the commit, only in its copy', () => {
    const environment = join(passing.record, 'environment');
    assert.match(
      readFileSync(join(environment, 'emulator_override.tf'), 'utf8'),
      /ssm = "http:\/\/127\.0\.0\.1:40123"/,
    );
    const tfvars = readFileSync(join(environment, 'vars.tfvars'), 'utf8');
    assert.match(tfvars, /kubeconfig_context = "kind-aws-k8s-platform-e2e"/);
    assert.match(tfvars, /AWS_ENDPOINT_URL = "http:\/\/moto\.aws-emulator\.svc\.cluster\.local:5000"/);
    assert.doesNotMatch(tfvars, /argocd_repository_credentials/, 'no token given, none stored');
    for (const file of ['main.yaml', 'auxiliary.yaml']) {
      const application = readFileSync(join(environment, file), 'utf8');
      assert.match(application, /repoURL: https:\/\/github\.com\/acme\/fork\.git$/m);
      assert.match(application, new RegExp(`targetRevision: ${REVISION}$`, 'm'));
    }
    assert.ok(existsSync(join(passing.record, 'global', 'emulator_override.tf')));
    const tracked = execFileSync('git', ['status', '--porcelain', '--', 'infra'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.doesNotMatch(tracked, /_override\.tf|\.tfvars/, 'nothing written into the repository');
  });

  it('personal TF_VAR_ and TF_WORKSPACE settings of the calling shell do not reach Terraform', () => {
    assert.equal(readFileSync(join(passing.record, 'terraform-env'), 'utf8'), '');
  });

  it('leaves no working directory behind', () => {
    assert.deepEqual(readdirSync(passing.tmp), []);
  });
});

describe('cluster.sh failing', () => {
  it('when the Applications never become healthy: bounded wait, diagnostics, cluster deleted', () => {
    const run = dryRun({ STUB_APPS: 'Synced/Degraded', E2E_WAIT_SECONDS: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.output, /gave up after 1 s waiting for Synced\/Healthy Applications/);
    assert.match(readFileSync(join(run.artifacts, 'cluster.txt'), 'utf8'), /----- Argo CD Applications/);
    assert.ok(run.log.includes('kind delete cluster --name aws-k8s-platform-e2e'));
    assert.equal(index(run.log, /^curl .*8080/), -1, 'no request before the Applications are healthy');
  });

  it('when a version field is not the built commit', () => {
    const run = dryRun({ STUB_VERSION: 'dev' });
    assert.notEqual(run.status, 0);
    assert.match(
      run.output,
      /GET \/parameter\?name=\/test\/apps\/config\/env_name: expected \{"auxiliary_version":"/,
    );
  });

  it('when NetworkPolicies are not enforced (main-api reaches the emulator)', () => {
    const run = dryRun({ STUB_POLICIES: 'off' });
    assert.notEqual(run.status, 0);
    assert.match(run.output, /NetworkPolicies are not enforced/);
  });

  it('when the HPAs do not keep two pods available', () => {
    const run = dryRun({ STUB_AVAILABLE: '1', E2E_WAIT_SECONDS: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.output, /waiting for 2 available main-api pods/);
  });

  it('refuses to reuse an existing cluster of the same name, and leaves it alone', () => {
    const run = dryRun({ STUB_CLUSTERS: 'aws-k8s-platform-e2e' });
    assert.notEqual(run.status, 0);
    assert.match(run.output, /a kind cluster named aws-k8s-platform-e2e exists already/);
    assert.equal(index(run.log, /^kind (create|delete) cluster/), -1);
  });
});
