/** Names as stored: trimmed, blanks dropped, each once, sorted. */
export function uniqueSorted(names: string[]): string[] {
  return [...new Set(names.map((name) => name.trim()).filter(Boolean))].sort();
}
