import { useEffect, useState } from 'react';

// The validation core (zod + the CEL interpreter, the server's own code) is
// the largest part of the editor. The list does not need it, so it arrives as
// its own chunk after the list is on screen; until then the server is the only
// check, and the tray says the browser check is still loading.
type Core = typeof import('../../../../contract/validation/index.ts');

export interface Validation {
  core: Core;
  validator: ReturnType<Core['createConfigValidator']>;
}

let loaded: Validation | undefined;
let loading: Promise<Validation> | undefined;

export function loadValidation(): Promise<Validation> {
  loading ??= import('../../../../contract/validation/index.ts').then((core) => {
    loaded = { core, validator: core.createConfigValidator() };
    performance.mark('ucp:validation-ready');
    return loaded;
  });
  return loading;
}

/** The validation core once loaded (null before); starts loading on first use. */
export function useValidation(): Validation | null {
  const [validation, setValidation] = useState<Validation | null>(loaded ?? null);
  useEffect(() => {
    if (validation) return;
    let live = true;
    void loadValidation().then((v) => { if (live) setValidation(v); });
    return () => { live = false; };
  }, [validation]);
  return validation;
}
