// Helpers for the offline Terraform tests: parse modules with the real HCL parser
// (@cdktf/hcl2json), find the references in their expressions, and resolve the simple
// string templates the tests compare with the manifests and the services.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TERRAFORM_ROOT = join(REPO_ROOT, 'infra/terraform');
export const ROOT_MODULES = ['global', 'environment'] as const;
export const ALL_MODULES = ['global', 'environment', 'environment/apps', 'environment/resources'] as const;

// biome-ignore lint/suspicious/noExplicitAny: hcl2json returns untyped JSON.
export type Json = any;
export type Block = Record<string, Json>;

/** Every .tf file under infra/terraform, relative to the repository root, sorted. */
export function terraformFiles(): string[] {
  return readdirSync(TERRAFORM_ROOT, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.tf') && !file.split('/').includes('.terraform'))
    .map((file) => relative(REPO_ROOT, join(TERRAFORM_ROOT, file)))
    .sort();
}

/** .tf files directly in one module directory (Terraform does not descend into subfolders). */
export function moduleFiles(moduleDir: string): string[] {
  const dir = join(TERRAFORM_ROOT, moduleDir);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.tf') && statSync(join(dir, file)).isFile())
    .sort()
    .map((file) => join(dir, file));
}

export async function parseFile(path: string): Promise<Block> {
  return parse(relative(REPO_ROOT, path), readFileSync(path, 'utf8'));
}

export interface Module {
  dir: string;
  files: Record<string, Block>;
  variables: Record<string, Block>;
  outputs: Record<string, Block>;
  locals: Record<string, Json>;
  /** `type.name` of every managed resource. */
  resources: Record<string, Block>;
  /** `type.name` of every data source (without the `data.` prefix). */
  dataSources: Record<string, Block>;
  modules: Record<string, Block>;
  providers: Record<string, Block>;
  terraform: Block[];
  checks: string[];
}

function single(blocks: Json, where: string): Block {
  if (!Array.isArray(blocks) || blocks.length !== 1)
    throw new Error(`${where} is declared ${blocks?.length} times`);
  return blocks[0];
}

/** Parses every .tf file of a module (one call per file, so a parse error names its file) and indexes the declarations. */
export async function loadModule(moduleDir: string): Promise<Module> {
  const module: Module = {
    dir: moduleDir,
    files: {},
    variables: {},
    outputs: {},
    locals: {},
    resources: {},
    dataSources: {},
    modules: {},
    providers: {},
    terraform: [],
    checks: [],
  };
  const add = (index: Record<string, Json>, key: string, value: Json, where: string) => {
    if (key in index) throw new Error(`${where}: ${key} is declared twice in ${moduleDir}`);
    index[key] = value;
  };
  for (const path of moduleFiles(moduleDir)) {
    const file = relative(REPO_ROOT, path);
    const json = await parseFile(path);
    module.files[file] = json;
    for (const [name, blocks] of Object.entries(json.variable ?? {}))
      add(module.variables, name, single(blocks, `${file}: variable ${name}`), file);
    for (const [name, blocks] of Object.entries(json.output ?? {}))
      add(module.outputs, name, single(blocks, `${file}: output ${name}`), file);
    for (const locals of json.locals ?? [])
      for (const [name, value] of Object.entries(locals)) add(module.locals, name, value, file);
    for (const [type, byName] of Object.entries<Record<string, Json>>(json.resource ?? {}))
      for (const [name, blocks] of Object.entries(byName))
        add(module.resources, `${type}.${name}`, single(blocks, `${file}: ${type}.${name}`), file);
    for (const [type, byName] of Object.entries<Record<string, Json>>(json.data ?? {}))
      for (const [name, blocks] of Object.entries(byName))
        add(module.dataSources, `${type}.${name}`, single(blocks, `${file}: data.${type}.${name}`), file);
    for (const [name, blocks] of Object.entries(json.module ?? {}))
      add(module.modules, name, single(blocks, `${file}: module ${name}`), file);
    for (const [name, blocks] of Object.entries(json.provider ?? {}))
      add(module.providers, name, single(blocks, `${file}: provider ${name}`), file);
    module.terraform.push(...(json.terraform ?? []));
    module.checks.push(...Object.keys(json.check ?? {}));
  }
  return module;
}

/** Every string in a parsed block, with the JSON path that leads to it (object keys are literals, not expressions). */
export function* strings(value: Json, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value))
    for (const [i, item] of value.entries()) yield* strings(item, `${path}[${i}]`);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) yield* strings(item, `${path}.${key}`);
}

/**
 * The code parts of an hcl2json value: hcl2json renders an attribute as a string template
 * (`"x-${var.a}"`, or `"${expression}"`). String literal text is blanked out, the code inside
 * every `${ … }` (also inside nested string literals) is kept.
 */
export function codeOf(template: string): string {
  let out = '';
  // Stack of modes: 'template' (literal text with ${}), 'code', 'string' (a "…" literal inside code).
  const stack: ('template' | 'code' | 'string')[] = ['template'];
  const braces: number[] = [];
  for (let i = 0; i < template.length; i++) {
    const mode = stack[stack.length - 1];
    const char = template[i] as string;
    if (mode === 'template' || mode === 'string') {
      if (char === '\\' && mode === 'string') {
        i++;
        out += '  ';
      } else if (char === '$' && template[i + 1] === '$' && template[i + 2] === '{') {
        i += 2;
        out += '   ';
      } else if ((char === '$' || char === '%') && template[i + 1] === '{') {
        stack.push('code');
        braces.push(0);
        i++;
        out += '  ';
      } else if (char === '"' && mode === 'string') {
        stack.pop();
        out += ' ';
      } else out += ' ';
    } else if (char === '"') {
      stack.push('string');
      out += ' ';
    } else if (char === '{') {
      braces[braces.length - 1] = (braces[braces.length - 1] ?? 0) + 1;
      out += char;
    } else if (char === '}') {
      if (braces[braces.length - 1] === 0) {
        braces.pop();
        stack.pop();
        out += ' ';
      } else {
        braces[braces.length - 1] = (braces[braces.length - 1] ?? 1) - 1;
        out += char;
      }
    } else out += char;
  }
  return out;
}

/** Names bound by `for a in …` / `for a, b in …` in a piece of code. */
export function forIterators(code: string): Set<string> {
  const names = new Set<string>();
  for (const match of code.matchAll(/\bfor\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\b/g)) {
    if (match[1]) names.add(match[1]);
    if (match[2]) names.add(match[2]);
  }
  return names;
}

export interface Reference {
  /** e.g. `var`, `local`, `module`, `data`, `aws_s3_bucket`, `each`. */
  root: string;
  /** The next one or two attribute names (`data.type.name` needs both). */
  parts: string[];
  text: string;
}

/** References (traversals with at least one `.attribute`) in the code of one hcl2json string. */
export function referencesIn(template: string): Reference[] {
  const code = codeOf(template);
  const iterators = forIterators(code);
  const references: Reference[] = [];
  for (const match of code.matchAll(
    /(?<![\w.\-\]])([A-Za-z_][\w-]*)((?:\s*\[[^\]]*\])?(?:\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?)+)/g,
  )) {
    const root = match[1] as string;
    if (iterators.has(root)) continue;
    const parts = [...(match[2] as string).matchAll(/\.([A-Za-z_][\w-]*)/g)].map((part) => part[1] as string);
    references.push({ root, parts, text: match[0] });
  }
  return references;
}

const BUILTIN_ROOTS = new Set(['each', 'count', 'path', 'terraform', 'self']);

/** Problems with the references and module calls of one module: unresolved names, undeclared or missing inputs. */
export async function referenceProblems(module: Module, loadChild = loadModule): Promise<string[]> {
  const problems: string[] = [];
  for (const [file, json] of Object.entries(module.files)) {
    for (const [path, value] of strings(json)) {
      for (const reference of referencesIn(value)) {
        const where = `${file} ${path}: ${reference.text.trim()}`;
        const [first, second] = reference.parts;
        switch (reference.root) {
          case 'var':
            if (!first || !(first in module.variables)) problems.push(`${where}: no variable "${first}"`);
            break;
          case 'local':
            if (!first || !(first in module.locals)) problems.push(`${where}: no local "${first}"`);
            break;
          case 'data':
            if (!(`${first}.${second}` in module.dataSources))
              problems.push(`${where}: no data "${first}" "${second}"`);
            break;
          case 'module': {
            const call = first ? module.modules[first] : undefined;
            if (!call) {
              problems.push(`${where}: no module "${first}"`);
              break;
            }
            const child = await loadChild(join(module.dir, call.source));
            if (!second || !(second in child.outputs))
              problems.push(`${where}: module "${first}" has no output "${second}"`);
            break;
          }
          default:
            if (BUILTIN_ROOTS.has(reference.root)) break;
            // Anything else with a dot is a managed resource `type.name`.
            if (!(`${reference.root}.${first}` in module.resources))
              problems.push(`${where}: no resource "${reference.root}" "${first}"`);
        }
      }
    }
  }
  const META = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);
  for (const [name, call] of Object.entries(module.modules)) {
    if (typeof call.source !== 'string' || !call.source.startsWith('./')) {
      problems.push(`module "${name}": source must be a local ./ path, got ${call.source}`);
      continue;
    }
    const child = await loadChild(join(module.dir, call.source));
    for (const input of Object.keys(call)) {
      if (!META.has(input) && !(input in child.variables))
        problems.push(`module "${name}": input "${input}" is not a variable of ${child.dir}`);
    }
    for (const [variable, declaration] of Object.entries(child.variables)) {
      if (!('default' in declaration) && !(variable in call))
        problems.push(`module "${name}": required variable "${variable}" of ${child.dir} is not passed`);
    }
  }
  return problems;
}

/**
 * Resolves a string template made only of literal text and `${var.x}` / `${local.x}`
 * interpolations, the way Terraform would for the given variable values. Anything more
 * complex throws, so a test never compares a guess.
 */
export function resolveTemplate(template: string, module: Module, vars: Record<string, string>): string {
  return template.replace(/\$\{([^}]*)\}/g, (whole, expression: string) => {
    const match = /^\s*(var|local)\.([A-Za-z_][\w-]*)\s*$/.exec(expression);
    if (!match) throw new Error(`cannot resolve ${whole} in "${template}" offline`);
    const [, kind, name] = match as unknown as [string, string, string];
    if (kind === 'var') {
      const value = vars[name];
      if (value === undefined) throw new Error(`no value given for var.${name}`);
      return value;
    }
    const local = module.locals[name];
    if (typeof local !== 'string') throw new Error(`local.${name} is not a plain string template`);
    return resolveTemplate(local, module, vars);
  });
}
