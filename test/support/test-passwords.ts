/** Passwords the test template is seeded with (test databases only). */
export const testPasswords: Record<string, string> = {
  admin: 'admin-test-password',
  approver: 'approver-test-password',
  editor: 'editor-test-password',
  viewer: 'viewer-test-password',
};

/** Argon2 at minimal cost: the same code path, fast enough for hundreds of sign-ins. */
export const testHasherOptions = { memoryCost: 1024, timeCost: 1 };
