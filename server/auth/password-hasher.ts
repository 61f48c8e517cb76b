import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2 exports Algorithm as a const enum, which isolated modules cannot read.
const argon2id = 2;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/**
 * Argon2id (OWASP's first choice). The defaults follow OWASP's minimum
 * (19 MiB, 2 passes); tests pass a cheaper cost so hundreds of sign-ins
 * stay fast, which changes nothing in the code path.
 */
export function createPasswordHasher({ memoryCost = 19_456, timeCost = 2 }: { memoryCost?: number; timeCost?: number } = {}): PasswordHasher {
  const options = { algorithm: argon2id, memoryCost, timeCost, parallelism: 1 };
  return {
    hash: (password) => hash(password, options),
    verify: async (stored, password) => {
      try {
        return await verify(stored, password);
      } catch {
        return false;
      }
    },
  };
}
