import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../errors/domain-error';
import { findUnstorable } from './storable';

/**
 * The global pipe after validation: every body, query and path value of every route, DTO or
 * not, is refused with 400 when PostgreSQL could not store it (a NUL, a lone surrogate, a date
 * outside years 0001–9999, an integer past 2^53), before any handler can send it to the database.
 */
@Injectable()
export class StorableInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query' && metadata.type !== 'param')
      return value;
    const bad = findUnstorable(value, metadata.data ?? '');
    if (bad) throw new ValidationFailedError([bad]);
    return value;
  }
}
