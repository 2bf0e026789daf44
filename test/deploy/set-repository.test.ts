// The fork command (scripts/set-repository.ts), run for real on a temporary copy of the
// repository: every place that names the owner/repository changes, nothing else does, the
// manifests still render, and running it back restores the original bytes.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import {
  candidateFiles,
  currentRepository,
  ownerToken,
  rewrite,
  setRepository,
} from '../../scripts/set-repository';
import { contractNames, contractRows } from './contract';
import { APPS, ROOT, readText, readYaml, render } from './manifests';

// The placeholder is read, not written here: the fork command would rewrite this file too.
const PLACEHOLDER = currentRepository(ROOT);
const placeholderOwner = ownerToken(PLACEHOLDER.owner);
const FORK = { owner: 'My-Fork', repo: 'fork-platform' };
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const SCRIPT = join(ROOT, 'scripts/set-repository.ts');

const run = (cwd: string, ...args: string[]) => spawnSync(TSX, [SCRIPT, ...args], { cwd, encoding: 'utf8' });

/** Contents of every candidate file of a checkout. */
const snapshot = (root: string) =>
  new Map(candidateFiles(root).map((file) => [file, readFileSync(join(root, file), 'utf8')] as const));

describe('scripts/set-repository.ts on a copy of the repository', () => {
  let copy = '';
  let original = new Map<string, string>();

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'set-repository-'));
    for (const file of candidateFiles(ROOT)) {
      try {
        mkdirSync(dirname(join(copy, file)), { recursive: true });
        copyFileSync(join(ROOT, file), join(copy, file));
      } catch {
        // a file deleted in the working tree but still tracked
      }
    }
    execFileSync('git', ['init', '-q'], { cwd: copy });
    execFileSync('git', ['add', '-A'], { cwd: copy });
    original = snapshot(copy);
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('the repository starts at the placeholder', () => {
    assert.deepEqual(
      contractNames('GitHub owner / repository', contractRows(readText('docs/contract.md', copy))),
      [
        PLACEHOLDER.owner,
        PLACEHOLDER.repo,
        `https://github.com/${PLACEHOLDER.owner}/${PLACEHOLDER.repo}.git`,
      ],
    );
  });

  it('refuses invalid names and changes nothing', () => {
    for (const to of [
      { owner: '-bad', repo: 'x' },
      { owner: 'a_b', repo: 'x' },
      { owner: 'ok', repo: 'a/b' },
      { owner: 'ok', repo: '..' },
    ]) {
      assert.throws(() => setRepository(copy, to), /is not a GitHub/, JSON.stringify(to));
    }
    const result = run(copy, '--owner', 'ok');
    assert.equal(result.status, 2, 'a missing --repo is a usage error');
    assert.deepEqual(snapshot(copy), original);
  });

  it('--dry-run lists the files and changes nothing', () => {
    const result = run(copy, '--owner', FORK.owner, '--repo', FORK.repo, '--dry-run');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /would change \d+ file\(s\)/);
    assert.deepEqual(snapshot(copy), original);
  });

  it('rewrites every file that names the placeholder, and only those', () => {
    const result = run(copy, '--owner', FORK.owner, '--repo', FORK.repo);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '', 'no line may still name the old owner');
    const after = snapshot(copy);
    const expected = [...original].filter(([, text]) => placeholderOwner.test(text)).map(([file]) => file);
    const changed = [...after].filter(([file, text]) => original.get(file) !== text).map(([file]) => file);
    assert.deepEqual(changed.sort(), expected.sort());
    for (const file of [
      'docs/contract.md',
      ...APPS.flatMap((a) => [`${a.deployDir}/kustomization.yaml`, a.argocd]),
    ]) {
      assert.ok(changed.includes(file), `${file} not rewritten`);
    }
    for (const [file, text] of after) assert.doesNotMatch(text, placeholderOwner, file);
  });

  it('the fork renders with its own images, repository URL and contract', () => {
    for (const { app, deployDir, argocd } of APPS) {
      const deployment = render(deployDir, copy).find((o) => o.kind === 'Deployment') as unknown as {
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      assert.match(
        deployment.spec.template.spec.containers[0]?.image ?? '',
        new RegExp(`^ghcr\\.io/my-fork/${app}:`),
      );
      const application = readYaml<IApplication>(argocd, copy);
      assert.equal(application.spec.source?.repoURL, `https://github.com/${FORK.owner}/${FORK.repo}.git`);
    }
    const rows = contractRows(readText('docs/contract.md', copy));
    assert.deepEqual(contractNames('GitHub owner / repository', rows), [
      FORK.owner,
      FORK.repo,
      `https://github.com/${FORK.owner}/${FORK.repo}.git`,
    ]);
    assert.deepEqual(contractNames('images', rows), [
      'ghcr.io/my-fork/main-api',
      'ghcr.io/my-fork/auxiliary-service',
    ]);
  });

  it('is idempotent, and switching back restores every byte', () => {
    const again = run(copy, '--owner', FORK.owner, '--repo', FORK.repo);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /changed 0 file\(s\)/);
    const back = run(copy, '--owner', PLACEHOLDER.owner, '--repo', PLACEHOLDER.repo);
    assert.equal(back.status, 0, back.stderr);
    // Files that named the fork's owner before (this one), or the placeholder owner in another
    // letter case (rewritten, as a quoted owner, to the exact new name), cannot round-trip.
    const exact = (text: string) =>
      !ownerToken(FORK.owner).test(text) &&
      [...text.matchAll(new RegExp(ownerToken(PLACEHOLDER.owner).source, 'gi'))].every(
        ([match]) => match === PLACEHOLDER.owner,
      );
    const restorable = (files: Map<string, string>) =>
      [...files].filter(([file]) => exact(original.get(file) ?? ''));
    assert.ok(restorable(original).length > original.size / 2);
    assert.deepEqual(restorable(snapshot(copy)), restorable(original));
  });
});

describe('rewrite()', () => {
  const to = FORK;
  it('rewrites qualified names and leaves the project name and look-alikes alone', () => {
    const { owner: o, repo: r } = PLACEHOLDER;
    const cases: [string, string][] = [
      [`repoURL: https://github.com/${o}/${r}.git`, 'repoURL: https://github.com/My-Fork/fork-platform.git'],
      [`git@github.com:${o}/${r}.git`, 'git@github.com:My-Fork/fork-platform.git'],
      [
        `https://github.com/${o}/${r}/blob/main/README.md`,
        'https://github.com/My-Fork/fork-platform/blob/main/README.md',
      ],
      [`newName: ghcr.io/${o}/main-api`, 'newName: ghcr.io/my-fork/main-api'],
      [`if: github.repository == '${o}/${r}'`, "if: github.repository == 'My-Fork/fork-platform'"],
      [`const OWNER = '${o}';`, "const OWNER = 'My-Fork';"],
      [`pushedName('${o.toUpperCase()}')`, "pushedName('My-Fork')"],
      [`the placeholder \`${o}\` is`, 'the placeholder `My-Fork` is'],
      [`| \`${o}\` / \`${r}\` |`, '| `My-Fork` / `fork-platform` |'],
      // The repository name alone is the project's name; look-alikes are other repositories.
      [`app.kubernetes.io/part-of: ${r}`, `app.kubernetes.io/part-of: ${r}`],
      [`"name": "${r}"`, `"name": "${r}"`],
      [`github.com/${o}/${r}-docs`, `github.com/${o}/${r}-docs`],
      [`other-${o}/${r}`, `other-${o}/${r}`],
    ];
    for (const [input, output] of cases) assert.equal(rewrite(input, PLACEHOLDER, to), output, input);
  });
});
