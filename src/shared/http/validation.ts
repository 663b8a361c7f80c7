import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { ValidationFailedError, type FieldError } from '../errors/domain-error';

/**
 * One message per field, saying what is wrong with what was sent: a missing value is "is
 * required" (whatever else its constraints would ask of a value), an unknown one "is not a known
 * field" (a parameter, in a query), and otherwise class-validator's message for the kind of value
 * it must be, else its first one ("name must be shorter than …").
 */
function message(e: ValidationError, field: string): string {
  const constraints = e.constraints ?? {};
  if ('whitelistValidation' in constraints) return `${field} is not a known field`;
  // optional fields are skipped when absent, so an error on an absent value means it is required
  if (e.value === undefined || e.value === null) return `${field} is required`;
  // what kind of value it must be says more than a bound that a value of the wrong kind fails too
  const name = TYPE_FIRST.find((c) => c in constraints) ?? Object.keys(constraints)[0];
  const text = name ? constraints[name] : undefined;
  return text ? text.replace(new RegExp(`^${escape(e.property)}\\b`), field) : `${field} is invalid`;
}

const TYPE_FIRST = ['isDefined', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'isDate', 'isUuid', 'isEnum', 'isIn'];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out.push({ field, message: message(e, field) });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** Query strings have parameters, bodies fields: the same checks, worded for where they failed. */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (err) {
      if (metadata.type === 'query' && err instanceof ValidationFailedError && err.details) {
        throw new ValidationFailedError(err.details.map((d) => ({ field: d.field, message: d.message.replace(/ is not a known field$/, ' is not a known parameter') })));
      }
      throw err;
    }
  }
}

/** The global pipe: whitelist, forbid unknown fields, transform; errors as VALIDATION_FAILED with one detail per field. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
