import { ConflictError } from '@shared/errors/domain-error';

export class PermissionSetNameTakenError extends ConflictError {
  constructor(name: string) {
    super('PERMISSION_SET_NAME_TAKEN', `A permission set named "${name}" already exists`);
  }
}
