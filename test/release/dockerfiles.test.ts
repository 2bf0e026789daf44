// The Dockerfiles: dockerfile-utils lint, pinned production bases that the build can replace,
// and a runtime stage that runs node as the manifests' non-root user with VERSION baked in.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ … }} and ${VAR} here are GitHub Actions expressions and shell/Dockerfile variables, compared as text.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import { dockerfileInstructions, RELEASES, readText } from './support';

interface Deployment {
  kind: string;
  spec: {
    template: {
      spec: {
        securityContext?: { runAsUser?: number; runAsGroup?: number };
        containers: {
          name: string;
          ports?: { containerPort: number }[];
          securityContext?: { runAsUser?: number; runAsGroup?: number; readOnlyRootFilesystem?: boolean };
        }[];
      };
    };
  };
}

describe('Dockerfiles', () => {
  test('dockerfile-utils reports problems (the check is live)', () => {
    assert.ok(validate('FROM node:24\nCOPY one\nEXPOSE port\n').length >= 2);
  });

  for (const release of RELEASES) {
    const file = `services/${release.service}/Dockerfile`;
    const text = readText(file);
    const instructions = dockerfileInstructions(text);
    const lastStage = Math.max(...instructions.map((instruction) => instruction.stage));
    const runtime = instructions.filter((instruction) => instruction.stage === lastStage);
    const deployment = parse(readText(`deploy/${release.deploy}/deployment.yaml`)) as Deployment;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];

    test(`${file} passes dockerfile-utils`, () => {
      const problems = validate(text).map(
        (problem) => `${file}:${problem.range.start.line + 1} ${problem.message}`,
      );
      assert.deepEqual(problems, []);
    });

    test(`${file}: production base images pinned by tag and digest, replaceable by build args`, () => {
      const froms = instructions.filter((instruction) => instruction.keyword === 'FROM').map((i) => i.args);
      const pinned = froms.filter((from) => /@sha256:[0-9a-f]{64}/.test(from));
      assert.equal(pinned.length, 2, froms.join('\n'));
      assert.match(pinned[0] ?? '', /^node:\d+-trixie-slim@sha256:[0-9a-f]{64} AS node-build$/);
      // Debian 13: distroless stopped building its Debian 12 Node.js images in February 2026.
      assert.match(
        pinned[1] ?? '',
        /^gcr\.io\/distroless\/nodejs\d+-debian13:nonroot@sha256:[0-9a-f]{64} AS node-runtime$/,
      );
      const args = instructions.filter((instruction) => instruction.stage === -1).map((i) => i.args);
      assert.deepEqual(args, ['BUILD_IMAGE=node-build', 'RUNTIME_IMAGE=node-runtime']);
      assert.ok(froms.includes('${BUILD_IMAGE} AS build'));
      assert.equal(froms.at(-1), '${RUNTIME_IMAGE} AS runtime');
    });

    test(`${file}: both stages run the Node.js line of .nvmrc`, () => {
      const line = readText('.nvmrc').trim();
      assert.match(line, /^\d+$/, '.nvmrc holds a major version');
      const froms = instructions.filter((instruction) => instruction.keyword === 'FROM').map((i) => i.args);
      const lines = froms
        .map((from) => /^(?:node:(\d+)-|gcr\.io\/distroless\/nodejs(\d+)-)/.exec(from))
        .filter((match) => match !== null)
        .map((match) => match[1] ?? match[2]);
      assert.deepEqual(lines, [line, line]);
    });

    test(`${file}: the build installs with the lockfile and bundles the service`, () => {
      const runs = instructions.filter((i) => i.keyword === 'RUN' && i.stage < lastStage).map((i) => i.args);
      assert.ok(
        runs.some(
          (run) => run.startsWith('npm ci ') && run.includes(`--workspace services/${release.service}`),
        ),
      );
      assert.ok(runs.includes(`npm run build -w services/${release.service}`));
      assert.ok(!runs.some((run) => /npm install/.test(run)));
    });

    test(`${file}: the runtime stage holds only the bundle`, () => {
      const copies = runtime.filter((instruction) => ['COPY', 'ADD'].includes(instruction.keyword));
      assert.deepEqual(
        copies.map((instruction) => instruction.args),
        [`--from=build /src/services/${release.service}/dist/ dist/`],
      );
      assert.ok(
        !runtime.some((instruction) => instruction.keyword === 'RUN'),
        'no RUN: the runtime has no shell',
      );
    });

    test(`${file}: ARG VERSION=dev and ENV VERSION=$VERSION in the runtime stage, as the specification shows`, () => {
      const lines = text.split('\n');
      const from = lines.findLastIndex((line) => line.startsWith('FROM '));
      const arg = lines.indexOf('ARG VERSION=dev');
      const env = lines.indexOf('ENV VERSION=$VERSION');
      assert.ok(arg > from && env > arg, 'ARG VERSION=dev, then ENV VERSION=$VERSION, after the last FROM');
    });

    test(`${file}: runs as the numeric non-root user of deploy/${release.deploy}/deployment.yaml`, () => {
      const users = runtime.filter((instruction) => instruction.keyword === 'USER').map((i) => i.args);
      assert.equal(users.length, 1);
      const [uid, gid] = (users[0] ?? '').split(':').map(Number);
      assert.ok(
        Number.isInteger(uid) && (uid as number) > 0,
        `USER ${users[0]} must be a numeric non-root uid`,
      );
      assert.ok(Number.isInteger(gid) && (gid as number) > 0, `USER ${users[0]} must name a numeric group`);
      const runAsUser = container?.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
      const runAsGroup = container?.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup;
      assert.deepEqual([uid, gid], [runAsUser, runAsGroup]);
      assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    });

    test(`${file}: node is PID 1 (exec form, no npm, no shell) and the port matches the manifest`, () => {
      const cmd = runtime
        .filter((instruction) => instruction.keyword === 'CMD')
        .map((i) => JSON.parse(i.args));
      assert.deepEqual(cmd, [['node', 'dist/server.mjs']]);
      const entrypoint = runtime
        .filter((instruction) => instruction.keyword === 'ENTRYPOINT')
        .map((i) => i.args);
      assert.deepEqual(entrypoint, ['[]'], 'the base image entrypoint is reset');
      const expose = runtime
        .filter((instruction) => instruction.keyword === 'EXPOSE')
        .map((i) => Number(i.args));
      assert.deepEqual(expose, [container?.ports?.[0]?.containerPort]);
    });
  }
});

describe('.dockerignore', () => {
  const patterns = readText('.dockerignore')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));

  test('excludes everything but what the Dockerfiles copy', () => {
    assert.equal(patterns[0], '*');
    for (const release of RELEASES) {
      const sources = dockerfileInstructions(readText(`services/${release.service}/Dockerfile`))
        .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.includes('--from='))
        .flatMap((instruction) => instruction.args.split(' ').slice(0, -1));
      for (const source of sources) {
        const generic = source.replace(/^(packages|services)\/[^/]+\//, '$1/*/').replace(/\/$/, '');
        assert.ok(
          patterns.some((pattern) => pattern.replace(/\/$/, '') === `!${generic}`),
          `.dockerignore does not let ${source} in`,
        );
      }
    }
    for (const never of ['**/node_modules', '**/dist']) assert.ok(patterns.includes(never), never);
  });
});
