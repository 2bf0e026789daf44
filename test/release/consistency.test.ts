// One image name across the boundary: what the workflow pushes = the kustomization's images:
// entry = the image the rendered Deployment runs = docs/contract.md.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { OWNER, pushedName, RELEASES, ROOT, readText, readWorkflow, renderedImages } from './support';

interface Kustomization {
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

describe('image names', () => {
  test('the workflow lowercases the owner', () => {
    assert.equal(pushedName('Some-Owner', 'main-api'), 'ghcr.io/some-owner/main-api');
  });

  for (const release of RELEASES) {
    const name = pushedName(OWNER, readWorkflow(release.workflow).jobs.release?.with?.image ?? '');

    test(`${release.image}: the workflow pushes ${name}`, () => {
      assert.equal(name, `ghcr.io/${OWNER}/${release.image}`);
    });

    test(`${release.image}: deploy/${release.deploy}/kustomization.yaml has exactly one images: entry for it`, () => {
      const kustomization = parse(readText(`deploy/${release.deploy}/kustomization.yaml`)) as Kustomization;
      const entries = (kustomization.images ?? []).filter((entry) => (entry.newName ?? entry.name) === name);
      assert.equal(entries.length, 1, JSON.stringify(kustomization.images));
      assert.equal(entries[0]?.digest, undefined, 'a digest would override the tag the workflow sets');
      assert.match(String(entries[0]?.newTag), /^[0-9a-f]{40}$/, 'tags are full commit SHAs, never latest');
    });

    test(`${release.image}: the rendered Deployment runs ${name}:<tag>`, () => {
      const images = renderedImages(join(ROOT, 'deploy', release.deploy));
      assert.equal(images.length, 1);
      assert.match(images[0] ?? '', new RegExp(`^${name.replaceAll('.', '\\.')}:[0-9a-f]{40}$`));
    });

    test(`${release.image}: docs/contract.md lists ${name}`, () => {
      assert.ok(readText('docs/contract.md').includes(`\`${name}\``));
    });
  }
});
