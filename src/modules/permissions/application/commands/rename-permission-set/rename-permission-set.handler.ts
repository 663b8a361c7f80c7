import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { NotFoundError } from '@shared/errors/domain-error';
import { PermissionSetNameTakenError } from '../../../domain/permission-set.errors';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';
import { RenamePermissionSetCommand } from './rename-permission-set.command';

@CommandHandler(RenamePermissionSetCommand)
export class RenamePermissionSetHandler implements ICommandHandler<
  RenamePermissionSetCommand,
  void
> {
  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute(c: RenamePermissionSetCommand): Promise<void> {
    await this.db.inTenant(c.tenant, async (tx) => {
      const set = await this.sets.load(tx, c.permissionSetId);
      if (!set) throw new NotFoundError('Permission set');
      set.rename(c.name, c.actor);
      if (!set.hasChanges) return;
      // the unique name is the database's to guard (it spans sets); a refusal rolls the rename back
      if (!(await this.sets.save(tx, set))) throw new PermissionSetNameTakenError(set.name);
      await this.eventLog.append(tx, set.pullEvents());
    });
  }
}
