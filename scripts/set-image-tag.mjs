#!/usr/bin/env node
// Sets `newTag` of one image in a kustomization.yaml, the way `kustomize edit set image` would,
// for the release workflows (.github/workflows/release-image.yml), which have neither kustomize's
// CLI nor node_modules: plain Node.js, no dependencies.
//
//   node scripts/set-image-tag.mjs <kustomization.yaml> <image> <tag>
//   node scripts/set-image-tag.mjs --get <kustomization.yaml> <image>   prints the current newTag
//
// <image> is matched against each `images:` entry's `newName` (or its `name` when it has no
// newName). Only that entry's newTag value changes (it is added when missing); the rest of the
// file, comments included, stays byte for byte. Anything unexpected — no such entry, two of them,
// an entry pinned by `digest`, flow-style YAML — is an error and leaves the file untouched.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Docker's tag grammar. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `key: value  # comment` inside an images entry, optionally as the entry's first line (`- key:`). */
const FIELD = /^(\s*)(-\s+)?(name|newName|newTag|digest):(\s*)(.*?)(\s+#.*)?$/;

/** A scalar as YAML reads it, for the plain and quoted forms kustomization files use. */
function scalar(raw) {
  const text = raw.trim();
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) return JSON.parse(text);
  if (text.startsWith("'") && text.endsWith("'") && text.length >= 2)
    return text.slice(1, -1).replaceAll("''", "'");
  return text;
}

/**
 * The `images:` block of a kustomization, split into entries.
 * @param {string} text kustomization.yaml
 */
function readImages(text) {
  const lines = text.split(/\r?\n/);

  const start = lines.findIndex((line) => /^images:/.test(line));
  if (start < 0) throw new Error('no top-level `images:` key');
  if (!/^images:\s*(#.*)?$/.test(lines[start] ?? '')) throw new Error('`images:` must be a block sequence');
  if (lines.findIndex((line, index) => index > start && /^images:/.test(line)) >= 0) {
    throw new Error('more than one top-level `images:` key');
  }

  // The block: every following line that is blank, a comment, indented, or a `- ` item at column 0.
  let end = start + 1;
  while (end < lines.length && /^(\s|-\s|-$|#|$)/.test(lines[end] ?? '')) end += 1;

  // Split the block into entries at the item indentation (that of the first `-`).
  const entries = [];
  let itemIndent;
  for (let index = start + 1; index < end; index += 1) {
    const line = lines[index] ?? '';
    const dash = /^(\s*)-(\s|$)/.exec(line);
    if (dash && (itemIndent === undefined || dash[1].length === itemIndent)) {
      itemIndent = dash[1].length;
      entries.push({ first: index, last: index, fields: new Map() });
    } else if (entries.length === 0) {
      if (line.trim() !== '' && !line.trim().startsWith('#'))
        throw new Error(`unexpected line in images: ${line}`);
      continue;
    }
    const entry = entries.at(-1);
    if (line.trim() !== '' && !line.trim().startsWith('#')) entry.last = index;
    const field = FIELD.exec(line);
    if (field) {
      if (/^[[{]/.test(field[5])) throw new Error(`flow-style value not supported: ${line}`);
      entry.fields.set(field[3], { index, value: scalar(field[5]), match: field });
    } else if (/^\s*-?\s*[{[]/.test(line)) {
      throw new Error(`flow-style entry not supported: ${line}`);
    }
  }
  return { lines, entries, itemIndent };
}

/** The one entry whose newName (or name) is `image`; anything else is an error. */
function entryFor(entries, image) {
  const matches = entries.filter(
    (entry) => (entry.fields.get('newName') ?? entry.fields.get('name'))?.value === image,
  );
  if (matches.length === 0) {
    const known = entries.map((entry) => (entry.fields.get('newName') ?? entry.fields.get('name'))?.value);
    throw new Error(`no images entry for ${image} (entries: ${known.join(', ') || 'none'})`);
  }
  if (matches.length > 1) throw new Error(`more than one images entry for ${image}`);
  const [entry] = matches;
  if (entry.fields.has('digest'))
    throw new Error(`the entry for ${image} is pinned by digest; remove digest first`);
  return entry;
}

/**
 * Returns the newTag of the `images:` entry for `image`, or undefined when it has none.
 * @param {string} text kustomization.yaml
 * @param {string} image the entry's newName (or name)
 * @returns {string | undefined}
 */
export function getImageTag(text, image) {
  const value = entryFor(readImages(text).entries, image).fields.get('newTag')?.value;
  return value === undefined ? undefined : String(value);
}

/**
 * Returns `text` with newTag of the `images:` entry for `image` set to `tag`.
 * @param {string} text kustomization.yaml
 * @param {string} image the entry's newName (or name)
 * @param {string} tag the new tag
 * @returns {string}
 */
export function setImageTag(text, image, tag) {
  if (!TAG.test(tag)) throw new Error(`not a valid image tag: ${JSON.stringify(tag)}`);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const { lines, entries, itemIndent } = readImages(text);
  const entry = entryFor(entries, image);

  const quoted = JSON.stringify(tag);
  const current = entry.fields.get('newTag');
  if (current) {
    const [, indent, dash = '', key, gap, , comment = ''] = current.match;
    lines[current.index] = `${indent}${dash}${key}:${gap || ' '}${quoted}${comment}`;
  } else {
    // Keys of a block mapping in a sequence item line up with the first key after `- `.
    const firstLine = lines[entry.first] ?? '';
    const keyIndent = /^(\s*-\s+)/.exec(firstLine)?.[1].length ?? (itemIndent ?? 0) + 2;
    lines.splice(entry.last + 1, 0, `${' '.repeat(keyIndent)}newTag: ${quoted}`);
  }
  return lines.join(eol);
}

const USAGE = `usage: node scripts/set-image-tag.mjs <kustomization.yaml> <image> <tag>
       node scripts/set-image-tag.mjs --get <kustomization.yaml> <image>
`;

function main(argv) {
  if (argv[0] === '--get') return printTag(argv.slice(1));
  const [file, image, tag] = argv;
  if (argv.length !== 3 || !file || !image || !tag) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    const before = readFileSync(file, 'utf8');
    const after = setImageTag(before, image, tag);
    if (after === before) {
      process.stdout.write(`${file}: ${image} is already at ${tag}\n`);
    } else {
      writeFileSync(file, after);
      process.stdout.write(`${file}: ${image} -> ${tag}\n`);
    }
    return 0;
  } catch (error) {
    process.stderr.write(
      `set-image-tag: ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

function printTag(argv) {
  const [file, image] = argv;
  if (argv.length !== 2 || !file || !image) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    process.stdout.write(`${getImageTag(readFileSync(file, 'utf8'), image) ?? ''}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `set-image-tag: ${file}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
