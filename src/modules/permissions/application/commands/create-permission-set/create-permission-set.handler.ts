import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Database } from '@shared/database/database';
import { EventLog } from '@shared/event-log/event-log';
import { PermissionSet } from '../../../domain/permission-set.aggregate';
import { PermissionSetNameTakenError } from '../../../domain/permission-set.errors';
import {
  PERMISSION_SET_REPOSITORY,
  type PermissionSetRepositoryPort,
} from '../../../domain/permission-set.repository.port';
import { CreatePermissionSetCommand } from './create-permission-set.command';

@CommandHandler(CreatePermissionSetCommand)
export class CreatePermissionSetHandler implements ICommandHandler<
  CreatePermissionSetCommand,
  string
> {
  constructor(
    private readonly db: Database,
    private readonly eventLog: EventLog,
    @Inject(PERMISSION_SET_REPOSITORY) private readonly sets: PermissionSetRepositoryPort,
  ) {}

  async execute(c: CreatePermissionSetCommand): Promise<string> {
    const set = PermissionSet.create(randomUUID(), c.name, c.actor);
    return this.db.inTenant(c.tenant, async (tx) => {
      if (!(await this.sets.insert(tx, set))) throw new PermissionSetNameTakenError(set.name);
      await this.eventLog.append(tx, set.pullEvents());
      return set.id;
    });
  }
}
