import { Command } from '@nestjs/cqrs';
import type { Actor } from '@shared/event-log/event.types';

/** Shares an integration with the set's members (idempotent). */
export class AddIntegrationToPermissionSetCommand extends Command<void> {
  constructor(
    readonly tenant: string,
    readonly actor: Actor,
    readonly permissionSetId: string,
    /** the TikTok integration (Echo id) */
    readonly integrationId: string,
  ) {
    super();
  }
}
