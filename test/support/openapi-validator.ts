// Checks HTTP responses against the OpenAPI document of the service that sent them: the operation
// by path and method, the response by status (exact, then 4XX/5XX, then default), the media type,
// the documented headers, and the JSON body with Ajv (OpenAPI 3.1 schemas are JSON Schema 2020-12).
// Also checks a document's own structure, and that every schema in it compiles.
import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';

type Schema = Record<string, unknown>;
interface HeaderObject {
  description?: string;
  required?: boolean;
  schema?: Schema;
}
interface ResponseObject {
  description?: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  operationId?: string;
  parameters?: { name?: string; in?: string; required?: boolean; schema?: Schema }[];
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One response as a client saw it. */
export interface ObservedResponse {
  method: string;
  /** Path, with or without the query string. */
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const STATUS_KEY = /^(?:[1-5][0-9][0-9]|[1-5]XX|default)$/;

/** Ajv for OpenAPI 3.1 schemas: strict JSON Schema 2020-12, plus OpenAPI's own keywords. */
export function openApiAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
  return ajv;
}

function* schemasOf(document: OpenApiDocument): Generator<[string, Schema]> {
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    yield [`components.schemas.${name}`, schema];
  }
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.schema) yield [`${at} parameter ${parameter.name}`, parameter.schema];
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        for (const [name, header] of Object.entries(response.headers ?? {})) {
          if (header.schema) yield [`${at} ${status} header ${name}`, header.schema];
        }
        for (const [media, { schema }] of Object.entries(response.content ?? {})) {
          if (schema) yield [`${at} ${status} ${media}`, schema];
        }
      }
    }
  }
}

/**
 * What is wrong with `document` as an OpenAPI 3.1 document of this kind of API (no validator of
 * the full OpenAPI meta-schema is installed): its required structure, and that every schema in it
 * compiles under strict JSON Schema 2020-12.
 */
export function documentProblems(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  const expect = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  expect(document.openapi === '3.1.0', `openapi is ${document.openapi}, not 3.1.0`);
  expect(typeof document.info?.title === 'string', 'info.title is a string');
  expect(typeof document.info?.version === 'string', 'info.version is a string');
  expect(typeof document.paths === 'object' && document.paths !== null, 'paths is an object');
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    expect(path.startsWith('/'), `path ${path} starts with /`);
    for (const [method, operation] of Object.entries(item)) {
      const at = `${method.toUpperCase()} ${path}`;
      expect(METHODS.includes(method), `${at}: ${method} is an HTTP method`);
      if (operation.operationId) {
        expect(!operationIds.has(operation.operationId), `${at}: operationId is unique`);
        operationIds.add(operation.operationId);
      }
      for (const parameter of operation.parameters ?? []) {
        expect(typeof parameter.name === 'string', `${at}: a parameter has a name`);
        expect(['query', 'header', 'path', 'cookie'].includes(parameter.in ?? ''), `${at}: parameter "in"`);
        expect(parameter.in !== 'path' || parameter.required === true, `${at}: path parameters are required`);
      }
      const responses = Object.entries(operation.responses ?? {});
      expect(responses.length > 0, `${at} has responses`);
      for (const [status, response] of responses) {
        expect(STATUS_KEY.test(status), `${at}: response key ${status}`);
        expect(typeof response.description === 'string', `${at} ${status}: description`);
        for (const [name, header] of Object.entries(response.headers ?? {})) {
          expect(header.schema !== undefined, `${at} ${status}: header ${name} has a schema`);
          expect(
            header.required === undefined || typeof header.required === 'boolean',
            `${at}: ${name}.required`,
          );
        }
        for (const [media, entry] of Object.entries(response.content ?? {})) {
          expect(/^[\w.+-]+\/[\w.+-]+$/.test(media), `${at} ${status}: media type ${media}`);
          expect(entry.schema !== undefined, `${at} ${status} ${media} has a schema`);
        }
      }
    }
  }
  const ajv = openApiAjv();
  for (const [where, schema] of schemasOf(document)) {
    try {
      ajv.compile(schema);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  }
  return problems;
}

const mediaType = (contentType: string | null) =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/** Validates responses against one service's document. */
export class OpenApiValidator {
  readonly #document: OpenApiDocument;
  readonly #ajv = openApiAjv();
  readonly #compiled = new Map<Schema, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    this.#document = document;
  }

  get title(): string {
    return this.#document.info.title;
  }

  /** Everything about `response` the document does not allow; empty when it conforms. */
  check(response: ObservedResponse): string[] {
    const path = response.url.split('?', 1)[0] ?? '/';
    const at = `${response.method} ${path} → ${response.status}`;
    const item = this.#document.paths[path];
    const operation = item?.[response.method.toLowerCase()];
    if (!operation) return this.#checkUnrouted(response, at, item !== undefined);

    const responses = operation.responses ?? {};
    const status = String(response.status);
    const documented = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
    if (!documented) return [`${at}: status ${status} is not documented for this operation`];
    return [...this.#checkHeaders(documented, response, at), ...this.#checkBody(documented, response, at)];
  }

  /** No operation: unknown paths get 404, known paths asked with another method 405 (with Allow). */
  #checkUnrouted(response: ObservedResponse, at: string, knownPath: boolean): string[] {
    const expected = knownPath ? 405 : 404;
    if (response.status !== expected) return [`${at}: no such operation; expected ${expected}`];
    const problems: string[] = [];
    if (knownPath && !response.headers.get('allow')) problems.push(`${at}: a 405 without Allow`);
    const problem = this.#document.components?.schemas?.Problem;
    if (!problem) return [...problems, `${at}: the document has no components.schemas.Problem`];
    const content = { 'application/problem+json': { schema: problem } };
    return [...problems, ...this.#checkBody({ content }, response, at)];
  }

  #checkHeaders(documented: ResponseObject, response: ObservedResponse, at: string): string[] {
    const problems: string[] = [];
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`${at}: required header ${name} is missing`);
        continue;
      }
      if (header.schema && !this.#validator(header.schema)(value)) {
        problems.push(`${at}: header ${name}: ${JSON.stringify(value)} ${this.#errors(header.schema)}`);
      }
    }
    return problems;
  }

  #checkBody(documented: ResponseObject, response: ObservedResponse, at: string): string[] {
    const content = documented.content ?? {};
    const media = mediaType(response.headers.get('content-type'));
    if (Object.keys(content).length === 0) {
      return response.body === '' ? [] : [`${at}: a body where the document says none`];
    }
    const entry = content[media];
    if (!entry)
      return [`${at}: content type ${media || '(none)'} is not one of ${Object.keys(content).join(', ')}`];
    if (!entry.schema) return [];
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return [`${at}: the ${media} body is not JSON: ${response.body.slice(0, 80)}`];
    }
    const validate = this.#validator(entry.schema);
    return validate(body) ? [] : [`${at}: body ${response.body.slice(0, 200)} ${this.#errors(entry.schema)}`];
  }

  #validator(schema: Schema): ValidateFunction {
    let validate = this.#compiled.get(schema);
    if (!validate) {
      validate = this.#ajv.compile(schema);
      this.#compiled.set(schema, validate);
    }
    return validate;
  }

  #errors(schema: Schema): string {
    return this.#ajv.errorsText(this.#validator(schema).errors);
  }
}

/**
 * A fetch() that checks every response against the OpenAPI document of the service that sent
 * it (loaded once per origin from its /openapi.json) and fails at once if it does not conform.
 * The body is read here; the caller gets an equivalent Response to read again.
 */
export class CheckedFetch {
  readonly #validators = new Map<string, Promise<OpenApiValidator>>();
  /** How many responses were checked, per service (document title). */
  readonly checked = new Map<string, number>();

  readonly fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const target = new URL(url);
    const validator = await this.#validatorFor(target.origin);
    const raw = await fetch(url, init);
    const body = await raw.text();
    const problems = validator.check({
      method: init.method ?? 'GET',
      url: `${target.pathname}${target.search}`,
      status: raw.status,
      headers: raw.headers,
      body,
    });
    assert.deepEqual(problems, [], `${validator.title} answered outside its OpenAPI document`);
    this.checked.set(validator.title, (this.checked.get(validator.title) ?? 0) + 1);
    return new Response(body === '' ? null : body, { status: raw.status, headers: raw.headers });
  };

  #validatorFor(origin: string): Promise<OpenApiValidator> {
    let validator = this.#validators.get(origin);
    if (!validator) {
      validator = loadValidator(origin);
      this.#validators.set(origin, validator);
    }
    return validator;
  }
}

/** The validator for the service at `origin`, from the document it serves. */
export async function loadValidator(origin: string): Promise<OpenApiValidator> {
  const response = await fetch(`${origin}/openapi.json`);
  assert.equal(response.status, 200, `${origin}/openapi.json`);
  const document = (await response.json()) as OpenApiDocument;
  assert.deepEqual(documentProblems(document), [], `${origin}/openapi.json is a valid document`);
  return new OpenApiValidator(document);
}
