import { z } from 'zod';
import { VersionKind } from '../../generated/prisma/enums.ts';
import type { ConfigChangedEvent } from '../../realtime/pubsub.ts';

// What the config_changed trigger puts in the notification when the event
// fits (prisma/migrations/20261217000000_notify_carries_the_event): the same
// fields readVersionEvents reads back. Checked, not trusted: a payload of
// another shape (an older trigger, a hand-sent NOTIFY) makes the bridge read
// the version instead.
const change = z.object({ name: z.string(), before: z.string().nullable(), after: z.string().nullable() });
const carried = z.object({
  kind: z.enum(Object.values(VersionKind) as [VersionKind, ...VersionKind[]]),
  createdAt: z.string().transform((at, ctx) => {
    const date = new Date(at);
    if (Number.isNaN(date.getTime())) ctx.addIssue({ code: 'custom', message: 'not a timestamp' });
    return date;
  }),
  author: z.string(),
  changes: z.array(change),
});

/**
 * The event a config_changed notification carries for `environment` and
 * `version`, or undefined when it carries none (a version too large for a
 * payload) or one that does not parse.
 */
export function versionEventInNotification(environment: string, version: number, message: Record<string, unknown>): ConfigChangedEvent | undefined {
  if (message.event === undefined) return undefined;
  const parsed = carried.safeParse(message.event);
  if (!parsed.success) return undefined;
  const { kind, createdAt, author, changes } = parsed.data;
  return { environment, version, kind, changedKeys: changes.map((c) => c.name), changes, author, createdAt };
}
