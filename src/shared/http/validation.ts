import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidationFailedError, type FieldError } from '../errors/domain-error';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      out.push({ field, message: Object.values(e.constraints)[0] ?? 'is invalid' });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** The global pipe: whitelist, forbid unknown fields, transform; errors as VALIDATION_FAILED with one detail per field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new ValidationFailedError(flatten(errors)),
  });
}
