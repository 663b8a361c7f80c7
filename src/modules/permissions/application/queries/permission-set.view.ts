import type { PermissionSetRecord } from '../../domain/permission-set.repository.port';

/** The PermissionSet resource of API.md. */
export interface PermissionSetView {
  id: string;
  name: string;
  integrationIds: string[];
  memberIds: string[];
  createdAt: string;
}

export function permissionSetView(r: PermissionSetRecord): PermissionSetView {
  return {
    id: r.id,
    name: r.name,
    integrationIds: r.integrationIds,
    memberIds: r.memberIds,
    createdAt: r.createdAt.toISOString(),
  };
}
