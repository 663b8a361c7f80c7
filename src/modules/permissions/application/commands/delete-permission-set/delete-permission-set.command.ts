import { Command } from '@nestjs/cqrs';
import type { Actor } from '@shared/event-log/event.types';

/** Deletes a set with its integrations and members. */
export class DeletePermissionSetCommand extends Command<void> {
  constructor(
    readonly tenant: string,
    readonly actor: Actor,
    readonly permissionSetId: string,
  ) {
    super();
  }
}
