import { useEffect, useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useClient, useMutation, useQuery } from 'urql';
import { PARAMETER_CATEGORIES } from '../../../../contract/catalog.ts';
import { createConfigValidator } from '../../../../contract/validation/index.ts';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import {
  CatalogAdminEntriesDocument, CatalogCheckDocument, CreateCatalogEntryDocument, DeprecateCatalogEntryDocument, UpdateCatalogEntryDocument,
  type CatalogAdminEntriesQuery, type ParameterCategory, type ParameterType,
} from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';
import { EnvironmentPicker } from '../../components/environment-picker.tsx';
import { RulesSection } from './rules-section.tsx';
import { describeParticipation, SweepDetail, useSweepParticipation } from './sweep-participation.tsx';

type Entry = CatalogAdminEntriesQuery['catalog']['edges'][number]['node'];
const types: ParameterType[] = ['INT', 'FLOAT', 'BOOL', 'ENUM', 'STRING'];
// The contract's list (the database enum), alphabetical in the form.
const categories: ParameterCategory[] = [...PARAMETER_CATEGORIES].sort();
const validator = createConfigValidator();

interface EntryForm {
  name: string; type: ParameterType; group: string; category: ParameterCategory; description: string; unit: string;
  minValue: string; maxValue: string; allowedValues: string; defaultValue: string; validator: string; maxLength: string;
  consumedOutside: string; critical: boolean; hotReloadable: boolean; excludedFromFtf: boolean; reason: string;
}

const blank: EntryForm = { name: 'CVN_', type: 'INT', group: '', category: 'THRESHOLD', description: '', unit: '', minValue: '', maxValue: '', allowedValues: '', defaultValue: '', validator: '', maxLength: '', consumedOutside: '', critical: false, hotReloadable: false, excludedFromFtf: false, reason: '' };

function fromEntry(e: Entry): EntryForm {
  return { name: e.name, type: e.type, group: e.group, category: e.category, description: e.description, unit: e.unit ?? '', minValue: e.minValue?.toString() ?? '', maxValue: e.maxValue?.toString() ?? '', allowedValues: e.allowedValues.join(', '), defaultValue: e.defaultValue ?? '', validator: e.validator ?? '', maxLength: e.maxLength?.toString() ?? '', consumedOutside: e.consumedOutside ?? '', critical: e.critical, hotReloadable: e.hotReloadable, excludedFromFtf: e.excludedFromFtf, reason: '' };
}

/** The form as API fields: empty text means "none". */
function toFields(f: EntryForm) {
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  return {
    type: f.type, group: f.group.trim(), category: f.category, description: f.description.trim(), unit: f.unit.trim() || null,
    minValue: f.type === 'INT' || f.type === 'FLOAT' ? num(f.minValue) : null,
    maxValue: f.type === 'INT' || f.type === 'FLOAT' ? num(f.maxValue) : null,
    allowedValues: f.type === 'ENUM' ? f.allowedValues.split(',').map((s) => s.trim()).filter(Boolean) : [],
    defaultValue: f.defaultValue.trim() || null, validator: f.validator.trim() || null, critical: f.critical, hotReloadable: f.hotReloadable,
    // Empty: the server's global ceiling (MAX_VALUE_LENGTH).
    maxLength: num(f.maxLength),
    excludedFromFtf: f.excludedFromFtf,
    // Empty: the code the drift check scans must consume it.
    consumedOutside: f.consumedOutside.trim() || null,
  };
}

function EntryEditor({ entry, onDone }: { entry: Entry | null; onDone: (message: string) => void }) {
  const client = useClient();
  const [createState, create] = useMutation(CreateCatalogEntryDocument);
  const [updateState, update] = useMutation(UpdateCatalogEntryDocument);
  const [error, setError] = useState<DescribedError | null>(null);
  const [check, setCheck] = useState<{ message: string; parameter?: string | null; field?: string | null; environment?: string | null }[] | null>(null);
  const { register, handleSubmit, watch, formState: { errors } } = useForm<EntryForm>({ defaultValues: entry ? fromEntry(entry) : blank });
  const form = watch();
  const mode = entry ? 'UPDATE' : 'CREATE';
  const expressionProblem = form.validator.trim() ? validator.checkExpression(form.validator.trim())?.message ?? null : null;
  const key = JSON.stringify(form);

  // Live check against the server (the values environments hold), debounced.
  useEffect(() => {
    const id = setTimeout(() => {
      const { reason: _reason, name, ...rest } = JSON.parse(key) as EntryForm;
      void client.query(CatalogCheckDocument, { input: { mode, name, ...toFields({ ...rest, name, reason: '' }) } }, { requestPolicy: 'network-only' }).toPromise().then((r) => {
        if (r.data) setCheck(r.data.checkCatalogEntry);
      });
    }, 300);
    return () => clearTimeout(id);
  }, [key, mode, client]);

  const submit = handleSubmit(async (f) => {
    setError(null);
    const result = entry
      ? await update({ input: { name: entry.name, expectedRevision: entry.revision, reason: f.reason.trim(), ...toFields(f) } })
      : await create({ input: { name: f.name.trim(), reason: f.reason.trim(), ...toFields(f) } });
    if (result.error) return setError(describeApiError(result.error));
    onDone(entry ? `Saved ${entry.name} as revision ${entry.revision + 1}.` : `Created ${f.name.trim()}.`);
  });

  // Violations that name a form field (live check or the server's refusal) sit under that field.
  const placed = new Set(['name', 'group', 'description', 'unit', 'minValue', 'maxValue', 'allowedValues', 'defaultValue', 'validator', 'maxLength', 'consumedOutside', 'reason']);
  const messagesFor = (name: string) => [...(check ?? []).filter((v) => v.field === name).map((v) => v.message), ...(error?.byField.get(name) ?? [])];
  const fieldError = (name: string) => {
    const messages = messagesFor(name);
    return messages.length ? <p id={`cat-${name}-error`} className="field-error" data-testid={`cat-${name}-error`}>{[...new Set(messages)].join(' ')}</p> : null;
  };
  const field = (name: keyof EntryForm, label: string, props: Record<string, unknown> = {}) => (
    <>
      <label htmlFor={`cat-${name}`}>{label}</label>
      <input id={`cat-${name}`} {...register(name)} {...props} aria-invalid={messagesFor(name).length ? true : undefined} aria-describedby={messagesFor(name).length ? `cat-${name}-error` : undefined} />
      {fieldError(name)}
    </>
  );

  return (
    <form className="form-grid card" noValidate onSubmit={submit} aria-label={entry ? `Edit ${entry.name}` : 'New parameter'}>
      <h2>{entry ? `Edit ${entry.name} (revision ${entry.revision})` : 'New parameter'}</h2>
      {!entry && field('name', 'Name (permanent)', { autoComplete: 'off' })}
      <label htmlFor="cat-type">Type</label>
      <select id="cat-type" {...register('type')} disabled={!!entry}>{types.map((t) => <option key={t}>{t}</option>)}</select>
      <label htmlFor="cat-category">Category</label>
      <select id="cat-category" {...register('category')}>{categories.map((c) => <option key={c}>{c}</option>)}</select>
      {field('group', 'Group')}
      <label htmlFor="cat-description">Description</label>
      <textarea id="cat-description" rows={2} {...register('description')} />
      {fieldError('description')}
      {field('unit', 'Unit')}
      {(form.type === 'INT' || form.type === 'FLOAT') && <>{field('minValue', 'Minimum', { inputMode: 'decimal' })}{field('maxValue', 'Maximum', { inputMode: 'decimal' })}</>}
      {form.type === 'ENUM' && field('allowedValues', 'Allowed values (comma-separated)')}
      {field('defaultValue', 'Default value')}
      {field('maxLength', 'Longest value (characters; empty: the server\'s limit)', { inputMode: 'numeric' })}
      <label htmlFor="cat-validator">Validator (CEL over value and params)</label>
      <input id="cat-validator" {...register('validator')} aria-describedby="cat-validator-check" />
      <p id="cat-validator-check" className={expressionProblem ? 'field-error' : 'muted'}>{expressionProblem ?? (form.validator.trim() ? 'The expression compiles.' : 'No validator.')}</p>
      <label><input type="checkbox" {...register('critical')} /> Critical (changes need approval)</label>
      <label><input type="checkbox" {...register('hotReloadable')} /> Hot-reloadable</label>
      <label><input type="checkbox" {...register('excludedFromFtf')} /> Excluded from experiments (never an FTF factor)</label>
      {field('consumedOutside', 'Consumed outside the scanned code by (e.g. python-training-harness; empty: the scanned code reads it)', { autoComplete: 'off' })}
      <label htmlFor="cat-reason">Reason (required)</label>
      <textarea id="cat-reason" rows={2} {...register('reason', { validate: (v) => v.trim().length >= 3 || 'Say why (at least 3 characters): it goes into the catalog history.' })} aria-invalid={errors.reason ? true : undefined} />
      {errors.reason && <p className="field-error">{errors.reason.message}</p>}
      <section aria-live="polite" data-testid="live-check">
        {check === null ? <p className="muted">Checking…</p> : check.length === 0 ? <p className="rule-ok">Live check: this definition can be saved; every value environments hold stays valid.</p> : (
          <ul>{check.map((v, i) => <li key={i} className="field-error">{v.environment && !v.message.includes(v.environment) ? `${v.environment}: ` : ''}{v.message}{v.field && placed.has(v.field) ? ' (see the field above)' : ''}</li>)}</ul>
        )}
      </section>
      {error && <p className="field-error" role="alert">{error.summary}</p>}
      <div className="actions"><button type="submit" className="primary" disabled={createState.fetching || updateState.fetching}>{entry ? 'Save definition' : 'Create parameter'}</button></div>
    </form>
  );
}

/** Retires one allowed value of an ENUM: refused from now on (stored values stay until changed), and gone from every FTF grid. */
function DeprecateValueForm({ entry, onDone }: { entry: Entry; onDone: (m: string) => void }) {
  const [state, update] = useMutation(UpdateCatalogEntryDocument);
  const [error, setError] = useState<DescribedError | null>(null);
  const { register, handleSubmit, formState: { errors } } = useForm<{ value: string; reason: string }>({ defaultValues: { value: entry.allowedValues[0] ?? '', reason: '' } });
  const submit = handleSubmit(async ({ value, reason }) => {
    setError(null);
    const result = await update({ input: {
      name: entry.name, expectedRevision: entry.revision, reason: reason.trim(),
      allowedValues: entry.allowedValues.filter((v) => v !== value),
      deprecatedValues: [...entry.deprecatedValues.map(({ value: v, reason: r }) => ({ value: v, reason: r })), { value, reason: reason.trim() }],
    } });
    if (result.error) return setError(describeApiError(result.error));
    onDone(`Deprecated the value ${value} of ${entry.name}.`);
  });
  return (
    <form className="form-grid card" noValidate onSubmit={submit} aria-label={`Deprecate a value of ${entry.name}`}>
      <h2>Deprecate a value of {entry.name}</h2>
      <label htmlFor="depv-value">Value</label>
      <select id="depv-value" {...register('value')}>{entry.allowedValues.map((v) => <option key={v}>{v}</option>)}</select>
      <label htmlFor="depv-reason">Reason shown to operators (required)</label>
      <textarea id="depv-reason" rows={2} {...register('reason', { validate: (v) => v.trim().length >= 3 || 'Say why the value is refused (at least 3 characters).' })} />
      {errors.reason && <p className="field-error">{errors.reason.message}</p>}
      {error && <p className="field-error" role="alert">{error.summary}</p>}
      <div className="actions"><button type="submit" className="danger" disabled={state.fetching || entry.allowedValues.length < 2}>Deprecate value</button></div>
    </form>
  );
}

function DeprecateForm({ entry, entries, onDone }: { entry: Entry; entries: readonly Entry[]; onDone: (m: string) => void }) {
  const [state, deprecate] = useMutation(DeprecateCatalogEntryDocument);
  const [error, setError] = useState<DescribedError | null>(null);
  const { register, handleSubmit, formState: { errors } } = useForm<{ reason: string; replacement: string }>({ defaultValues: { reason: '', replacement: '' } });
  const submit = handleSubmit(async ({ reason, replacement }) => {
    setError(null);
    const result = await deprecate({ input: { name: entry.name, reason: reason.trim(), replacementName: replacement || null, expectedRevision: entry.revision } });
    if (result.error) return setError(describeApiError(result.error));
    onDone(`Deprecated ${entry.name}${replacement ? `; operators are pointed to ${replacement}` : ''}.`);
  });
  return (
    <form className="form-grid card" noValidate onSubmit={submit} aria-label={`Deprecate ${entry.name}`}>
      <h2>Deprecate {entry.name}</h2>
      <label htmlFor="dep-replacement">Replacement</label>
      <select id="dep-replacement" {...register('replacement')}>
        <option value="">(none)</option>
        {entries.filter((e) => !e.deprecated && e.name !== entry.name && e.type === entry.type).map((e) => <option key={e.name}>{e.name}</option>)}
      </select>
      <label htmlFor="dep-reason">Reason (required)</label>
      <textarea id="dep-reason" rows={2} {...register('reason', { validate: (v) => v.trim().length >= 3 || 'Say why it is deprecated (at least 3 characters).' })} />
      {errors.reason && <p className="field-error">{errors.reason.message}</p>}
      {error && <p className="field-error" role="alert">{error.summary}</p>}
      <div className="actions"><button type="submit" className="danger" disabled={state.fetching}>Deprecate</button></div>
    </form>
  );
}

export default function CatalogAdminPage() {
  const { user } = useSession();
  const client = useClient();
  const [{ data, fetching, error }] = useQuery({ query: CatalogAdminEntriesDocument, requestPolicy: 'cache-and-network' });
  const [search, setSearch] = useState('');
  // The audit trail links an entry's events here (`?entry=NAME`).
  const [selected, setSelected] = useState<string | null>(() => new URLSearchParams(window.location.search).get('entry'));
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const entries = useMemo(() => data?.catalog.edges.map((e) => e.node) ?? [], [data]);
  const entry = entries.find((e) => e.name === selected) ?? null;
  const needle = search.trim().toLowerCase();
  const shown = needle ? entries.filter((e) => e.name.toLowerCase().includes(needle) || e.group.toLowerCase().includes(needle)).slice(0, 50) : [];
  const [sweepEnvironment, setSweepEnvironment] = useState('dev');
  const sweeps = useSweepParticipation(sweepEnvironment, shown.map((e) => e.name));

  if (!hasRole(user, 'ADMIN')) return <main id="main" className="page"><h1>Catalog</h1><p className="notice">Only an admin can change the catalog.</p></main>;
  // The notice appears once the list holds the new revision: the forms below
  // then show what was saved, and a deprecation sends the revision it saw.
  const done = async (message: string) => {
    setCreating(false);
    await client.query(CatalogAdminEntriesDocument, {}, { requestPolicy: 'network-only' }).toPromise();
    setNotice(message);
  };

  return (
    <main id="main" className="page">
      <div className="page-head"><h1>Catalog administration</h1><button type="button" onClick={() => { setCreating(true); setSelected(null); }}>New parameter</button></div>
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <QueryError error={error} />}
      {!data && fetching && <Loading label="Loading the catalog…" />}
      <div className="filters">
        <span className="inline-field grow"><label htmlFor="cat-search">Find a parameter</label><input id="cat-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} /></span>
        <EnvironmentPicker id="cat-sweep-env" label="Sweeps in" value={sweepEnvironment} onChange={setSweepEnvironment} />
      </div>
      {needle && shown.length === 0 && <EmptyState>No parameter matches.</EmptyState>}
      {shown.length > 0 && (
        <ul className="card-list" aria-label="Matching parameters">
          {shown.map((e) => (
            <li key={e.name}><button type="button" className="link-button" onClick={() => { setSelected(e.name); setCreating(false); }}>{e.name}</button> <span className="muted">{e.group}{e.deprecated ? ' · deprecated' : ''}{e.consumedOutside ? ` · read by ${e.consumedOutside}` : ''}</span>
              {sweeps.has(e.name) && <span className="muted" data-testid={`sweep-${e.name}`}> · sweeps: {describeParticipation(sweeps.get(e.name)!)}</span>}</li>
          ))}
        </ul>
      )}
      {creating && <EntryEditor key="new" entry={null} onDone={done} />}
      {entry && !creating && (
        <>
          <EntryEditor key={`${entry.name}@${entry.revision}`} entry={entry} onDone={done} />
          <SweepDetail environment={sweepEnvironment} name={entry.name} />
          {!entry.deprecated && entry.type === 'ENUM' && <DeprecateValueForm key={`depv-${entry.name}@${entry.revision}`} entry={entry} onDone={done} />}
          {!entry.deprecated && <DeprecateForm key={`dep-${entry.name}`} entry={entry} entries={entries} onDone={done} />}
        </>
      )}
      <RulesSection />
    </main>
  );
}
