import { Command } from '@nestjs/cqrs';
import type { Actor } from '@shared/event-log/event.types';

/** Adds a user to the set (idempotent). */
export class AddMemberToPermissionSetCommand extends Command<void> {
  constructor(
    readonly tenant: string,
    readonly actor: Actor,
    readonly permissionSetId: string,
    /** a user id (token sub) */
    readonly userId: string,
  ) {
    super();
  }
}
