import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '@shared/auth/decorators';
import { APP_CONFIG, type AppConfig } from '@shared/config/app-config';

/** `GET /inbox/settings` (API.md "Settings and the response target"). */
export interface InboxSettingsView {
  /** the first-response target; none until the team inbox sets one */
  firstResponseTargetMinutes: number | null;
  /** `TIKTOK_TEXT_LIMIT`: the most code points of a reply or comment, so that a UI can count down */
  textLimit: number;
}

/** The inbox's settings, readable by everyone who answers comments. */
@ApiTags('comments')
@ApiBearerAuth()
@Controller('inbox/settings')
export class InboxSettingsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @Roles('admin', 'agent')
  get(): InboxSettingsView {
    return { firstResponseTargetMinutes: null, textLimit: this.config.tiktok.textLimit };
  }
}
