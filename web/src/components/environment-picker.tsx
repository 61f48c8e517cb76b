import { useQuery } from 'urql';
import { EnvironmentsDocument } from '../gql/graphql.ts';

/** A labelled select of the environments; `onChange` gets the chosen name. */
export function EnvironmentPicker({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (name: string) => void }) {
  const [{ data }] = useQuery({ query: EnvironmentsDocument });
  const names = data?.environments.map((e) => e.name) ?? [value];
  return (
    <span className="inline-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {names.map((name) => <option key={name} value={name}>{name}</option>)}
      </select>
    </span>
  );
}
