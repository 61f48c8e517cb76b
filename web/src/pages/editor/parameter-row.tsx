import { memo } from 'react';
import type { CatalogEntryFieldsFragment } from '../../gql/graphql.ts';
import { ParameterInput } from './parameter-input.tsx';
import { ReadOnlyValue } from './read-only-value.tsx';

export interface ParameterRowProps {
  entry: CatalogEntryFieldsFragment;
  current: string | undefined;
  draft: string | undefined;
  errors: readonly string[] | undefined;
  canEdit: boolean;
  onChange: (name: string, raw: string | undefined) => void;
  onShowParameter: (name: string) => void;
}

function expectedText(entry: CatalogEntryFieldsFragment): string {
  const unit = entry.unit ? ` ${entry.unit}` : '';
  switch (entry.type) {
    case 'INT':
    case 'FLOAT': {
      const kind = entry.type === 'INT' ? 'integer' : 'number';
      if (entry.minValue != null && entry.maxValue != null) return `${kind}, ${entry.minValue} to ${entry.maxValue}${unit}`;
      if (entry.minValue != null) return `${kind}, at least ${entry.minValue}${unit}`;
      if (entry.maxValue != null) return `${kind}, at most ${entry.maxValue}${unit}`;
      return `${kind}${unit}`;
    }
    case 'ENUM':
      return `one of ${entry.allowedValues.length} values`;
    case 'BOOL':
      return 'on or off';
    default:
      return `text${unit}`;
  }
}

/** One parameter: its metadata, badges and a typed input. Memoised: only the rows whose value changes re-render. */
export const ParameterRow = memo(function ParameterRow({ entry, current, draft, errors, canEdit, onChange, onShowParameter }: ParameterRowProps) {
  const value = draft ?? current ?? '';
  const inputId = `param-${entry.name}`;
  const errorId = `${inputId}-error`;
  const helpId = `${inputId}-help`;
  const disabled = !canEdit || entry.deprecated;
  const set = (raw: string) => onChange(entry.name, raw === current ? undefined : raw);
  const describedBy = [helpId, errors?.length ? errorId : ''].filter(Boolean).join(' ');
  const invalid = errors?.length ? true : undefined;

  const input = canEdit
    ? <ParameterInput entry={entry} inputId={inputId} value={value} disabled={disabled} describedBy={describedBy} invalid={invalid} onSet={set} />
    : <ReadOnlyValue entry={entry} id={inputId} value={value} describedBy={describedBy} />;

  return (
    <div className={`param-row${draft !== undefined ? ' edited' : ''}${entry.deprecated ? ' deprecated' : ''}`} data-testid={`row-${entry.name}`}>
      <div className="param-head">
        {/* A read-only value is text, not a control: nothing for a label to point at. */}
        {canEdit ? <label htmlFor={inputId} className="param-name">{entry.name}</label> : <span className="param-name" id={`${inputId}-name`}>{entry.name}</span>}
        <span className="badges">
          <span className="badge type">{entry.type.toLowerCase()}</span>
          {entry.critical && <span className="badge critical" title="Changes need a second person's approval">critical</span>}
          {entry.hotReloadable ? <span className="badge hot" title="Workers apply it without a restart">hot reload</span> : <span className="badge restart" title="Workers apply it on restart">restart</span>}
          {entry.deprecated && <span className="badge deprecated">deprecated</span>}
        </span>
      </div>
      <div className="param-body">
        <div className="param-input">
          {input}
          {draft !== undefined && canEdit && (
            <button type="button" className="link-button" onClick={() => onChange(entry.name, undefined)} aria-label={`Undo the edit of ${entry.name}`}>Undo</button>
          )}
        </div>
        <p id={helpId} className="param-help">
          <span className="expected">{expectedText(entry)}</span>
          {entry.defaultValue != null && <span className="muted"> · default {entry.defaultValue}</span>}
          {entry.description && <span> · {entry.description}</span>}
          {entry.deprecated && (
            <span className="deprecation">
              {' '}· Deprecated{entry.deprecationReason ? `: ${entry.deprecationReason}` : ''}.
              {entry.replacement && (
                <>
                  {' '}Use{' '}
                  <button type="button" className="link-button" onClick={() => onShowParameter(entry.replacement!.name)}>{entry.replacement.name}</button>
                  {' '}instead.
                </>
              )}
            </span>
          )}
        </p>
        {errors?.length ? (
          <p id={errorId} className="field-error" role="alert">{errors.join(' ')}</p>
        ) : null}
      </div>
    </div>
  );
});
