import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, type Client } from 'urql';
import { useLocation } from 'wouter';
import type { CatalogEntryShape, RuleShape } from '../../../../contract/validation/index.ts';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { EnvironmentPicker } from '../../components/environment-picker.tsx';
import { FreezeBanner, useActiveFreeze } from '../../components/freeze-banner.tsx';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { EditorDataDocument, UpdateConfigDocument, type CatalogEntryFieldsFragment } from '../../gql/graphql.ts';
import { toCatalogEntryShape } from '../../lib/catalog-shape.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';
import { ParameterRow } from './parameter-row.tsx';
import { PendingTray, type PendingItem } from './pending-tray.tsx';
import { rulesTouching } from './rules-touching.ts';
import { useValidation } from './use-validation.ts';

type Row = { kind: 'group'; name: string; count: number } | { kind: 'param'; entry: CatalogEntryFieldsFragment };

function matches(entry: CatalogEntryFieldsFragment, needle: string): boolean {
  return entry.name.toLowerCase().includes(needle) || entry.group.toLowerCase().includes(needle) || entry.description.toLowerCase().includes(needle);
}

/** Starts the page's one query early (app.tsx calls it when the session is known); useQuery then joins it. */
export function prefetchEditorData(client: Client, environment: string): void {
  void client.query(EditorDataDocument, { environment }).toPromise();
}

export default function EditorPage({ environment }: { environment: string }) {
  const { user } = useSession();
  const canEdit = hasRole(user, 'EDITOR');
  const [, navigate] = useLocation();
  // One query for catalog, values, freeze state and rules (prefetched with the session, see app.tsx).
  const [dataResult, refetchData] = useQuery({ query: EditorDataDocument, variables: { environment } });
  const refetchValues = refetchData;
  const validation = useValidation();
  const [saveState, save] = useMutation(UpdateConfigDocument);

  const [pending, setPending] = useState<Record<string, string>>({});
  const [search, setSearch] = useState('');
  const [group, setGroup] = useState('');
  const [serverError, setServerError] = useState<DescribedError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const deferredSearch = useDeferredValue(search.trim().toLowerCase());

  // Edits belong to one environment.
  useEffect(() => {
    setPending({});
    setServerError(null);
    setNotice(null);
  }, [environment]);

  const entries = useMemo(() => dataResult.data?.catalog.edges.map((e) => e.node) ?? [], [dataResult.data]);
  const rules = useMemo<RuleShape[]>(() => dataResult.data?.rules.filter((r) => r.enabled) ?? [], [dataResult.data]);
  const entryByName = useMemo(() => new Map(entries.map((e) => [e.name, e])), [entries]);
  const shapes = useMemo(() => new Map<string, CatalogEntryShape>(entries.map((e) => [e.name, toCatalogEntryShape(e)])), [entries]);
  const env = dataResult.data?.environment;
  const freeze = useActiveFreeze(env?.activeFreezeWindow);
  const current = useMemo(() => {
    const map: Record<string, string> = {};
    for (const v of env?.values ?? []) if (v.value != null) map[v.name] = v.value;
    return map;
  }, [env]);

  const groups = useMemo(() => [...new Set(entries.map((e) => e.group))].sort(), [entries]);

  const rows = useMemo<Row[]>(() => {
    const byGroup = new Map<string, CatalogEntryFieldsFragment[]>();
    for (const entry of entries) {
      if (group && entry.group !== group) continue;
      if (deferredSearch && !matches(entry, deferredSearch)) continue;
      const list = byGroup.get(entry.group) ?? [];
      list.push(entry);
      byGroup.set(entry.group, list);
    }
    const out: Row[] = [];
    for (const name of [...byGroup.keys()].sort()) {
      const list = byGroup.get(name)!;
      out.push({ kind: 'group', name, count: list.length });
      for (const entry of list.sort((a, b) => a.name.localeCompare(b.name))) out.push({ kind: 'param', entry });
    }
    return out;
  }, [entries, group, deferredSearch]);

  // Client-side checks with the server's own code: one sentence per field, rules over the merged snapshot.
  const clientErrors = useMemo(() => {
    const map = new Map<string, string[]>();
    if (!validation) return map;
    for (const [name, raw] of Object.entries(pending)) {
      const shape = shapes.get(name);
      if (!shape) continue;
      const parsed = validation.core.parseValue(shape, raw);
      if (!parsed.ok) map.set(name, [parsed.violation.message]);
    }
    return map;
  }, [pending, shapes, validation]);

  const violations = useMemo(() => {
    if (!validation || Object.keys(pending).length === 0 || shapes.size === 0) return [];
    return validation.validator.validateChange({ catalog: shapes, rules, current, changes: pending });
  }, [pending, shapes, rules, current, validation]);

  const fieldErrors = useMemo(() => {
    const map = new Map<string, string[]>();
    const add = (name: string, message: string) => {
      const list = map.get(name) ?? [];
      if (!list.includes(message)) list.push(message);
      map.set(name, list);
    };
    for (const [name, messages] of clientErrors) for (const m of messages) add(name, m);
    for (const v of violations) if (v.parameter && pending[v.parameter] !== undefined) add(v.parameter, v.message);
    for (const [name, messages] of serverError?.byParameter ?? []) for (const m of messages) add(name, m);
    return map;
  }, [clientErrors, violations, serverError, pending]);

  const ruleViolations = useMemo(() => violations.filter((v) => v.rule), [violations]);

  const items = useMemo<PendingItem[]>(
    () => Object.entries(pending).sort(([a], [b]) => a.localeCompare(b)).map(([name, after]) => ({
      name,
      before: current[name],
      after,
      critical: entryByName.get(name)?.critical ?? false,
      errors: fieldErrors.get(name) ?? [],
    })),
    [pending, current, entryByName, fieldErrors],
  );
  const touchedRules = useMemo(() => rulesTouching(rules, Object.keys(pending)), [rules, pending]);

  const onChange = useCallback((name: string, raw: string | undefined) => {
    setPending((previous) => {
      const next = { ...previous };
      if (raw === undefined) delete next[name];
      else next[name] = raw;
      return next;
    });
    setServerError((previous) => (previous?.byParameter.has(name) ? null : previous));
  }, []);

  const onShowParameter = useCallback((name: string) => {
    setGroup('');
    setSearch(name);
  }, []);

  const onSave = async (reason: string, submitForApproval: boolean): Promise<boolean> => {
    if (!env) return false;
    setServerError(null);
    setNotice(null);
    const result = await save({
      input: { environment, expectedVersion: env.activeVersion, reason, changes: Object.entries(pending).map(([name, value]) => ({ name, value })), submitForApproval },
    });
    if (result.error) {
      const described = describeApiError(result.error);
      setServerError(described);
      if (described.code === 'VERSION_CONFLICT') {
        // Keep the edits; load the new state so the diff is recomputed against it.
        refetchValues({ requestPolicy: 'network-only' });
      }
      // FROZEN: a window opened since the page loaded; reload to show its banner.
      if (described.code === 'FROZEN') refetchData({ requestPolicy: 'network-only' });
      return false;
    }
    const payload = result.data?.updateConfig;
    setPending({});
    if (payload?.outcome === 'PENDING_APPROVAL') setNotice('Submitted for approval: an approver must accept the change before it becomes active. See the Approvals page.');
    else setNotice(`Saved as version ${payload?.version?.version ?? env.activeVersion + 1}.`);
    refetchValues({ requestPolicy: 'network-only' });
    return true;
  };

  // After a refetch some pending values may equal the new state; they are no longer changes.
  useEffect(() => {
    setPending((previous) => {
      const same = Object.keys(previous).filter((name) => previous[name] === current[name]);
      if (same.length === 0) return previous;
      const next = { ...previous };
      for (const name of same) delete next[name];
      return next;
    });
  }, [current]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => (rows[index]?.kind === 'group' ? 44 : 104),
    overscan: 8,
    getItemKey: (index) => {
      const row = rows[index]!;
      return row.kind === 'group' ? `g:${row.name}` : row.entry.name;
    },
  });

  if (dataResult.error) return <main id="main" className="page"><QueryError error={dataResult.error} retry={() => refetchData({ requestPolicy: 'network-only' })} /></main>;
  if (!dataResult.data || !env) return <main id="main" className="page"><Loading label="Loading the catalog…" /></main>;

  const pendingCount = Object.keys(pending).length;
  const frozen = freeze !== null;

  return (
    <main id="main" className="page editor-page" data-validation={validation ? 'ready' : 'loading'}>
      <div className="page-head">
        <h1>Parameters · {environment}</h1>
        <EnvironmentPicker id="editor-env" label="Environment" value={environment} onChange={(name) => navigate(`/config/${name}`)} />
        <span className="muted" data-testid="active-version">Active version {env.activeVersion}</span>
      </div>
      {freeze && <FreezeBanner environment={environment} window={freeze} />}
      {!canEdit && <p className="notice">You have read-only access: your role ({user.role.toLowerCase()}) cannot change values.</p>}
      <div className="filters" role="search">
        <span className="inline-field grow">
          <label htmlFor="param-search">Search</label>
          <input id="param-search" type="search" placeholder="Name, group or description" value={search} onChange={(e) => setSearch(e.target.value)} />
        </span>
        <span className="inline-field">
          <label htmlFor="param-group">Group</label>
          <select id="param-group" value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">All groups ({entries.length})</option>
            {groups.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        </span>
        <span className="muted" role="status" aria-live="polite" data-testid="match-count">
          {rows.filter((r) => r.kind === 'param').length} of {entries.length} parameters
        </span>
      </div>
      <div className={`editor-layout${canEdit ? '' : ' read-only'}`}>
        {rows.length === 0 ? (
          <EmptyState>No parameter matches “{search}”. Try part of a name, a group or a word of the description.</EmptyState>
        ) : (
          <div ref={scrollRef} className="param-list" tabIndex={0} aria-label="Parameters" data-testid="param-list">
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[item.index]!;
                return (
                  <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className="virtual-row" style={{ transform: `translateY(${item.start}px)` }}>
                    {row.kind === 'group' ? (
                      <h2 className="group-head">{row.name} <span className="muted">({row.count})</span></h2>
                    ) : (
                      <ParameterRow
                        entry={row.entry}
                        current={current[row.entry.name]}
                        draft={pending[row.entry.name]}
                        errors={fieldErrors.get(row.entry.name)}
                        canEdit={canEdit}
                        onChange={onChange}
                        onShowParameter={onShowParameter}
                      />
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        )}
        {canEdit && (
          <PendingTray
            environment={environment}
            activeVersion={env.activeVersion}
            items={items}
            touchedRules={touchedRules}
            ruleViolations={ruleViolations}
            rulesChecked={validation !== null}
            serverError={serverError}
            notice={notice}
            frozen={frozen}
            saving={saveState.fetching}
            onRemove={(name) => onChange(name, undefined)}
            onDiscard={() => { setPending({}); setServerError(null); }}
            onSave={onSave}
          />
        )}
      </div>
      {pendingCount > 0 && <p className="sr-only" role="status">{pendingCount} pending changes</p>}
    </main>
  );
}

export type { RuleShape };
