// Loads what Argo CD would apply: `kubectl kustomize` output of deploy/<app>, and the
// Argo CD Applications under infra/argocd.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
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
