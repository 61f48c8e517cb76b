import type { Tx } from '../../db/transaction.ts';
import { AppError } from '../../errors/index.ts';
import { activeFreezeWindowWhere } from './active-freeze-window.ts';

/** Refuses a write while a freeze window of the environment is open (checked under the environment lock). */
export async function assertNotFrozen(tx: Tx, environment: { id: string; name: string }): Promise<void> {
  const window = await tx.freezeWindow.findFirst({
    where: { environmentId: environment.id, ...activeFreezeWindowWhere() },
    orderBy: { endsAt: 'desc' },
  });
  if (window) throw frozenError(environment.name, window);
}

/** The refusal of a save while `window` is open (the writer's one-statement save meets it in SQL). */
export function frozenError(environment: string, window: { id: string; endsAt: Date; reason: string }): AppError {
  return new AppError(
    'FROZEN',
    `${environment} is frozen until ${window.endsAt.toISOString()}: ${window.reason}`,
    { environment, freezeWindowId: window.id, endsAt: window.endsAt.toISOString(), reason: window.reason },
  );
}
