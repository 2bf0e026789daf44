// The deploy job of release-image.yml (order check, set newTag, commit, pull --rebase, bounded
// retries), its `run:` steps executed in order exactly as the workflow has them, against a local
// bare repository standing in for GitHub: concurrent write-backs, releases that arrive out of
// order or are re-run, a fresh fork's placeholder tag, and network errors.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell variables in the workflow's script.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { OWNER, RELEASES, ROOT, readWorkflow, type Step } from './support';

const work = mkdtempSync(join(tmpdir(), 'write-back-'));
after(() => rmSync(work, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync(
    'git',
    ['-c', 'init.defaultBranch=main', '-c', 'user.name=t', '-c', 'user.email=t@t', ...args],
    {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).trim();

const [main, auxiliary] = RELEASES;
const IMAGE = `ghcr.io/${OWNER}/${main.image}`;
const KUSTOMIZATION = `deploy/${main.deploy}/kustomization.yaml`;
const BOT = 'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>';
/** The only condition the deploy job's steps may carry: the order check's verdict. */
const WRITE = "steps.order.outputs.write == 'true'";

const deploySteps: Step[] = readWorkflow('release-image.yml').jobs.deploy?.steps ?? [];

interface Run {
  /** Whether each step ran, by name. */
  ran: Record<string, boolean>;
  status: number;
  output: string;
}

/**
 * One deploy job for the release of `tag`: a fresh clone of main (as actions/checkout with
 * fetch-depth 0), then every `run:` step in order, with GITHUB_OUTPUT and the step conditions.
 */
function deploy(
  origin: string,
  tag: string,
  options: { path?: string; prePush?: string; afterCheckout?: () => void } = {},
): Run {
  const runner = mkdtempSync(join(work, 'runner-'));
  git(work, 'clone', '-q', origin, runner);
  options.afterCheckout?.();
  if (options.prePush) {
    const hook = join(runner, '.git/hooks/pre-push');
    writeFileSync(hook, options.prePush);
    chmodSync(hook, 0o755);
  }
  const outputs: Record<string, Record<string, string>> = {};
  const ran: Record<string, boolean> = {};
  let output = '';
  for (const step of deploySteps) {
    if (step.run === undefined) continue;
    if (step.if !== undefined) {
      assert.equal(step.if, WRITE, `${step.name}: unexpected condition`);
      if (outputs.order?.write !== 'true') {
        ran[step.name ?? ''] = false;
        continue;
      }
    }
    const githubOutput = join(runner, '.github-output');
    writeFileSync(githubOutput, '');
    const result = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], {
      cwd: runner,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: options.path ?? process.env.PATH,
        ...step.env,
        // What GitHub substitutes for the expressions of the step's env.
        KUSTOMIZATION,
        IMAGE,
        TAG: tag,
        GITHUB_OUTPUT: githubOutput,
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: work,
      },
    });
    ran[step.name ?? ''] = true;
    output += result.stdout + result.stderr;
    if (step.id) {
      outputs[step.id] = Object.fromEntries(
        readFileSync(githubOutput, 'utf8')
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    if (result.status !== 0) return { ran, status: result.status ?? 1, output };
  }
  return { ran, status: 0, output };
}

/** A bare origin whose main holds both deploy directories and the script (newTag = zeros). */
function makeOrigin(name: string): { origin: string; seed: string } {
  const origin = join(work, `${name}.git`);
  const seed = join(work, `${name}-seed`);
  git(work, 'init', '-q', '--bare', origin);
  git(work, 'init', '-q', seed);
  for (const release of RELEASES) {
    cpSync(join(ROOT, 'deploy', release.deploy), join(seed, 'deploy', release.deploy), { recursive: true });
  }
  mkdirSync(join(seed, 'scripts'));
  cpSync(join(ROOT, 'scripts/set-image-tag.mjs'), join(seed, 'scripts/set-image-tag.mjs'));
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'seed');
  git(seed, 'push', '-q', origin, 'HEAD:main');
  return { origin, seed };
}

/** A commit on main by a developer (what a release is built from); returns its SHA. */
function developerCommit(origin: string, seed: string, message: string): string {
  git(seed, 'pull', '-q', '--rebase', origin, 'main');
  writeFileSync(join(seed, 'CHANGES'), `${message}\n`, { flag: 'a' });
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', message);
  git(seed, 'push', '-q', origin, 'HEAD:main');
  return git(seed, 'rev-parse', 'HEAD');
}

const deployedTag = (origin: string) =>
  /newTag: "?([^"\n]*)"?/.exec(git(origin, 'show', `main:${KUSTOMIZATION}`))?.[1];

describe('the deploy job', () => {
  test('has the order check first, and only its verdict gates the writing steps', () => {
    const named = deploySteps.filter((step) => step.run !== undefined).map((step) => [step.name, step.if]);
    assert.deepEqual(named, [
      ['Check the release is newer than the deployed tag', undefined],
      ['Set newTag', WRITE],
      ['Commit and push', WRITE],
    ]);
    assert.equal(deploySteps.find((step) => step.run?.includes('--is-ancestor'))?.id, 'order');
  });

  test('rebases onto a concurrent write-back and pushes one [skip ci] commit as the bot', () => {
    const { origin, seed } = makeOrigin('concurrent');
    const release = developerCommit(origin, seed, 'feature');
    // The runner checks out main, then the other service's write-back lands; the first push is
    // rejected once (as GitHub does when main moved), through a pre-push hook.
    const concurrent = () => {
      writeFileSync(join(seed, 'deploy', auxiliary.deploy, 'NOTE'), 'concurrent change\n');
      git(seed, 'add', '.');
      git(seed, 'commit', '-q', '-m', 'concurrent write-back');
      git(seed, 'push', '-q', origin, 'HEAD:main');
    };
    const marker = join(work, 'rejected-once');
    const prePush = `#!/bin/sh\nif [ ! -e "${marker}" ]; then touch "${marker}"; exit 1; fi\n`;
    const run = deploy(origin, release, { prePush, afterCheckout: concurrent });
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /pull or push failed \(attempt 1 of 5\), retrying/);

    const log = git(origin, 'log', '--format=%an <%ae>|%s', 'main').split('\n');
    assert.equal(log[0], `${BOT}|deploy: ${main.image} ${release} [skip ci]`);
    assert.equal(log[1]?.split('|')[1], 'concurrent write-back');
    assert.equal(deployedTag(origin), release);
    assert.equal(git(origin, 'diff', '--name-only', 'main~1', 'main'), KUSTOMIZATION);
  });

  test('the placeholder tag of a fresh fork (no commit) is replaced by the first release', () => {
    const { origin, seed } = makeOrigin('fork');
    assert.equal(deployedTag(origin), '0'.repeat(40));
    const release = developerCommit(origin, seed, 'first');
    const run = deploy(origin, release);
    assert.equal(run.status, 0, run.output);
    assert.equal(deployedTag(origin), release);
  });

  test('releases that arrive out of order never roll back; a re-run writes nothing', () => {
    const { origin, seed } = makeOrigin('order');
    const older = developerCommit(origin, seed, 'older');
    const newer = developerCommit(origin, seed, 'newer');

    // The newer release's deploy runs first (GitHub does not order a concurrency group).
    assert.equal(deploy(origin, newer).status, 0);
    assert.equal(deployedTag(origin), newer);
    const head = git(origin, 'rev-parse', 'main');

    // Then the older one: it does not descend from the deployed commit, so it is skipped.
    const late = deploy(origin, older);
    assert.equal(late.status, 0, late.output);
    assert.deepEqual(late.ran, {
      'Check the release is newer than the deployed tag': true,
      'Set newTag': false,
      'Commit and push': false,
    });
    assert.match(
      late.output,
      new RegExp(
        `::warning::Not deploying ${IMAGE}:${older}: it does not descend from the deployed ${newer}`,
      ),
    );
    assert.equal(git(origin, 'rev-parse', 'main'), head);
    assert.equal(deployedTag(origin), newer);

    // Re-running the deployed release (docs/release.md) writes nothing either.
    const rerun = deploy(origin, newer);
    assert.equal(rerun.status, 0, rerun.output);
    assert.equal(rerun.ran['Set newTag'], false);
    assert.equal(git(origin, 'rev-parse', 'main'), head);

    // A later commit (after the bot's write-back) descends from the deployed one: written.
    const later = developerCommit(origin, seed, 'later');
    assert.equal(deploy(origin, later).status, 0);
    assert.equal(deployedTag(origin), later);
  });

  test('a release on a side history (neither ancestor nor descendant) is skipped too', () => {
    const { origin, seed } = makeOrigin('diverged');
    const base = developerCommit(origin, seed, 'base');
    const deployed = developerCommit(origin, seed, 'deployed');
    assert.equal(deploy(origin, deployed).status, 0);
    // A commit that exists in main's history only through a merge: it branched off before.
    git(seed, 'pull', '-q', '--rebase', origin, 'main');
    git(seed, 'checkout', '-q', '-b', 'side', base);
    writeFileSync(join(seed, 'SIDE'), 'side\n');
    git(seed, 'add', '.');
    git(seed, 'commit', '-q', '-m', 'side');
    const side = git(seed, 'rev-parse', 'HEAD');
    git(seed, 'checkout', '-q', 'main');
    git(seed, 'merge', '-q', '--no-edit', 'side');
    git(seed, 'push', '-q', origin, 'HEAD:main');

    const run = deploy(origin, side);
    assert.equal(run.status, 0, run.output);
    assert.equal(run.ran['Set newTag'], false);
    assert.equal(deployedTag(origin), deployed);
  });

  test('a release commit that main does not contain fails the job', () => {
    const { origin } = makeOrigin('unknown');
    const run = deploy(origin, 'feedface0123456789abcdef0123456789abcdef');
    assert.equal(run.status, 1);
    assert.match(
      run.output,
      /::error::feedface0123456789abcdef0123456789abcdef is not in the history of main/,
    );
  });

  test('a network error on git pull --rebase is retried like a rejected push', () => {
    const { origin, seed } = makeOrigin('network');
    const release = developerCommit(origin, seed, 'feature');
    // A git that fails its first `pull` as an unreachable remote would, then behaves.
    const bin = join(work, 'flaky-git');
    mkdirSync(bin);
    const realGit = execFileSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const marker = join(work, 'pull-failed-once');
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\nif [ "$1" = pull ] && [ ! -e "${marker}" ]; then\n  touch "${marker}"\n  echo "fatal: unable to access 'https://github.com/': Could not resolve host: github.com" >&2\n  exit 128\nfi\nexec "${realGit}" "$@"\n`,
    );
    chmodSync(join(bin, 'git'), 0o755);

    const run = deploy(origin, release, { path: `${bin}:${process.env.PATH}` });
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /Could not resolve host/);
    assert.match(run.output, /pull or push failed \(attempt 1 of 5\), retrying/);
    assert.equal(deployedTag(origin), release);
    assert.equal(git(origin, 'log', '-1', '--format=%an <%ae>', 'main'), BOT);
  });
});
