/** A labelled select of the runs filter form; the empty choice ("any") leaves the filter out. */
export function SelectFilter({ name, label, value, options }: { name: string; label: string; value: string | undefined; options: readonly (readonly [value: string, label: string])[] }) {
  const id = `runs-${name}`;
  return (
    <span className="inline-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value ?? ''}>
        <option value="">any</option>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </span>
  );
}
