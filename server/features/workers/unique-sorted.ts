/** Names as stored: trimmed, blanks dropped, each once, sorted. */
export function uniqueSorted(names: string[]): string[] {
  // The common case (an apply report of one changed parameter) without a Set and a sort.
  if (names.length === 1) {
    const name = names[0]!.trim();
    return name ? [name] : [];
  }
  return [...new Set(names.map((name) => name.trim()).filter(Boolean))].sort();
}
