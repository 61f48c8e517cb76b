// The freeze slice's face: windows in which an environment refuses every save.
// The write path refuses saves through assertNotFrozen; the service plans and
// cancels windows; the read model shows them.
export { assertNotFrozen, frozenError } from './assert-not-frozen.ts';
export { activeFreezeWindowWhere, isFreezeWindowActive, pendingFreezeWindowsWhere } from './active-freeze-window.ts';
export {
  createFreezeWindowService, type CancelFreezeWindowInput, type CreateFreezeWindowInput,
  type FreezeWindowService, type FreezeWindowServiceDeps,
} from './freeze-window-service.ts';
export { createFreezeWindowReads, type FreezeWindowReads } from './freeze-window-reads.ts';
