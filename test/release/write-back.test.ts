// The write-back steps of release-image.yml (set newTag, commit, pull --rebase, bounded push
// retry), run exactly as the workflow runs them against a local bare repository standing in for
// GitHub, with another release landing on main in between.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell variables in the workflow's script.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { OWNER, RELEASES, ROOT, readWorkflow, stepRunning } from './support';

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

test('a release rebases onto a concurrent write-back and pushes one [skip ci] commit as the bot', () => {
  const workflow = readWorkflow('release-image.yml');
  const setTag = stepRunning(workflow, 'scripts/set-image-tag.mjs');
  const push = stepRunning(workflow, 'git push');
  const [main, auxiliary] = RELEASES;

  // origin: main with both deploy directories and the script.
  const origin = join(work, 'origin.git');
  const seed = join(work, 'seed');
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

  // The runner's checkout of main.
  const runner = join(work, 'runner');
  git(work, 'clone', '-q', origin, runner);

  // Meanwhile the other service's release lands on main.
  writeFileSync(join(seed, 'deploy', auxiliary.deploy, 'NOTE'), 'concurrent change\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'concurrent write-back');
  git(seed, 'push', '-q', origin, 'HEAD:main');

  // Fail the first push once (as GitHub does when main moved), through a pre-push hook.
  const hook = join(runner, '.git/hooks/pre-push');
  writeFileSync(
    hook,
    `#!/bin/sh\nif [ ! -e "${work}/rejected" ]; then touch "${work}/rejected"; exit 1; fi\n`,
  );
  chmodSync(hook, 0o755);

  const sha = 'feedface0123456789abcdef0123456789abcdef';
  const env = {
    ...process.env,
    KUSTOMIZATION: `deploy/${main.deploy}/kustomization.yaml`,
    IMAGE: `ghcr.io/${OWNER}/${main.image}`,
    TAG: sha,
    BRANCH: 'main',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: work,
  };
  for (const step of [setTag, push]) {
    execFileSync('bash', ['-euo', 'pipefail', '-c', step.run ?? 'false'], {
      cwd: runner,
      env,
      stdio: 'pipe',
    });
  }

  const log = git(origin, 'log', '--format=%an <%ae>|%s', 'main').split('\n');
  assert.equal(log.length, 3, log.join('\n'));
  assert.equal(
    log[0],
    `github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|deploy: ${main.image} ${sha} [skip ci]`,
  );
  assert.equal(log[1]?.split('|')[1], 'concurrent write-back');
  const kustomization = git(origin, 'show', `main:deploy/${main.deploy}/kustomization.yaml`);
  assert.match(kustomization, new RegExp(`newTag: "${sha}"`));
  assert.equal(
    git(origin, 'diff', '--name-only', 'main~1', 'main'),
    `deploy/${main.deploy}/kustomization.yaml`,
  );

  // Released again with the same SHA: nothing to commit, nothing pushed.
  execFileSync('bash', ['-euo', 'pipefail', '-c', setTag.run ?? 'false'], {
    cwd: runner,
    env,
    stdio: 'pipe',
  });
  execFileSync('bash', ['-euo', 'pipefail', '-c', push.run ?? 'false'], { cwd: runner, env, stdio: 'pipe' });
  assert.equal(git(origin, 'rev-list', '--count', 'main'), '3');
});
