/**
 * SQL for row-level security on a tenant table: FORCE makes it apply to the owner too (the app
 * role owns the tables). A row is visible when it belongs to the transaction's tenant, or when
 * the transaction runs in the explicit system scope. Used by migrations.
 */
export function tenantRlsSql(table: string): string[] {
  const cond = `tenant_id = current_setting('app.tenant_id', true) or current_setting('app.scope', true) = 'system'`;
  return [
    `alter table ${table} enable row level security`,
    `alter table ${table} force row level security`,
    `create policy tenant_isolation on ${table} using (${cond}) with check (${cond})`,
  ];
}
