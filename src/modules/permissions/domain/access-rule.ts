/**
 * What a caller's roles decide before any permission set is read: admins see every integration of
 * their tenant, agents those shared with them by the sets they belong to, anyone else (auditors)
 * none.
 */
export function accessByRole(roles: readonly string[]): 'all' | 'shared' | 'none' {
  if (roles.includes('admin')) return 'all';
  if (roles.includes('agent')) return 'shared';
  return 'none';
}
