// Loads what Argo CD would apply: `kubectl kustomize` output of deploy/<app>, and the
// Argo CD Applications under infra/argocd.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { Manifest } from './schemas';

/** The fields of a kustomization.yaml the tests read. */
export interface Kustomization {
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The two applications: kustomize directory, Argo CD Application file, service source. */
export const APPS = [
  { app: 'main-api', deployDir: 'deploy/main', argocd: 'infra/argocd/main.yaml', service: 'main-api' },
  {
    app: 'auxiliary-service',
    deployDir: 'deploy/auxiliary',
    argocd: 'infra/argocd/auxiliary.yaml',
    service: 'auxiliary',
  },
] as const;

export function parseDocuments(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]?.message}`);
    const value = document.toJS() as Manifest | null;
    return value === null ? [] : [value];
  });
}

/** Renders a kustomization directory (relative to `root`) with kubectl's built-in kustomize. */
export function render(dir: string, root = ROOT): Manifest[] {
  const output = execFileSync('kubectl', ['kustomize', join(root, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseDocuments(output, dir);
}

/** What an Application's spec.source.kustomize may add (the fields Terraform sets). */
export interface KustomizeOptions {
  components?: string[];
  patches?: { target?: Record<string, string>; patch: string }[];
}

/**
 * Renders deploy/<app> the way Argo CD does with spec.source.kustomize: on a copy of deploy/,
 * the options are written into the application's kustomization.yaml (Argo CD runs
 * `kustomize edit add component` and appends to `patches`), then kustomize builds it.
 */
export function renderWithOptions(deployDir: string, options: KustomizeOptions, root = ROOT): Manifest[] {
  const copy = mkdtempSync(join(tmpdir(), 'argocd-render-'));
  try {
    cpSync(join(root, 'deploy'), join(copy, 'deploy'), { recursive: true });
    const file = join(copy, deployDir, 'kustomization.yaml');
    const kustomization = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (options.components?.length)
      kustomization.components = [...((kustomization.components as string[]) ?? []), ...options.components];
    if (options.patches?.length)
      kustomization.patches = [...((kustomization.patches as unknown[]) ?? []), ...options.patches];
    writeFileSync(file, stringify(kustomization));
    return render(deployDir, copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Every rendered object of both applications. */
export function renderAll(root = ROOT): Manifest[] {
  return APPS.flatMap(({ deployDir }) => render(deployDir, root));
}

export function readYaml<T = Manifest>(file: string, root = ROOT): T {
  return parse(readFileSync(join(root, file), 'utf8')) as T;
}

export function readText(file: string, root = ROOT): string {
  return readFileSync(join(root, file), 'utf8');
}
