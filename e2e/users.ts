// The e2e accounts: e2e/write-config.ts puts their hashes (made at serve time) in the e2e config,
// e2e/auth.setup.ts logs in with them. Test-only passwords, never used anywhere else.
export const E2E_USERS = {
  viewer: { name: 'e2e-viewer', password: 'viewer-e2e-password-4821', role: 'viewer' },
  operator: { name: 'e2e-operator', password: 'operator-e2e-password-9377', role: 'operator' },
  admin: { name: 'e2e-admin', password: 'admin-e2e-password-1064', role: 'admin' },
} as const;
export type E2eRole = keyof typeof E2E_USERS;

/** Playwright storage state (cookies) per role, written by auth.setup.ts. */
export const storageStateFile = (role: E2eRole): string => `test-results/e2e-auth/${role}.json`;
