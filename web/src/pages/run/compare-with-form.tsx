import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';

/** Compare this run with any other, named by its id (the runs list's selection does the same). */
export function CompareWithForm({ runId }: { runId: string }) {
  const [, navigate] = useLocation();
  const [other, setOther] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (other.trim()) navigate(`/runs/compare?a=${encodeURIComponent(runId)}&b=${encodeURIComponent(other.trim())}`);
  };
  return (
    <form className="inline-field" onSubmit={submit}>
      <label htmlFor="compare-with">Compare with run id</label>
      <input id="compare-with" value={other} onChange={(e) => setOther(e.target.value)} placeholder="another run's id" />
      <button type="submit" disabled={!other.trim()}>Compare</button>
    </form>
  );
}
