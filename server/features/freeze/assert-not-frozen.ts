import type { Tx } from '../../db/transaction.ts';
import { AppError } from '../../errors/index.ts';
import { activeFreezeWindowWhere } from './active-freeze-window.ts';

/** Refuses a write while a freeze window of the environment is open (checked under the environment lock). */
export async function assertNotFrozen(tx: Tx, environment: { id: string; name: string }): Promise<void> {
  const window = await tx.freezeWindow.findFirst({
    where: { environmentId: environment.id, ...activeFreezeWindowWhere() },
    orderBy: { endsAt: 'desc' },
  });
  if (window) {
    throw new AppError(
      'FROZEN',
      `${environment.name} is frozen until ${window.endsAt.toISOString()}: ${window.reason}`,
      { environment: environment.name, freezeWindowId: window.id, endsAt: window.endsAt.toISOString(), reason: window.reason },
    );
  }
}
