// Points a fork at its own GitHub repository and container registry:
//
//   npx tsx scripts/set-repository.ts --owner my-org --repo my-platform [--dry-run]
//
// The current owner/repository are read from infra/argocd/main.yaml (spec.source.repoURL).
// Every text file git knows (tracked, or new and not ignored) is rewritten where it names
// them in a qualified form, so files added later are covered without listing them here:
//   github.com/<owner>/<repo>        repository URLs (Argo CD repoURL, image source labels, links)
//   <owner>/<repo>                   the pair anywhere else (workflow conditions, docs)
//   ghcr.io/<owner>/                 image names (kustomization `images:`, workflows); lowercased,
//                                    as GHCR requires
//   `<owner>` / `<repo>`             the table row in docs/contract.md
//   '<owner>', "<owner>", `<owner>`  the owner alone as a quoted string or code span
// The bare repository name is also the project's name (package name, part-of labels) and is
// left alone. Lines that still name the old owner afterwards are listed as warnings.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Repository {
  owner: string;
  repo: string;
}

/** The owner as a name of its own (not part of a longer name such as `<owner>-terraform-state`). */
export const ownerToken = (owner: string) =>
  new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(owner)}(?![A-Za-z0-9_-])`, 'i');

/** The repository the checkout currently points at, from the Argo CD Application. */
export function currentRepository(root: string): Repository {
  const application = parse(readFileSync(join(root, 'infra/argocd/main.yaml'), 'utf8')) as {
    spec?: { source?: { repoURL?: string } };
  };
  const url = application.spec?.source?.repoURL ?? '';
  const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(?:\.git)?$/.exec(url);
  if (!match) throw new Error(`infra/argocd/main.yaml: repoURL ${JSON.stringify(url)} is not a GitHub URL`);
  return { owner: match[1] as string, repo: match[2] as string };
}

/** Rewrites one file's text; returns it unchanged when it names nothing to replace. */
export function rewrite(text: string, from: Repository, to: Repository): string {
  const owner = escapeRegExp(from.owner);
  const repo = escapeRegExp(from.repo);
  // The repository name ends at anything that cannot be part of it; `.git` may follow.
  const edge = '(?=\\.git(?![A-Za-z0-9_.-])|(?![A-Za-z0-9_.-]))';
  const start = '(?<![A-Za-z0-9_.-])';
  return text
    .replace(
      new RegExp(`github\\.com([/:])${owner}/${repo}${edge}`, 'gi'),
      `github.com$1${to.owner}/${to.repo}`,
    )
    .replace(new RegExp(`ghcr\\.io/${owner}/`, 'gi'), `ghcr.io/${to.owner.toLowerCase()}/`)
    .replace(new RegExp(`${start}${owner}/${repo}${edge}`, 'g'), `${to.owner}/${to.repo}`)
    .replace(new RegExp(`\`${owner}\`( */ *)\`${repo}\``, 'g'), `\`${to.owner}\`$1\`${to.repo}\``)
    .replace(new RegExp(`(['"\`])${owner}\\1`, 'gi'), `$1${to.owner}$1`);
}

/** Text files git knows in `root`: tracked, plus new files that are not ignored. */
export function candidateFiles(root: string): string[] {
  const output = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return [...new Set(output.split('\0').filter((file) => file.length > 0))].sort();
}

export interface Result {
  changed: string[];
  /** `file:line: text` of lines that still name the old owner. */
  leftovers: string[];
}

export function setRepository(root: string, to: Repository, { dryRun = false } = {}): Result {
  if (!OWNER.test(to.owner))
    throw new Error(`--owner ${JSON.stringify(to.owner)} is not a GitHub user or organisation name`);
  if (!REPO.test(to.repo))
    throw new Error(`--repo ${JSON.stringify(to.repo)} is not a GitHub repository name`);
  const from = currentRepository(root);
  const leftover = ownerToken(from.owner);
  const same = from.owner === to.owner && from.repo === to.repo;
  const result: Result = { changed: [], leftovers: [] };
  for (const file of candidateFiles(root)) {
    const path = join(root, file);
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      continue; // deleted in the working tree
    }
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) continue;
    const buffer = readFileSync(path);
    if (buffer.includes(0)) continue; // binary
    const text = buffer.toString('utf8');
    const updated = same ? text : rewrite(text, from, to);
    if (updated !== text) {
      result.changed.push(file);
      if (!dryRun) writeFileSync(path, updated);
    }
    if (same || from.owner.toLowerCase() === to.owner.toLowerCase()) continue;
    updated.split('\n').forEach((line, index) => {
      if (leftover.test(line)) result.leftovers.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  return result;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      owner: { type: 'string' },
      repo: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const usage =
    'usage: npx tsx scripts/set-repository.ts --owner <github-owner> --repo <repository> [--dry-run]';
  if (values.help) {
    console.log(usage);
    return;
  }
  if (!values.owner || !values.repo) {
    console.error(usage);
    process.exit(2);
  }
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  const to = { owner: values.owner, repo: values.repo.replace(/\.git$/, '') };
  const from = currentRepository(root);
  const { changed, leftovers } = setRepository(root, to, { dryRun: values['dry-run'] });
  const verb = values['dry-run'] ? 'would change' : 'changed';
  console.log(`${from.owner}/${from.repo} → ${to.owner}/${to.repo}: ${verb} ${changed.length} file(s)`);
  for (const file of changed) console.log(`  ${file}`);
  if (leftovers.length > 0) {
    console.warn(`lines that still name "${from.owner}" (check them by hand):`);
    for (const line of leftovers) console.warn(`  ${line}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    console.error(`set-repository: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
