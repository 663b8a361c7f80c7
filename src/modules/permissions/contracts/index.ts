/**
 * The permissions module's public surface. The access-scope queries it answers are the
 * platform's (`@shared/auth/access-scope`) and `ListPermissionSetIdsByIntegrationQuery` is
 * integrations' (`@modules/integrations/contracts`): no module imports permissions for them.
 */
export {};
