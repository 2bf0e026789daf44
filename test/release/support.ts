// Shared by the release tests: the two images, the workflows, a small Dockerfile reader and
// GitHub's paths-filter glob semantics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The fork placeholder owner (scripts/set-repository.ts rewrites it everywhere). */
export const OWNER = 'example-org';

/** Each released image: its source directory, its release workflow and its kustomize directory. */
export const RELEASES = [
  { image: 'main-api', service: 'main-api', deploy: 'main', workflow: 'main-api.yml' },
  {
    image: 'auxiliary-service',
    service: 'auxiliary',
    deploy: 'auxiliary',
    workflow: 'auxiliary-service.yml',
  },
] as const;

export const WORKFLOW_DIR = join(ROOT, '.github/workflows');

export function workflowFiles(): string[] {
  return readdirSync(WORKFLOW_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string } | string;
  outputs?: Record<string, string>;
  steps?: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string } | string;
  jobs: Record<string, Job>;
}

export const readText = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

export const readWorkflow = (file: string): Workflow =>
  parse(readText(`.github/workflows/${file}`)) as Workflow;

export function allSteps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
}

/** The one step of `workflow` whose `run` mentions `needle`. */
export function stepRunning(workflow: Workflow, needle: string): Step {
  const steps = allSteps(workflow).filter((step) => step.run?.includes(needle));
  if (steps.length !== 1) throw new Error(`expected one step running ${needle}, found ${steps.length}`);
  return steps[0] as Step;
}

/** A Dockerfile instruction: keyword, its arguments (continuations joined), and its stage. */
export interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Reads a Dockerfile into instructions; stage -1 is before the first FROM. */
export function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (line.trim().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line.trim()).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full);
    if (!match) continue;
    const keyword = (match[1] as string).toUpperCase();
    if (keyword === 'FROM') stage += 1;
    instructions.push({ keyword, args: (match[2] as string).replace(/\s+/g, ' ').trim(), stage });
  }
  return instructions;
}

/** GitHub's filter pattern syntax: `*` within a path segment, `**` across segments. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] as string;
    if (char === '*' && pattern[index + 1] === '*') {
      source += '.*';
      index += 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** Tracked and untracked (not ignored) files under `path` (a file or a directory). */
export function filesUnder(path: string): string[] {
  const output = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', path], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return output.split('\n').filter((file) => file !== '');
}

interface Rendered {
  kind: string;
  spec?: { template?: { spec?: { containers?: { name: string; image: string }[] } } };
}

/** `kubectl kustomize <dir>`: what Argo CD applies. */
export function renderedImages(dir: string): string[] {
  const output = execFileSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(output)
    .map((document) => document.toJS() as Rendered)
    .filter((object) => object?.kind === 'Deployment')
    .flatMap((object) => object.spec?.template?.spec?.containers ?? [])
    .map((container) => container.image);
}

/** The image name the release workflow computes for an owner: ghcr.io/<owner lowercased>/<image>. */
export function pushedName(owner: string, image: string): string {
  const step = readWorkflow('release-image.yml').jobs.image?.steps?.find(
    (candidate) => candidate.id === 'name',
  );
  const dir = mkdtempSync(join(tmpdir(), 'github-output-'));
  try {
    const output = join(dir, 'output');
    execFileSync('bash', ['-c', step?.run ?? 'false'], {
      env: { ...process.env, OWNER: owner, IMAGE: image, GITHUB_OUTPUT: output },
    });
    return readFileSync(output, 'utf8')
      .trim()
      .replace(/^name=/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
