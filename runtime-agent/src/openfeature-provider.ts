// An OpenFeature server provider over the runtime agent, so a worker that
// already evaluates flags through OpenFeature reads the platform unchanged.
// Evaluation never throws: an undeclared or unknown name is FLAG_NOT_FOUND,
// a value of another type is TYPE_MISMATCH, and both return the default.
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  StandardResolutionReasons,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import type { RuntimeAgent } from './runtime-agent.ts';
import { AgentEvent, AgentStatus } from './status.ts';

export interface RuntimeAgentProviderOptions {
  /** Close the agent when OpenFeature closes the provider. Default false: the worker owns the agent. */
  closeAgentOnClose?: boolean;
}

type Kind = 'boolean' | 'string' | 'number' | 'object';

export class RuntimeAgentProvider implements Provider {
  readonly metadata = { name: 'ucp-runtime-agent' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #agent: RuntimeAgent;
  readonly #closeAgent: boolean;
  readonly #unsubscribe: (() => void)[];

  constructor(agent: RuntimeAgent, { closeAgentOnClose = false }: RuntimeAgentProviderOptions = {}) {
    this.#agent = agent;
    this.#closeAgent = closeAgentOnClose;
    this.#unsubscribe = [
      agent.on(AgentEvent.ConfigurationChanged, ({ version, changedKeys }) => {
        this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: changedKeys, metadata: { configVersion: version } });
      }),
      agent.on(AgentEvent.Stale, ({ message }) => this.events.emit(ProviderEvents.Stale, { message })),
      // Back from STALE; the first READY is reported by initialize() resolving.
      agent.on(AgentEvent.Ready, () => {
        if (this.#initialized) this.events.emit(ProviderEvents.Ready, {});
      }),
      agent.on(AgentEvent.Error, ({ message, fatal }) => {
        this.events.emit(ProviderEvents.Error, { message, ...(fatal ? { errorCode: ErrorCode.PROVIDER_FATAL } : {}) });
      }),
    ];
  }
  #initialized = false;

  /** Resolves when the agent is ready; rejects (OpenFeature: ERROR) with its ConfigNotReadyError otherwise. */
  async initialize(): Promise<void> {
    await this.#agent.ready();
    this.#initialized = true;
  }

  async onClose(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    if (this.#closeAgent) await this.#agent.close();
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): Promise<ResolutionDetails<boolean>> {
    return this.#resolve(flagKey, defaultValue, 'boolean');
  }
  async resolveStringEvaluation(flagKey: string, defaultValue: string): Promise<ResolutionDetails<string>> {
    return this.#resolve(flagKey, defaultValue, 'string');
  }
  async resolveNumberEvaluation(flagKey: string, defaultValue: number): Promise<ResolutionDetails<number>> {
    return this.#resolve(flagKey, defaultValue, 'number');
  }
  /** A STRING parameter holding a JSON object or array. */
  async resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): Promise<ResolutionDetails<T>> {
    return this.#resolve(flagKey, defaultValue, 'object');
  }

  #resolve<T>(flagKey: string, defaultValue: T, kind: Kind): ResolutionDetails<T> {
    let snapshot;
    try {
      // Inside a decision cycle this is the snapshot pinned at cycleStart().
      snapshot = this.#agent.snapshot();
    } catch (error) {
      return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.PROVIDER_NOT_READY, errorMessage: String(error) };
    }
    if (!snapshot.has(flagKey)) {
      return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.FLAG_NOT_FOUND, errorMessage: `${flagKey} is not a parameter this worker consumes.` };
    }
    const raw = snapshot.values[flagKey] as string;
    let value: unknown = snapshot.get(flagKey);
    if (kind === 'object') {
      try {
        value = typeof value === 'string' ? JSON.parse(value) : undefined;
      } catch {
        value = undefined;
      }
      if (typeof value !== 'object' || value === null) value = undefined;
    }
    if (value === undefined || (kind !== 'object' && typeof value !== kind)) {
      return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH, errorMessage: `${flagKey} is a ${snapshot.entry(flagKey)?.type ?? typeof value} parameter, not a ${kind}.` };
    }
    return {
      value: value as T,
      variant: raw,
      // CACHED: the stream is down and the values may trail the server's.
      reason: this.#agent.status === AgentStatus.Stale ? StandardResolutionReasons.CACHED : StandardResolutionReasons.STATIC,
      flagMetadata: { configVersion: snapshot.version },
    };
  }
}
