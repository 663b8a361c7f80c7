import { DEFAULT_TEXT_LIMIT } from '@shared/config/app-config';
import { Controller, Get, Inject } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiSchema,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '@shared/auth/decorators';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';

/** `GET /inbox/settings` (API.md "Settings and the response target"). */
@ApiSchema({ name: 'InboxSettings' })
export class InboxSettingsResponse {
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 10080,
    example: null,
    description: 'the first-response target in minutes; null: none',
  })
  firstResponseTargetMinutes!: number | null;

  // the default, not this deployment's value: the generated client must not change with a setting
  @ApiProperty({
    type: 'integer',
    example: DEFAULT_TEXT_LIMIT,
    default: DEFAULT_TEXT_LIMIT,
    description: `the most characters (Unicode code points) of a reply or comment: TIKTOK_TEXT_LIMIT, default ${DEFAULT_TEXT_LIMIT}`,
  })
  textLimit!: number;
}

/** The inbox's settings, readable by everyone who answers comments. */
@ApiTags('comments')
@ApiBearerAuth()
@Controller('inbox/settings')
export class InboxSettingsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @Roles('admin', 'agent')
  @ApiOperation({
    operationId: 'getInboxSettings',
    summary:
      "The inbox's settings: the first-response target and the text limit (admins and agents)",
  })
  @ApiOkResponse({ type: InboxSettingsResponse })
  get(): InboxSettingsResponse {
    return { firstResponseTargetMinutes: null, textLimit: this.config.tiktok.textLimit };
  }
}
