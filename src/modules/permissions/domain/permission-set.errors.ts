import { ConflictError, ValidationFailedError } from '@shared/errors/domain-error';

/** Another set of the tenant has that name (names are compared exactly: case counts). */
export class PermissionSetNameTakenError extends ConflictError {
  constructor(name: string) {
    super('PERMISSION_SET_NAME_TAKEN', `A permission set named "${name}" already exists`);
  }
}

/** A name that is blank or longer than 100 characters after trimming (the API's DTO refuses it first). */
export class PermissionSetNameInvalidError extends ValidationFailedError {
  constructor() {
    super([{ field: 'name', message: 'name must be 1–100 characters and not blank' }]);
  }
}
