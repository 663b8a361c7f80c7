import { Command } from '@nestjs/cqrs';
import type { Actor } from '@shared/event-log/event.types';

/** Creates an empty permission set; answers its id. */
export class CreatePermissionSetCommand extends Command<string> {
  constructor(
    readonly tenant: string,
    readonly actor: Actor,
    /** trimmed by the set; 1–100 characters, unique per tenant */
    readonly name: string,
  ) {
    super();
  }
}
