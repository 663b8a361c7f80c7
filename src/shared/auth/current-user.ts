export const ROLES = ['admin', 'agent', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller, from a verified token. */
export interface CurrentUser {
  id: string;
  tenant: string;
  roles: Role[];
  name?: string;
}

export const TENANT_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
