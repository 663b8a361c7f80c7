import { Inject } from '@nestjs/common';
import { CommandHandler, QueryBus, type ICommandHandler } from '@nestjs/cqrs';
import { GetIntegrationQuery } from '@modules/integrations/contracts';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { NotFoundError } from '@shared/errors/domain-error';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';
import { AddIntegrationToPermissionSetCommand } from './add-integration-to-permission-set.command';

@CommandHandler(AddIntegrationToPermissionSetCommand)
export class AddIntegrationToPermissionSetHandler implements ICommandHandler<
  AddIntegrationToPermissionSetCommand,
  void
> {
  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    private readonly queries: QueryBus,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute(c: AddIntegrationToPermissionSetCommand): Promise<void> {
    // Integrations answers whether the tenant has it, before (and outside) our transaction: a set
    // never shares an integration that does not exist (or is another tenant's).
    const integration = await this.queries.execute(
      new GetIntegrationQuery(c.tenant, c.integrationId),
    );
    if (!integration) throw new NotFoundError('Integration');
    await this.db.inTenant(c.tenant, async (tx) => {
      const set = await this.sets.load(tx, c.permissionSetId);
      if (!set) throw new NotFoundError('Permission set');
      set.addIntegration(c.integrationId, c.actor);
      if (!set.hasChanges) return;
      await this.sets.save(tx, set);
      await this.eventLog.append(tx, set.pullEvents());
    });
  }
}
