import type { CatalogEntryFieldsFragment } from '../../gql/graphql.ts';

/** The typed control of one editable parameter: a choice list, a switch, a number or a text field. */
export function ParameterInput({ entry, inputId, value, disabled, describedBy, invalid, onSet }: {
  entry: CatalogEntryFieldsFragment; inputId: string; value: string; disabled: boolean; describedBy: string; invalid: true | undefined; onSet: (raw: string) => void;
}) {
  switch (entry.type) {
    case 'ENUM': {
      const options = entry.allowedValues.includes(value) || value === '' ? entry.allowedValues : [value, ...entry.allowedValues];
      return (
        <select id={inputId} value={value} disabled={disabled} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => onSet(e.target.value)}>
          {value === '' && <option value="">(no value)</option>}
          {options.map((option) => <option key={option} value={option}>{option}</option>)}
        </select>
      );
    }
    case 'BOOL':
      return (
        <input
          id={inputId}
          type="checkbox"
          role="switch"
          className="switch"
          checked={value === 'true'}
          aria-checked={value === 'true'}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(e) => onSet(e.target.checked ? 'true' : 'false')}
        />
      );
    case 'INT':
    case 'FLOAT':
      return (
        <input
          id={inputId}
          type="number"
          inputMode={entry.type === 'INT' ? 'numeric' : 'decimal'}
          step={entry.type === 'INT' ? 1 : 'any'}
          min={entry.minValue ?? undefined}
          max={entry.maxValue ?? undefined}
          value={value}
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          onChange={(e) => onSet(e.target.value)}
        />
      );
    default:
      return <input id={inputId} type="text" value={value} disabled={disabled} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => onSet(e.target.value)} />;
  }
}
