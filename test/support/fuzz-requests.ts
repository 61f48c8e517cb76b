import fc from 'fast-check';

// Malformed GraphQL requests built from the introspected schema: for one root
// field, well-typed arguments with exactly one poison that must make the
// server refuse the request (or find nothing), never fail or write.

export interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
export interface InputValue {
  name: string;
  type: TypeRef;
  defaultValue: string | null;
}
export interface RootField {
  operation: 'query' | 'mutation';
  name: string;
  args: InputValue[];
  type: TypeRef;
}
export interface IntrospectedType {
  kind: string;
  name: string;
  inputFields: InputValue[] | null;
  enumValues: { name: string }[] | null;
}
export interface SchemaModel {
  types: Map<string, IntrospectedType>;
  fields: RootField[];
}

const typeRef = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
/** The introspection query the fuzz reads the schema with (run as a signed-in caller). */
export const introspection = `{ __schema {
  queryType { name } mutationType { name }
  types { kind name
    fields { name type { ${typeRef} } args { name defaultValue type { ${typeRef} } } }
    inputFields { name defaultValue type { ${typeRef} } }
    enumValues { name } } } }`;

export function schemaModel(schema: {
  queryType: { name: string };
  mutationType: { name: string };
  types: (IntrospectedType & { fields: { name: string; type: TypeRef; args: InputValue[] }[] | null })[];
}): SchemaModel {
  const types = new Map(schema.types.map((type) => [type.name, type]));
  const rootFields = (name: string, operation: RootField['operation']) =>
    (types.get(name) as (typeof schema.types)[number]).fields!.map((field) => ({ operation, name: field.name, args: field.args, type: field.type }));
  return { types, fields: [...rootFields(schema.queryType.name, 'query'), ...rootFields(schema.mutationType.name, 'mutation')] };
}

const named = (ref: TypeRef): TypeRef => (ref.ofType ? named(ref.ofType) : ref);
const unwrapNonNull = (ref: TypeRef): TypeRef => (ref.kind === 'NON_NULL' ? ref.ofType! : ref);
const isList = (ref: TypeRef) => unwrapNonNull(ref).kind === 'LIST';
const isRequired = (value: InputValue) => value.type.kind === 'NON_NULL' && value.defaultValue === null;

/** The type as a variable definition writes it: [String!]! */
export function typeString(ref: TypeRef): string {
  if (ref.kind === 'NON_NULL') return `${typeString(ref.ofType!)}!`;
  if (ref.kind === 'LIST') return `[${typeString(ref.ofType!)}]`;
  return ref.name!;
}

/** A JSON value as a GraphQL literal. */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') return `{ ${Object.entries(value).map(([key, inner]) => `${key}: ${literal(inner)}`).join(', ')} }`;
  return JSON.stringify(value);
}

const names = ['dev', 'staging', 'prod', 'CVN_ATR_PERIOD', 'CVN_PTE_ENVELOPE', 'editor', 'viewer', 'admin', 'x'];
const string = fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 }));
/** Ids that name nothing: not UUIDs, UUIDs of no row, global ids of real and unreal types with such keys. */
export const garbageId = fc.oneof(
  fc.constantFrom('!!!', '', 'xyz', '-1', '0', '1e9', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-4fff-bfff-ffffffffffff'),
  fc.uuid(),
  fc.string({ maxLength: 16 }),
  fc.tuple(fc.constantFrom('Run', 'Worker', 'ServiceToken', 'ParameterSet', 'User', 'Query', 'Nope', 'ChangeRequest', 'Rule', 'FreezeWindow', 'ConfigVersion', 'CatalogEntry'), fc.oneof(fc.uuid(), fc.string({ maxLength: 8 })))
    .map(([type, key]) => Buffer.from(`${type}:${key}`).toString('base64')),
);

/** A well-typed value of `ref` (never a poison). */
function valueOf(ref: TypeRef, model: SchemaModel, depth: number): fc.Arbitrary<unknown> {
  if (ref.kind === 'NON_NULL') return valueOf(ref.ofType!, model, depth);
  if (ref.kind === 'LIST') return fc.array(valueOf(ref.ofType!, model, depth + 1), { maxLength: 3 });
  if (ref.kind === 'ENUM') return fc.constantFrom(...model.types.get(ref.name!)!.enumValues!.map((v) => v.name));
  if (ref.kind === 'INPUT_OBJECT') return inputObject(model.types.get(ref.name!)!.inputFields!, model, depth + 1);
  switch (ref.name) {
    case 'String': return string;
    case 'ID': return garbageId;
    case 'Int': return fc.integer({ min: 0, max: 50 });
    case 'Float': return fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
    case 'Boolean': return fc.boolean();
    case 'DateTime': return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'JSON': return fc.jsonValue({ maxDepth: 3 });
    default: return string;
  }
}

function inputObject(fields: InputValue[], model: SchemaModel, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const entries = fields
    .filter((field) => isRequired(field) || depth < 4)
    .map((field) => [field.name, isRequired(field) ? valueOf(field.type, model, depth) : fc.option(valueOf(field.type, model, depth), { nil: undefined })] as const);
  return fc.record(Object.fromEntries(entries)).map((record) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)));
}

/** A value that is not of `ref`'s type, whatever coercion GraphQL applies (a single value is coerced to a list of one). */
function wrongValueOf(ref: TypeRef, model: SchemaModel, pick: number): unknown {
  if (ref.kind === 'NON_NULL') return pick % 3 === 0 ? null : wrongValueOf(ref.ofType!, model, pick);
  if (ref.kind === 'LIST') return wrongValueOf(ref.ofType!, model, pick);
  const byName: Record<string, unknown[]> = {
    String: [42, true, { a: 1 }, 1.5],
    ID: [true, { a: 1 }, 1.5],
    Int: ['x', 1.5, 2 ** 40, true, { a: 1 }],
    Float: ['x', true, { a: 1 }],
    Boolean: ['true', 1, { a: 1 }],
    DateTime: [true, { a: 1 }, 'not a date', '2026-13-45T99:00:00Z'],
  };
  const choices = ref.kind === 'ENUM' ? [5, 'NOT_A_VALUE', true, { a: 1 }] : ref.kind === 'INPUT_OBJECT' ? ['x', 5, true] : byName[ref.name!] ?? [{ a: 1 }];
  return choices[pick % choices.length];
}

/** Where a poison can go: an argument or an input field at `path`, its type, whether it is present now. */
interface Position {
  path: string[];
  value: InputValue;
  present: boolean;
}

function positionsOf(args: Record<string, unknown>, values: InputValue[], model: SchemaModel, path: string[] = []): Position[] {
  return values.flatMap((value) => {
    const here = [...path, value.name];
    const present = Object.hasOwn(args, value.name);
    const inner = args[value.name];
    const type = named(value.type);
    const nested = present && type.kind === 'INPUT_OBJECT' && inner && typeof inner === 'object' && !Array.isArray(inner)
      ? positionsOf(inner as Record<string, unknown>, model.types.get(type.name!)!.inputFields!, model, here)
      : [];
    return [{ path: here, value, present }, ...nested];
  });
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
}

export const poisons = ['wrongType', 'literalWrongType', 'missingRequired', 'extraField', 'badEnum', 'nul', 'deepJson', 'deepLiteral', 'garbageCursor', 'negativePage', 'garbageId', 'hugeAndWrong'] as const;
export type Poison = (typeof poisons)[number];
/** Well-typed poisons that reach the resolvers (the rest are refused by GraphQL itself): drawn three times as often. */
const reachResolvers: ReadonlySet<Poison> = new Set(['garbageCursor', 'negativePage', 'garbageId']);

/** The marker a deep value is spliced in for (JSON.stringify of 20,000 levels would overflow the client's stack). */
export const deepMarker = '__FUZZ_DEEP_JSON__';
export const deepJsonText = '['.repeat(20_000) + ']'.repeat(20_000);

export interface FuzzRequest {
  field: string;
  poison: Poison | 'unknownArgument';
  query: string;
  variables: Record<string, unknown>;
}

/** Where each poison may go; the positions it would not make a refusal of are left out. */
function eligible(poison: Poison, position: Position): boolean {
  const type = named(position.value.type);
  switch (poison) {
    case 'wrongType': case 'hugeAndWrong': return type.name !== 'JSON';
    case 'literalWrongType': return position.path.length === 1 && type.name !== 'JSON';
    case 'missingRequired': return isRequired(position.value);
    // Into an input object itself, not a list of them (a key on an array is no field).
    case 'extraField': return position.present && unwrapNonNull(position.value.type).kind === 'INPUT_OBJECT';
    case 'badEnum': return type.kind === 'ENUM';
    case 'nul': return type.name === 'String' || type.name === 'ID' || type.name === 'JSON';
    case 'deepJson': return true;
    case 'deepLiteral': return position.path.length === 1;
    case 'garbageCursor': return position.path.length === 1 && (position.value.name === 'after' || position.value.name === 'before');
    case 'negativePage': return position.path.length === 1 && (position.value.name === 'first' || position.value.name === 'last') && type.name === 'Int';
    case 'garbageId': return type.name === 'ID';
  }
}

/** One malformed request for `field`. */
export function malformedRequest(field: RootField, model: SchemaModel): fc.Arbitrary<FuzzRequest> {
  const args = inputObject(field.args, model, 0);
  return fc.record({ args, poisonPick: fc.nat(), positionPick: fc.nat(), pick: fc.nat(), garbage: fc.string({ maxLength: 24 }), id: garbageId, negative: fc.integer({ min: -1_000_000_000, max: -1 }) })
    .map(({ args: base, poisonPick, positionPick, pick, garbage, id, negative }) => {
      const variables = structuredClone(base);
      const positions = positionsOf(variables, field.args, model);
      // A field without a place for the poison picked gets an unknown argument instead.
      const usable = poisons.filter((poison) => positions.some((p) => eligible(poison, p))).flatMap((poison) => (reachResolvers.has(poison) ? [poison, poison, poison] : [poison]));
      const poison: Poison | 'unknownArgument' = usable.length ? usable[poisonPick % usable.length]! : 'unknownArgument';
      const candidates = positions.filter((p) => poison !== 'unknownArgument' && eligible(poison, p));
      const target = candidates[positionPick % Math.max(candidates.length, 1)];
      const inline: Record<string, string> = {};
      if (target) {
        const path = target.path;
        switch (poison) {
          case 'wrongType': setAt(variables, path, wrongValueOf(target.value.type, model, pick)); break;
          case 'hugeAndWrong': setAt(variables, path, { huge: 'x'.repeat(100_000), wrong: wrongValueOf(target.value.type, model, pick) }); break;
          case 'literalWrongType': inline[path[0]!] = literal(wrongValueOf(target.value.type, model, pick)); break;
          case 'missingRequired': setAt(variables, path, undefined); break;
          case 'extraField': setAt(variables, [...path, `bogus_${pick % 100}`], garbage); break;
          case 'badEnum': setAt(variables, path, `NOPE_${pick}`); break;
          case 'nul': {
            const text = `${garbage.slice(0, pick % (garbage.length + 1))}\u0000${garbage}`;
            setAt(variables, path, named(target.value.type).name === 'JSON' ? { [garbage]: [text] } : isList(target.value.type) ? [text] : text);
            break;
          }
          case 'deepJson': setAt(variables, path, deepMarker); break;
          case 'deepLiteral': inline[path[0]!] = '['.repeat(20_000) + ']'.repeat(20_000); break;
          case 'garbageCursor': setAt(variables, path, `${garbage}${pick % 2 ? '' : Buffer.from(garbage).toString('base64')}`); break;
          case 'negativePage': setAt(variables, path, negative); break;
          case 'garbageId': setAt(variables, path, isList(target.value.type) ? [id] : id); break;
        }
      }
      const definitions = field.args.filter((arg) => !(arg.name in inline)).map((arg) => `$${arg.name}: ${typeString(arg.type)}`);
      const callArgs = field.args.map((arg) => `${arg.name}: ${inline[arg.name] ?? `$${arg.name}`}`);
      if (poison === 'unknownArgument') callArgs.push(`bogus_${pick % 100}: ${JSON.stringify(garbage)}`);
      for (const name of Object.keys(inline)) delete variables[name];
      const selection = ['SCALAR', 'ENUM'].includes(named(field.type).kind) ? '' : ' { __typename }';
      const query = `${field.operation} Fuzz${definitions.length ? `(${definitions.join(', ')})` : ''} { ${field.name}${callArgs.length ? `(${callArgs.join(', ')})` : ''}${selection} }`;
      return { field: `${field.operation}.${field.name}`, poison, query, variables };
    });
}

/** Documents that are not GraphQL, or barely: token soup and random text. */
export const randomDocument = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(fc.constantFrom('{', '}', '(', ')', '[', ']', 'query', 'mutation', 'subscription', 'fragment F on Query', '...F', '...', '$x', ':', '!', '=', '@skip(if: true)', '"s"', '"""b"""', '1', '-5', '__typename', 'environments', 'node(id: "!!!")', 'catalog(first: -5)', 'id', '# c\n', ' ', ',', '"\\u0000"'), { maxLength: 40 }).map((tokens) => tokens.join(' ')),
);

/** Bodies and requests that are not GraphQL-over-HTTP at all. */
export const malformedHttp = fc.oneof(
  fc.constantFrom(
    { method: 'POST', contentType: 'application/json', body: '{bad' },
    { method: 'POST', contentType: 'application/json', body: '[]' },
    { method: 'POST', contentType: 'application/json', body: '5' },
    { method: 'POST', contentType: 'application/json', body: 'null' },
    { method: 'POST', contentType: 'application/json', body: '{"query":5}' },
    { method: 'POST', contentType: 'application/json', body: '{"query":"{ __typename }","variables":"x"}' },
    { method: 'POST', contentType: 'application/json', body: '{"query":"{ __typename }","variables":[1]}' },
    { method: 'POST', contentType: 'application/json', body: '{"query":"{ __typename }","operationName":5}' },
    { method: 'POST', contentType: 'application/json', body: '{"query":"{ __typename }","extensions":"x"}' },
    { method: 'POST', contentType: 'application/json', body: '{}' },
    { method: 'POST', contentType: 'text/plain', body: '{ __typename }' },
    { method: 'POST', contentType: 'application/xml', body: '<q/>' },
    { method: 'PUT', contentType: 'application/json', body: '{"query":"{ __typename }"}' },
    { method: 'DELETE', contentType: 'application/json', body: '' },
    { method: 'PATCH', contentType: 'application/json', body: '{"query":"{ __typename }"}' },
    { method: 'POST', contentType: 'application/json', body: `{"query":"{ __typename }","variables":{"x":${deepJsonText}}}` },
    { method: 'POST', contentType: 'application/json', body: `{"query":"{ __typename }","variables":{"x":"${'y'.repeat(1_000_000)}"}}` },
  ),
  fc.string({ maxLength: 200 }).map((body) => ({ method: 'POST', contentType: 'application/json', body })),
  fc.string({ maxLength: 60 }).map((query) => ({ method: 'GET', contentType: '', body: '', search: `?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(query)}` })),
);
