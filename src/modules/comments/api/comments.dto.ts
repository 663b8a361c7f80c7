import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PageQueryDto } from '@shared/http/pagination.dto';
import type { CommentStatusFilter } from '../domain/comment';

export class ListCommentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  integrationId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  videoId?: string;

  @ApiPropertyOptional({ enum: ['unanswered', 'answered', 'all'], default: 'all' })
  @IsOptional()
  @IsIn(['unanswered', 'answered', 'all'])
  status?: CommentStatusFilter;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 200, description: 'case-insensitive text search' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'only postedAt at or after it' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  since?: Date;
}

/** The text is checked in the domain (1–150 code points after trimming), so a non-string reaches it too. */
@ApiSchema({ name: 'PostTextRequest' })
export class PostTextDto {
  @ApiProperty({
    type: String,
    minLength: 1,
    maxLength: 1200,
    description: '1 to TIKTOK_TEXT_LIMIT characters (Unicode code points) after trimming; the limit is 1,200 by default (TikTok’s since 2026-08-07)',
    example: 'Thank you! It ships next week.',
  })
  @Allow()
  text!: unknown;
}

export class InboxStreamQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    description: 'start after this position in the event log (Last-Event-ID wins when both are sent)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}
