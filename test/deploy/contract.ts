// Reads docs/contract.md, the table of names that cross boundaries, so that tests compare
// the manifests with the documented names instead of with a second copy of them.
import { readText } from './manifests';

/** Rows of the contract table: first column (what) → second column (value). */
export function contractRows(text = readText('docs/contract.md')): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('|')) continue;
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((cell) => cell.trim());
    const [what, value] = cells;
    if (what === undefined || value === undefined || /^-+$/.test(what) || what === 'what') continue;
    rows.set(what, value);
  }
  return rows;
}

/** The `code` spans of the row whose first column starts with `prefix`. */
export function contractNames(prefix: string, rows = contractRows()): string[] {
  const entry = [...rows.entries()].find(([what]) => what.startsWith(prefix));
  if (!entry) throw new Error(`docs/contract.md has no row starting with "${prefix}"`);
  return [...entry[1].matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);
}
