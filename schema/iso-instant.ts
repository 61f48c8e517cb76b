// What the agent sends (Date#toISOString, "2026-12-03T10:00:00.123Z"): read
// from its digits, without the scalar's general RFC 3339 parser nor a
// Date string parse and format, when every field is in range; anything else
// (another offset, more digits, a 30th of February) is left to the scalar
// (report-worker-apply-direct.ts).
const digitAt = (text: string, index: number) => {
  const digit = text.charCodeAt(index) - 48;
  return digit >= 0 && digit <= 9 ? digit : NaN;
};
const twoDigits = (text: string, index: number) => digitAt(text, index) * 10 + digitAt(text, index + 1);
const separators: [number, string][] = [[4, '-'], [7, '-'], [10, 'T'], [13, ':'], [16, ':'], [19, '.'], [23, 'Z']];

/** The instant of a Date#toISOString text of the years 1900-2099, or undefined. */
export function isoInstant(text: string): Date | undefined {
  if (text.length !== 24 || separators.some(([index, char]) => text[index] !== char)) return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const millisecond = digitAt(text, 20) * 100 + twoDigits(text, 21);
  // NaN (a non-digit) fails every comparison below.
  if (!(year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59 && millisecond >= 0)) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millisecond));
}
