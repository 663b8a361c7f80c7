import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { pageOf } from '@shared/http/openapi';

/** A permission set as the OpenAPI document describes it (API.md "Permission sets"). */
@ApiSchema({ name: 'PermissionSet' })
export class PermissionSetResponse {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, minLength: 1, maxLength: 100, example: 'Support team' })
  name!: string;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'the integrations its members may see',
  })
  integrationIds!: string[];

  @ApiProperty({ type: [String], description: 'user ids (token sub)', example: ['alice'] })
  memberIds!: string[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
}

export const PermissionSetListResponse = pageOf(PermissionSetResponse, 'PermissionSetList', true);
