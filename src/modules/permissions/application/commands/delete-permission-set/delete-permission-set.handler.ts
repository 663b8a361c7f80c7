import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { NotFoundError } from '@shared/errors/domain-error';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';
import { DeletePermissionSetCommand } from './delete-permission-set.command';

@CommandHandler(DeletePermissionSetCommand)
export class DeletePermissionSetHandler implements ICommandHandler<
  DeletePermissionSetCommand,
  void
> {
  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute(c: DeletePermissionSetCommand): Promise<void> {
    await this.db.inTenant(c.tenant, async (tx) => {
      const set = await this.sets.load(tx, c.permissionSetId);
      if (!set) throw new NotFoundError('Permission set');
      set.delete(c.actor);
      await this.sets.delete(tx, set);
      await this.eventLog.append(tx, set.pullEvents());
    });
  }
}
