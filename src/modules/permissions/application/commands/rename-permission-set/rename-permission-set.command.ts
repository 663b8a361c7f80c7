import { Command } from '@nestjs/cqrs';
import type { Actor } from '@shared/event-log/event.types';

/** Renames a set (the same name again changes nothing). */
export class RenamePermissionSetCommand extends Command<void> {
  constructor(
    readonly tenant: string,
    readonly actor: Actor,
    readonly permissionSetId: string,
    /** trimmed by the set; 1–100 characters, unique per tenant */
    readonly name: string,
  ) {
    super();
  }
}
