// scripts/set-image-tag.mjs: the step of release-image.yml that moves a kustomization to the
// new image, run here exactly as the workflow runs it, on a copy of deploy/<dir>.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ … }} and ${VAR} here are GitHub Actions expressions and shell/Dockerfile variables, compared as text.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { getImageTag, setImageTag } from '../../scripts/set-image-tag.mjs';
import { OWNER, RELEASES, ROOT, readWorkflow, renderedImages, type Step } from './support';

const SHA = 'c0ffee0123456789abcdef0123456789abcdef01';
const work = mkdtempSync(join(tmpdir(), 'set-image-tag-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('the workflow step, on a copy of each deploy directory', () => {
  const steps = readWorkflow('release-image.yml').jobs.deploy?.steps ?? [];
  const step: Step = steps.find((candidate) => candidate.name === 'Set newTag') ?? {};

  test('the step is the script with the kustomization, the pushed image name and the commit SHA', () => {
    assert.equal(step.run?.trim(), 'node scripts/set-image-tag.mjs "$KUSTOMIZATION" "$IMAGE" "$TAG"');
    assert.deepEqual(step.env, {
      KUSTOMIZATION: 'deploy/${{ inputs.deploy }}/kustomization.yaml',
      IMAGE: '${{ needs.image.outputs.name }}',
      TAG: '${{ github.sha }}',
    });
  });

  for (const release of RELEASES) {
    test(`deploy/${release.deploy}: renders ghcr.io/${OWNER}/${release.image}:<sha>, nothing else changes`, () => {
      const copy = join(work, release.deploy);
      cpSync(join(ROOT, 'deploy', release.deploy), copy, { recursive: true });
      const file = join(copy, 'kustomization.yaml');
      const before = readFileSync(file, 'utf8');
      const image = `ghcr.io/${OWNER}/${release.image}`;

      // The workflow's own command line, with the values GitHub would substitute.
      execFileSync('bash', ['-euo', 'pipefail', '-c', step.run ?? 'false'], {
        cwd: ROOT,
        env: { ...process.env, KUSTOMIZATION: file, IMAGE: image, TAG: SHA },
        stdio: 'pipe',
      });

      const changed = readFileSync(file, 'utf8');
      assert.deepEqual(renderedImages(copy), [`${image}:${SHA}`]);
      const diff = before.split('\n').filter((line, index) => changed.split('\n')[index] !== line);
      assert.equal(diff.length, 1, 'exactly one line changes');
      assert.match(diff[0] ?? '', /^\s+newTag: /);
      const expected = parse(before) as { images: { newTag: string }[] };
      for (const entry of expected.images) if (entry.newTag !== undefined) entry.newTag = SHA;
      assert.deepEqual(parse(changed), expected);

      // A second run is a no-op.
      execFileSync('bash', ['-c', step.run ?? 'false'], {
        cwd: ROOT,
        env: { ...process.env, KUSTOMIZATION: file, IMAGE: image, TAG: SHA },
        stdio: 'pipe',
      });
      assert.equal(readFileSync(file, 'utf8'), changed);
    });
  }

  test('an image the kustomization does not name fails and leaves the file as it was', () => {
    const copy = join(work, 'unknown');
    cpSync(join(ROOT, 'deploy', RELEASES[0].deploy), copy, { recursive: true });
    const file = join(copy, 'kustomization.yaml');
    const before = readFileSync(file, 'utf8');
    const result = spawnSync('bash', ['-c', step.run ?? 'false'], {
      cwd: ROOT,
      env: { ...process.env, KUSTOMIZATION: file, IMAGE: 'ghcr.io/someone-else/main-api', TAG: SHA },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no images entry for ghcr.io\/someone-else\/main-api/);
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  test('usage errors exit 2', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts/set-image-tag.mjs'), 'only-one-arg'], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
  });
});

describe('setImageTag', () => {
  const image = 'ghcr.io/example-org/main-api';

  test('replaces newTag of the entry whose newName matches, keeping comments and quoting', () => {
    const text = [
      'resources:',
      '  - deployment.yaml',
      '# the image',
      'images:',
      '  - name: other',
      '    newTag: keep',
      '  - name: main-api',
      `    newName: ${image} # pushed by CI`,
      "    newTag: '1111' # bumped by CI",
      'labels: []',
      '',
    ].join('\n');
    const result = setImageTag(text, image, SHA);
    assert.equal(result, text.replace("newTag: '1111' # bumped by CI", `newTag: "${SHA}" # bumped by CI`));
  });

  test('matches name when there is no newName', () => {
    const result = setImageTag(`images:\n  - name: ${image}\n    newTag: old\n`, image, 'v2');
    assert.equal(result, `images:\n  - name: ${image}\n    newTag: "v2"\n`);
  });

  test('adds newTag when the entry has none, at the entry key indentation', () => {
    const result = setImageTag(
      `images:\n- name: main-api\n  newName: ${image}\nresources: []\n`,
      image,
      'abc',
    );
    assert.equal(result, `images:\n- name: main-api\n  newName: ${image}\n  newTag: "abc"\nresources: []\n`);
    assert.deepEqual(parse(result), {
      images: [{ name: 'main-api', newName: image, newTag: 'abc' }],
      resources: [],
    });
  });

  test('always quotes, so an all-digit SHA prefix stays a string', () => {
    const result = setImageTag(`images:\n  - name: ${image}\n    newTag: x\n`, image, '1234567');
    assert.equal((parse(result) as { images: { newTag: unknown }[] }).images[0]?.newTag, '1234567');
  });

  test('keeps CRLF line endings', () => {
    const result = setImageTag(`images:\r\n  - name: ${image}\r\n    newTag: x\r\n`, image, 'y');
    assert.equal(result, `images:\r\n  - name: ${image}\r\n    newTag: "y"\r\n`);
  });

  test('refuses what it cannot edit safely', () => {
    const cases: [string, RegExp][] = [
      ['resources: []\n', /no top-level `images:`/],
      [`images: [{name: ${image}, newTag: x}]\n`, /block sequence/],
      [`images:\n  - name: ${image}\n    digest: sha256:${'0'.repeat(64)}\n`, /pinned by digest/],
      [`images:\n  - name: ${image}\n  - newName: ${image}\n    name: x\n`, /more than one/],
      ['images:\n  - name: something-else\n', /no images entry/],
    ];
    for (const [text, error] of cases) assert.throws(() => setImageTag(text, image, 'v1'), error, text);
    assert.throws(() => setImageTag(`images:\n  - name: ${image}\n`, image, 'not a tag'), /valid image tag/);
    assert.throws(() => setImageTag(`images:\n  - name: ${image}\n`, image, '-x'), /valid image tag/);
  });

  test('a file written by the script parses like the input, except newTag', () => {
    const copy = join(work, 'roundtrip.yaml');
    const text = readFileSync(join(ROOT, 'deploy', RELEASES[1].deploy, 'kustomization.yaml'), 'utf8');
    writeFileSync(copy, setImageTag(text, `ghcr.io/${OWNER}/${RELEASES[1].image}`, SHA));
    const parsed = parse(readFileSync(copy, 'utf8')) as { images: { newTag: string }[] };
    assert.equal(parsed.images[0]?.newTag, SHA);
  });
});

describe('getImageTag and --get (what the write-back compares the release with)', () => {
  const image = 'ghcr.io/example-org/main-api';

  test('returns the newTag of the matching entry, unquoted', () => {
    const text = `images:\n  - name: other\n    newTag: "x"\n  - name: ${image}\n    newTag: '${SHA}' # c\n`;
    assert.equal(getImageTag(text, image), SHA);
    assert.equal(getImageTag(setImageTag(text, image, 'v2'), image), 'v2');
  });

  test('undefined when the entry has no newTag; the same errors as setImageTag otherwise', () => {
    assert.equal(getImageTag(`images:\n  - name: ${image}\n`, image), undefined);
    assert.throws(() => getImageTag('images:\n  - name: something-else\n', image), /no images entry/);
    assert.throws(
      () => getImageTag(`images:\n  - name: ${image}\n    digest: sha256:${'0'.repeat(64)}\n`, image),
      /pinned by digest/,
    );
  });

  for (const release of RELEASES) {
    test(`--get prints the tag of deploy/${release.deploy}/kustomization.yaml`, () => {
      const file = join(ROOT, 'deploy', release.deploy, 'kustomization.yaml');
      const printed = execFileSync(
        process.execPath,
        [join(ROOT, 'scripts/set-image-tag.mjs'), '--get', file, `ghcr.io/${OWNER}/${release.image}`],
        { encoding: 'utf8' },
      );
      const parsed = parse(readFileSync(file, 'utf8')) as { images: { newTag: string }[] };
      assert.equal(printed, `${parsed.images[0]?.newTag}\n`);
    });
  }

  test('--get with an unknown image exits 1, with a missing argument 2', () => {
    const script = join(ROOT, 'scripts/set-image-tag.mjs');
    const file = join(ROOT, 'deploy', RELEASES[0].deploy, 'kustomization.yaml');
    assert.equal(spawnSync(process.execPath, [script, '--get', file, 'ghcr.io/x/y']).status, 1);
    assert.equal(spawnSync(process.execPath, [script, '--get', file]).status, 2);
  });
});
