import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { repoRoot } from './import-graph.ts';

// Our OpenAPI definition of the /grafana API, and its schemas compiled with
// ajv (OpenAPI 3.0's `nullable` is an ajv keyword; `example` and the like are
// ignored, hence strict: false), so a test holds real requests and answers to it.

export const grafanaDir = path.join(repoRoot, 'monitoring', 'grafana');
export const apiDocument = YAML.parse(readFileSync(path.join(grafanaDir, 'datasource-api.openapi.yaml'), 'utf8'));

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(apiDocument, 'api');

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const compiled = new Map<string, ValidateFunction>();
function schemaAt(ref: string): ValidateFunction {
  let validate = compiled.get(ref);
  if (!validate) compiled.set(ref, (validate = ajv.compile({ $ref: `api#/${ref}` })));
  return validate;
}

/** The schema of an operation's 200 answer. */
export const responseSchema = (route: string, method: 'get' | 'post') =>
  schemaAt(pointer('paths', route, method, 'responses', '200', 'content', 'application/json', 'schema'));

/** Our definition of a POST's body; undefined where it defines none (/tag-keys, like the plugin's). */
export const requestSchema = (route: string): ValidateFunction | undefined =>
  apiDocument.paths[route].post.requestBody ? schemaAt(pointer('paths', route, 'post', 'requestBody', 'content', 'application/json', 'schema')) : undefined;

export const errorSchema = () => schemaAt('components/schemas/Error');

/** null when `value` fits, else ajv's account of why not (with the start of the value). */
export function schemaErrors(validate: ValidateFunction, value: unknown): string | null {
  return validate(value) ? null : `${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 600)}`;
}
