import {
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type ExecutionResult,
} from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSharedSubscriptionResults } from '../server/http/use-shared-subscription-results.ts';
import { createAppPubSub, type ConfigChangedEvent } from '../server/realtime/pubsub.ts';

/**
 * Proves that useSharedSubscriptionResults executes an event's selection once
 * for all subscribers asking the same thing (same document, same variables
 * below the root field, same permission key), separately otherwise, only for
 * the listed root fields, and leaves refusals and return() untouched. The
 * subscriptions are driven through yoga's envelope as attach-graphql-ws does.
 */

type Context = { role: string };

let pubsub: ReturnType<typeof createAppPubSub>;
/** Calls of the payload's resolvers, per published event. */
let calls: { computed: number; label: number };

const Tick = new GraphQLObjectType<ConfigChangedEvent, Context>({
  name: 'Tick',
  fields: {
    version: { type: new GraphQLNonNull(GraphQLInt) },
    computed: {
      type: new GraphQLNonNull(GraphQLInt),
      resolve: (event) => {
        calls.computed += 1;
        return event.version * 100;
      },
    },
    label: {
      type: new GraphQLNonNull(GraphQLString),
      args: { prefix: { type: GraphQLString } },
      resolve: (event, { prefix }: { prefix?: string | null }) => {
        calls.label += 1;
        return `${prefix ?? ''}${event.version}`;
      },
    },
  },
});

const tickField = {
  type: new GraphQLNonNull(Tick),
  // `from` only shapes the stream (here: not at all); `channel` picks the topic.
  args: { channel: { type: new GraphQLNonNull(GraphQLString) }, from: { type: GraphQLInt } },
  subscribe: (_source: unknown, { channel }: { channel: string }) => {
    if (channel === 'forbidden') throw new GraphQLError('channel refused', { extensions: { code: 'FORBIDDEN' } });
    return pubsub.subscribe('configChanged', channel);
  },
  resolve: (event: ConfigChangedEvent) => event,
};

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: { ticks: tickField, unsharedTicks: tickField },
  }),
});

function makeYoga(plugins: Plugin<Context & Record<string, unknown>>[]) {
  return createYoga<Record<string, unknown>, Context>({
    schema,
    plugins,
    logging: false,
    context: (initial) => ({ role: (initial as unknown as Context).role }),
  });
}

const sharedYoga = makeYoga([useSharedSubscriptionResults<Context>({ fields: new Set(['ticks']), permissionKey: (ctx) => ctx.role })]);

type Result = AsyncIterableIterator<ExecutionResult> | ExecutionResult;

/** Subscribes through yoga's envelope, exactly like attach-graphql-ws.ts. */
async function subscribe(query: string, variables: Record<string, unknown> = {}, role = 'viewer', yoga = sharedYoga, operationName?: string): Promise<Result> {
  const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ role } as never);
  const args = {
    schema,
    operationName,
    document: parse(query),
    variableValues: variables,
    contextValue: await contextFactory(),
    rootValue: { execute, subscribe },
  };
  expect(validate(args.schema, args.document)).toEqual([]);
  return (await subscribe(args)) as Result;
}

function asStream(result: Result): AsyncIterableIterator<ExecutionResult> {
  if (!(Symbol.asyncIterator in result)) throw new Error(`subscription refused: ${JSON.stringify(result)}`);
  return result;
}

async function openAll(count: number, query: string, variables: (i: number) => Record<string, unknown> = () => ({}), role: (i: number) => string = () => 'viewer') {
  const streams: AsyncIterableIterator<ExecutionResult>[] = [];
  for (let i = 0; i < count; i++) streams.push(asStream(await subscribe(query, variables(i), role(i))));
  return streams;
}

/** Publishes one event on dev and reads it from every stream. */
async function publishAndRead(streams: AsyncIterableIterator<ExecutionResult>[], version: number): Promise<ExecutionResult[]> {
  const pending = streams.map((stream) => stream.next());
  pubsub.publish('configChanged', 'dev', { environment: 'dev', version, kind: 'EDIT', changedKeys: [], changes: [], author: 'tester', createdAt: new Date(0) });
  return (await Promise.all(pending)).map((result) => {
    expect(result.done).toBe(false);
    return result.value as ExecutionResult;
  });
}

const closeAll = (streams: AsyncIterableIterator<ExecutionResult>[]) => Promise.all(streams.map((stream) => stream.return!()));

const TICKS = /* GraphQL */ `subscription($channel: String!, $from: Int, $prefix: String) {
  ticks(channel: $channel, from: $from) { version computed label(prefix: $prefix) }
}`;

describe('useSharedSubscriptionResults', () => {
  beforeEach(() => {
    pubsub = createAppPubSub();
    calls = { computed: 0, label: 0 };
  });

  it('executes once per event for subscribers with the same query, variables and permission key', async () => {
    const streams = await openAll(5, TICKS, () => ({ channel: 'dev', prefix: 'v' }));
    expect(pubsub.count('configChanged', 'dev')).toBe(5);

    const first = await publishAndRead(streams, 7);
    expect(calls).toEqual({ computed: 1, label: 1 });
    for (const result of first) expect(result).toEqual({ data: { ticks: { version: 7, computed: 700, label: 'v7' } } });

    // Each event is executed once, not only the first one.
    const second = await publishAndRead(streams, 8);
    expect(calls).toEqual({ computed: 2, label: 2 });
    for (const result of second) expect(result.data).toEqual({ ticks: { version: 8, computed: 800, label: 'v8' } });
    await closeAll(streams);
  });

  it('shares across subscribers whose variables differ only in the root field arguments', async () => {
    const streams = await openAll(3, TICKS, (i) => ({ channel: 'dev', from: i, prefix: 'v' }));
    const results = await publishAndRead(streams, 3);
    expect(calls.computed).toBe(1);
    for (const result of results) expect(result.data).toEqual({ ticks: { version: 3, computed: 300, label: 'v3' } });
    await closeAll(streams);
  });

  it('executes separately for a different variable used below the root field', async () => {
    const streams = await openAll(4, TICKS, (i) => ({ channel: 'dev', prefix: i % 2 ? 'odd-' : 'even-' }));
    const results = await publishAndRead(streams, 2);
    expect(calls).toEqual({ computed: 2, label: 2 });
    expect(results.map((result) => (result.data as { ticks: { label: string } }).ticks.label)).toEqual(['even-2', 'odd-2', 'even-2', 'odd-2']);
    await closeAll(streams);
  });

  it('executes separately for a different permission key', async () => {
    const streams = await openAll(4, TICKS, () => ({ channel: 'dev' }), (i) => (i < 2 ? 'editor' : 'viewer'));
    const results = await publishAndRead(streams, 4);
    expect(calls.computed).toBe(2);
    for (const result of results) expect(result.data).toEqual({ ticks: { version: 4, computed: 400, label: '4' } });
    await closeAll(streams);
  });

  it('executes per subscriber for a root field not listed in `fields`', async () => {
    const query = `subscription($channel: String!) { unsharedTicks(channel: $channel) { version computed } }`;
    const streams = await openAll(3, query, () => ({ channel: 'dev' }));
    const results = await publishAndRead(streams, 5);
    expect(calls.computed).toBe(3);
    for (const result of results) expect(result).toEqual({ data: { unsharedTicks: { version: 5, computed: 500 } } });
    await closeAll(streams);
  });

  it('returns a refused subscription’s error result unchanged', async () => {
    const refused = await subscribe(TICKS, { channel: 'forbidden' });
    expect(Symbol.asyncIterator in refused).toBe(false);
    const withoutPlugin = await subscribe(TICKS, { channel: 'forbidden' }, 'viewer', makeYoga([]));
    expect(refused).toEqual(withoutPlugin);
    expect(refused).toMatchObject({ errors: [{ message: 'channel refused', extensions: { code: 'FORBIDDEN' } }] });
    expect(pubsub.count('configChanged', 'forbidden')).toBe(0);
  });

  it('return() on the iterator ends the subscription', async () => {
    const [stream, other] = await openAll(2, TICKS, () => ({ channel: 'dev' }));
    const pending = stream!.next();
    expect(await stream!.return!()).toEqual({ done: true, value: undefined });
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(pubsub.count('configChanged', 'dev')).toBe(1);
    expect(await stream!.next()).toEqual({ done: true, value: undefined });

    // The remaining subscriber is unaffected.
    const [result] = await publishAndRead([other!], 6);
    expect(result!.data).toEqual({ ticks: { version: 6, computed: 600, label: '6' } });
    await other!.return!();
    expect(pubsub.count('configChanged', 'dev')).toBe(0);
  });

  it('keeps the operations of one document apart', async () => {
    const query = `subscription A { ticks(channel: "dev") { version } } subscription B { ticks(channel: "dev") { label(prefix: "b") } }`;
    const a = asStream(await subscribe(query, {}, 'viewer', sharedYoga, 'A'));
    const b = asStream(await subscribe(query, {}, 'viewer', sharedYoga, 'B'));
    const [fromA, fromB] = await publishAndRead([a, b], 1);
    expect(fromA!.data).toEqual({ ticks: { version: 1 } });
    expect(fromB!.data).toEqual({ ticks: { label: 'b1' } });
    await closeAll([a, b]);
  });

  it('tells an omitted variable (its default applies) from an explicit null', async () => {
    const query = `subscription($p: String = "dflt-") { ticks(channel: "dev") { label(prefix: $p) } }`;
    const omitted = asStream(await subscribe(query, {}));
    const explicitNull = asStream(await subscribe(query, { p: null }));
    const [fromOmitted, fromNull] = await publishAndRead([omitted, explicitNull], 2);
    expect(fromOmitted!.data).toEqual({ ticks: { label: 'dflt-2' } });
    expect(fromNull!.data).toEqual({ ticks: { label: '2' } });
    expect(calls.label).toBe(2);
    await closeAll([omitted, explicitNull]);
  });
});
